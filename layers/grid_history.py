"""Reading grids and their edit history for the API (asyncpg); the history rows are written
by layers.redraw inside each edit's transaction."""

from __future__ import annotations

import asyncpg

_GRID_FEATURE = """
SELECT json_build_object(
    'type', 'Feature', 'id', code,
    'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 15)::json,
    'properties', json_build_object(
        'code', code, 'name', name, 'community_code', community_code, 'version', version)
)::text AS body, version
FROM grids WHERE code = $1
"""

# 15 decimals print every double exactly, so an old shape sent back (undo) is the same shape.
_HISTORY = """
SELECT json_build_object('grid', $1::text, 'items', coalesce(json_agg(json_build_object(
    'id', id, 'edit_id', edit_id, 'version', version, 'action', action,
    'edited_grid', edited_grid, 'undo_of', undo_of, 'at', at,
    'by', json_build_object('token_id', token_id, 'role', role, 'scope', scope_code),
    'old_geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(old_geom), 15)::json,
    'new_geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(new_geom), 15)::json
) ORDER BY id DESC), '[]'))::text
FROM (SELECT * FROM grid_history WHERE grid_code = $1 ORDER BY id DESC LIMIT $2) h
"""


async def grid_feature(conn: asyncpg.Connection, code: str) -> tuple[str, int] | None:
    """A grid as a GeoJSON Feature (text) and its version."""
    row = await conn.fetchrow(_GRID_FEATURE, code)
    return (str(row["body"]), int(row["version"])) if row else None


async def history_json(conn: asyncpg.Connection, grid_code: str, *, limit: int) -> str:
    """A grid's shape changes, newest first: its own edits and what neighbours' edits did
    to it; each with who, when, and the old and new shapes."""
    return str(await conn.fetchval(_HISTORY, grid_code, limit))


async def history_community(conn: asyncpg.Connection, grid_code: str) -> str | None:
    """The community of a grid, or of a grid merged away that has history."""
    value = await conn.fetchval(
        "SELECT community_code FROM grids WHERE code = $1 UNION ALL "
        "(SELECT community_code FROM grid_history WHERE grid_code = $1 LIMIT 1) LIMIT 1",
        grid_code,
    )
    return str(value) if value is not None else None
