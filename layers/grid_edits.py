"""Planner edits of grid shapes in PostGIS — redraw, split, merge, undo, repair — through one
code path for preview and save.

An edit locks every grid of the community (FOR UPDATE, in id order, like assignment runs),
so concurrent edits of one community run one after the other and each starts from the
shapes the previous one saved: no edit is lost. Then it computes the new shapes (gis),
writes them in one statement (the triggers re-join households by point-in-polygon and drop
the member of a household that changed grid), puts back the member of a household that
moved together with its member (a merge or split), re-assigns the changed grids only
(stable: others keep their members where the bounds allow) and records the history.
A preview is exactly that transaction, rolled back: its numbers are what a save would do.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import psycopg
import shapely
from shapely import wkb
from shapely.geometry.base import BaseGeometry

from gis import redraw
from gis.geometry import Metric, multipolygon, to_lonlat
from gis.redraw import EditError, Plan
from gis.validation import DEFAULT_TOLERANCES, Issue, Tolerances, repair
from layers import edit_report, grid_history, grid_undo, grid_writes
from layers.assignments import Scope, run_assignment
from layers.db import Connection, fetchall, fetchone, fetchval
from layers.edit_report import Outcome, Touched
from layers.grid_history import Actor, ShapeChange
from layers.grid_undo import EditConflict, GridNotFound
from layers.partition import check_shapes

__all__ = ["Actor", "EditConflict", "EditError", "GridNotFound", "Outcome"]


class StaleVersion(Exception):
    def __init__(self, grid: str, expected: int, current: int) -> None:
        super().__init__(
            f"grid {grid} is at version {current}, not {expected}: someone saved it since "
            "you loaded it; reload, look again, and save with the new version"
        )
        self.current = current


@dataclass(frozen=True)
class Redraw:
    grid: str
    shape: BaseGeometry | None  # lon/lat; None with undo_of: the old shape of that record
    undo_of: int | None = None


@dataclass(frozen=True)
class Split:
    grid: str
    line: BaseGeometry  # lon/lat LineString
    code: str | None = None  # of the new grid; default: the community's next free number
    name: str | None = None
    members: tuple[str, ...] | None = None  # to move to the new grid; None: those living there


@dataclass(frozen=True)
class Merge:
    grid: str
    other: str  # taken into `grid`, then removed
    other_version: int | None = None


@dataclass(frozen=True)
class RepairEdit:
    community: str
    tolerances: Tolerances = DEFAULT_TOLERANCES
    force: bool = False  # also save changes that move a boundary beyond the tolerance


Edit = Redraw | Split | Merge | RepairEdit


@dataclass(frozen=True)
class GridRow:
    id: int
    code: str
    name: str
    version: int
    geom: BaseGeometry


@dataclass(frozen=True)
class Community:
    code: str
    name: str
    geom: BaseGeometry
    grids: dict[str, GridRow]


async def run_edit(
    conn: Connection,
    edit: Edit,
    *,
    actor: Actor,
    save: bool,
    expected_version: int | None = None,
) -> Outcome:
    """Preview (`save=False`: everything, then rolled back) or save one edit.

    Raises GridNotFound, StaleVersion (expected_version is not the grid's), EditConflict, or
    EditError (the shape is invalid, empty, outside the community, would swallow a grid,
    or would leave a gap); nothing is changed then."""
    outcome: Outcome | None = None
    async with conn.transaction() as tx:
        community = await _lock(conn, await _community_of(conn, edit))
        target = _target(community, edit)
        _check_version(community, target, expected_version)
        if isinstance(edit, Merge):
            _check_version(community, edit.other, edit.other_version)
        plan, action = await _plan(conn, community, edit)
        if save and not plan.shapes:
            raise EditError(
                "no change: the shape is the grid's current one (within the 1 m snapping "
                "tolerance); nothing to save"
            )
        refusals = _refusals(plan)
        if save and refusals:
            raise EditError("; ".join(refusals))
        outcome = await _apply(conn, community, edit, plan, action)
        outcome.refusals = refusals
        if not save:
            raise psycopg.Rollback(tx)
        outcome.history = await _record(conn, community, outcome, actor, edit)
        outcome.saved = True
    assert outcome is not None
    return outcome


# --- reading and locking ----------------------------------------------------------------


async def _community_of(conn: Connection, edit: Edit) -> str:
    if isinstance(edit, RepairEdit):
        return edit.community
    code = await fetchval(conn, "SELECT community_code FROM grids WHERE code = %s", (edit.grid,))
    if code is None:
        raise GridNotFound(f"no grid with code '{edit.grid}'")
    return str(code)


async def _lock(conn: Connection, code: str) -> Community:
    """The community and its grids, locked; read after the lock, so fresh."""
    rows = await fetchall(
        conn,
        "SELECT id, code, name, version, ST_AsBinary(geom) FROM grids "
        "WHERE community_code = %s ORDER BY id FOR UPDATE",
        (code,),
    )
    area = await fetchone(
        conn, "SELECT name, ST_AsBinary(geom) FROM areas WHERE code = %s", (code,)
    )
    if area is None:
        raise GridNotFound(f"no community with code '{code}'")
    grids = {
        str(r[1]): GridRow(int(r[0]), str(r[1]), str(r[2]), int(r[3]), wkb.loads(r[4]))
        for r in rows
    }
    return Community(code, str(area[0]), wkb.loads(area[1]), grids)


def _target(community: Community, edit: Edit) -> str:
    if isinstance(edit, RepairEdit):
        return community.code
    if edit.grid not in community.grids:  # merged away while we waited for the lock
        raise GridNotFound(f"no grid with code '{edit.grid}'")
    return edit.grid


def _check_version(community: Community, code: str, expected: int | None) -> None:
    row = community.grids.get(code)
    if expected is not None and row is not None and row.version != expected:
        raise StaleVersion(code, expected, row.version)


# --- planning: the new shapes (geometry work runs off the event loop) -------------------


async def _plan(conn: Connection, community: Community, edit: Edit) -> tuple[Plan, str]:
    geoms = {code: row.geom for code, row in community.grids.items()}
    if isinstance(edit, Redraw) and edit.undo_of is not None:
        grids_now = {code: row.version for code, row in community.grids.items()}
        plan = await grid_undo.undo_plan(conn, community.geom, grids_now, edit.undo_of, edit)
        return plan, "undo"
    if isinstance(edit, Redraw):
        if edit.shape is None:
            raise EditError("send the new shape of the grid")
        shape = edit.shape
        plan = await asyncio.to_thread(redraw.redraw, community.geom, geoms, edit.grid, shape)
        return plan, "redraw"
    if isinstance(edit, Split):
        if edit.code is not None and not edit.code.startswith(community.code + "-"):
            raise EditError(
                f"a new grid's code starts with its community's code and a dash, such as "
                f"'{community.code}-G09'; '{edit.code}' does not"
            )
        code = edit.code or await _next_code(conn, community)
        if await fetchval(conn, "SELECT 1 FROM grids WHERE code = %s", (code,)):
            raise EditConflict(f"grid code '{code}' is already used; choose another")
        line = edit.line
        plan = await asyncio.to_thread(redraw.split, community.geom, geoms, edit.grid, line, code)
        return plan, "split"
    if isinstance(edit, Merge):
        if edit.other not in geoms:
            if not await fetchval(conn, "SELECT 1 FROM grids WHERE code = %s", (edit.other,)):
                raise GridNotFound(f"no grid with code '{edit.other}'")
            raise EditError(f"grid {edit.other} lies in another community than {edit.grid}")
        other = edit.other
        plan = await asyncio.to_thread(redraw.merge, community.geom, geoms, edit.grid, other)
        return plan, "merge"
    return await asyncio.to_thread(_repair_plan, community, edit), "repair"


async def _next_code(conn: Connection, community: Community) -> str:
    """`<community>-G<nn>` with the next number not used by any grid (even merged ones)."""
    highest = await fetchval(
        conn,
        "SELECT max(substring(code FROM '-G([0-9]+)$')::int) FROM "
        "(SELECT code FROM grids WHERE community_code = %(c)s "
        " UNION ALL SELECT grid_code FROM grid_history WHERE community_code = %(c)s) codes",
        {"c": community.code},
    )
    number = int(highest) + 1 if highest is not None else len(community.grids) + 1
    return f"{community.code}-G{number:02d}"


def _repair_plan(community: Community, edit: RepairEdit) -> Plan:
    tolerances = edit.tolerances
    metric = Metric.around(community.geom)
    metres = {c: metric.project(r.geom) for c, r in community.grids.items()}
    fixed = repair(metric.project(community.geom), metres, tolerances=tolerances)
    changed = {c.grid: _lonlat_shape(fixed.grids[c.grid], metric) for c in fixed.changes}
    notes = [
        f"grid {c.grid}: boundary moved up to {c.shift_m:.2f} m, beyond the tolerance of "
        f"{tolerances.tolerance_m:g} m"
        for c in fixed.changes
        if not c.within_tolerance
    ]
    if notes and not edit.force:
        raise EditError("; ".join(notes) + "; nothing saved: look at these by hand, or force")
    return Plan(shapes=dict(changed), warnings=notes)


def _lonlat_shape(shape: BaseGeometry, metric: Metric) -> BaseGeometry:
    # Back in lon/lat, rounding can make two nearly touching rings cross; make_valid
    # mends that without moving anything measurable.
    back = to_lonlat(shape, metric.crs)
    return back if back.is_valid else multipolygon([shapely.make_valid(back)])


def _refusals(plan: Plan) -> list[str]:
    if not plan.gaps:
        return []
    where = ", ".join(
        f"{area:,.0f} m² at lon {point.x:.6f}, lat {point.y:.6f}"
        for area, point in zip(
            plan.gap_areas_m2, (shapely.point_on_surface(g) for g in plan.gaps), strict=True
        )
    )
    return [
        f"the edit would leave land that no grid covers ({where}): no neighbour borders it; "
        "draw the grid to keep it, or redraw a neighbour to take it"
    ]


# --- applying ---------------------------------------------------------------------------


async def _apply(
    conn: Connection, community: Community, edit: Edit, plan: Plan, action: str
) -> Outcome:
    target = _target(community, edit)
    old_ids = [community.grids[c].id for c in plan.shapes if c in community.grids]
    before = await edit_report.households_before(conn, community.code, old_ids)
    statuses = await grid_history.statuses_of(conn, old_ids)
    split_name = edit.name if isinstance(edit, Split) else None
    names = {code: grid_writes.new_name(community.name, code, split_name) for code in plan.created}
    ids = {c: r.id for c, r in community.grids.items()}
    ids.update(await grid_writes.write_shapes(conn, community.code, ids, plan, names))
    if isinstance(edit, Split):
        new_id = ids[plan.created[0]]
        await grid_writes.members_to_new_grid(conn, edit.grid, edit.members, ids[edit.grid], new_id)
    if isinstance(edit, Merge):
        await grid_writes.remove_merged(conn, ids[edit.other], ids[edit.grid])
    kept = sorted(c for c, shape in plan.shapes.items() if shape is not None)
    undo_of = edit.undo_of if isinstance(edit, Redraw) else None
    # Undo puts back the links the edit found; anything else (or an undo that cannot be
    # exact any more) re-assigns the changed grids, keeping members that moved along.
    exact = undo_of is not None and await grid_history.restore_links(
        conn, record=undo_of, grid_ids=[ids[c] for c in kept]
    )
    if not exact:
        await grid_writes.restore_members(conn, before)
    run = not exact and bool(kept)
    summary = await run_assignment(conn, scope=Scope(grids=tuple(kept))) if run else None
    row = community.grids.get(target)
    version = row.version if row else 0
    touched = [_touched(community, code, ids[code], names) for code in plan.shapes]
    return Outcome(
        action=action,
        grid=target,
        saved=False,
        version_before=version,
        version_after=version + 1 if target in plan.shapes else version,
        plan=plan,
        grids=await edit_report.grid_outcomes(
            conn,
            metric=Metric.around(community.geom),
            target=target,
            plan=plan,
            touched=touched,
        ),
        moves=await edit_report.moves(conn, before, {i: c for c, i in ids.items()}),
        issues=await _issues_after(conn, community, plan, ids),
        run_id=summary.run_id if summary else None,
        before=before,
        status_before={c: statuses.get(r.id) for c, r in community.grids.items()},
    )


def _touched(community: Community, code: str, grid_id: int, names: dict[str, str]) -> Touched:
    old = community.grids.get(code)
    if old is None:
        return Touched(code, names[code], grid_id, None, None)
    return Touched(code, old.name, grid_id, old.version, old.geom)


async def _issues_after(
    conn: Connection, community: Community, plan: Plan, ids: dict[str, int]
) -> list[Issue]:
    shapes: dict[str, BaseGeometry | None] = {c: r.geom for c, r in community.grids.items()}
    current = {c: s for c, s in {**shapes, **plan.shapes}.items() if s is not None}
    return await check_shapes(conn, community.code, community.geom, current, ids)


async def _record(
    conn: Connection, community: Community, outcome: Outcome, actor: Actor, edit: Edit
) -> list[int]:
    undo_of = edit.undo_of if isinstance(edit, Redraw) else None
    changes = []
    for grid in outcome.grids:
        old = community.grids.get(grid.code)
        changes.append(
            ShapeChange(
                grid_id=old.id if old else None,
                grid_code=grid.code,
                version=grid.version,
                old=old.geom if old else None,
                new=grid.geom,
                undo_of=undo_of if grid.code == outcome.grid else None,
                status_before=outcome.status_before.get(grid.code),
            )
        )
    return await grid_history.record_edit(
        conn,
        community_code=community.code,
        action=outcome.action,
        edited_grid=outcome.grid,
        actor=actor,
        changes=changes,
        links=outcome.before,
    )
