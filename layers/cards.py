"""What goes on the member cards (连心卡) of an area's grids: each active member's published
name, duty and service phone, and how many households they serve — nothing personal."""

from __future__ import annotations

from typing import Any

from gis.privacy import published_name
from layers.db import Connection, fetchall

_CARDS = """
SELECT g.code, g.name, c.name, m.name, m.duty, m.service_phone,
       (SELECT count(*) FROM assignments a WHERE a.member_id = m.id)
FROM members m JOIN grids g ON g.id = m.grid_id JOIN areas c ON c.code = g.community_code
WHERE m.active AND (g.code = %(area)s OR %(area)s = ANY(c.path))
ORDER BY g.code, m.duty, m.code
LIMIT %(limit)s
"""


async def cards(conn: Connection, *, grid_or_area: str, limit: int) -> list[dict[str, Any]]:
    """The cards of one grid, or of every grid of an area (community, street, district):
    grid_code, grid_name, community, name (published: the surname only), duty,
    service_phone, households."""
    rows = await fetchall(conn, _CARDS, {"area": grid_or_area, "limit": limit})
    keys = ("grid_code", "grid_name", "community", "name", "duty", "service_phone")
    return [
        {**dict(zip(keys, map(str, row[:6]), strict=True)), "households": int(row[6]),
         "name": published_name(str(row[3]))}
        for row in rows
    ]  # fmt: skip
