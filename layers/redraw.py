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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
import shapely
from shapely import wkb
from shapely.geometry.base import BaseGeometry

from gis import redraw as shapes_of
from gis.redraw import EditError, Metric, Plan
from gis.validation import (
    DEFAULT_TOLERANCES,
    PARTITION_KINDS,
    Issue,
    Tolerances,
    multipolygon,
    repair,
    to_lonlat,
    to_metric,
    validate,
)
from layers.assignments import RunSummary, Scope, run_assignment

__all__ = ["EditError"]


class GridNotFound(LookupError):
    """No grid (or history record) with that code or id."""


class EditConflict(ValueError):
    """The edit clashes with what is stored: a code already used, or a grid changed since
    the edit to undo."""


class StaleVersion(Exception):
    def __init__(self, grid: str, expected: int, current: int) -> None:
        super().__init__(
            f"grid {grid} is at version {current}, not {expected}: someone saved it since "
            "you loaded it; reload, look again, and save with the new version"
        )
        self.current = current


@dataclass(frozen=True)
class Actor:
    """Who edits: a staff token (id, role, jurisdiction) or the command line."""

    role: str
    token_id: int | None = None
    scope_code: str | None = None


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


@dataclass(frozen=True)
class MemberLoad:
    code: str
    load: int
    min_load: int
    max_load: int
    active: bool


@dataclass(frozen=True)
class GridOutcome:
    code: str
    name: str
    change: str  # edited | neighbour | created | removed
    version: int
    geom: BaseGeometry | None  # lon/lat; None when removed
    area_m2: float
    area_change_m2: float
    households: int
    status: str | None  # the assignment status after the edit
    members_needed: int
    unassigned: int
    idle_capacity: int
    moved: int  # households that had a member of this grid and now have another
    members: list[MemberLoad]


@dataclass(frozen=True)
class Move:
    household: str
    from_grid: str | None
    to_grid: str | None


@dataclass
class Outcome:
    action: str
    grid: str
    saved: bool
    version_before: int
    version_after: int
    plan: Plan
    grids: list[GridOutcome] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # of the community after the edit
    refusals: list[str] = field(default_factory=list)  # why a save would be refused
    run_id: int | None = None
    history: list[int] = field(default_factory=list)


