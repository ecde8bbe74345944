"""The history of grid shapes: every saved edit records, per grid it changed, the shape
before and after, who made it and in which jurisdiction; undo reads an edit back. Written
inside each edit's transaction (layers.grid_edits); read by the API as JSON built in SQL."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely import wkb
from shapely.geometry.base import BaseGeometry

from layers.db import Connection, fetchall, fetchone, fetchval


@dataclass(frozen=True)
class Actor:
    """Who edits: a staff token (id, role, jurisdiction) or the command line."""

    role: str
    token_id: int | None = None
    scope_code: str | None = None


@dataclass(frozen=True)
class ShapeChange:
    """One grid's part of an edit: None as old shape for a created grid, as new for a
    removed one."""

    grid_id: int | None  # None: look it up by code (a grid created by this edit)
    grid_code: str
    version: int  # the grid's version after the edit
    old: BaseGeometry | None
    new: BaseGeometry | None
    undo_of: int | None = None


@dataclass(frozen=True)
class RecordedShape:
    grid_code: str
    version: int
    old: BaseGeometry | None
    new: BaseGeometry | None


_INSERT = """
INSERT INTO grid_history (edit_id, grid_id, grid_code, community_code, version, action,
    edited_grid, token_id, role, scope_code, undo_of, old_geom, new_geom)
SELECT %s, coalesce(%s, (SELECT id FROM grids WHERE code = %s)), %s, %s, %s, %s, %s, %s, %s,
    %s, %s, ST_GeomFromWKB(%s, 4326), ST_GeomFromWKB(%s, 4326)
RETURNING id
"""


def _wkb(geom: BaseGeometry | None) -> bytes | None:
    return shapely.to_wkb(geom) if geom is not None else None


async def record_edit(
    conn: Connection,
    *,
    community_code: str,
    action: str,
    edited_grid: str,
    actor: Actor,
    changes: list[ShapeChange],
) -> list[int]:
    """One history row per changed grid, sharing a new edit id; returns the rows' ids."""
    edit_id = await fetchval(conn, "SELECT nextval('grid_edit_seq')")
    ids = []
    for change in changes:
        row_id = await fetchval(
            conn,
            _INSERT,
            (
                edit_id,
                change.grid_id,
                change.grid_code,
                change.grid_code,
                community_code,
                change.version,
                action,
                edited_grid,
                actor.token_id,
                actor.role,
                actor.scope_code,
                change.undo_of,
                _wkb(change.old),
                _wkb(change.new),
            ),
        )
        ids.append(int(row_id))
    return ids


async def recorded_edit(conn: Connection, *, record: int, grid_code: str) -> list[RecordedShape]:
    """Every grid's shapes of the edit that history record `record` (of that grid) belongs
    to; empty when there is no such record."""
    rows = await fetchall(
        conn,
        "SELECT grid_code, version, ST_AsBinary(old_geom), ST_AsBinary(new_geom) "
        "FROM grid_history WHERE edit_id = "
        "(SELECT edit_id FROM grid_history WHERE id = %s AND grid_code = %s) ORDER BY id",
        (record, grid_code),
    )
    return [
        RecordedShape(
            str(code),
            int(version),
            wkb.loads(old) if old is not None else None,
            wkb.loads(new) if new is not None else None,
        )
        for code, version, old, new in rows
    ]


_GRID_FEATURE = """
SELECT json_build_object(
    'type', 'Feature', 'id', code,
    'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 15)::json,
    'properties', json_build_object(
        'code', code, 'name', name, 'community_code', community_code, 'version', version)
)::text, version
FROM grids WHERE code = %s
"""

# 15 decimals print every double exactly, so an old shape sent back (undo) is the same shape.
_HISTORY = """
SELECT json_build_object('grid', %(grid)s::text, 'items', coalesce(json_agg(json_build_object(
    'id', id, 'edit_id', edit_id, 'version', version, 'action', action,
    'edited_grid', edited_grid, 'undo_of', undo_of, 'at', at,
    'by', json_build_object('token_id', token_id, 'role', role, 'scope', scope_code),
    'old_geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(old_geom), 15)::json,
    'new_geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(new_geom), 15)::json
) ORDER BY id DESC), '[]'))::text
FROM (SELECT * FROM grid_history WHERE grid_code = %(grid)s ORDER BY id DESC LIMIT %(limit)s) h
"""


async def grid_feature(conn: Connection, code: str) -> tuple[str, int] | None:
    """A grid as a GeoJSON Feature (text) and its version."""
    row = await fetchone(conn, _GRID_FEATURE, (code,))
    return (str(row[0]), int(row[1])) if row else None


async def history_json(conn: Connection, grid_code: str, *, limit: int) -> str:
    """A grid's shape changes, newest first: its own edits and what neighbours' edits did
    to it; each with who, when, and the old and new shapes."""
    return str(await fetchval(conn, _HISTORY, {"grid": grid_code, "limit": limit}))


async def history_community(conn: Connection, grid_code: str) -> str | None:
    """The community of a grid, or of a grid merged away that has history."""
    value = await fetchval(
        conn,
        "SELECT community_code FROM grids WHERE code = %(g)s UNION ALL "
        "(SELECT community_code FROM grid_history WHERE grid_code = %(g)s LIMIT 1) LIMIT 1",
        {"g": grid_code},
    )
    return str(value) if value is not None else None
