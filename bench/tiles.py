"""Vector-tile benchmark (issue 20): gridgis's OGC API - Tiles against tipg's, one table.

    .venv/bin/python bench/tiles.py [--duration 10 --connections 16]

On the city-scale database of bench/assign.py (`gridgis_bench_2400000`). Finds the densest
z16 tile of households and, at z10, z12, z14 and z16, the 3 × 3 tiles around it. Per zoom:
first each tile once, one at a time, from a server that has not served it (cold: p50/p95),
then wrk cycling through the nine (tiles/s, p99; gridgis answers from its tile cache, tipg
has none). gridgis serves the staff households layer (counts per grid below z15, points
from z15) and its multi-layer tile (grids, stations, communities, households, members);
tipg serves `public.households` points at every zoom. Sizes: the largest tile per zoom.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import mercantile
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

from layers import migrate
from layers.tokens import create_token

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "gridgis_bench_2400000"
ZOOMS = (10, 12, 14, 16)
console = Console(width=None if sys.stdout.isatty() else 160)

# The z16 tile holding the most households (Web Mercator tile indices computed in SQL).
DENSEST = """
WITH m AS (SELECT ST_Transform(geom, 3857) AS p FROM households),
     t AS (SELECT floor((ST_X(p) + 20037508.342789244) / (40075016.68557849 / 65536))::int AS x,
                  floor((20037508.342789244 - ST_Y(p)) / (40075016.68557849 / 65536))::int AS y
           FROM m)
SELECT x, y, count(*) AS n FROM t GROUP BY x, y ORDER BY n DESC, x, y LIMIT 1
"""


@dataclass
class Side:
    """One server's figures at one zoom."""

    cold_p50: float | None = None
    cold_p95: float | None = None
    largest_kb: float | None = None
    warm: Result | None = None
    note: str = ""


def bench_url(given: str | None) -> str:
    """The given URL, else the city's database on DATABASE_URL's server or the embedded one
    (handed to the app's role if an older run made it as the superuser)."""
    if given:
        return given
    return bench_database(DATABASE)


def prepare(url: str) -> tuple[mercantile.Tile, int, str]:
    """The densest z16 tile, its household count, and a dispatcher token for its district."""
    with console.status("bringing the schema up to date"):
        migrate.upgrade(url)
    with psycopg.connect(url, autocommit=True) as conn:
        x, y, n = conn.execute(DENSEST).fetchone() or sys.exit("no households: run bench/assign.py")
        centre = mercantile.ul(x, y, 16)
        row = conn.execute(
            "SELECT code FROM areas WHERE level = 'district' "
            "AND ST_Covers(geom, ST_Point(%s, %s, 4326)) ORDER BY code LIMIT 1",
            (centre.lng + 1e-6, centre.lat - 1e-6),
        ).fetchone() or sys.exit("no district around the densest tile")
        token = create_token(conn, role="dispatcher", scope_code=row[0], label="bench/tiles.py")
    return mercantile.Tile(x, y, 16), int(n), token


def around(densest: mercantile.Tile, z: int) -> list[mercantile.Tile]:
    """The tile at zoom z holding the densest z16 tile, and its eight neighbours."""
    centre = mercantile.parent(densest, zoom=z) if z < 16 else densest
    return [
        mercantile.Tile(centre.x + dx, centre.y + dy, z) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
    ]


PATHS = {
    "gridgis households": "/collections/households/tiles/WebMercatorQuad/{z}/{y}/{x}",
    "gridgis all layers": "/tiles/WebMercatorQuad/{z}/{y}/{x}",
    "tipg households": "/collections/public.households/tiles/WebMercatorQuad/{z}/{x}/{y}",
}


def cold(
    server: Server, template: str, tiles: list[mercantile.Tile], headers: dict[str, str]
) -> Side:
    times, sizes = [], []
    for tile in tiles:
        started = time.perf_counter()
        status, body = get(
            server.base + template.format(z=tile.z, x=tile.x, y=tile.y), headers, timeout=120
        )
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            return Side(note=f"n/a (HTTP {status})")
        sizes.append(len(body))
    times.sort()
    return Side(
        cold_p50=statistics.median(times),
        cold_p95=times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        largest_kb=max(sizes) / 1024,
    )


