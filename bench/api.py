"""API benchmark (issue): requests/s and p50/p99 latency, gridgis against tipg, one table.

    .venv/bin/python bench/api.py [--duration 15 --connections 16 --threads 2]

Runs on the city-scale database of bench/assign.py (`gridgis_bench_2400000`). Installs wrk
(apt) and tipg (in its own venv, .bench/tipg-venv) when missing, starts both servers with
one worker on free loopback ports, then loads one server at a time with wrk for each
scenario: stations in a small bbox (~20), a 1,000-household page (staff), one station by id,
the nearest 5 stations, the grid at a point. tipg serves the same tables, and the nearest
stations through a SQL function ordered in degrees (tipg cannot order by distance itself).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg
from _db import bench_database
from _servers import (
    Result,
    Server,
    bench_dir,
    ensure_tipg,
    ensure_wrk,
    get,
    start_gridgis,
    start_tipg,
    wrk,
)
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "gridgis_bench_2400000"
MIN_HOUSEHOLDS = 500_000
console = Console(width=None if sys.stdout.isatty() else 120)

NEAREST_FUNCTION = """
CREATE OR REPLACE FUNCTION public.nearest_stations(lon float8, lat float8, k int DEFAULT 5)
RETURNS TABLE (id int, code varchar, name text, kind varchar, geom geometry)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT s.id, s.code, s.name, s.kind, s.geom FROM public.stations s
    ORDER BY s.geom <-> ST_SetSRID(ST_MakePoint(lon, lat), 4326)  -- degrees, not metres
    LIMIT k
$$
"""
# A station with 15-25 stations in a square around it, nearest to 20.
SMALL_BBOX = """
WITH c AS (SELECT code, id, ST_X(geom) AS x, ST_Y(geom) AS y FROM stations ORDER BY code LIMIT 40),
     d AS (SELECT (0.001 * 1.25 ^ i)::float8 AS d FROM generate_series(0, 30) i)
SELECT code, id, x, y, d, n FROM c CROSS JOIN d CROSS JOIN LATERAL (
    SELECT count(*) AS n FROM stations s
    WHERE s.geom && ST_MakeEnvelope(x - d, y - d, x + d, y + d, 4326)) k
WHERE n BETWEEN 15 AND 25 ORDER BY abs(n - 20), code, d LIMIT 1
"""
# The smallest square around (x, y) with >= 1,000 households inside the district.
HOUSEHOLD_BBOX = """
SELECT d, n FROM (SELECT (0.0005 * 1.25 ^ i)::float8 AS d FROM generate_series(0, 40) i) d
CROSS JOIN LATERAL (SELECT count(*) AS n FROM (
    SELECT 1 FROM households h, areas a WHERE a.code = %(district)s
    AND h.geom && ST_MakeEnvelope(%(x)s - d, %(y)s - d, %(x)s + d, %(y)s + d, 4326)
    AND ST_Covers(a.geom, h.geom) LIMIT 5000) s) k
