"""Redraw benchmark (issue 6): preview and save of one grid's new shape, through the HTTP API.

    .venv/bin/python bench/redraw.py [--households 20000] [--runs 10] [--grid CODE]

Loads the demo (seeded) into its own database `gridgis_bench_redraw_<n>` (kept between runs)
and assigns it once. Then, `runs` times: POST /grids/{code}/preview and PUT /grids/{code}
of the grid grown over the nearest building of a neighbour, then PUT ?undo= to put the
shapes back for the next round. Each call runs in the app in-process (routing, JSON, auth,
the threadpool and the database transaction: everything but the network). Prints medians.
Uses DATABASE_URL's server, else the embedded PostGIS.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import shapely
from _db import app_for, bench_database
from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table
from shapely import wkb
from shapely.geometry import mapping

from gis.geometry import metric_crs_for, to_lonlat, to_metric
from layers import migrate
from layers.assignments import Scope, assign_blocking
from layers.db import connect
from layers.loading import counts, load_layers
from layers.tokens import create_token

console = Console()


def prepare(households: int, seed: int) -> str:
    name = f"gridgis_bench_redraw_{households}"
    url = bench_database(name)
    migrate.upgrade(url)
    with connect(url, autocommit=True) as conn:
        if counts(conn)["households"] == households:
            console.print(f"reusing {name}")
            return url
        from data.generate import generate

        with console.status(f"generating and loading {households:,} households"):
            demo = generate(households=households, seed=seed)
            frames = {k: getattr(demo, k) for k in ("areas", "grids", "stations", "households")}
            load_layers(conn, frames={**frames, "members": demo.members})
    assign_blocking(url, scope=Scope(all=True))
    return url


def grown_shape(url: str, grid: str | None) -> tuple[str, str, dict[str, Any]]:
    """The grid (default: the first), and its shape grown over a neighbour's nearest building."""
    with connect(url) as conn:
        code = grid or str(conn.execute("SELECT min(code) FROM grids").fetchone()[0])  # type: ignore[index]
        row = conn.execute(
            "SELECT ST_AsBinary(t.geom), ST_AsBinary(h.geom), "
            "ST_Distance(h.geom::geography, t.geom::geography), t.community_code "
            "FROM grids t JOIN grids n ON n.community_code = t.community_code AND n.id <> t.id "
            "AND ST_Touches(n.geom, t.geom) JOIN households h ON h.grid_id = n.id "
            "WHERE t.code = %s ORDER BY 3 LIMIT 1",
            (code,),
        ).fetchone()
    if row is None:
        raise SystemExit(f"grid {code} has no neighbour with households")
    shape, home, distance = wkb.loads(row[0]), wkb.loads(row[1]), float(row[2])
    crs = metric_crs_for(home.x, home.y)
    disk = to_lonlat(shapely.buffer(to_metric(home, crs), distance + 25.0), crs)
    return code, str(row[3]), dict(mapping(shapely.union(shape, disk)))


def timed(call: Any, path: str, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    response = call(path, **kwargs)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{response.request.method} {response.request.url}: {response.text}")
    return elapsed, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--grid", default=None)
    args = parser.parse_args()
    url = prepare(args.households, args.seed)
    code, community, body = grown_shape(url, args.grid)
    with connect(url) as conn:
        token = create_token(conn, role="planner", scope_code=community, label="bench/redraw")
        conn.commit()
    auth = {"Authorization": f"Bearer {token}"}
    times: dict[str, list[float]] = {"preview": [], "save": [], "undo": []}
    with TestClient(app_for(url, workers=1)) as client:
        for _ in range(args.runs):
            seconds, shown = timed(client.post, f"/grids/{code}/preview", json=body, headers=auth)
            times["preview"].append(seconds)
            match = {**auth, "If-Match": shown.headers["etag"]}
            seconds, saved = timed(client.put, f"/grids/{code}", json=body, headers=match)
            times["save"].append(seconds)
            undo = f"/grids/{code}?undo={saved.json()['history'][0]}"
            again = {**auth, "If-Match": saved.headers["etag"]}
            seconds, _ = timed(client.put, undo, headers=again)
            times["undo"].append(seconds)
    report = saved.json()
    table = Table(
        title=f"redraw of {code}: {len(report['grids']['features'])} grids changed, "
        f"{len(report['households_moved'])} households moved, {args.runs} runs"
    )
    for column in ("step", "median ms", "min ms", "max ms"):
        table.add_column(column, justify="left" if column == "step" else "right")
    both = [p + s for p, s in zip(times["preview"], times["save"], strict=True)]
    for step, values in [*times.items(), ("preview + save", both)]:
        table.add_row(step, *(f"{f(values) * 1000:,.0f}" for f in (statistics.median, min, max)))
    console.print(table)


if __name__ == "__main__":
    main()
