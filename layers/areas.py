"""The administrative tree: district → street/township → community/village."""

from __future__ import annotations

from layers.db import Connection, fetchval

_COMMUNITIES_BELOW = """
    WITH RECURSIVE below AS (
        SELECT code, level FROM areas
        WHERE code = %(area)s OR (%(area)s::text IS NULL AND parent_code IS NULL)
        UNION SELECT a.code, a.level FROM areas a JOIN below b ON a.parent_code = b.code)
    SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM below
    WHERE level IN ('community', 'village')
"""


async def communities_below(conn: Connection, *, area_code: str | None) -> tuple[str, ...] | None:
    """The community and village codes under an area (itself if one; every one when None),
    in code order; None if there is no such area."""
    if area_code is not None and not await fetchval(
        conn, "SELECT 1 FROM areas WHERE code = %s", (area_code,)
    ):
        return None
    return tuple(await fetchval(conn, _COMMUNITIES_BELOW, {"area": area_code}))


_AREAS_BELOW = """
    WITH RECURSIVE below AS (
        SELECT code FROM areas WHERE code = %s
        UNION SELECT a.code FROM areas a JOIN below b ON a.parent_code = b.code)
    SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM below
"""


async def areas_below(conn: Connection, *, area_code: str) -> tuple[str, ...]:
    """Every area code under an area, at any level, itself included (empty if unknown)."""
    return tuple(await fetchval(conn, _AREAS_BELOW, (area_code,)))
