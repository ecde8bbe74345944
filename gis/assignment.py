"""Exact household → member assignment, grid by grid (DESIGN.md §5).

One grid is a transportation problem with lower and upper bounds on the members' loads; it is
solved exactly as a min-cost flow (OR-Tools). Households are aggregated per (building, current
member): the network shrinks about fivefold and an optimal basic flow keeps all but at most
m - 1 buildings whole. Staying with the current member is rewarded by ``move_cost_m`` so a
re-run after a small change moves only what the bounds force. Grids that cannot meet the
bounds are solved within them and reported (understaffed / overstaffed), never violated.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from gis.vocabulary import GridStatus

DEFAULT_MIN_LOAD = 15
DEFAULT_MAX_LOAD = 25
_COST_SCALE = 100  # integer arc costs in centimetres: at most 0.5 cm rounding per household

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)  # eq=False: arrays have no single truth value
class GridProblem:
    """One grid's households and members in a projected (metric) CRS; validated on creation."""

    grid: str
    household_xy: FloatArray  # (n, 2) metres
    building: npt.NDArray[Any]  # (n,) building keys; one building should stay with one member
    current_member: IntArray  # (n,) index into members, -1 = none yet
    member_xy: FloatArray  # (m, 2) metres
    min_load: IntArray  # (m,)
    max_load: IntArray  # (m,)

    def __post_init__(self) -> None:
        def fail(message: str) -> ValueError:
            return ValueError(f"grid {self.grid!r}: {message}")

        hxy = _points(self.household_xy, "household_xy", fail)
        mxy = _points(self.member_xy, "member_xy", fail)
        n, m = len(hxy), len(mxy)
        building = np.asarray(self.building)
        if building.shape != (n,):
            raise fail(f"building has shape {building.shape}, expected ({n},) as household_xy")
        current = _integers(self.current_member, "current_member", n, fail)
        lo = _integers(self.min_load, "min_load", m, fail)
        hi = _integers(self.max_load, "max_load", m, fail)
        if np.any((current < -1) | (current >= m)):
            raise fail(f"current_member must be -1 or a member index in [0, {m})")
        if np.any(lo < 0):
            raise fail(f"min_load must be >= 0 (member {int(np.argmax(lo < 0))})")
        if np.any(lo > hi):
            j = int(np.argmax(lo > hi))
            raise fail(f"member {j} has min_load {lo[j]} > max_load {hi[j]}")
        normalised = (hxy, building, current, mxy, lo, hi)  # in field order, after `grid`
        for field, value in zip(fields(self)[1:], normalised, strict=True):
            object.__setattr__(self, field.name, value)


@dataclass(frozen=True, eq=False)
class GridSolution:
    """The assignment of one grid and what the planner must know about it."""

    grid: str
    member_of: IntArray  # (n,) member index, -1 = left unassigned
    distance_m: FloatArray  # (n,) metres to the member, NaN when unassigned
    objective_m: float  # total distance of the assigned households
    status: GridStatus
    members_needed: int  # more members needed to take every household at the mean max load
    unassigned: int
    idle_capacity: int  # sum(min_load) - n when the members' minimums exceed the households
    split_buildings: int  # buildings whose households ended with more than one member
    moved: int  # households that had a member and now have another (or none)
    loads: IntArray  # (m,)


def solve_grid(problem: GridProblem, *, move_cost_m: float = 500.0) -> GridSolution:
    """Optimal assignment of one grid: least total distance within the (effective) bounds.

    ``move_cost_m`` is the distance a household must save before it leaves its current
    member, which keeps re-runs stable without changing which loads are feasible.
    """
    if not (math.isfinite(move_cost_m) and move_cost_m >= 0):
        raise ValueError(f"move_cost_m must be a finite number >= 0, got {move_cost_m!r}")
    n, m = len(problem.household_xy), len(problem.member_xy)
    if n == 0 or m == 0:
        return _solution(problem, np.full(n, -1, dtype=np.int64), np.empty((n, m)))
    dist = _distances(problem.household_xy, problem.member_xy)
    lo, hi = _effective_bounds(n, problem.min_load, problem.max_load)
    member_of = _optimal_members(problem, dist, lo, hi, move_cost_m)
    return _solution(problem, member_of, dist)


def greedy_baseline(problem: GridProblem) -> GridSolution:
    """Nearest member with room left, closest households first: the benchmark's yardstick.

    Ignores minimum loads and buildings; it only shows how much the exact solver gains.
    """
    n, m = len(problem.household_xy), len(problem.member_xy)
    member_of = np.full(n, -1, dtype=np.int64)
    if n == 0 or m == 0:
        return _solution(problem, member_of, np.empty((n, m)))
    dist = _distances(problem.household_xy, problem.member_xy)
    room = problem.max_load.copy()
    for i in np.argsort(dist.min(axis=1), kind="stable"):
        if not np.any(room > 0):
            break
        j = int(np.argmin(np.where(room > 0, dist[i], np.inf)))
        member_of[i] = j
        room[j] -= 1
    return _solution(problem, member_of, dist)


# --- the exact solver -------------------------------------------------------------------


