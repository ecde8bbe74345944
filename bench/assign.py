"""City-scale assignment benchmark (issue 3).

    .venv/bin/python bench/assign.py --households 2400000

Generates the city (seeded), loads it with COPY into its own database `gridgis_bench_<n>`
(kept between runs; --reload to rebuild), then times one `assign --all`: read + solve +
write, households per second, and the total distance against a greedy nearest-member-with-
capacity baseline. Prints one table. Uses DATABASE_URL's server, else the embedded PostGIS.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor

from _db import bench_database
from rich.console import Console
from rich.table import Table

from gis.assignment import GridProblem, greedy_baseline
from layers import migrate
from layers.assignment_input import read_problems
from layers.assignments import Scope, assign_blocking
from layers.db import connect, connect_async, fetchall, run_blocking
from layers.loading import counts, load_layers

console = Console(width=170)


def prepare(households: int, seed: int, reload: bool) -> str:
    url = bench_database(f"gridgis_bench_{households}", reload=reload)
    name = f"gridgis_bench_{households}"
    migrate.upgrade(url)
    with connect(url, autocommit=True) as conn:
        if counts(conn)["households"] == households:
            console.print(f"reusing {name} ({households:,} households)")
            return url
    from data.generate import generate

    started = time.perf_counter()
    with console.status(f"generating {households:,} households"):
        city = generate(households=households, seed=seed)
    generated = time.perf_counter() - started
    with console.status("loading with COPY"), connect(url, autocommit=True) as conn:
        load_layers(
            conn,
            frames={
                "areas": city.areas,
                "grids": city.grids,
                "stations": city.stations,
                "households": city.households,
                "members": city.members,
            },
        )
    console.print(
        f"generated in {generated:.1f} s, loaded in "
        f"{time.perf_counter() - started - generated:.1f} s"
    )
    return url


def _greedy_total(problems: list[GridProblem]) -> tuple[float, int]:
    """Greedy's total distance and how many members it leaves below their minimum load."""
    total, below = 0.0, 0
    for problem in problems:
        solution = greedy_baseline(problem)
        total += solution.objective_m
        below += int((solution.loads < problem.min_load).sum())
    return total, below


def greedy_distance(url: str, workers: int) -> tuple[float, int]:
    async def read() -> list[GridProblem]:
        async with await connect_async(url) as conn:
            grids = [
                (int(i), str(c))
                for i, c in await fetchall(conn, "SELECT id, code FROM grids ORDER BY id")
            ]
            return [g.problem for g in await read_problems(conn, grids, every_grid=True)]

    problems = run_blocking(read)
    chunks = [problems[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(_greedy_total, chunks))
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=2_400_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--runs", type=int, default=2, help="timed runs (the first is cold)")
    args = parser.parse_args()
    workers = len(os.sched_getaffinity(0))

    url = prepare(args.households, args.seed, args.reload)
    table = Table(title=f"assign --all, {args.households:,} households, {workers} cores")
    for column in (
        "run",
        "grids",
        "households",
        "read s",
        "solve s",
        "write s",
        "total s",
        "households/s",
        "outside bounds",
        "ok/under/over",
    ):
        table.add_column(column, justify="right")
    summary = None
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        summary = assign_blocking(url, scope=Scope(all=True), workers=workers)
        total = time.perf_counter() - started
        s = summary.seconds
        table.add_row(
            str(run),
            f"{summary.grids:,}",
            f"{summary.households:,}",
            f"{s['read']:.1f}",
            f"{s['solve']:.1f}",
            f"{s['write']:.1f}",
            f"{total:.1f}",
            f"{summary.households / total:,.0f}",
            str(summary.members_outside_bounds),
            f"{summary.by_status['ok']}/{summary.by_status['understaffed']}/"
            f"{summary.by_status['overstaffed']}",
        )
    console.print(table)
    assert summary is not None
    greedy, below = greedy_distance(url, workers)
    console.print(
        f"total distance: exact {summary.objective_m / 1000:,.1f} km with 0 members outside "
        f"their bounds; greedy nearest-member-with-capacity {greedy / 1000:,.1f} km "
        f"({(greedy / summary.objective_m - 1) * 100:+.1f} %), but it leaves {below:,} members "
        "below their minimum load (it ignores minimums and buildings)"
    )


if __name__ == "__main__":
    main()