def warm(args: argparse.Namespace, server: Server, template: str, tiles: list[mercantile.Tile],
         headers: dict[str, str], folder: Path) -> Result:  # fmt: skip
    paths = ", ".join(f'"{template.format(z=t.z, x=t.x, y=t.y)}"' for t in tiles)
    script = folder / "tiles.lua"
    script.write_text(
        f"paths = {{{paths}}}\ni = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n"
    )
    return wrk(server.base + "/", headers, seconds=args.duration, threads=args.threads,
               connections=args.connections, script=script)  # fmt: skip


def measure(args: argparse.Namespace, servers: dict[str, Server], densest: mercantile.Tile,
            token: str, folder: Path) -> dict[tuple[str, int], Side]:  # fmt: skip
    staff = {"Authorization": f"Bearer {token}"}
    found: dict[tuple[str, int], Side] = {}
    for z in ZOOMS:
        tiles = around(densest, z)
        for name, template in PATHS.items():
            server = servers[name.split()[0]]
            headers = staff if name.startswith("gridgis") else {}
            with console.status(f"z{z}: {name}, cold"):
                side = cold(server, template, tiles, headers)
            if not side.note:
                with console.status(f"z{z}: {name}, wrk {args.duration} s"):
                    side.warm = warm(args, server, template, tiles, headers, folder)
            found[(name, z)] = side
    return found


def report(found: dict[tuple[str, int], Side], densest_n: int, args: argparse.Namespace) -> None:
    title = f"vector tiles, 3 × 3 around the densest z16 tile ({densest_n:,} households); "
    table = Table(title=title + f"warm: wrk -c{args.connections} -d{args.duration}s")
    for column in ("zoom", "server", "cold p50 ms", "cold p95 ms", "largest KB",
                   "tiles/s", "p99 ms", "× tipg"):  # fmt: skip
        table.add_column(column, justify="right")
    for z in ZOOMS:
        theirs = found[("tipg households", z)].warm
        for name in PATHS:
            side = found[(name, z)]
            if side.note:
                table.add_row(str(z), name, side.note, "", "", "", "", "")
                continue
            rps = side.warm.rps if side.warm else None
            ratio = f"{rps / theirs.rps:.1f}" if rps and theirs and theirs.rps else ""
            table.add_row(
                str(z), name, f"{side.cold_p50:,.1f}", f"{side.cold_p95:,.1f}",
                f"{side.largest_kb:,.1f}", f"{rps:,.0f}" if rps else "?",
                f"{side.warm.p99:,.1f}" if side.warm and side.warm.p99 else "?", ratio,
            )  # fmt: skip
    console.print(table)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    console.print(f"machine: {len(os.sched_getaffinity(0))} cores, load average {load}; "
                  "one worker each")  # fmt: skip
    for (name, z), side in found.items():
        if side.warm and side.warm.errors:
            console.print(f"[yellow]z{z} {name}: {side.warm.errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help=f"default: the embedded server's {DATABASE}")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    ensure_wrk()
    folder = bench_dir(ROOT)
    with console.status("tipg's venv"):
        ensure_tipg(folder / "tipg-venv")
    url = bench_url(args.database_url)
    densest, n, token = prepare(url)
    servers: dict[str, Server] = {}
    try:
        servers["gridgis"] = start_gridgis(ROOT, url, folder / "gridgis.log", 1)
        servers["tipg"] = start_tipg(folder / "tipg-venv", url, folder / "tipg.log")
        with console.status("starting gridgis and tipg"):
            for server in servers.values():
                server.wait_ready("/collections")
        found = measure(args, servers, densest, token, folder)
    finally:
        for server in servers.values():
            server.stop()
    report(found, n, args)


if __name__ == "__main__":
    main()
