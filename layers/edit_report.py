"""What an edit did, read back inside its transaction: each touched grid's new shape, area,
households, assignment status and member loads, and the households that changed grid. A
preview shows exactly this, then rolls the transaction back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry

from gis.geometry import Metric
from gis.redraw import Plan
from gis.validation import Issue
from layers.db import Connection, fetchall
from layers.partition import count_per_grid


@dataclass(frozen=True)
class MemberLoad:
    code: str
    load: int
    min_load: int
    max_load: int
    active: bool

    @property
    def within_bounds(self) -> bool:
        return not self.active or self.min_load <= self.load <= self.max_load


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
    old_geom: BaseGeometry | None = None  # before the edit; None when created


@dataclass(frozen=True)
class Move:
    household: str
    from_grid: str | None
    to_grid: str | None
    lon: float = 0.0
    lat: float = 0.0


@dataclass(frozen=True)
class Before:
    """Households of the changing grids (and the community's strays) before the edit, with
    their grid and assignment: what moves are measured against and links restored from."""

    household: list[int]
    grid: list[int | None]
    member: list[int | None]
    run: list[int | None]
    distance: list[float | None]


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
    before: Before | None = field(default=None, repr=False)  # links found, for undo
    status_before: dict[str, dict[str, Any] | None] = field(default_factory=dict, repr=False)


async def households_before(conn: Connection, community: str, grid_ids: list[int]) -> Before:
    rows = await fetchall(
        conn,
        "SELECT h.id, h.grid_id, a.member_id, a.run_id, a.distance_m FROM households h "
        "LEFT JOIN assignments a ON a.household_id = h.id "
        "WHERE h.grid_id = ANY(%(ids)s) OR (h.grid_id IS NULL AND ST_Intersects(h.geom, "
        "(SELECT geom FROM areas WHERE code = %(c)s))) ORDER BY h.id",
        {"ids": grid_ids, "c": community},
    )
    columns: list[list[Any]] = (
        [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(5)]
    )
    return Before(*columns)


@dataclass(frozen=True)
class Touched:
    """A grid the plan changes, as the edit found it (None fields: created by the edit)."""

    code: str
    name: str
    grid_id: int
    old_version: int | None
    old_geom: BaseGeometry | None


async def grid_outcomes(
    conn: Connection,
    *,
    metric: Metric,
    target: str,
    plan: Plan,
    touched: list[Touched],
) -> list[GridOutcome]:
    """The plan's grids after the edit, the edited one first, with the assignment status the
    edit left (a re-run's, or the one undo put back)."""
    ids = [t.grid_id for t in touched]
    counts = await count_per_grid(conn, "households", ids)
    loads = await member_loads(conn, ids)
    statuses = await _statuses(conn, ids)
    ordered = sorted(touched, key=lambda t: (t.code != target, t.code))
    return [
        _outcome(t, target, plan, metric, counts, loads, statuses.get(t.grid_id)) for t in ordered
    ]


@dataclass(frozen=True)
class _Status:
    status: str
    members_needed: int
    unassigned: int
    idle_capacity: int
    moved: int


async def _statuses(conn: Connection, grid_ids: list[int]) -> dict[int, _Status]:
    rows = await fetchall(
        conn,
        "SELECT grid_id, status, members_needed, unassigned, idle_capacity, moved "
        "FROM grid_status WHERE grid_id = ANY(%s)",
        (grid_ids,),
    )
    return {int(r[0]): _Status(str(r[1]), *(int(v) for v in r[2:])) for r in rows}


def _outcome(
    grid: Touched,
    target: str,
    plan: Plan,
    metric: Metric,
    counts: dict[int, int],
    loads: dict[int, list[MemberLoad]],
    solution: _Status | None,
) -> GridOutcome:
    shape = plan.shapes[grid.code]
    old_area = metric.area(grid.old_geom) if grid.old_geom is not None else 0.0
    new_area = metric.area(shape) if shape is not None else 0.0
    return GridOutcome(
        code=grid.code,
        name=grid.name,
        change=_change_kind(grid.code, target, plan),
        version=(grid.old_version or 0) + 1,
        geom=shape,
        area_m2=round(new_area, 1),
        area_change_m2=round(new_area - old_area, 1),
        households=counts.get(grid.grid_id, 0),
        status=solution.status if solution else None,
        members_needed=solution.members_needed if solution else 0,
        unassigned=solution.unassigned if solution else 0,
        idle_capacity=solution.idle_capacity if solution else 0,
        moved=solution.moved if solution else 0,
        members=loads.get(grid.grid_id, []),
        old_geom=grid.old_geom,
    )


def _change_kind(code: str, target: str, plan: Plan) -> str:
    if plan.shapes[code] is None:
        return "removed"
    if code in plan.created:
        return "created"
    return "edited" if code == target else "neighbour"


async def member_loads(conn: Connection, grid_ids: list[int]) -> dict[int, list[MemberLoad]]:
    rows = await fetchall(
        conn,
        "SELECT m.grid_id, m.code, count(a.household_id), m.min_load, m.max_load, m.active "
        "FROM members m LEFT JOIN assignments a ON a.member_id = m.id "
        "WHERE m.grid_id = ANY(%s) GROUP BY m.id ORDER BY m.code",
        (grid_ids,),
    )
    loads: dict[int, list[MemberLoad]] = {}
    for grid_id, code, load, low, high, active in rows:
        loads.setdefault(int(grid_id), []).append(
            MemberLoad(str(code), int(load), int(low), int(high), bool(active))
        )
    return loads


async def moves(conn: Connection, before: Before, codes: dict[int, str]) -> list[Move]:
    """Households whose grid changed; `codes` maps the touched grid ids to their codes."""
    rows = await fetchall(
        conn,
        "SELECT h.id, h.code, h.grid_id, ST_X(h.geom), ST_Y(h.geom) FROM households h "
        "WHERE h.id = ANY(%s) ORDER BY h.code",
        (before.household,),
    )
    was = dict(zip(before.household, before.grid, strict=True))

    def name(grid_id: int | None) -> str | None:
        return codes.get(grid_id) if grid_id is not None else None

    return [
        Move(str(code), name(was[hid]), name(now), float(x), float(y))
        for hid, code, now, x, y in rows
        if was[hid] != now
    ]
