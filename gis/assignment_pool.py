"""Many grids solved across processes (each grid's assignment is independent of every
other's: embarrassingly parallel)."""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from gis.assignment import GridProblem, GridSolution, solve_grid

_MIN_PARALLEL = 16  # below this many grids, starting worker processes costs more than it saves


def solve_grids(
    problems: Sequence[GridProblem],
    *,
    workers: int | None = None,
    move_cost_m: float = 500.0,
    on_done: Callable[[GridSolution], None] | None = None,
) -> list[GridSolution]:
    """Solve many grids across processes; results in input order.

    Grids go to workers in chunks, so thousands of small grids do not pay one inter-process
    round trip each. ``on_done`` sees each solution as its chunk finishes (for progress bars),
    in completion order.
    """
    workers = workers if workers is not None else len(os.sched_getaffinity(0))
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if workers == 1 or len(problems) < _MIN_PARALLEL:
        return [_notify(solve_grid(p, move_cost_m=move_cost_m), on_done) for p in problems]
    size = max(1, min(200, math.ceil(len(problems) / (workers * 8))))
    chunks = [list(problems[i : i + size]) for i in range(0, len(problems), size)]
    results: list[list[GridSolution]] = [[] for _ in chunks]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_process_context()) as pool:
        futures = {pool.submit(_solve_chunk, c, move_cost_m): k for k, c in enumerate(chunks)}
        for future in as_completed(futures):
            results[futures[future]] = [_notify(s, on_done) for s in future.result()]
    return [s for chunk in results for s in chunk]


def _process_context() -> multiprocessing.context.BaseContext:
    # Forking a process that runs threads (the API server does) can deadlock the child; a fork
    # server is safe, and preloading this module there makes each worker start in milliseconds.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["gis.assignment"])
    return context


def _solve_chunk(problems: list[GridProblem], move_cost_m: float) -> list[GridSolution]:
    return [solve_grid(p, move_cost_m=move_cost_m) for p in problems]


def _notify(solution: GridSolution, on_done: Callable[[GridSolution], None] | None) -> GridSolution:
    if on_done is not None:
        on_done(solution)
    return solution
