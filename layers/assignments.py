"""Household → member assignment runs: read each grid's households and members from PostGIS,
solve the grids in parallel (gis.assignment), write the result and a run record in one
transaction. Reads and writes use COPY: at city scale the rows, not the solver, cost time."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pyproj

from gis.assignment import GridProblem, GridSolution, solve_grids
from gis.crs import check_lonlat, metric_crs_for, to_metric

STATUSES = ("ok", "understaffed", "overstaffed", "no_members", "empty")


class ScopeError(ValueError):
    """The run's scope names grids or areas that do not exist."""


@dataclass(frozen=True)
class Scope:
    """Which grids a run covers: grid codes, an area (community, street or district), or all."""

    grids: tuple[str, ...] = ()
    area: str | None = None
    all: bool = False

    def __post_init__(self) -> None:
        chosen = sum([bool(self.grids), self.area is not None, self.all])
        if chosen != 1:
            raise ScopeError("choose exactly one scope: grid codes, an area code, or all")

    def as_json(self) -> dict[str, Any]:
        if self.all:
            return {"all": True}
        return {"grids": list(self.grids)} if self.grids else {"area": self.area}


@dataclass(frozen=True)
class GridInput:
    grid_id: int
    household_ids: np.ndarray
    member_ids: np.ndarray
    problem: GridProblem


@dataclass
class RunSummary:
    run_id: int
    grids: int
    households: int
    assigned: int
    by_status: dict[str, int]
    members_outside_bounds: int
    objective_m: float
    seconds: dict[str, float] = field(default_factory=dict)
    solutions: list[GridSolution] = field(default_factory=list, repr=False)


Progress = Callable[[int, int], None]


def grids_in_scope(conn: psycopg.Connection, scope: Scope) -> list[tuple[int, str]]:
    """(id, code) of the scope's grids, locked against concurrent runs and redraws."""
    params: tuple[object, ...]
    if scope.all:
        sql, params = "SELECT id, code FROM grids ORDER BY id FOR UPDATE", ()
    elif scope.grids:
        sql, params = (
            "SELECT id, code FROM grids WHERE code = ANY(%s) ORDER BY id FOR UPDATE",
            (list(scope.grids),),
        )
    else:
        if not conn.execute("SELECT 1 FROM areas WHERE code = %s", (scope.area,)).fetchone():
            raise ScopeError(f"no area with code '{scope.area}'")
        sql = """
            WITH RECURSIVE below AS (
                SELECT code FROM areas WHERE code = %s
                UNION SELECT a.code FROM areas a JOIN below b ON a.parent_code = b.code)
            SELECT id, code FROM grids WHERE community_code IN (SELECT code FROM below)
            ORDER BY id FOR UPDATE"""
        params = (scope.area,)
    rows = [(int(i), str(c)) for i, c in conn.execute(sql, params).fetchall()]
    if scope.grids:
        missing = sorted(set(scope.grids) - {code for _, code in rows})
        if missing:
            raise ScopeError(f"no grid with code {', '.join(missing)}")
    return rows


def _copy_out(conn: psycopg.Connection, sql: str, names: list[str]) -> pd.DataFrame:
    buffer = io.BytesIO()
    with conn.cursor().copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
        for data in copy:
            buffer.write(data)
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        names=names,
        header=None,
        keep_default_na=False,
        na_values={"current": [""]},
        dtype={"building": str},
    )


def _filter(grid_ids: list[int] | None, column: str) -> str:
    # Integers only, so inlining them in the COPY text is safe (COPY takes no parameters).
    if grid_ids is None:
        return f"{column} IS NOT NULL"
    return f"{column} = ANY('{{{','.join(str(int(i)) for i in grid_ids)}}}'::int[])"


def _metric(
    lon: np.ndarray, lat: np.ndarray, crs_of_row: np.ndarray, crss: list[pyproj.CRS]
) -> np.ndarray:
    xy = np.empty((len(lon), 2))
    for index, crs in enumerate(crss):
        rows = crs_of_row == index
        xy[rows] = to_metric(lon[rows], lat[rows], crs=crs)
    return xy


