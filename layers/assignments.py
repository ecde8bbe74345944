"""Household → member assignment runs: read each grid's households and members
(layers.assignment_input), solve the grids in parallel (gis.assignment), write the result,
the grids' statuses and a run record in one transaction, so a failure leaves the old result."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gis.assignment import GridSolution
from gis.assignment_pool import solve_grids
from gis.vocabulary import GridStatus
from layers.assignment_input import GridInput, read_problems
from layers.db import Connection, connect_async, fetchall, fetchone, fetchval, run_blocking
from layers.pgcopy import copy_in


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


@dataclass
class RunSummary:
    run_id: int
    grids: int
    households: int
    assigned: int
    by_status: dict[str, int]  # GridStatus value -> grids
    members_outside_bounds: int
    objective_m: float
    seconds: dict[str, float] = field(default_factory=dict)
    solutions: list[GridSolution] = field(default_factory=list, repr=False)


Progress = Callable[[int, int], None]


async def grids_in_scope(conn: Connection, scope: Scope) -> list[tuple[int, str]]:
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
        if not await fetchval(conn, "SELECT 1 FROM areas WHERE code = %s", (scope.area,)):
            raise ScopeError(f"no area with code '{scope.area}'")
        sql = """
            WITH RECURSIVE below AS (
                SELECT code FROM areas WHERE code = %s
                UNION SELECT a.code FROM areas a JOIN below b ON a.parent_code = b.code)
            SELECT id, code FROM grids WHERE community_code IN (SELECT code FROM below)
            ORDER BY id FOR UPDATE"""
        params = (scope.area,)
    rows = [(int(i), str(c)) for i, c in await fetchall(conn, sql, params)]
    if scope.grids:
        missing = sorted(set(scope.grids) - {code for _, code in rows})
        if missing:
            raise ScopeError(f"no grid with code {', '.join(missing)}")
    return rows


async def _write_assignments(
    conn: Connection,
    run_id: int,
    inputs: list[GridInput],
    solutions: list[GridSolution],
    grid_ids: list[int] | None,
) -> int:
    """Replace the scope's assignments. For the whole city the table is emptied and its
    foreign keys are checked once, set-based, after the COPY instead of row by row (that
    check costs 5x the COPY itself); readers wait for the run to commit."""
    districts = await _districts(conn, [g.grid_id for g in inputs])
    household, member, distance, district = [], [], [], []
    for grid_input, solution in zip(inputs, solutions, strict=True):
        assigned = solution.member_of >= 0
        household.append(grid_input.household_ids[assigned])
        member.append(grid_input.member_ids[solution.member_of[assigned]])
        distance.append(solution.distance_m[assigned])
        district.append(np.full(int(assigned.sum()), districts[grid_input.grid_id].encode()))
    households = np.concatenate(household) if household else np.empty(0, np.int64)
    columns = [
        (households, "int4"),
        (np.concatenate(member) if member else np.empty(0, np.int64), "int4"),
        (np.full(len(households), run_id), "int4"),
        (np.round(np.concatenate(distance), 2) if distance else np.empty(0), "float8"),
        (np.concatenate(district) if district else np.empty(0, "S1"), "text"),
    ]
    names = ["household_id", "member_id", "run_id", "distance_m", "district_code"]
    if grid_ids is None:
        await conn.execute("TRUNCATE assignments")
        keys = await _drop_foreign_keys(conn, "assignments")
        await copy_in(conn, "assignments", names, columns)
        for name, definition in keys:
            await conn.execute(f"ALTER TABLE assignments ADD CONSTRAINT {name} {definition}")
    else:
        await conn.execute(
            "DELETE FROM assignments a USING households h WHERE h.id = a.household_id "
            "AND h.grid_id = ANY(%s)",
            (grid_ids,),
        )
        await copy_in(conn, "assignments", names, columns)
    return len(households)


async def _districts(conn: Connection, grid_ids: list[int]) -> dict[int, str]:
    rows = await fetchall(
        conn, "SELECT id, district_code FROM grids WHERE id = ANY(%s)", (grid_ids,)
    )
    return {int(grid): str(district) for grid, district in rows}


async def _drop_foreign_keys(conn: Connection, table: str) -> list[tuple[str, str]]:
    """Drop the table's foreign keys and return them, as the database defines them."""
    keys = [
        (str(name), str(definition))
        for name, definition in await fetchall(
            conn,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            (table,),
        )
    ]
    for name, _ in keys:
        await conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    return keys


