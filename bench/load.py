"""Load benchmark (hardening issue): errors, latency and memory of `gridgis serve` with its
production limits on, at the demo's scale.

    .venv/bin/python bench/load.py [--duration 60 --flood 500]

1. Mixed load: wrk at concurrency 16 for `duration` seconds, cycling through public reads
   (nearest stations, grid at a point, a bbox of grids, a station by id, the locator page)
   and staff reads (a page of households, nearest members, a grid's assignment), from 2,000
   simulated client addresses (X-Forwarded-For, which uvicorn trusts from 127.0.0.1) so the
   public's per-client rate applies as it would. Goal: 0 errors.
2. Flood: `flood` concurrent connections asking for the nearest stations as fast as they
   can, while a probe client (its own address, 20 requests a second) measures what an
   admitted request costs. Goal: p99 of the probe's admitted requests under 100 ms; the
   rest is shed (429 per client, 503 beyond the requests in flight), never queued.
Memory (RSS of the server's processes) before, after the mixed load and after the flood:
flat. Uses the embedded PostGIS (or DATABASE_URL's server): database gridgis_bench_load.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from _db import bench_database
from _servers import Server, bench_dir, ensure_wrk, free_port, start, to_ms
from rich.console import Console
from rich.table import Table

from layers import migrate
from layers.assignments import Scope, assign_blocking
from layers.db import connect
from layers.loading import counts, load_layers
from layers.tokens import create_token

ROOT = Path(__file__).resolve().parent.parent
console = Console(width=None if sys.stdout.isatty() else 120)

LUA = """
local paths = {%(paths)s}
local staff = {%(staff)s}
local token = "%(token)s"
local n = 0
request = function()
  n = n + 1
  local i = (n %% #paths) + 1
  local headers = {["X-Forwarded-For"] = %(client)s}
  if staff[i] then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", paths[i], headers)
end
"""


def prepare(households: int, seed: int) -> tuple[str, str]:
    url = bench_database("gridgis_bench_load")
    migrate.upgrade(url)
    with connect(url, autocommit=True) as conn:
        if counts(conn)["households"] != households:
            from data.generate import generate

            with console.status(f"generating and loading {households:,} households"):
                demo = generate(households=households, seed=seed)
                frames = {k: getattr(demo, k) for k in ("areas", "grids", "stations")}
                load_layers(conn, frames={**frames, "households": demo.households,
                                          "members": demo.members})  # fmt: skip
            assign_blocking(url, scope=Scope(all=True))
        token = create_token(conn, role="dispatcher", scope_code="360190", label="bench/load")
    return url, token


def mixed_paths(url: str) -> tuple[list[str], list[bool]]:
    with connect(url) as conn:
        station = conn.execute("SELECT code FROM stations ORDER BY code LIMIT 1").fetchone()
        grid = conn.execute("SELECT code FROM grids ORDER BY code LIMIT 1").fetchone()
    assert station and grid
    public = [
        "/stations/nearest?lon=116.0105&lat=28.6841&k=5&open_now=true",
        "/grids/at?lon=116.0105&lat=28.6841",
        "/collections/grids/items?bbox=115.99,28.67,116.03,28.70&limit=50",
        f"/collections/stations/items/{station[0]}",
        "/locator",
    ]
    staff = [
        "/collections/households/items?bbox=116.00,28.675,116.02,28.69&limit=200",
        "/members/nearest?lon=116.0105&lat=28.6841&k=5",
        f"/grids/{grid[0]}/assignment",
    ]
    return public + staff, [False] * len(public) + [True] * len(staff)


def rss_mb(server: Server) -> float:
    """Resident memory of the server and its worker processes, in MB."""
    pids = [server.process.pid]
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmRSS"))
            total += int(line.split()[1])
    return total / 1024


def wrk(base: str, script: Path, seconds: int, connections: int) -> dict[str, object]:
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    done = subprocess.run([*argv, "-s", str(script), base], capture_output=True, text=True)
    out = done.stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    grab = re.search
    non2xx = grab(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = grab(r"Socket errors: (.*)", out)
    total = grab(r"(\d+) requests in", out)
    return {
        "requests": int(total.group(1)) if total else 0,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket": sockets.group(1) if sockets else "",
        "p50": to_ms(latency["50"]) if "50" in latency else None,
        "p99": to_ms(latency["99"]) if "99" in latency else None,
        "rps": float(grab(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
    }


def probe(base: str, stop: threading.Event, seen: dict[str, list[float]]) -> None:
    """One client of its own, 20 requests a second: what an admitted request costs."""
    headers = {"X-Forwarded-For": "192.0.2.7"}
    with httpx.Client(base_url=base, timeout=10) as http:
        while not stop.is_set():
            started = time.perf_counter()
            answer = http.get("/stations/nearest?lon=116.02&lat=28.69&k=5", headers=headers)
            seen.setdefault(str(answer.status_code), []).append(time.perf_counter() - started)
            time.sleep(max(0.0, 0.05 - (time.perf_counter() - started)))


def write_script(
    folder: Path,
    paths: list[str],
    staff: list[bool],
    token: str,
    net: int,
    one_client: bool = False,
) -> Path:
    script = folder / f"load-{net}.lua"
    quoted = ", ".join(f'"{p}"' for p in paths)
    flags = ", ".join("true" if s else "false" for s in staff)
    many = f'"10.{net}." .. math.random(0, 7) .. "." .. math.random(1, 250)'
    client = f'"10.{net}.0.1"' if one_client else many
    script.write_text(LUA % {"paths": quoted, "staff": flags, "token": token, "client": client})
    return script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--flood", type=int, default=500, help="concurrent flood connections")
    parser.add_argument("--flood-seconds", type=int, default=20)
    parser.add_argument("--households", type=int, default=20_000)
    args = parser.parse_args()
    ensure_wrk()
    folder = bench_dir(ROOT)
    url, token = prepare(args.households, 20261125)
    paths, staff = mixed_paths(url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "GRIDGIS_PORT": str(port)}
    env.pop("GRIDGIS_PUBLIC_RATE", None)  # the production limits, as shipped
    server = start("gridgis", [str(ROOT / ".venv/bin/gridgis"), "serve"], env=env, cwd=ROOT,
                   port=port, log=folder / "load.log")  # fmt: skip
    rows = []
    try:
        server.wait_ready("/conformance")
        for path in paths:  # warm every worker's caches
            httpx.get(server.base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        memory = [rss_mb(server)]
        mixed_script = write_script(folder, paths, staff, token, 1)
        with console.status(f"mixed load, {args.duration} s"):
            mixed = wrk(server.base, mixed_script, args.duration, 16)
        memory.append(rss_mb(server))
        # the flood: one client address asking as fast as 500 connections can
        flood_script = write_script(folder, [paths[0]], [False], token, 2, one_client=True)
        seen: dict[str, list[float]] = {}
        stop = threading.Event()
        watcher = threading.Thread(target=probe, args=(server.base, stop, seen))
        with console.status(f"flood: {args.flood} connections, {args.flood_seconds} s"):
            watcher.start()
            flood = wrk(server.base, flood_script, args.flood_seconds, args.flood)
            stop.set()
            watcher.join()
        memory.append(rss_mb(server))
        rows = [mixed, flood]
    finally:
        server.stop()
    report(args, rows, seen, memory)


def report(
    args: argparse.Namespace,
    rows: list[dict[str, object]],
    seen: dict[str, list[float]],
    memory: list[float],
) -> None:
    table = Table(
        title=f"gridgis serve under load ({len(os.sched_getaffinity(0))} cores, production limits)"
    )
    for column in ("run", "requests", "req/s", "non-2xx", "socket errors", "p50 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "run" else "right")
    names = (f"mixed, 16 connections, {args.duration} s", f"flood, {args.flood} connections")
    for name, row in zip(names, rows, strict=True):
        cells = [f"{row['requests']:,}", f"{row['rps']:,.0f}", f"{row['non2xx']:,}"]
        cells += [str(row["socket"] or 0), f"{row['p50']:.1f}", f"{row['p99']:.1f}"]
        table.add_row(name, *cells)
    admitted = sorted(seen.get("200", []))
    if admitted:
        p50 = statistics.median(admitted) * 1000
        p99 = admitted[min(len(admitted) - 1, int(len(admitted) * 0.99))] * 1000
        p90 = admitted[min(len(admitted) - 1, int(len(admitted) * 0.90))] * 1000
        others = {code: len(v) for code, v in seen.items() if code != "200"}
        cells = [f"{len(admitted):,}", "", str(others or 0), f"p90 {p90:.1f}", f"{p50:.1f}"]
        cells.append(f"{p99:.1f}")
        table.add_row("probe during the flood (admitted)", *cells)
    console.print(table)
    console.print(
        f"memory (RSS, MB): start {memory[0]:.0f}, after the mixed load {memory[1]:.0f}, "
        f"after the flood {memory[2]:.0f}"
    )


if __name__ == "__main__":
    main()