WHERE n >= 1000 ORDER BY d LIMIT 1
"""
EXPECTED = {"small bbox": (15, 25), "households page": (1000, 1000), "nearest 5": (5, 5)}
GOALS = {"small bbox": 1000.0, "households page": 150.0, "by id": 2000.0, "nearest 5": 1500.0}


@dataclass
class Scenario:
    name: str
    gridgis: str  # path and query
    tipg: str
    staff: bool = False


@dataclass
class Row:
    scenario: Scenario
    gridgis: Result
    tipg: Result
    met: str = "no"


def bench_url(given: str | None) -> str:
    """The given URL, else the city's database on DATABASE_URL's server or the embedded one
    (handed to the app's role if an older run made it as the superuser)."""
    if given:
        return given
    return bench_database(DATABASE)


def prepare_data(url: str) -> tuple[dict[str, int], str, list[Scenario]]:
    """Check the size, create tipg's nearest function, pick the scenarios from the data."""
    hint = "run `.venv/bin/python bench/assign.py --households 2400000` first"
    try:
        conn = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as error:
        sys.exit(f"cannot open {url}: {error}\n{hint}")
    with conn:
        sizes = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
            for table in ("households", "stations", "grids")
        }
        if sizes["households"] < MIN_HOUSEHOLDS:
            sys.exit(f"{url} has {sizes['households']:,} households (< {MIN_HOUSEHOLDS:,}); {hint}")
        conn.execute(NEAREST_FUNCTION)
        code, sid, x, y, d, _ = conn.execute(SMALL_BBOX).fetchone() or sys.exit("no small bbox")
        district, px, py = conn.execute(
            "SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) AS p "
            "FROM areas WHERE level = 'district' AND ST_Covers(geom, ST_Point(%s, %s, 4326)) "
            "ORDER BY code LIMIT 1) a",
            (x, y),
        ).fetchone() or sys.exit("no district around the stations")
        hd, _ = conn.execute(HOUSEHOLD_BBOX, {"district": district, "x": x, "y": y}).fetchone() or (
            sys.exit("no bbox with 1,000 households")
        )
        gx, gy = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT CASE WHEN ST_Covers(geom, q) THEN q "
            "ELSE ST_PointOnSurface(geom) END AS p FROM grids, ST_Point(%s, %s, 4326) q "
            "ORDER BY NOT ST_Covers(geom, q), code LIMIT 1) g",
            (px, py),
        ).fetchone()  # type: ignore[misc]
    bbox = f"{x - d:.6f},{y - d:.6f},{x + d:.6f},{y + d:.6f}"
    hbbox = f"{x - hd:.6f},{y - hd:.6f},{x + hd:.6f},{y + hd:.6f}"
    tiny = f"{gx - 1e-6:.7f},{gy - 1e-6:.7f},{gx + 1e-6:.7f},{gy + 1e-6:.7f}"
    near, small, page = f"lon={px:.6f}&lat={py:.6f}", f"bbox={bbox}&limit=100", f"bbox={hbbox}"
    ours, theirs = "/collections/", "/collections/public."
    scenarios = [
        Scenario("small bbox", f"{ours}stations/items?{small}", f"{theirs}stations/items?{small}"),
        Scenario(
            "households page",
            f"{ours}households/items?{page}&limit=1000",
            f"{theirs}households/items?{page}&limit=1000",
            staff=True,
        ),
        Scenario("by id", f"{ours}stations/items/{code}", f"{theirs}stations/items/{sid}"),
        Scenario(
            "nearest 5",
            f"/stations/nearest?{near}&k=5",
            f"{theirs}nearest_stations/items?{near}&k=5&limit=5",
        ),
        Scenario(
            "grid at point",
            f"/grids/at?lon={gx:.6f}&lat={gy:.6f}",
            f"{theirs}grids/items?bbox={tiny}&limit=1",
        ),
    ]
    return sizes, district, scenarios


def staff_token(url: str, district: str) -> tuple[str | None, str]:
    """A dispatcher token for the district, or (None, why not)."""
    env = {**os.environ, "DATABASE_URL": url}
    argv = [str(ROOT / ".venv/bin/gridgis"), "token", "create", "--role", "dispatcher"]
    argv += ["--scope", district, "--label", "bench/api.py"]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        return lines[-1].strip(), ""
    if "No such command" in done.stderr or "No such option" in done.stderr:
        return None, "n/a (no token command)"
    return None, f"n/a (token: exit {done.returncode})"


def check(server: Server, path: str, headers: dict[str, str]) -> Result:
    """One request before loading: HTTP 200 and a count of features."""
    status, body = get(server.base + path, headers)
    if status != 200:
        return Result(note=f"n/a (HTTP {status})" if status else "n/a (no answer)")
    try:
        document: Any = json.loads(body)
    except ValueError:
        return Result(note="n/a (not JSON)")
    features = document.get("features") if isinstance(document, dict) else None
    return Result(features=len(features) if isinstance(features, list) else 1)


def measure(args: argparse.Namespace, server: Server, path: str, headers: dict[str, str]) -> Result:
    checked = check(server, path, headers)
    if checked.note:
        return checked
    load = {"threads": args.threads, "connections": args.connections}
    if args.warmup > 0:
        wrk(server.base + path, headers, seconds=args.warmup, **load)
    result = wrk(server.base + path, headers, seconds=args.duration, **load)
    result.features = checked.features
    return result


