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

from gis.assignment import GridProblem, GridSolution, solve_grids
from gis.crs import check_lonlat, crs_from_epsg, to_metric, utm_epsg
from layers.pgcopy import copy_in, copy_out_text, parse_array

HOUSEHOLD_COLUMNS = ("grid", "id", "lon", "lat", "building", "current")
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


def _read_households(conn: psycopg.Connection, where: str) -> pd.DataFrame:
    """Households as one row per grid carrying arrays: a few thousand COPY messages instead
    of millions (building keys hashed to 64 bits: only equality within a grid matters)."""
    rows = copy_out_text(
        conn,
        "SELECT grid_id, array_agg(id), array_agg(x), array_agg(y), array_agg(b), array_agg(m) "
        "FROM (SELECT h.grid_id, h.id, ST_X(h.geom) AS x, ST_Y(h.geom) AS y, "
        "hashtextextended(h.building_key, 0) AS b, coalesce(a.member_id, -1) AS m "
        "FROM households h LEFT JOIN assignments a ON a.household_id = h.id "
        f"WHERE {where} ORDER BY h.grid_id, h.id) ordered GROUP BY grid_id ORDER BY grid_id",
    )
    columns: dict[str, list[np.ndarray]] = {name: [] for name in HOUSEHOLD_COLUMNS}
    for grid, *arrays in rows:
        ids = parse_array(arrays[0], np.int64)
        columns["grid"].append(np.full(len(ids), int(grid), dtype=np.int64))
        columns["id"].append(ids)
        for name, text, dtype in zip(
            HOUSEHOLD_COLUMNS[2:], arrays[1:], (float, float, np.int64, np.int64), strict=True
        ):
            columns[name].append(parse_array(text, dtype))
    return pd.DataFrame(
        {name: np.concatenate(parts) if parts else np.empty(0) for name, parts in columns.items()}
    )


def _filter(grid_ids: list[int] | None, column: str) -> str:
    # Integers only, so inlining them in the COPY text is safe (COPY takes no parameters).
    if grid_ids is None:
        return f"{column} IS NOT NULL"
    return f"{column} = ANY('{{{','.join(str(int(i)) for i in grid_ids)}}}'::int[])"


def read_problems(
    conn: psycopg.Connection, grids: list[tuple[int, str]], *, every_grid: bool = False
) -> list[GridInput]:
    """Each grid's households (with their current member) and active members, in metres.
    `every_grid` says these are all the grids, so the queries need no filter."""
    grid_ids = [grid_id for grid_id, _ in grids]
    where = None if every_grid else grid_ids
    households = _read_households(conn, _filter(where, "h.grid_id"))
    members = _copy_out(
        conn,
        "SELECT grid_id, id, ST_X(geom), ST_Y(geom), min_load, max_load FROM members "
        f"WHERE active AND {_filter(where, 'grid_id')} ORDER BY grid_id, id",
        ["grid", "id", "lon", "lat", "min_load", "max_load"],
    )
    for frame in (households, members):
        check_lonlat(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    return _group(grids, households, members)


def _grid_epsg(ids: list[int], households: pd.DataFrame, members: pd.DataFrame) -> np.ndarray:
    """One UTM zone per grid, from its mean position, so no grid straddles two CRSs."""
    points = pd.concat([households[["grid", "lon", "lat"]], members[["grid", "lon", "lat"]]])
    centre = points.groupby("grid")[["lon", "lat"]].mean().reindex(ids)
    # A grid with neither households nor members has nothing to measure; any zone will do.
    lon, lat = centre["lon"].fillna(0.0).to_numpy(), centre["lat"].fillna(0.0).to_numpy()
    return utm_epsg(lon, lat)


def _to_xy(frame: pd.DataFrame, ids: np.ndarray, grid_epsg: np.ndarray) -> np.ndarray:
    """Rows' lon/lat in metres, each in the UTM zone of its grid (ids sorted)."""
    row_epsg = grid_epsg[np.searchsorted(ids, frame["grid"].to_numpy())]
    lon, lat = frame["lon"].to_numpy(), frame["lat"].to_numpy()
    xy = np.empty((len(frame), 2))
    for code in np.unique(row_epsg):
        rows = row_epsg == code
        xy[rows] = to_metric(lon[rows], lat[rows], crs=crs_from_epsg(int(code)))
    return xy


def _local_index(sorted_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each wanted id in sorted_ids, -1 where absent (a member who left)."""
    if len(sorted_ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    index = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return np.where(sorted_ids[index] == wanted, index, -1).astype(np.int64)


def _group(
    grids: list[tuple[int, str]], households: pd.DataFrame, members: pd.DataFrame
) -> list[GridInput]:
    ids = [grid_id for grid_id, _ in grids]
    sorted_ids = np.asarray(ids, dtype=np.int64)
    grid_epsg = _grid_epsg(ids, households, members)
    h_xy = _to_xy(households, sorted_ids, grid_epsg)
    m_xy = _to_xy(members, sorted_ids, grid_epsg)
    h_grid, m_grid = households["grid"].to_numpy(), members["grid"].to_numpy()
    h_id, m_id = households["id"].to_numpy(), members["id"].to_numpy()
    current = households["current"].fillna(-1).to_numpy(dtype=np.int64)
    building = households["building"].to_numpy()
    lo, hi = members["min_load"].to_numpy(), members["max_load"].to_numpy()
    inputs = []
    for grid, code in grids:
        hs = slice(*np.searchsorted(h_grid, [grid, grid + 1]))
        ms = slice(*np.searchsorted(m_grid, [grid, grid + 1]))
        grid_members = m_id[ms]
        current_local = _local_index(grid_members, current[hs])
        problem = GridProblem(
            grid=code,
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
    """Replace the scope's assignments. For the whole city the table is emptied and its
    foreign keys are checked once, set-based, after the COPY instead of row by row (that
    check costs 5x the COPY itself); readers wait for the run to commit."""
    household, member, distance = [], [], []
    for grid_input, solution in zip(inputs, solutions, strict=True):
        assigned = solution.member_of >= 0
        household.append(grid_input.household_ids[assigned])
        member.append(grid_input.member_ids[solution.member_of[assigned]])
        distance.append(solution.distance_m[assigned])
    households = np.concatenate(household) if household else np.empty(0, np.int64)
    columns = [
        (households, "int4"),
        (np.concatenate(member) if member else np.empty(0, np.int64), "int4"),
        (np.full(len(households), run_id), "int4"),
        (np.round(np.concatenate(distance), 2) if distance else np.empty(0), "float8"),
    ]
    names = ["household_id", "member_id", "run_id", "distance_m"]
    if grid_ids is None:
        conn.execute("TRUNCATE assignments")
        keys = _drop_foreign_keys(conn, "assignments")
        copy_in(conn, "assignments", names, columns)
        for name, definition in keys:
            conn.execute(f"ALTER TABLE assignments ADD CONSTRAINT {name} {definition}")
    else:
        conn.execute(
            "DELETE FROM assignments a USING households h WHERE h.id = a.household_id "
            "AND h.grid_id = ANY(%s)",
            (grid_ids,),
        )
        copy_in(conn, "assignments", names, columns)
    return len(households)


def _drop_foreign_keys(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """Drop the table's foreign keys and return them, as the database defines them."""
    keys = [
        (str(name), str(definition))
        for name, definition in conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            (table,),
        ).fetchall()
    ]
    for name, _ in keys:
        conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    return keys


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
        inputs = read_problems(conn, grids, every_grid=scope.all)
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