def _effective_bounds(n: int, lo: IntArray, hi: IntArray) -> tuple[IntArray, IntArray]:
    """Loosen the minimums only when too few households exist, spreading them evenly.

    With t the smallest level whose capped sum reaches n, loads lie in [t - 1, t] unless a
    member's own bounds say otherwise: no maximum is ever raised.
    """
    if n >= lo.sum():
        return lo, hi
    level = math.ceil(n / len(hi))
    while np.minimum(hi, level).sum() < n:
        level += 1
    return np.minimum(lo, level - 1), np.minimum(hi, level)


def _optimal_members(
    problem: GridProblem, dist: FloatArray, lo: IntArray, hi: IntArray, move_cost_m: float
) -> IntArray:
    n, m = dist.shape
    cost = dist.copy()
    had = np.flatnonzero(problem.current_member >= 0)
    cost[had, problem.current_member[had]] -= move_cost_m  # leaving costs move_cost_m extra
    left_out = n - min(n, int(hi.sum()))
    col_lo, col_hi = lo, hi
    if left_out:
        # An extra "unassigned" column; -distance to the nearest member makes the households
        # farthest from every member the ones left out.
        cost = np.column_stack((cost, -dist.min(axis=1)))
        col_lo, col_hi = np.append(lo, left_out), np.append(hi, left_out)
    group, supply = _groups(problem)
    order = np.argsort(group, kind="stable")
    starts = np.concatenate(([0], np.cumsum(supply)[:-1]))
    mean_cost = np.add.reduceat(cost[order], starts, axis=0) / supply[:, None]
    arc_cost = _integer_costs(mean_cost)
    flow = _fewest_splits(_transport(arc_cost, supply, col_lo, col_hi), arc_cost)
    member_of: IntArray = flow.argmax(axis=1)[group]
    for g in np.flatnonzero((flow > 0).sum(axis=1) > 1):
        rows = np.flatnonzero(group == g)
        member_of[rows] = _split_group(cost[rows], flow[g])
    member_of[member_of >= m] = -1
    return member_of


def _split_group(cost: FloatArray, count: IntArray) -> IntArray:
    """Give each column ``count`` of the group's households, those cheapest for it.

    The group flow fixes only how many households each member gets; which ones is a small
    assignment of its own, so per-household distances stay sensible.
    """
    used = np.flatnonzero(count)
    if len(used) == 2:  # the common case: the households that favour ``a`` most go to ``a``
        a, b = used
        order = np.argsort(cost[:, a] - cost[:, b], kind="stable")
        columns: IntArray = np.where(np.arange(len(cost)) < count[a], a, b)[np.argsort(order)]
        return columns
    ones = np.ones(len(cost), dtype=np.int64)
    chosen: IntArray = _transport(_integer_costs(cost), ones, count, count).argmax(axis=1)
    return chosen


def _integer_costs(cost: FloatArray) -> IntArray:
    # Every unit of supply crosses exactly one of these arcs, so shifting them all by the same
    # constant keeps the optimum and makes every cost non-negative.
    scaled: IntArray = np.rint(cost * _COST_SCALE).astype(np.int64)
    shifted: IntArray = scaled - scaled.min()
    return shifted


def _transport(cost: IntArray, supply: IntArray, col_lo: IntArray, col_hi: IntArray) -> IntArray:
    """Min-cost (rows × columns) flow with row supplies and column loads in [lo, hi].

    Lower bounds use the standard reduction: column c demands lo[c] itself and may pass up to
    hi[c] - lo[c] more to a common sink that demands the rest.
    """
    rows, cols = cost.shape
    sink = rows + cols
    tails = np.concatenate((np.repeat(np.arange(rows), cols), rows + np.arange(cols)))
    heads = np.concatenate((np.tile(rows + np.arange(cols), rows), np.full(cols, sink)))
    capacity = np.concatenate((np.repeat(supply, cols), col_hi - col_lo))
    unit_cost = np.concatenate((cost.ravel(), np.zeros(cols, dtype=np.int64)))
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacity.astype(np.int64), unit_cost
    )
    total = int(supply.sum())
    node_supply = np.concatenate((supply, -col_lo, [col_lo.sum() - total])).astype(np.int64)
    smcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), node_supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:  # the effective bounds are feasible by construction
        raise RuntimeError(f"min-cost flow failed with status {status!r}")
    flows = smcf.flows(np.arange(rows * cols, dtype=np.int32))
    return np.asarray(flows, dtype=np.int64).reshape(rows, cols)


def _fewest_splits(flow: IntArray, cost: IntArray) -> IntArray:
    """Make an optimal flow basic, so at most (columns - 1) groups are split.

    The solver may return a non-basic optimum when costs tie. A cycle of split-group arcs
    has zero cost at an optimum; pushing flow around it until one arc empties joins a group
    back without changing the cost or any load.
    """
    flow = flow.copy()
    while (cycle := _split_cycle(flow)) is not None:
        plus, minus = cycle[0::2], cycle[1::2]
        gain = sum(int(cost[e]) for e in plus) - sum(int(cost[e]) for e in minus)
        if gain > 0:
            plus, minus = minus, plus
        amount = min(int(flow[e]) for e in minus)
        for e in plus:
            flow[e] += amount
        for e in minus:
            flow[e] -= amount
    return flow