def verdict(name: str, ours: Result, theirs: Result) -> str:
    """Met: the goal in req/s, ahead of tipg, no errors (and p99 < 50 ms for nearest 5)."""
    if ours.rps is None:
        return "no"
    goal = GOALS.get(name)
    met = (goal is None or ours.rps >= goal) and (theirs.rps is None or ours.rps > theirs.rps)
    if name == "nearest 5":
        met = met and ours.p99 is not None and ours.p99 < 50
    return "yes" if met and not ours.errors else "no"


def run(
    args: argparse.Namespace,
    scenario: Scenario,
    servers: dict[str, Server],
    token: str | None,
    no_token: str,
) -> Row:
    """Check then load gridgis, then tipg: one server loaded at a time."""
    if scenario.staff and token is None:
        ours = Result(note=no_token)
    else:
        auth = {"Authorization": f"Bearer {token}"} if scenario.staff else {}
        ours = measure(args, servers["gridgis"], scenario.gridgis, auth)
    theirs = measure(args, servers["tipg"], scenario.tipg, {})
    low, high = EXPECTED.get(scenario.name, (1, 1))  # a sensible number of features
    for side, result in (("gridgis", ours), ("tipg", theirs)):
        if result.features is not None and not low <= result.features <= high:
            console.print(f"[yellow]{scenario.name}: {result.features} features from {side}")
    return Row(scenario, ours, theirs, verdict(scenario.name, ours, theirs))


def report(args: argparse.Namespace, sizes: dict[str, int], rows: list[Row]) -> None:
    load = f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
    table = Table(title=f"API: {load}, one server loaded at a time")
    for column in ("scenario", "gridgis req/s", "p50 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for column in ("tipg req/s", "p50 ms", "p99 ms", "goal req/s", "met?"):
        table.add_column(column, justify="right")

    def cells(result: Result) -> list[str]:
        if result.note:
            return [result.note, "", ""]
        return [
            f"{value:{spec}}" if value is not None else "?"
            for value, spec in ((result.rps, ",.0f"), (result.p50, ".1f"), (result.p99, ".1f"))
        ]

    for row in rows:
        name = row.scenario.name
        goal = GOALS.get(name)
        goal_text = f"{goal:,.0f}" if goal else "> tipg"
        goal_text += ", p99<50" if name == "nearest 5" else ""
        table.add_row(name, *cells(row.gridgis), *cells(row.tipg), goal_text, row.met)
    console.print(table)
    console.print(
        f"machine: {len(os.sched_getaffinity(0))} cores (nproc); data: "
        + ", ".join(f"{count:,} {name}" for name, count in sizes.items())
        + f"; workers: gridgis {args.gridgis_workers}, tipg 1"
    )
    for row in rows:
        for side, result in (("gridgis", row.gridgis), ("tipg", row.tipg)):
            if result.errors:
                console.print(f"[yellow]{row.scenario.name}, {side}: {result.errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help=f"default: the embedded server's {DATABASE}")
    parser.add_argument("--duration", type=int, default=15, help="seconds per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each run")
    parser.add_argument("--gridgis-workers", type=int, default=1, help="GRIDGIS_WORKERS")
    parser.add_argument("--json", type=Path, help="also save the results here")
    args = parser.parse_args()

    ensure_wrk()
    folder = bench_dir(ROOT)
    with console.status("tipg's venv"):
        ensure_tipg(folder / "tipg-venv")
    url = bench_url(args.database_url)
    sizes, district, scenarios = prepare_data(url)
    token, no_token = staff_token(url, district)
    servers: dict[str, Server] = {}
    rows: list[Row] = []
    try:
        servers["gridgis"] = start_gridgis(ROOT, url, folder / "gridgis.log", args.gridgis_workers)
        servers["tipg"] = start_tipg(folder / "tipg-venv", url, folder / "tipg.log")
        with console.status("starting gridgis and tipg"):
            for server in servers.values():
                server.wait_ready("/collections")
        for scenario in scenarios:
            with console.status(f"{scenario.name} ({args.duration} s × 2)"):
                rows.append(run(args, scenario, servers, token, no_token))
    finally:
        for server in servers.values():
            server.stop()
    report(args, sizes, rows)
    if args.json:
        document = {"cores": len(os.sched_getaffinity(0)), "data": sizes}
        document["results"] = [asdict(row) for row in rows]
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False))
        console.print(f"saved {args.json}")


if __name__ == "__main__":
    main()
