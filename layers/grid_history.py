"""The history of grid shapes: every saved edit records, per grid it changed, the shape
before and after, who made it and in which jurisdiction; undo reads an edit back. Written
inside each edit's transaction (layers.grid_edits); read by the API as JSON built in SQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import shapely
from shapely import wkb
from shapely.geometry.base import BaseGeometry

from layers.db import Connection, fetchall, fetchone, fetchval
from layers.edit_report import Before


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
    status_before: dict[str, Any] | None = None  # its grid_status row before the edit


@dataclass(frozen=True)
class RecordedShape:
    grid_code: str
    version: int
    old: BaseGeometry | None
    new: BaseGeometry | None


_INSERT = """
INSERT INTO grid_history (edit_id, grid_id, grid_code, community_code, version, action,
    edited_grid, token_id, role, scope_code, undo_of, old_geom, new_geom, status_before)
SELECT %s, coalesce(%s, (SELECT id FROM grids WHERE code = %s)), %s, %s, %s, %s, %s, %s, %s,
    %s, %s, ST_GeomFromWKB(%s, 4326), ST_GeomFromWKB(%s, 4326), %s::jsonb
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
    links: Before | None = None,
) -> list[int]:
    """One history row per changed grid, sharing a new edit id, and the assignment links
    the edit found (`links`, for undo); returns the rows' ids."""
    edit_id = await fetchval(conn, "SELECT nextval('grid_edit_seq')")
    if links is not None:
        await _record_links(conn, int(edit_id), links)
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
                json.dumps(change.status_before) if change.status_before else None,
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


async def _record_links(conn: Connection, edit_id: int, links: Before) -> None:
    await conn.execute(
        "INSERT INTO grid_edit_links (edit_id, household_id, member_id, run_id, distance_m) "
        "SELECT %s, * FROM unnest(%s::int[], %s::int[], %s::int[], %s::float8[])",
        (edit_id, links.household, links.member, links.run, links.distance),
    )


async def statuses_of(conn: Connection, grid_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The grids' grid_status rows (without grid_id), by grid id."""
    rows = await fetchall(
        conn,
        "SELECT grid_id, to_jsonb(s) - 'grid_id' FROM grid_status s WHERE grid_id = ANY(%s)",
        (grid_ids,),
    )
    return {int(grid_id): dict(status) for grid_id, status in rows}


_RESTORE_LINKS = """
WITH edit AS (SELECT edit_id FROM grid_history WHERE id = %(record)s)
INSERT INTO assignments (household_id, member_id, run_id, distance_m)
SELECT l.household_id, l.member_id, l.run_id, l.distance_m
FROM grid_edit_links l JOIN edit e ON e.edit_id = l.edit_id
JOIN households h ON h.id = l.household_id JOIN members m ON m.id = l.member_id
JOIN assignment_runs r ON r.id = l.run_id
WHERE h.grid_id = m.grid_id AND h.grid_id = ANY(%(grids)s)
"""

# Households of the grids whose link is not the one recorded (or that were not recorded).
_LINKS_DIFFER = """
SELECT count(*) FROM households h
LEFT JOIN grid_edit_links l ON l.household_id = h.id
    AND l.edit_id = (SELECT edit_id FROM grid_history WHERE id = %(record)s)
LEFT JOIN assignments a ON a.household_id = h.id
WHERE h.grid_id = ANY(%(grids)s)
  AND (l.household_id IS NULL OR a.member_id IS DISTINCT FROM l.member_id
       OR a.run_id IS DISTINCT FROM l.run_id)
"""

# Grids whose households or active members are not those their recorded status counted.
_COUNTS_DIFFER = """
SELECT count(*) FROM grid_history r JOIN grids g ON g.code = r.grid_code
WHERE r.edit_id = (SELECT edit_id FROM grid_history WHERE id = %(record)s)
  AND r.status_before IS NOT NULL
  AND ((r.status_before->>'households')::int
           <> (SELECT count(*) FROM households h WHERE h.grid_id = g.id)
       OR (r.status_before->>'members')::int
           <> (SELECT count(*) FROM members m WHERE m.grid_id = g.id AND m.active))
"""

_RESTORE_STATUS = """
WITH recorded AS (
    SELECT g.id AS grid_id, h.status_before FROM grid_history h JOIN grids g ON g.code = h.grid_code
    WHERE h.edit_id = (SELECT edit_id FROM grid_history WHERE id = %(record)s)),
cleared AS (
    DELETE FROM grid_status s USING recorded r
    WHERE s.grid_id = r.grid_id AND r.status_before IS NULL)
INSERT INTO grid_status
SELECT (jsonb_populate_record(NULL::grid_status,
    r.status_before || jsonb_build_object('grid_id', r.grid_id))).*
FROM recorded r WHERE r.status_before IS NOT NULL
ON CONFLICT (grid_id) DO UPDATE SET run_id = EXCLUDED.run_id, status = EXCLUDED.status,
    households = EXCLUDED.households, members = EXCLUDED.members,
    members_needed = EXCLUDED.members_needed, unassigned = EXCLUDED.unassigned,
    idle_capacity = EXCLUDED.idle_capacity, split_buildings = EXCLUDED.split_buildings,
    moved = EXCLUDED.moved, objective_m = EXCLUDED.objective_m
"""


async def restore_links(conn: Connection, *, record: int, grid_ids: list[int]) -> bool:
    """Undo of the edit of history record `record`, once its old shapes are written: the
    households of `grid_ids` get back the links the edit found, and the grids their
    status. False (statuses left alone) when some household's link could not come back as
    it was (a household or member added or removed since): the caller assigns again."""
    params = {"record": record, "grids": grid_ids}
    await conn.execute(
        "DELETE FROM assignments a USING households h "
        "WHERE h.id = a.household_id AND h.grid_id = ANY(%(grids)s)",
        params,
    )
    await conn.execute(_RESTORE_LINKS, params)
    if await fetchval(conn, _LINKS_DIFFER, params) or await fetchval(conn, _COUNTS_DIFFER, params):
        return False
    await conn.execute(_RESTORE_STATUS, params)
    return True


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