def _split_cycle(flow: IntArray) -> list[tuple[int, int]] | None:
    """A cycle of positive (group, column) arcs among split groups, as alternating arcs."""
    rows = flow.shape[0]
    parent = list(range(rows + flow.shape[1]))
    neighbours: list[list[int]] = [[] for _ in parent]

    def root(v: int) -> int:
        while parent[v] != v:
            v = parent[v]
        return v

    for g in np.flatnonzero((flow > 0).sum(axis=1) > 1).tolist():
        for c in np.flatnonzero(flow[g] > 0).tolist():
            a, b = root(g), root(rows + c)
            if a == b:
                nodes = [*_tree_path(neighbours, rows + c, g), g]  # g ... column, back to g
                return [(min(u, v), max(u, v) - rows) for u, v in itertools.pairwise(nodes)]
            parent[a] = b
            neighbours[g].append(rows + c)
            neighbours[rows + c].append(g)
    return None


def _tree_path(neighbours: list[list[int]], start: int, goal: int) -> list[int]:
    came_from = {start: start}
    stack = [start]
    while stack:
        v = stack.pop()
        for w in neighbours[v]:
            if w not in came_from:
                came_from[w] = v
                stack.append(w)
    path = [goal]
    while path[-1] != start:
        path.append(came_from[path[-1]])
    return path


# --- inputs and reporting --------------------------------------------------------------


def _groups(problem: GridProblem) -> tuple[IntArray, IntArray]:
    """Group id per household for (building, current member), and each group's size."""
    m = len(problem.member_xy)
    key = _building_codes(problem) * (m + 1) + problem.current_member + 1
    _, group, size = np.unique(key, return_inverse=True, return_counts=True)
    return group.astype(np.int64), size.astype(np.int64)


def _building_codes(problem: GridProblem) -> IntArray:
    try:
        _, code = np.unique(problem.building, return_inverse=True)
    except TypeError:  # mixed key types cannot be sorted together; their text can
        _, code = np.unique(problem.building.astype(str), return_inverse=True)
    return code.astype(np.int64)


def _distances(a: FloatArray, b: FloatArray) -> FloatArray:
    diff = a[:, None, :] - b[None, :, :]
    squared: FloatArray = np.einsum("ijk,ijk->ij", diff, diff)
    return np.sqrt(squared)


def _solution(problem: GridProblem, member_of: IntArray, dist: FloatArray) -> GridSolution:
    n, m = len(problem.household_xy), len(problem.member_xy)
    assigned = np.flatnonzero(member_of >= 0)
    distance = np.full(n, np.nan)
    distance[assigned] = dist[assigned, member_of[assigned]]
    had = problem.current_member >= 0
    total_min, total_max = int(problem.min_load.sum()), int(problem.max_load.sum())
    mean_max = total_max / m if total_max > 0 else DEFAULT_MAX_LOAD
    pairs = np.unique(np.column_stack((_building_codes(problem), member_of))[assigned], axis=0)
    _, per_building = np.unique(pairs[:, 0], return_counts=True)
    return GridSolution(
        grid=problem.grid,
        member_of=member_of,
        distance_m=distance,
        objective_m=float(distance[assigned].sum()),
        status=_status(n, m, total_min, total_max),
        members_needed=math.ceil(max(0, n - total_max) / mean_max),
        unassigned=n - len(assigned),
        idle_capacity=max(0, total_min - n),
        split_buildings=int(np.count_nonzero(per_building > 1)),
        moved=int(np.count_nonzero(member_of[had] != problem.current_member[had])),
        loads=np.bincount(member_of[assigned], minlength=m).astype(np.int64),
    )


def _status(n: int, m: int, total_min: int, total_max: int) -> GridStatus:
    if n == 0:
        return GridStatus.EMPTY
    if m == 0:
        return GridStatus.NO_MEMBERS
    if n > total_max:
        return GridStatus.UNDERSTAFFED
    return GridStatus.OVERSTAFFED if n < total_min else GridStatus.OK


def _points(value: Any, name: str, fail: Callable[[str], ValueError]) -> FloatArray:
    points = np.asarray(value, dtype=np.float64)
    if points.size == 0:
        return points.reshape(0, 2)
    if points.ndim != 2 or points.shape[1] != 2:
        raise fail(f"{name} must have shape (k, 2), got {points.shape}")
    bad = np.flatnonzero(~np.isfinite(points).all(axis=1))
    if bad.size:
        raise fail(f"{name} has {bad.size} non-finite row(s), first at row {bad[0]}")
    return points


def _integers(value: Any, name: str, size: int, fail: Callable[[str], ValueError]) -> IntArray:
    array = np.asarray(value)
    if array.shape != (size,):
        raise fail(f"{name} has shape {array.shape}, expected ({size},)")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        as_float = array.astype(np.float64)
        if not np.all(np.isfinite(as_float) & (as_float == np.round(as_float))):
            raise fail(f"{name} must hold whole numbers")
    return array.astype(np.int64)