async def _write_statuses(
    conn: Connection, run_id: int, inputs: list[GridInput], solutions: list[GridSolution]
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
    await conn.execute("CREATE TEMP TABLE new_status (LIKE grid_status) ON COMMIT DROP")
    async with conn.cursor().copy("COPY new_status FROM STDIN") as copy:
        for row in rows:
            await copy.write_row(row)
    await conn.execute(
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


async def members_outside_bounds(conn: Connection, run_id: int) -> int:
    """Active members of the run's feasible grids whose load is outside their bounds."""
    row = await fetchone(
        conn,
        """
        SELECT count(*) FROM members m
        JOIN grid_status s ON s.grid_id = m.grid_id AND s.run_id = %(run)s AND s.status = 'ok'
        LEFT JOIN (SELECT member_id, count(*) AS n FROM assignments
                   WHERE run_id = %(run)s GROUP BY member_id) l ON l.member_id = m.id
        WHERE m.active AND coalesce(l.n, 0) NOT BETWEEN m.min_load AND m.max_load
        """,
        {"run": run_id},
    )
    return int(row[0]) if row else 0


async def run_assignment(
    conn: Connection,
    *,
    scope: Scope,
    workers: int | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Solve and save the scope's grids; one transaction, so a failure leaves the old result."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    async with conn.transaction():
        grids = await grids_in_scope(conn, scope)
        inputs = await read_problems(conn, grids, every_grid=scope.all)
        seconds["read"] = time.perf_counter() - started
        solutions = await _solve(inputs, workers, progress)
        seconds["solve"] = time.perf_counter() - started - seconds["read"]
        objective = float(sum(s.objective_m for s in solutions))
        run_id = await _insert_run(conn, scope, objective)
        grid_ids = None if scope.all else [i for i, _ in grids]
        assigned = await _write_assignments(conn, run_id, inputs, solutions, grid_ids)
        await _write_statuses(conn, run_id, inputs, solutions)
        summary = RunSummary(
            run_id=run_id,
            grids=len(inputs),
            households=sum(len(g.household_ids) for g in inputs),
            assigned=assigned,
            by_status={status: sum(s.status == status for s in solutions) for status in GridStatus},
            members_outside_bounds=await members_outside_bounds(conn, run_id),
            objective_m=objective,
            seconds=seconds,
            solutions=solutions,
        )
        await _finish_run(conn, summary)
    seconds["write"] = time.perf_counter() - started - seconds["read"] - seconds["solve"]
    return summary


async def _solve(
    inputs: list[GridInput], workers: int | None, progress: Progress | None
) -> list[GridSolution]:
    """The solver is CPU work (a process pool for many grids): off the event loop."""
    done = 0

    def on_done(_: GridSolution) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(inputs))

    problems = [g.problem for g in inputs]
    return await asyncio.to_thread(solve_grids, problems, workers=workers, on_done=on_done)


async def _insert_run(conn: Connection, scope: Scope, objective: float) -> int:
    run_id = await fetchval(
        conn,
        "INSERT INTO assignment_runs (scope, objective_m) VALUES (%s, %s) RETURNING id",
        (json.dumps(scope.as_json()), objective),
    )
    return int(run_id)


async def _finish_run(conn: Connection, summary: RunSummary) -> None:
    await conn.execute(
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


def assign_blocking(
    url: str,
    *,
    scope: Scope,
    workers: int | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """`run_assignment` for callers without an event loop (the command line, tests and
    benchmarks), on a connection of its own."""

    async def run() -> RunSummary:
        async with await connect_async(url) as conn:
            return await run_assignment(conn, scope=scope, workers=workers, progress=progress)

    return run_blocking(run)
