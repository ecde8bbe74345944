"""Search speed at city scale (issue 13): GET /search's query for a district dispatcher
(every grid, building and address of the city in reach) and the public /places/search.

    .venv/bin/python bench/search.py --households 2400000

Uses the city database of bench/assign.py (`gridgis_bench_<n>`, built when missing), adds
the base map's ways and land when they are not there yet, then times each query (one
connection, the app's own function, the database warm): p50, p99 and max per kind of
query, as dispatchers and residents type them — a full address, a building ("第12社区 3栋"),
a community, a road, a station, and two characters.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from _db import bench_database
from rich.console import Console
from rich.table import Table

from layers import migrate
from layers.db import connect, connect_async, run_blocking
from layers.loading import LOAD_ORDER, counts, load_layers
from layers.search import search

console = Console(width=150)


def prepare(households: int, seed: int) -> str:
    url = bench_database(f"gridgis_bench_{households}")
    migrate.upgrade(url)
    with connect(url, autocommit=True) as conn:
        present = counts(conn)
    missing = [t for t in LOAD_ORDER if not present[t]]
    if present["households"] not in (0, households):
        raise SystemExit(
            f"the database holds {present['households']:,} households, not {households:,}"
        )
    if missing:
        from data.generate import generate

        with console.status(f"generating {households:,} households"):
            city = generate(households=households, seed=seed)
        with console.status(f"loading {', '.join(missing)}"), connect(url, autocommit=True) as conn:
            load_layers(conn, frames={t: getattr(city, t) for t in missing})
    return url


def queries(url: str, n: int, rng: random.Random) -> dict[str, list[str]]:
    with connect(url) as conn:

        def pick(sql: str) -> list[str]:
            rows = [str(r[0]) for r in conn.execute(sql).fetchall()]
            return [rng.choice(rows) for _ in range(n)] if rows else []

        addresses = pick("SELECT address FROM households ORDER BY random() LIMIT 5000")
        return {
            "full address": addresses,
            "building (part)": [" ".join(a.split(" ")[:2]).replace("社区", "") for a in addresses],
            "community": pick("SELECT name FROM areas WHERE level IN ('community', 'village')"),
            "road": pick("SELECT DISTINCT name FROM ways WHERE name IS NOT NULL"),
            "station": pick("SELECT name FROM stations"),
            "two characters": [a[:2] for a in pick("SELECT name FROM ways WHERE name IS NOT NULL")],
        }


def timed(
    url: str, texts: dict[str, list[str]], communities: tuple[str, ...] | None
) -> dict[str, list[float]]:
    async def run() -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        async with await connect_async(url) as conn:
            await conn.execute("SET plan_cache_mode = force_custom_plan")
            for q in next(iter(texts.values()))[:20]:  # warm the caches
                await search(conn, q, communities=communities, limit=10)
            for kind, qs in texts.items():
                out[kind] = []
                for q in qs:
                    started = time.perf_counter()
                    await search(conn, q, communities=communities, limit=10)
                    out[kind].append((time.perf_counter() - started) * 1000)
        return out

    return run_blocking(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=2_400_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--queries", type=int, default=200, help="per kind of query")
    args = parser.parse_args()
    url = prepare(args.households, args.seed)
    with connect(url) as conn:
        every = conn.execute(
            "SELECT array_agg(code ORDER BY code) FROM areas "
            "WHERE level IN ('community', 'village')"
        ).fetchone()
        # indexes added after the city was loaded
        conn.execute(
            "CREATE INDEX IF NOT EXISTS households_building_idx ON households (building_key)"
        )
        conn.commit()
    assert every is not None
    texts = queries(url, args.queries, random.Random(args.seed))
    table = Table(title=f"search, {args.households:,} households: ms per query")
    for column in ("who", "query", "n", "p50", "p99", "max"):
        table.add_column(column, justify="left" if column in ("who", "query") else "right")
    for who, communities in (("district dispatcher", tuple(every[0])), ("public", None)):
        for kind, ms in timed(url, texts, communities).items():
            if not ms:
                continue
            ms.sort()
            p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
            table.add_row(who, kind, str(len(ms)), f"{statistics.median(ms):.1f}", f"{p99:.1f}",
                          f"{ms[-1]:.1f}")  # fmt: skip
    console.print(table)


if __name__ == "__main__":
    main()
