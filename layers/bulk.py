"""Bulk upsert of a layer by code: COPY into a staging table, check, then one INSERT ... ON
CONFLICT. Used by `gridgis load` and by the demo loader, so both take the same path and the
same checks. The caller owns the transaction: a failure leaves nothing of the file behind."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely

from gis.geometry import LonLatError, check_lonlat
from layers.layerspec import LAYERS, LayerSpec

CHUNK_ROWS = 100_000

Progress = Callable[[int, int], None]


class LoadError(ValueError):
    """A row that cannot be loaded; `row` counts from 1 in the file's order."""

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(f"row {row}: {message}" if row is not None else message)
        self.row = row


@dataclass(frozen=True)
class UpsertResult:
    layer: str
    rows: int
    inserted: int
    updated: int
    unchanged: int


def _pg_array(values: object) -> str:
    items = list(values) if isinstance(values, list | tuple | np.ndarray) else []
    return "{" + ",".join('"' + str(item).replace('"', '\\"') + '"' for item in items) + "}"


def _csv_frame(frame: gpd.GeoDataFrame, spec: LayerSpec) -> pd.DataFrame:
    out = pd.DataFrame({"rownum": np.arange(1, len(frame) + 1)})
    for column in spec.columns:
        values = frame[column] if column in frame.columns else pd.Series([None] * len(frame))
        if column in spec.array_columns:
            out[column] = [_pg_array(v) for v in values]
        else:
            out[column] = values.to_numpy()
    geoms = shapely.set_srid(np.asarray(frame.geometry.values), 4326)
    out["geom"] = shapely.to_wkb(geoms, hex=True, include_srid=True)
    return out


def _check_coordinates(frame: gpd.GeoDataFrame) -> None:
    """Every position must be lon/lat once reprojected: a swapped or projected coordinate
    names its row."""
    coordinates, rows = shapely.get_coordinates(frame.geometry.values, return_index=True)
    try:
        check_lonlat(coordinates[:, 0], coordinates[:, 1])
    except LonLatError as error:
        raise LoadError(error.reason, row=int(rows[error.index]) + 1) from error


def _copy_staging(
    conn: psycopg.Connection, frame: gpd.GeoDataFrame, spec: LayerSpec, progress: Progress | None
) -> None:
    conn.execute("DROP TABLE IF EXISTS staging")
    conn.execute(f"CREATE TEMP TABLE staging ({spec.staging_ddl}) ON COMMIT DROP")
    columns = ", ".join(["rownum", *spec.columns, "geom"])
    total = len(frame)
    for start in range(0, total, CHUNK_ROWS):
        chunk = _csv_frame(frame.iloc[start : start + CHUNK_ROWS], spec)
        chunk["rownum"] += start
        buffer = io.StringIO()
        chunk.to_csv(buffer, index=False, header=False)
        with conn.cursor().copy(f"COPY staging ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        if progress:
            progress(min(start + CHUNK_ROWS, total), total)


def _first_bad_row(conn: psycopg.Connection, spec: LayerSpec) -> None:
    for check in spec.staging_checks:
        bad = conn.execute(check.sql).fetchone()
        if bad:
            raise LoadError(check.message.format(*bad[1:]), row=int(bad[0]))


def upsert(
    conn: psycopg.Connection,
    *,
    layer: str,
    frame: gpd.GeoDataFrame,
    progress: Progress | None = None,
) -> UpsertResult:
    """Insert new codes, update changed ones, leave identical ones untouched."""
    spec = LAYERS[layer]
    _check_coordinates(frame)
    _copy_staging(conn, frame, spec, progress)
    _first_bad_row(conn, spec)
    counts = conn.execute(spec.upsert_sql).fetchone()
    assert counts is not None
    inserted, written = int(counts[0]), int(counts[1])
    return UpsertResult(
        layer=layer,
        rows=len(frame),
        inserted=inserted,
        updated=written - inserted,
        unchanged=len(frame) - written,
    )
