"""Province-scale data on one machine (issue 20): 16 million households.

    .venv/bin/python bench/province.py [--cities 7] [--households-per-city 2300000]

Generates one city (seeded) and lays out `--cities` copies of it side by side as the cities
of a province (36 → 36xx → 36xx90 → streets → communities, every code rewritten so that each
city is its own district), loads them city by city with COPY into the database
`gridgis_province` (kept between runs; --reload to rebuild), then times one `assign --all`.
Prints the load and assignment times and the database's size per table. The base-map layers
(ways, land) are left out: this measures the people and their grids.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _db import bench_database
from rich.console import Console
from rich.table import Table

from layers import migrate
from layers.assignments import Scope, assign_blocking
from layers.db import connect
from layers.loading import counts, load_layers

console = Console(width=150)
NAME = "gridgis_province"
DISTRICT = "360190"  # the generated city's district code, rewritten per city
STEP = 0.13  # degrees of longitude between the cities (the city is 0.112 wide)
LAYERS = ("areas", "grids", "stations", "households", "members")


def _district(k: int) -> str:
    return f"36{k + 1:02d}90"


def _moved(frame: gpd.GeoDataFrame, dx: float) -> gpd.GeoDataFrame:
    moved = shapely.transform(frame.geometry.to_numpy(), lambda xy: xy + np.array([dx, 0.0]))
    return frame.set_geometry(gpd.GeoSeries(moved, index=frame.index, crs=frame.crs))


def _recoded(frame: gpd.GeoDataFrame, k: int, own_code: bool) -> gpd.GeoDataFrame:
    """City k's copy: area-derived codes rewritten; the layer's own codes prefixed when they
    do not derive from an area (households H…, members M…, stations S…)."""
    out = frame.copy()
    for column in ("code", "parent_code", "community_code", "grid_code", "building_key"):
        if column in out:
            out[column] = out[column].str.replace(f"^{DISTRICT}", _district(k), regex=True)
    if own_code:
        out["code"] = f"{k + 1:02d}-" + out["code"]
    return _moved(out, k * STEP)


def _upper_areas(city_areas: gpd.GeoDataFrame, cities: int) -> gpd.GeoDataFrame:
    """The province, its cities and their districts (a city is its one district's outline)."""
    district = city_areas[city_areas["level"] == "district"].iloc[0]
    rows: list[dict[str, Any]] = []
    outlines = []
    for k in range(cities):
        outline = shapely.transform(
            district.geometry, lambda xy, k=k: xy + np.array([k * STEP, 0.0])
        )
        outlines.append(outline)
        city = f"36{k + 1:02d}"
        rows.append({"code": city, "name": f"第{k + 1}市", "level": "city", "parent_code": "36",
                     "geometry": outline})  # fmt: skip
        rows.append({"code": _district(k), "name": f"第{k + 1}市高新区", "level": "district",
                     "parent_code": city, "geometry": outline})  # fmt: skip
    province = shapely.box(*shapely.union_all(outlines).buffer(0.01).bounds)
    rows.insert(0, {"code": "36", "name": "江西省", "level": "province", "parent_code": None,
                    "geometry": shapely.MultiPolygon([province])})  # fmt: skip
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def _city_frames(city: Any, k: int) -> dict[str, gpd.GeoDataFrame]:
    lower = city.areas[city.areas["level"] != "district"]
    return {
        "areas": _recoded(lower, k, own_code=False),
        "grids": _recoded(city.grids, k, own_code=False),
        "stations": _recoded(city.stations, k, own_code=True),
        "households": _recoded(city.households, k, own_code=True),
        "members": _recoded(city.members, k, own_code=True),
    }


def load(url: str, cities: int, per_city: int, seed: int) -> list[tuple[str, float, int]]:
    from data.generate import generate

    timings: list[tuple[str, float, int]] = []
    started = time.perf_counter()
    with console.status(f"generating a city of {per_city:,} households"):
        city = generate(households=per_city, seed=seed)
    timings.append(("generate one city", time.perf_counter() - started, per_city))
    with connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        load_layers(conn, frames={"areas": _upper_areas(city.areas, cities)})
        for k in range(cities):
            with console.status(f"city {k + 1}/{cities}: preparing"):
                frames = _city_frames(city, k)
            begun = time.perf_counter()
            with console.status(f"city {k + 1}/{cities}: loading with COPY"):
                load_layers(conn, frames=frames)
            seconds = time.perf_counter() - begun
            console.print(f"city {k + 1}/{cities} loaded in {seconds:.0f} s")
            timings.append((f"load city {k + 1}", seconds, len(frames["households"])))
        timings.append(("load all", time.perf_counter() - started, cities * per_city))
    return timings


def sizes(url: str) -> pd.DataFrame:
    with connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
        rows = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), "
            "pg_indexes_size(c.oid), c.reltuples::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 8"
        ).fetchall()
        (database,) = conn.execute("SELECT pg_database_size(current_database())").fetchone()  # type: ignore[misc]
    frame = pd.DataFrame(rows, columns=["table", "total", "heap", "indexes", "rows"])
    frame.attrs["database"] = database
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cities", type=int, default=7)
    parser.add_argument("--households-per-city", type=int, default=2_300_000)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--database", default=NAME)
    args = parser.parse_args()
    total = args.cities * args.households_per_city
    workers = len(os.sched_getaffinity(0))
    url = bench_database(args.database, reload=args.reload)
    migrate.upgrade(url)
    with connect(url) as conn:
        present = counts(conn)["households"]
    timings = [] if present == total else None
    if timings is None:
        if present:
            raise SystemExit(
                f"{args.database} holds {present:,} households, not {total:,}: --reload"
            )
        timings = load(url, args.cities, args.households_per_city, args.seed)
    else:
        console.print(f"reusing {args.database} ({present:,} households)")
    started = time.perf_counter()
    summary = assign_blocking(url, scope=Scope(all=True), workers=workers)
    assigned = time.perf_counter() - started

    table = Table(title=f"province: {total:,} households, {args.cities} cities, {workers} cores")
    for column in ("step", "seconds", "households", "households/s"):
        table.add_column(column, justify="right")
    for step, seconds, households in timings:
        table.add_row(step, f"{seconds:,.0f}", f"{households:,}", f"{households / seconds:,.0f}")
    s = summary.seconds
    table.add_row(
        f"assign --all ({summary.grids:,} grids; read {s['read']:.0f} s, solve "
        f"{s['solve']:.0f} s, write {s['write']:.0f} s)",
        f"{assigned:,.0f}",
        f"{summary.households:,}",
        f"{summary.households / assigned:,.0f}",
    )
    console.print(table)
    on_disk = sizes(url)
    size_table = Table(title=f"on disk: {on_disk.attrs['database'] / 2**30:.1f} GiB in all")
    for column in ("table", "rows", "heap", "indexes", "total"):
        size_table.add_column(column, justify="right")
    for row in on_disk.itertuples():
        size_table.add_row(row.table, f"{row.rows:,}", *(f"{v / 2**20:,.0f} MiB" for v in
                           (row.heap, row.indexes, row.total)))  # fmt: skip
    console.print(size_table)


if __name__ == "__main__":
    main()
