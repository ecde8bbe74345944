"""Load several layers in dependency order, in one transaction: a failure in any of them
leaves the database as it was."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import geopandas as gpd
import psycopg

from layers.bulk import Progress, UpsertResult, upsert

# Parents before children: grids need communities, members need grids, points need areas.
# The base map's ways and land need nothing.
LOAD_ORDER = ("areas", "grids", "stations", "households", "members", "ways", "land")

LayerProgress = Callable[[str], Progress]


def load_layers(
    conn: psycopg.Connection,
    *,
    frames: Mapping[str, gpd.GeoDataFrame],
    progress: LayerProgress | None = None,
) -> list[UpsertResult]:
    results = []
    with conn.transaction():
        for layer in LOAD_ORDER:
            if layer in frames:
                on_chunk = progress(layer) if progress else None
                results.append(upsert(conn, layer=layer, frame=frames[layer], progress=on_chunk))
    conn.execute("ANALYZE")
    return results


def counts(conn: psycopg.Connection) -> dict[str, int]:
    """Rows per table, for summaries and the idempotent demo check."""
    result = {}
    for table in (*LOAD_ORDER, "assignments"):
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        result[table] = int(row[0]) if row else 0
    return result