def run_edit(
    conn: psycopg.Connection,
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
    with conn.transaction() as tx:
        community = _lock(conn, _community_of(conn, edit))
        target = _target(community, edit)
        _check_version(community, target, expected_version)
        if isinstance(edit, Merge):
            _check_version(community, edit.other, edit.other_version)
        plan, action = _plan(conn, community, edit)
        refusals = _refusals(plan)
        if save and refusals:
            raise EditError("; ".join(refusals))
        outcome = _apply(conn, community, edit, plan, action)
        outcome.refusals = refusals
        if save:
            undo_of = edit.undo_of if isinstance(edit, Redraw) else None
            outcome.history = _record(conn, community, outcome, actor, undo_of)
            outcome.saved = True
        else:
            raise psycopg.Rollback(tx)
    assert outcome is not None
    return outcome


# --- reading and locking ----------------------------------------------------------------


def _community_of(conn: psycopg.Connection, edit: Edit) -> str:
    if isinstance(edit, RepairEdit):
        return edit.community
    row = conn.execute("SELECT community_code FROM grids WHERE code = %s", (edit.grid,)).fetchone()
    if row is None:
        raise GridNotFound(f"no grid with code '{edit.grid}'")
    return str(row[0])


def _lock(conn: psycopg.Connection, code: str) -> Community:
    """The community and its grids, locked; read after the lock, so fresh."""
    rows = conn.execute(
        "SELECT id, code, name, version, ST_AsBinary(geom) FROM grids "
        "WHERE community_code = %s ORDER BY id FOR UPDATE",
        (code,),
    ).fetchall()
    area = conn.execute(
        "SELECT name, ST_AsBinary(geom) FROM areas WHERE code = %s", (code,)
    ).fetchone()
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


# --- planning ---------------------------------------------------------------------------


def _plan(conn: psycopg.Connection, community: Community, edit: Edit) -> tuple[Plan, str]:
    geoms = {code: row.geom for code, row in community.grids.items()}
    if isinstance(edit, Redraw) and edit.undo_of is not None:
        return _undo_plan(conn, community, edit, edit.undo_of), "undo"
    if isinstance(edit, Redraw):
        if edit.shape is None:
            raise EditError("send the new shape of the grid")
        return shapes_of.redraw(community.geom, geoms, edit.grid, edit.shape), "redraw"
    if isinstance(edit, Split):
        code = edit.code or _next_code(conn, community)
        if conn.execute("SELECT 1 FROM grids WHERE code = %s", (code,)).fetchone():
            raise EditConflict(f"grid code '{code}' is already used; choose another")
        return shapes_of.split(community.geom, geoms, edit.grid, edit.line, code), "split"
    if isinstance(edit, Merge):
        if edit.other not in geoms:
            found = conn.execute("SELECT 1 FROM grids WHERE code = %s", (edit.other,)).fetchone()
            if found is None:
                raise GridNotFound(f"no grid with code '{edit.other}'")
            raise EditError(f"grid {edit.other} lies in another community than {edit.grid}")
        return shapes_of.merge(community.geom, geoms, edit.grid, edit.other), "merge"
    return _repair_plan(community, edit), "repair"


def _undo_plan(conn: psycopg.Connection, community: Community, edit: Redraw, record: int) -> Plan:
    """Every grid the recorded edit changed goes back to its old shape. That is exact and
    keeps the partition only if none of them changed since, so that is required."""
    rows = conn.execute(
        "SELECT grid_code, version, ST_AsBinary(old_geom), ST_AsBinary(new_geom) "
        "FROM grid_history WHERE edit_id = "
        "(SELECT edit_id FROM grid_history WHERE id = %s AND grid_code = %s) ORDER BY id",
        (record, edit.grid),
    ).fetchall()
    if not rows:
        raise GridNotFound(f"grid {edit.grid} has no history record {record}")
    if any(old is None or new is None for _, _, old, new in rows):
        raise EditError(
            f"history record {record} belongs to a split or merge, which a saved shape cannot "
            "undo: merge the split grids, or split the merged one"
        )
    for code, version, _, _ in rows:
        now = community.grids.get(str(code))
        if now is None or now.version != int(version):
            raise EditConflict(
                f"grid {code} changed after history record {record} (now version "
                f"{now.version if now else 'gone'}, the edit left {version}): undo the later "
                "edits first, or redraw by hand"
            )
    shapes: dict[str, BaseGeometry | None] = {str(r[0]): wkb.loads(r[2]) for r in rows}
    if edit.shape is not None:
        old = shapes.get(edit.grid)
        metric = Metric.around(community.geom)
        if old is None or metric.area(shapely.symmetric_difference(old, edit.shape)) > 1.0:
            raise EditError(
                f"the shape is not the old shape of history record {record}; send that "
                "old shape, or no body"
            )
    return Plan(shapes=shapes)


def _next_code(conn: psycopg.Connection, community: Community) -> str:
    """`<community>-G<nn>` with the next number not used by any grid (even merged ones)."""
    row = conn.execute(
        "SELECT max(substring(code FROM '-G([0-9]+)$')::int) FROM "
        "(SELECT code FROM grids WHERE community_code = %(c)s "
        " UNION ALL SELECT grid_code FROM grid_history WHERE community_code = %(c)s) codes",
        {"c": community.code},
    ).fetchone()
    number = int(row[0]) + 1 if row and row[0] is not None else len(community.grids) + 1
    return f"{community.code}-G{number:02d}"


def _repair_plan(community: Community, edit: RepairEdit) -> Plan:
    tolerances = edit.tolerances
    metric = Metric.around(community.geom)
    metres = {c: to_metric(r.geom, metric.crs) for c, r in community.grids.items()}
    fixed = repair(to_metric(community.geom, metric.crs), metres, tolerances=tolerances)
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


@dataclass(frozen=True)
class _Before:
    """Households of the changing grids (and the community's strays) before the edit."""

    household: list[int]
    grid: list[int | None]
    member: list[int | None]
    run: list[int | None]
    distance: list[float | None]


def _apply(
    conn: psycopg.Connection, community: Community, edit: Edit, plan: Plan, action: str
) -> Outcome:
    target = _target(community, edit)
    old_ids = [community.grids[c].id for c in plan.shapes if c in community.grids]
    before = _households_before(conn, community, old_ids)
    names = {code: _new_name(community, code, edit) for code in plan.created}
    ids = {c: r.id for c, r in community.grids.items()}
    ids.update(_write_shapes(conn, community, plan, names))
    if isinstance(edit, Split):
        _members_to_new_grid(conn, edit, ids[edit.grid], ids[plan.created[0]])
    if isinstance(edit, Merge):
        _remove_merged(conn, ids[edit.other], ids[edit.grid])
    _restore_members(conn, before)
    kept = sorted(c for c, shape in plan.shapes.items() if shape is not None)
    summary = run_assignment(conn, scope=Scope(grids=tuple(kept))) if kept else None
    row = community.grids.get(target)
    version = row.version if row else 0
    return Outcome(
        action=action,
        grid=target,
        saved=False,
        version_before=version,
        version_after=version + 1 if target in plan.shapes else version,
        plan=plan,
        grids=_grid_outcomes(conn, community, target, plan, ids, names, summary),
        moves=_moves(conn, before, ids),
        issues=_issues_after(conn, community, plan, ids),
        run_id=summary.run_id if summary else None,
    )


def _households_before(conn: psycopg.Connection, community: Community, ids: list[int]) -> _Before:
    rows = conn.execute(
        "SELECT h.id, h.grid_id, a.member_id, a.run_id, a.distance_m FROM households h "
        "LEFT JOIN assignments a ON a.household_id = h.id "
        "WHERE h.grid_id = ANY(%(ids)s) OR (h.grid_id IS NULL AND ST_Intersects(h.geom, "
        "(SELECT geom FROM areas WHERE code = %(c)s))) ORDER BY h.id",
        {"ids": ids, "c": community.code},
    ).fetchall()
    columns: list[list[Any]] = (
        [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(5)]
    )
    return _Before(*columns)


def _write_shapes(
    conn: psycopg.Connection, community: Community, plan: Plan, names: dict[str, str]
) -> dict[str, int]:
    """Write every changed shape in one statement, so households are re-joined once against
    the final shapes; then insert created grids. Returns the created grids' ids."""
    ids, blobs = [], []
    for code, shape in plan.shapes.items():
        if shape is not None and code in community.grids:
            ids.append(community.grids[code].id)
            blobs.append(shapely.to_wkb(shape))
    created = {}
    try:
        if ids:
            conn.execute(
                "UPDATE grids g SET geom = ST_GeomFromWKB(v.wkb, 4326), version = g.version + 1 "
                "FROM unnest(%s::int[], %s::bytea[]) AS v(id, wkb) WHERE g.id = v.id",
                (ids, blobs),
            )
        for code in plan.created:
            shape = plan.shapes[code]
            assert shape is not None
            row = conn.execute(
                "INSERT INTO grids (code, name, community_code, geom) "
                "VALUES (%s, %s, %s, ST_GeomFromWKB(%s, 4326)) RETURNING id",
                (code, names[code], community.code, shapely.to_wkb(shape)),
            ).fetchone()
            assert row is not None
            created[code] = int(row[0])
    except psycopg.errors.CheckViolation as error:
        detail = error.diag.message_primary
        raise EditError(f"the database refused the new shapes: {detail}") from error
    return created


def _new_name(community: Community, code: str, edit: Edit) -> str:
    if isinstance(edit, Split) and edit.name:
        return edit.name
    number = code.rsplit("-G", 1)[-1]
    return f"{community.name}第{int(number)}网格" if number.isdigit() else f"{community.name}{code}"


def _members_to_new_grid(conn: psycopg.Connection, edit: Split, old_id: int, new_id: int) -> None:
    """A split's new grid takes the members named, or else those whose home lies in it."""
    if edit.members is None:
        conn.execute(
            "UPDATE members m SET grid_id = g.id FROM grids g WHERE g.id = %s "
            "AND m.grid_id = %s AND ST_Covers(g.geom, m.geom)",
            (new_id, old_id),
        )
        return
    moved = conn.execute(
        "UPDATE members SET grid_id = %s WHERE grid_id = %s AND code = ANY(%s) RETURNING code",
        (new_id, old_id, list(edit.members)),
    ).fetchall()
    missing = sorted(set(edit.members) - {str(r[0]) for r in moved})
    if missing:
        raise EditError(f"member(s) {', '.join(missing)} are not members of grid {edit.grid}")


def _remove_merged(conn: psycopg.Connection, other_id: int, into_id: int) -> None:
    """The merged grid's members join the grid that took its land; deleting it re-joins its
    households (the foreign key empties their grid and the trigger finds the new one)."""
    conn.execute("UPDATE members SET grid_id = %s WHERE grid_id = %s", (into_id, other_id))
    conn.execute("DELETE FROM grids WHERE id = %s", (other_id,))


def _restore_members(conn: psycopg.Connection, before: _Before) -> None:
    """A household that changed grid together with its member (merge, split) keeps it: the
    trigger dropped the link because the grid changed, not because the member did."""
    conn.execute(
        "INSERT INTO assignments (household_id, member_id, run_id, distance_m) "
        "SELECT b.h, b.m, b.r, b.d "
        "FROM unnest(%s::int[], %s::int[], %s::int[], %s::float8[]) AS b(h, m, r, d) "
        "JOIN households h ON h.id = b.h JOIN members m ON m.id = b.m "
        "WHERE h.grid_id = m.grid_id "
        "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.household_id = b.h)",
        (before.household, before.member, before.run, before.distance),
    )


# --- what changed -----------------------------------------------------------------------


def _grid_outcomes(
    conn: psycopg.Connection,
    community: Community,
    target: str,
    plan: Plan,
    ids: dict[str, int],
    names: dict[str, str],
    summary: RunSummary | None,
) -> list[GridOutcome]:
    metric = Metric.around(community.geom)
    solutions = {s.grid: s for s in summary.solutions} if summary else {}
    changed = [ids[c] for c in plan.shapes]
    counts = _per_grid(conn, "SELECT grid_id, count(*) FROM households", changed)
    loads = _member_loads(conn, changed)
    outcomes = []
    for code, shape in sorted(plan.shapes.items(), key=lambda item: (item[0] != target, item[0])):
        old = community.grids.get(code)
        solution = solutions.get(code)
        old_area = metric.area(old.geom) if old else 0.0
        new_area = metric.area(shape) if shape is not None else 0.0
        outcomes.append(
            GridOutcome(
                code=code,
                name=old.name if old else names[code],
                change=_change_kind(code, target, plan),
                version=(old.version + 1) if old else 1,
                geom=shape,
                area_m2=round(new_area, 1),
                area_change_m2=round(new_area - old_area, 1),
                households=int(counts.get(ids[code], 0)),
                status=solution.status if solution else None,
                members_needed=solution.members_needed if solution else 0,
                unassigned=solution.unassigned if solution else 0,
                idle_capacity=solution.idle_capacity if solution else 0,
                moved=solution.moved if solution else 0,
                members=loads.get(ids[code], []),
            )
        )
    return outcomes


def _per_grid(conn: psycopg.Connection, select: str, grid_ids: list[int]) -> dict[int, int]:
    """A count per grid: `select` is "SELECT grid_id, count(*) FROM t [WHERE ...]"."""
    joiner = " AND " if " WHERE " in select else " WHERE "
    sql = f"{select}{joiner}grid_id = ANY(%s) GROUP BY grid_id"
    return {int(g): int(n) for g, n in conn.execute(sql, (grid_ids,)).fetchall()}


def _change_kind(code: str, target: str, plan: Plan) -> str:
    if plan.shapes[code] is None:
        return "removed"
    if code in plan.created:
        return "created"
    return "edited" if code == target else "neighbour"


def _member_loads(conn: psycopg.Connection, grid_ids: list[int]) -> dict[int, list[MemberLoad]]:
    rows = conn.execute(
        "SELECT m.grid_id, m.code, count(a.household_id), m.min_load, m.max_load, m.active "
        "FROM members m LEFT JOIN assignments a ON a.member_id = m.id "
        "WHERE m.grid_id = ANY(%s) GROUP BY m.id ORDER BY m.code",
        (grid_ids,),
    ).fetchall()
    loads: dict[int, list[MemberLoad]] = {}
    for grid_id, code, load, low, high, active in rows:
        loads.setdefault(int(grid_id), []).append(
            MemberLoad(str(code), int(load), int(low), int(high), bool(active))
        )
    return loads


def _moves(conn: psycopg.Connection, before: _Before, ids: dict[str, int]) -> list[Move]:
    codes = {grid_id: code for code, grid_id in ids.items()}
    rows = conn.execute(
        "SELECT h.id, h.code, h.grid_id FROM households h WHERE h.id = ANY(%s) ORDER BY h.code",
        (before.household,),
    ).fetchall()
    was = dict(zip(before.household, before.grid, strict=True))

    def name(grid_id: int | None) -> str | None:
        return codes.get(grid_id) if grid_id is not None else None

    return [
        Move(str(code), name(was[hid]), name(now)) for hid, code, now in rows if was[hid] != now
    ]


def _issues_after(
    conn: psycopg.Connection, community: Community, plan: Plan, ids: dict[str, int]
) -> list[Issue]:
    shapes: dict[str, BaseGeometry | None] = {c: r.geom for c, r in community.grids.items()}
    current = {c: s for c, s in {**shapes, **plan.shapes}.items() if s is not None}
    return check_shapes(conn, community.code, community.geom, current, ids)


def check_shapes(
    conn: psycopg.Connection,
    community_code: str,
    community_geom: BaseGeometry,
    shapes: dict[str, BaseGeometry],
    ids: dict[str, int],
    *,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
) -> list[Issue]:
    """Validate lon/lat shapes of a community's grids with the households and members the
    database holds now; issue locations come back in lon/lat."""
    wanted = [ids[c] for c in shapes]
    households = _per_grid(conn, "SELECT grid_id, count(*) FROM households", wanted)
    members = _per_grid(conn, "SELECT grid_id, count(*) FROM members WHERE active", wanted)
    strays = [
        wkb.loads(r[0])
        for r in conn.execute(
            "SELECT ST_AsBinary(h.geom) FROM households h JOIN areas a ON a.code = %s "
            "WHERE h.grid_id IS NULL AND ST_Intersects(h.geom, a.geom) ORDER BY h.id",
            (community_code,),
        ).fetchall()
    ]
    crs = Metric.around(community_geom).crs
    issues = validate(
        to_metric(community_geom, crs),
        {c: to_metric(s, crs) for c, s in shapes.items()},
        households={c: int(households.get(ids[c], 0)) for c in shapes},
        members={c: int(members.get(ids[c], 0)) for c in shapes},
        stray_households=[to_metric(p, crs) for p in strays],
        tolerances=tolerances,
    )
    return [
        Issue(i.kind, i.grids, to_lonlat(i.location, crs), round(i.area_m2, 2), i.detail)
        for i in issues
    ]


def check_community(
    conn: psycopg.Connection, code: str, *, tolerances: Tolerances = DEFAULT_TOLERANCES
) -> list[Issue]:
    """`gridgis validate` for one community: what breaks its partition, and idle grids."""
    rows = conn.execute(
        "SELECT id, code, ST_AsBinary(geom) FROM grids WHERE community_code = %s", (code,)
    ).fetchall()
    area = conn.execute("SELECT ST_AsBinary(geom) FROM areas WHERE code = %s", (code,)).fetchone()
    if area is None:
        raise GridNotFound(f"no community with code '{code}'")
    shapes = {str(r[1]): wkb.loads(r[2]) for r in rows}
    ids = {str(r[1]): int(r[0]) for r in rows}
    return check_shapes(conn, code, wkb.loads(area[0]), shapes, ids, tolerances=tolerances)


def communities(conn: psycopg.Connection, area: str | None = None) -> list[str]:
    """Community and village codes under an area (all when None), in code order."""
    rows = conn.execute(
        "WITH RECURSIVE below AS (SELECT code, level FROM areas WHERE "
        "(%(a)s::text IS NULL AND parent_code IS NULL) OR code = %(a)s "
        "UNION SELECT a.code, a.level FROM areas a JOIN below b ON a.parent_code = b.code) "
        "SELECT code FROM below WHERE level IN ('community', 'village') ORDER BY code",
        {"a": area},
    ).fetchall()
    return [str(r[0]) for r in rows]


@dataclass(frozen=True)
class CommunityCheck:
    community: str
    issues: list[Issue]  # after the repair, when one ran
    repaired: list[GridOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repairs beyond the tolerance


def validate_area(
    conn: psycopg.Connection,
    area: str | None,
    *,
    repair: bool = False,
    force: bool = False,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    actor: Actor = Actor(role="cli"),
    progress: Callable[[int, int], None] | None = None,
) -> list[CommunityCheck]:
    """Check every community under `area` (all when None); with `repair`, clean what
    breaks the partition and save that like any edit (versions, re-assignment of the
    changed grids, history) — unless a boundary would move beyond the tolerance and
    `force` is not given: then that community is left alone and the note says why."""
    codes = communities(conn, area)
    if area is not None and not codes:
        raise GridNotFound(f"no community, street or district with code '{area}'")
    checks = []
    for done, code in enumerate(codes, start=1):
        issues = check_community(conn, code, tolerances=tolerances)
        check = CommunityCheck(code, issues)
        if repair and any(i.kind in PARTITION_KINDS for i in issues):
            try:
                edit = RepairEdit(code, tolerances, force)
                outcome = run_edit(conn, edit, actor=actor, save=True)
            except EditError as error:
                check = CommunityCheck(code, issues, notes=[str(error)])
            else:
                issues = check_community(conn, code, tolerances=tolerances)
                check = CommunityCheck(code, issues, outcome.grids, outcome.plan.warnings)
        checks.append(check)
        if progress:
            progress(done, len(codes))
    return checks


# --- history ----------------------------------------------------------------------------


def _record(
    conn: psycopg.Connection,
    community: Community,
    outcome: Outcome,
    actor: Actor,
    undo_of: int | None,
) -> list[int]:
    row = conn.execute("SELECT nextval('grid_edit_seq')").fetchone()
    assert row is not None
    edit_id = int(row[0])
    ids = []
    for grid in outcome.grids:
        old = community.grids.get(grid.code)
        inserted = conn.execute(
            "INSERT INTO grid_history (edit_id, grid_id, grid_code, community_code, version, "
            "action, edited_grid, token_id, role, scope_code, undo_of, old_geom, new_geom) "
            "SELECT %s, coalesce(%s, (SELECT id FROM grids WHERE code = %s)), %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s, ST_GeomFromWKB(%s, 4326), ST_GeomFromWKB(%s, 4326) "
            "RETURNING id",
            (
                edit_id,
                old.id if old else None,
                grid.code,
                grid.code,
                community.code,
                grid.version,
                outcome.action,
                outcome.grid,
                actor.token_id,
                actor.role,
                actor.scope_code,
                undo_of if grid.code == outcome.grid else None,
                shapely.to_wkb(old.geom) if old else None,
                shapely.to_wkb(grid.geom) if grid.geom is not None else None,
            ),
        ).fetchone()
        assert inserted is not None
        ids.append(int(inserted[0]))
    return ids