def read_problems(
    conn: psycopg.Connection, grid_ids: list[int], *, every_grid: bool = False
) -> list[GridInput]:
    """Each grid's households (with their current member) and active members, in metres.
    `every_grid` says grid_ids are all the grids, so the queries need no filter."""
    where = None if every_grid else grid_ids
    households = _copy_out(
        conn,
        "SELECT h.grid_id, h.id, ST_X(h.geom), ST_Y(h.geom), h.building_key, a.member_id "
        "FROM households h LEFT JOIN assignments a ON a.household_id = h.id "
        f"WHERE {_filter(where, 'h.grid_id')} ORDER BY h.grid_id, h.id",
        ["grid", "id", "lon", "lat", "building", "current"],
    )
    members = _copy_out(
        conn,
        "SELECT grid_id, id, ST_X(geom), ST_Y(geom), min_load, max_load FROM members "
        f"WHERE active AND {_filter(where, 'grid_id')} ORDER BY grid_id, id",
        ["grid", "id", "lon", "lat", "min_load", "max_load"],
    )
    for frame in (households, members):
        check_lonlat(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    return _group(grid_ids, households, members)


def _grid_crs(
    ids: list[int], households: pd.DataFrame, members: pd.DataFrame
) -> dict[int, pyproj.CRS]:
    """One UTM zone per grid, from its mean position, so no grid straddles two CRSs."""
    points = pd.concat([households[["grid", "lon", "lat"]], members[["grid", "lon", "lat"]]])
    centre = points.groupby("grid")[["lon", "lat"]].mean()
    fallback = metric_crs_for(116.0, 28.7)
    return {
        grid: metric_crs_for(*centre.loc[grid]) if grid in centre.index else fallback
        for grid in ids
    }


def _to_xy(frame: pd.DataFrame, crs_by_grid: dict[int, pyproj.CRS]) -> np.ndarray:
    crss = list({crs.to_epsg(): crs for crs in crs_by_grid.values()}.values())
    index_of = {crs.to_epsg(): i for i, crs in enumerate(crss)}
    row_crs = frame["grid"].map(lambda g: index_of[crs_by_grid[g].to_epsg()]).to_numpy()
    return _metric(frame["lon"].to_numpy(), frame["lat"].to_numpy(), row_crs, crss)


def _local_index(sorted_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each wanted id in sorted_ids, -1 where absent (a member who left)."""
    if len(sorted_ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    index = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return np.where(sorted_ids[index] == wanted, index, -1).astype(np.int64)


def _group(ids: list[int], households: pd.DataFrame, members: pd.DataFrame) -> list[GridInput]:
    crs_by_grid = _grid_crs(ids, households, members)
    h_xy, m_xy = _to_xy(households, crs_by_grid), _to_xy(members, crs_by_grid)
    h_grid, m_grid = households["grid"].to_numpy(), members["grid"].to_numpy()
    h_id, m_id = households["id"].to_numpy(), members["id"].to_numpy()
    current = households["current"].fillna(-1).to_numpy(dtype=np.int64)
    building = households["building"].to_numpy()
    lo, hi = members["min_load"].to_numpy(), members["max_load"].to_numpy()
    inputs = []
    for grid in ids:
        hs = slice(*np.searchsorted(h_grid, [grid, grid + 1]))
        ms = slice(*np.searchsorted(m_grid, [grid, grid + 1]))
        grid_members = m_id[ms]
        current_local = _local_index(grid_members, current[hs])
        problem = GridProblem(
            grid=str(grid),
            household_xy=h_xy[hs],
            building=building[hs],
            current_member=current_local,
            member_xy=m_xy[ms],
            min_load=lo[ms],
            max_load=hi[ms],
        )
        inputs.append(GridInput(int(grid), h_id[hs], grid_members, problem))
    return inputs


def _write_assignments(
    conn: psycopg.Connection,
    run_id: int,
    inputs: list[GridInput],
    solutions: list[GridSolution],
    grid_ids: list[int] | None,
) -> int:
    if grid_ids is None:
        conn.execute("DELETE FROM assignments")
    else:
        conn.execute(
            "DELETE FROM assignments a USING households h WHERE h.id = a.household_id "
            "AND h.grid_id = ANY(%s)",
            (grid_ids,),
        )
    parts = []
    for grid_input, solution in zip(inputs, solutions, strict=True):
        assigned = solution.member_of >= 0
        parts.append(
            pd.DataFrame(
                {
                    "household_id": grid_input.household_ids[assigned],
                    "member_id": grid_input.member_ids[solution.member_of[assigned]],
                    "run_id": run_id,
                    "distance_m": np.round(solution.distance_m[assigned], 2),
                }
            )
        )
    rows = pd.concat(parts) if parts else pd.DataFrame()
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, header=False)
    with conn.cursor().copy(
        "COPY assignments (household_id, member_id, run_id, distance_m) FROM STDIN (FORMAT csv)"
    ) as copy:
        copy.write(buffer.getvalue())
    return len(rows)


def _write_statuses(
    conn: psycopg.Connection, run_id: int, inputs: list[GridInput], solutions: list[GridSolution]
) -> None:
    rows = [
        (
            g.grid_id,
            run_id,
            s.status,
            len(g.household_ids),
            len(g.member_ids),
            s.members_needed,
            s.unassigned,
            s.idle_capacity,
            s.split_buildings,
            s.moved,
            round(s.objective_m, 2),
        )
        for g, s in zip(inputs, solutions, strict=True)
    ]
    conn.execute("CREATE TEMP TABLE new_status (LIKE grid_status) ON COMMIT DROP")
    with conn.cursor().copy("COPY new_status FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    conn.execute(
        "INSERT INTO grid_status SELECT * FROM new_status ON CONFLICT (grid_id) DO UPDATE SET "
        + ", ".join(
            f"{c} = EXCLUDED.{c}"
            for c in (
                "run_id",
                "status",
                "households",
                "members",
                "members_needed",
                "unassigned",
                "idle_capacity",
                "split_buildings",
                "moved",
                "objective_m",
            )
        )
    )


def members_outside_bounds(conn: psycopg.Connection, run_id: int) -> int:
    """Active members of the run's feasible grids whose load is outside their bounds."""
    row = conn.execute(
        """
        SELECT count(*) FROM members m
        JOIN grid_status s ON s.grid_id = m.grid_id AND s.run_id = %(run)s AND s.status = 'ok'
        LEFT JOIN (SELECT member_id, count(*) AS n FROM assignments
                   WHERE run_id = %(run)s GROUP BY member_id) l ON l.member_id = m.id
        WHERE m.active AND coalesce(l.n, 0) NOT BETWEEN m.min_load AND m.max_load
        """,
        {"run": run_id},
    ).fetchone()
    return int(row[0]) if row else 0


def run_assignment(
    conn: psycopg.Connection,
    *,
    scope: Scope,
    workers: int | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Solve and save the scope's grids; one transaction, so a failure leaves the old result."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with conn.transaction():
        grids = grids_in_scope(conn, scope)
        grid_ids = [i for i, _ in grids]
        inputs = read_problems(conn, grid_ids, every_grid=scope.all)
        seconds["read"] = time.perf_counter() - started

        done = 0

        def on_done(_: GridSolution) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, len(inputs))

        solutions = solve_grids([g.problem for g in inputs], workers=workers, on_done=on_done)
        seconds["solve"] = time.perf_counter() - started - seconds["read"]
        objective = float(sum(s.objective_m for s in solutions))
        run_id = _insert_run(conn, scope, objective)
        assigned = _write_assignments(
            conn, run_id, inputs, solutions, None if scope.all else grid_ids
        )
        _write_statuses(conn, run_id, inputs, solutions)
        outside = members_outside_bounds(conn, run_id)
        by_status = {status: sum(s.status == status for s in solutions) for status in STATUSES}
        summary = RunSummary(
            run_id=run_id,
            grids=len(inputs),
            households=sum(len(g.household_ids) for g in inputs),
            assigned=assigned,
            by_status=by_status,
            members_outside_bounds=outside,
            objective_m=objective,
            seconds=seconds,
            solutions=solutions,
        )
        _finish_run(conn, summary)
    seconds["write"] = time.perf_counter() - started - seconds["read"] - seconds["solve"]
    return summary


def _insert_run(conn: psycopg.Connection, scope: Scope, objective: float) -> int:
    row = conn.execute(
        "INSERT INTO assignment_runs (scope, objective_m) VALUES (%s, %s) RETURNING id",
        (json.dumps(scope.as_json()), objective),
    ).fetchone()
    assert row is not None
    return int(row[0])


def _finish_run(conn: psycopg.Connection, summary: RunSummary) -> None:
    conn.execute(
        "UPDATE assignment_runs SET finished_at = now(), summary = %s WHERE id = %s",
        (
            json.dumps(
                {
                    "grids": summary.grids,
                    "households": summary.households,
                    "assigned": summary.assigned,
                    "by_status": summary.by_status,
                    "members_outside_bounds": summary.members_outside_bounds,
                }
            ),
            summary.run_id,
        ),
    )
