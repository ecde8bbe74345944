"""Known answers for the exact assignment solver (no database).

Optima are checked against independent solvers (brute force, scipy's HiGHS LP); the solver
rounds arc costs to centimetres, so its objective may exceed the true optimum by at most
1 cm per household (0.5 cm rounding on each side of the comparison).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt
import pyproj
import pytest
from scipy import sparse
from scipy.optimize import linprog

from gis.assignment import GridProblem, GridSolution, greedy_baseline, solve_grid
from gis.assignment_pool import solve_grids
from gis.geometry import LonLatError, check_lonlat, lonlat_to_xy, metric_crs_for

ROUNDING_M_PER_HOUSEHOLD = 0.01


def make_problem(
    hxy: Any,
    mxy: Any,
    lo: Any = 15,
    hi: Any = 25,
    *,
    building: Any = None,
    current: Any = None,
    grid: str = "g",
) -> GridProblem:
    hxy, mxy = np.asarray(hxy, dtype=float), np.asarray(mxy, dtype=float)
    n, m = len(hxy), len(mxy)
    return GridProblem(
        grid=grid,
        household_xy=hxy,
        building=np.arange(n) if building is None else np.asarray(building),
        current_member=np.full(n, -1) if current is None else np.asarray(current),
        member_xy=mxy,
        min_load=np.broadcast_to(lo, (m,)).copy(),
        max_load=np.broadcast_to(hi, (m,)).copy(),
    )


def distances(hxy: Any, mxy: Any) -> npt.NDArray[np.float64]:
    diff = np.asarray(hxy, dtype=float)[:, None, :] - np.asarray(mxy, dtype=float)[None, :, :]
    return np.asarray(np.linalg.norm(diff, axis=2), dtype=np.float64)


def brute_force_optimum(p: GridProblem) -> float:
    d = distances(p.household_xy, p.member_xy)
    n, m = d.shape
    best = np.inf
    for choice in itertools.product(range(m), repeat=n):
        loads = np.bincount(choice, minlength=m)
        if np.all((loads >= p.min_load) & (loads <= p.max_load)):
            best = min(best, float(d[np.arange(n), choice].sum()))
    return best


def lp_optimum(p: GridProblem) -> float:
    """Household × member transportation LP; its optimum is integral (totally unimodular)."""
    d = distances(p.household_xy, p.member_xy)
    n, m = d.shape
    each_once = sparse.kron(sparse.eye(n), np.ones((1, m)))
    load = sparse.kron(np.ones((1, n)), sparse.eye(m))
    result = linprog(
        d.ravel(),
        A_ub=sparse.vstack([load, -load]),
        b_ub=np.concatenate([p.max_load, -p.min_load]),
        A_eq=each_once,
        b_eq=np.ones(n),
        bounds=(0, 1),
        method="highs",
    )
    assert result.status == 0, result.message
    return float(result.fun)


def assert_valid(p: GridProblem, s: GridSolution) -> None:
    assigned = s.member_of >= 0
    assert np.array_equal(s.loads, np.bincount(s.member_of[assigned], minlength=len(p.min_load)))
    d = distances(p.household_xy, p.member_xy)
    idx = np.flatnonzero(assigned)
    assert np.allclose(s.distance_m[idx], d[idx, s.member_of[idx]])
    assert np.all(np.isnan(s.distance_m[~assigned]))
    assert s.objective_m == pytest.approx(s.distance_m[idx].sum())
    assert s.unassigned == np.count_nonzero(~assigned)
    assert np.all(s.loads <= p.max_load)


def test_hand_computed_line():
    # Household at x=3 is nearest to member A (x=2) but A may take only 2: the optimum gives
    # it to B (x=9): A {0, 1} + B {3, 10} = 2 + 1 + 6 + 1 = 10 m; every other split is 12 m.
    p = make_problem([[0, 0], [1, 0], [3, 0], [10, 0]], [[2, 0], [9, 0]], lo=2, hi=2)
    s = solve_grid(p)
    assert s.member_of.tolist() == [0, 0, 1, 1]
    assert s.objective_m == pytest.approx(10.0)
    assert s.status == "ok"
    assert s.distance_m.tolist() == pytest.approx([2, 1, 6, 1])


@pytest.mark.parametrize("seed", range(12))
def test_small_grids_match_brute_force_and_lp(seed):
    rng = np.random.default_rng(1000 + seed)
    n, m = int(rng.integers(8, 11)), int(rng.integers(2, 4))
    lo = rng.integers(1, 4, m)
    hi = lo + rng.integers(1, 4, m)
    hi[0] += max(0, n - hi.sum())  # keep sum(lo) <= n <= sum(hi)
    p = make_problem(rng.uniform(0, 500, (n, 2)), rng.uniform(0, 500, (m, 2)), lo, hi)
    s = solve_grid(p)
    assert s.status == "ok"
    assert_valid(p, s)
    assert np.all(s.loads >= lo)
    tolerance = n * ROUNDING_M_PER_HOUSEHOLD
    assert s.objective_m == pytest.approx(brute_force_optimum(p), abs=tolerance)
    assert s.objective_m == pytest.approx(lp_optimum(p), abs=tolerance)


@pytest.mark.parametrize("seed", range(3))
def test_realistic_grids_match_household_lp(seed):
    rng = np.random.default_rng(2000 + seed)
    n = int(rng.integers(300, 501))
    m = n // 20
    p = make_problem(rng.uniform(0, 900, (n, 2)), rng.uniform(0, 900, (m, 2)))
    s = solve_grid(p)
    assert s.status == "ok"
    assert s.unassigned == 0 and s.split_buildings == 0
    assert_valid(p, s)
    assert np.all((s.loads >= 15) & (s.loads <= 25))
    assert s.objective_m == pytest.approx(lp_optimum(p), abs=n * ROUNDING_M_PER_HOUSEHOLD)
    assert s.objective_m < greedy_baseline(p).objective_m


def test_understaffed_leaves_the_farthest_out():
    rng = np.random.default_rng(3)
    near = rng.uniform(-100, 100, (50, 2))
    far = rng.uniform(3000, 3100, (10, 2))
    hxy = np.vstack([near[:25], far[:5], near[25:], far[5:]])  # far ones interleaved
    p = make_problem(hxy, [[-50, 0], [50, 0]])
    s = solve_grid(p)
    assert s.status == "understaffed"
    assert s.unassigned == 10 and s.members_needed == 1
    assert s.loads.tolist() == [25, 25]
    assert np.flatnonzero(s.member_of < 0).tolist() == [*range(25, 30), *range(55, 60)]
    assert_valid(p, s)


def test_overstaffed_spreads_evenly_within_max():
    rng = np.random.default_rng(4)
    # All households sit by member 0, so only the even spread keeps the others busy.
    p = make_problem(rng.uniform(0, 50, (20, 2)), [[25, 25], [900, 0], [0, 900]])
    s = solve_grid(p)
    assert s.status == "overstaffed"
    assert s.idle_capacity == 25 and s.unassigned == 0
    assert s.loads.max() - s.loads.min() <= 1
    assert s.loads.sum() == 20
    assert_valid(p, s)


def test_no_members_and_empty_grid():
    s = solve_grid(make_problem(np.zeros((30, 2)), np.empty((0, 2))))
    assert s.status == "no_members" and s.unassigned == 30 and s.members_needed == 2
    assert np.all(s.member_of == -1) and s.objective_m == 0.0
    s = solve_grid(make_problem(np.empty((0, 2)), [[0, 0]]))
    assert s.status == "empty" and s.member_of.size == 0 and s.idle_capacity == 15


def building_grid(
    rng: np.random.Generator, buildings: int, per_building: int, members: int
) -> GridProblem:
    centre = rng.uniform(0, 900, (buildings, 2))
    key = np.repeat(np.arange(buildings), per_building)
    hxy = centre[key] + rng.uniform(-1, 1, (len(key), 2))  # one building: same point ± 1 m
    return make_problem(hxy, rng.uniform(0, 900, (members, 2)), building=key)


def split_count(p: GridProblem, s: GridSolution) -> int:
    pairs = {(b, j) for b, j in zip(p.building.tolist(), s.member_of.tolist(), strict=True)}
    per_building = np.bincount([b for b, _ in pairs])
    return int(np.count_nonzero(per_building > 1))


def test_buildings_split_at_most_members_minus_one():
    for seed in range(5):
        p = building_grid(np.random.default_rng(50 + seed), 45, 10, 22)
        s = solve_grid(p)
        assert s.status == "ok" and np.all(s.loads >= 15)
        assert s.split_buildings == split_count(p, s) <= 22 - 1
        assert_valid(p, s)


def test_buildings_stay_whole_when_bounds_allow():
    # Each member has two 10-household buildings at its door: whole buildings cost nothing.
    rng = np.random.default_rng(6)
    mxy = rng.uniform(0, 2000, (4, 2))
    centre = np.repeat(mxy, 2, axis=0) + rng.uniform(-20, 20, (8, 2))
    key = np.repeat(np.arange(8), 10)
    p = make_problem(centre[key] + rng.uniform(-1, 1, (80, 2)), mxy, building=key)
    s = solve_grid(p)
    assert s.split_buildings == 0 and split_count(p, s) == 0
    assert s.member_of.tolist() == np.repeat(np.arange(4), 20).tolist()


@pytest.mark.parametrize("seed", range(20))
def test_tied_costs_still_split_few_buildings(seed):
    # Buildings and members on a coarse lattice: many equally good flows exist, and a
    # non-basic one would split more than m - 1 buildings. Households of a building share
    # one point, so grouping them loses nothing and the household-level LP optimum holds.
    rng = np.random.default_rng(300 + seed)
    m, buildings, per = int(rng.integers(2, 6)), int(rng.integers(5, 30)), int(rng.integers(2, 8))
    key = np.repeat(np.arange(buildings), per)
    lo = int(rng.integers(0, len(key) // m + 1))
    hi = max(lo + int(rng.integers(0, 4)), -(-len(key) // m))
    building_xy = rng.integers(0, 3, (buildings, 2)) * 100.0
    p = make_problem(building_xy[key], rng.integers(0, 3, (m, 2)) * 100.0, lo, hi, building=key)
    s = solve_grid(p)
    assert s.status == "ok" and np.all(s.loads >= lo)
    assert s.split_buildings == split_count(p, s) <= m - 1
    assert s.objective_m == pytest.approx(lp_optimum(p), abs=len(key) * ROUNDING_M_PER_HOUSEHOLD)


def realistic(seed: int, n: int = 440, m: int = 22) -> tuple[np.random.Generator, Any, Any]:
    rng = np.random.default_rng(seed)
    return rng, rng.uniform(0, 800, (n, 2)), rng.uniform(0, 800, (m, 2))


def test_stability_adding_a_household_moves_nobody():
    _, hxy, mxy = realistic(7)
    first = solve_grid(make_problem(hxy, mxy))
    roomy = int(np.flatnonzero(first.loads < 25)[0])
    new = mxy[roomy : roomy + 1] + 3.0  # next door to a member with room
    grown = make_problem(np.vstack([hxy, new]), mxy, current=np.append(first.member_of, -1))
    s = solve_grid(grown)
    assert s.moved == 0 and s.member_of[-1] == roomy
    # Without the move cost the re-solve is free to reshuffle equally good answers.
    assert solve_grid(grown, move_cost_m=0).moved > 0


def test_stability_removing_households():
    _, hxy, mxy = realistic(8)
    first = solve_grid(make_problem(hxy, mxy))
    above_min = int(np.flatnonzero(first.loads[first.member_of] > 15)[0])
    at_min = int(np.flatnonzero(first.loads[first.member_of] == 15)[0])
    for removed, expected_moves in ((above_min, 0), (at_min, 1)):
        keep = np.delete(np.arange(len(hxy)), removed)
        s = solve_grid(make_problem(hxy[keep], mxy, current=first.member_of[keep]))
        # A member left below its minimum forces exactly one household over to it.
        assert s.moved == expected_moves
        assert np.all(s.loads >= 15)


def test_stability_member_leaving_moves_only_its_households():
    _, hxy, mxy = realistic(9)
    first = solve_grid(make_problem(hxy, mxy))
    gone = int(np.argmin(first.loads))
    current = first.member_of - (first.member_of > gone)
    current[first.member_of == gone] = -1
    s = solve_grid(make_problem(hxy, np.delete(mxy, gone, axis=0), current=current))
    assert s.status == "ok" and s.unassigned == 0
    assert s.moved == 0


def test_deterministic_and_parallel_equals_sequential():
    rng = np.random.default_rng(10)
    problems = [building_grid(rng, 20, 5, 5) for _ in range(24)]
    first = solve_grid(problems[0])
    assert np.array_equal(first.member_of, solve_grid(problems[0]).member_of)
    seen: list[str] = []
    parallel = solve_grids(problems, workers=2, on_done=lambda s: seen.append(s.grid))
    sequential = solve_grids(problems, workers=1)
    assert len(seen) == len(problems)
    for a, b in zip(parallel, sequential, strict=True):
        assert a.grid == b.grid and np.array_equal(a.member_of, b.member_of)
        assert a.objective_m == b.objective_m


def test_greedy_baseline_respects_max():
    _, hxy, mxy = realistic(11)
    s = greedy_baseline(make_problem(hxy, mxy))
    assert s.unassigned == 0 and np.all(s.loads <= 25)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"building": np.arange(3)}, "building has shape"),
        ({"current_member": np.full(5, -1)}, "current_member has shape"),
        ({"min_load": np.array([3, 30]), "max_load": np.array([5, 25])}, "min_load 30 > max_load"),
        ({"min_load": np.array([-1, 2])}, "min_load must be >= 0"),
        ({"household_xy": np.array([[0, 0], [np.nan, 1], [2, 2], [3, 3]])}, "non-finite"),
        ({"member_xy": np.array([[0, 0], [0, 1], [1, 1]])}, "min_load has shape"),
        ({"current_member": np.array([0, 1, 2, -1])}, "current_member must be -1"),
        ({"min_load": np.array([1.5, 2])}, "whole numbers"),
    ],
)
def test_bad_input_is_rejected_clearly(change, message):
    fields = {
        "grid": "G-1",
        "household_xy": np.zeros((4, 2)),
        "building": np.arange(4),
        "current_member": np.full(4, -1),
        "member_xy": np.ones((2, 2)),
        "min_load": np.array([1, 1]),
        "max_load": np.array([3, 3]),
    } | change
    with pytest.raises(ValueError, match=message):
        GridProblem(**fields)


def test_bad_move_cost_and_workers():
    p = make_problem(np.zeros((2, 2)), [[0, 0]], lo=0, hi=2)
    with pytest.raises(ValueError, match="move_cost_m"):
        solve_grid(p, move_cost_m=float("nan"))
    with pytest.raises(ValueError, match="workers"):
        solve_grids([p], workers=0)


def test_crs_picks_the_utm_zone_and_measures_metres():
    assert metric_crs_for(115.9, 28.7).to_epsg() == 32650  # Nanchang
    assert metric_crs_for(-43.2, -22.9).to_epsg() == 32723  # Rio de Janeiro
    lon, lat = np.array([115.90, 115.93]), np.array([28.68, 28.70])
    xy = lonlat_to_xy(lon, lat, crs=metric_crs_for(115.9, 28.7))
    _, _, geodesic = pyproj.Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])
    assert np.linalg.norm(xy[1] - xy[0]) == pytest.approx(geodesic, rel=0.005)


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        ([116.0, 200.0], [28.0, 28.0], r"position 1: lon 200.0 is outside \[-180, 180\]$"),
        ([28.7], [115.9], r"lat 115.9 is outside \[-90, 90\] \(are lon and lat swapped"),
        ([116.0], [-95.0], r"lat -95.0 is outside \[-90, 90\]$"),
        ([np.nan], [0], "not a finite number"),
        ([116.0], [np.inf], "not a finite number"),
    ],
)
def test_check_lonlat_rejects_impossible_coordinates(lon, lat, message):
    with pytest.raises(LonLatError, match=message) as raised:
        check_lonlat(lon, lat)
    assert raised.value.index == len(lon) - 1
    check_lonlat([180.0, -180.0, 0.0], [90.0, -90.0, 0.0])  # the edges are lon/lat
