"""The administrative tree: district → street/township → community/village."""

from __future__ import annotations

import asyncpg

_COMMUNITIES_BELOW = """
    WITH RECURSIVE below AS (
        SELECT code, level FROM areas WHERE code = $1
        UNION SELECT a.code, a.level FROM areas a JOIN below b ON a.parent_code = b.code)
    SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM below
    WHERE level IN ('community', 'village')
"""


async def communities_below(conn: asyncpg.Connection, *, area_code: str) -> tuple[str, ...] | None:
    """The community and village codes under an area (itself if one); None if no such area."""
    if not await conn.fetchval("SELECT 1 FROM areas WHERE code = $1", area_code):
        return None
    return tuple(await conn.fetchval(_COMMUNITIES_BELOW, area_code))
