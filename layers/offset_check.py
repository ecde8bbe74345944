"""Does a layer sit as if its coordinates were copied from Amap, Tencent (GCJ-02) or Baidu
(BD-09) and loaded as WGS84? Such a layer is shifted by 50–700 m in one direction: points
fall just outside their grid or community, boundaries stick out of their parent or miss
their own earlier version. A sample of the layer is measured against what the database
already holds, as given and as converted from each datum; when a conversion fits far
better, the load stops with that diagnosis."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import psycopg
import shapely

from gis.chinese_crs import DATUMS, geometries_to_wgs84
from gis.geometry import LonLatError

SAMPLE = 2_000  # features measured: enough to see a few per cent misfit, fast either way
SEED = 19
MIN_MISFIT = 0.02  # as given, at least this share must misfit before anything is said
FACTOR = 4  # ... and a conversion must misfit at most a quarter as much

_FEATURES = """
    (SELECT ST_GeomFromWKB(w, 4326) AS geom, k AS key, p AS parent
     FROM unnest(%(wkb)s::bytea[], %(keys)s::text[], %(parents)s::text[]) AS f(w, k, p)) f
"""
_COVERAGE = """EXISTS (SELECT 1 FROM grids g WHERE ST_Covers(g.geom, f.geom))
    OR EXISTS (SELECT 1 FROM areas a WHERE a.level IN ('community', 'village')
               AND ST_Covers(a.geom, f.geom))"""
_OVERLAP = "ST_Area(ST_Intersection(f.geom, {0}.geom)) / nullif(ST_Area({1}), 0)"
# Each layer's fit per feature in [0, 1] (NULL: nothing to measure it against).
_FIT = {
    "households": f"CASE WHEN {_COVERAGE} THEN 1 ELSE 0 END",
    "stations": f"CASE WHEN {_COVERAGE} THEN 1 ELSE 0 END",
    "members": "(SELECT ST_Covers(g.geom, f.geom)::int FROM grids g WHERE g.code = f.parent)",
    "grids": f"""coalesce(
        (SELECT {_OVERLAP.format("g", "ST_Union(f.geom, g.geom)")} FROM grids g
         WHERE g.code = f.key),
        (SELECT {_OVERLAP.format("c", "f.geom")} FROM areas c WHERE c.code = f.parent))""",
    "areas": f"""coalesce(
        (SELECT {_OVERLAP.format("a", "ST_Union(f.geom, a.geom)")} FROM areas a
         WHERE a.code = f.key),
        (SELECT {_OVERLAP.format("p", "f.geom")} FROM areas p WHERE p.code = f.parent))""",
}
_PARENT_COLUMN = {"members": "grid_code", "grids": "community_code", "areas": "parent_code"}
_WHAT = {
    "households": "lie outside every grid and community",
    "stations": "lie outside every grid and community",
    "members": "lie outside their own grid",
    "grids": "of their area lies outside their community (or misses the grid as loaded)",
    "areas": "of their area lies outside their parent (or misses the area as loaded)",
}
NAMES = {"gcj02": "GCJ-02 (Amap, Tencent)", "bd09": "BD-09 (Baidu)"}


@dataclass(frozen=True)
class Offset:
    """A layer that fits the database much better converted from `datum`."""

    layer: str
    datum: str
    misfit_as_given: float
    misfit_converted: float

    def __str__(self) -> str:
        return (
            f"the {self.layer} look shifted as if copied from {NAMES[self.datum]}: "
            f"{self.misfit_as_given:.0%} {_WHAT[self.layer]} as given, "
            f"{self.misfit_converted:.0%} once converted from {self.datum}. "
            f"Add --crs {self.datum} to convert them, or --crs EPSG:4326 if they really are "
            "WGS84"
        )


def _sample(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # only what the loader would take: a broken row is the loader's to name
    present = frame[frame.geometry.notna() & ~frame.geometry.is_empty & frame.geometry.is_valid]
    if len(present) <= SAMPLE:
        return present
    rows = np.random.default_rng(SEED).choice(len(present), SAMPLE, replace=False)
    return present.iloc[np.sort(rows)]


def _texts(frame: gpd.GeoDataFrame, column: str | None) -> list[str | None]:
    if column is None or column not in frame:
        return [None] * len(frame)
    return [str(v) if isinstance(v, str | int) else None for v in frame[column]]


def _misfit(
    conn: psycopg.Connection,
    layer: str,
    geoms: npt.NDArray[np.object_],
    keys: list[str | None],
    parents: list[str | None],
) -> float:
    row = conn.execute(
        f"SELECT avg(({_FIT[layer]})::float8) FROM {_FEATURES}",
        {"wkb": list(shapely.to_wkb(geoms)), "keys": keys, "parents": parents},
    ).fetchone()
    return float("nan") if row is None or row[0] is None else 1.0 - float(row[0])


def suspected_offset(
    conn: psycopg.Connection, *, layer: str, frame: gpd.GeoDataFrame
) -> Offset | None:
    """The datum the layer looks copied from, if it is clearly that; None otherwise (also
    when the database holds nothing to measure the layer against)."""
    if layer not in _FIT or frame.empty:
        return None
    sample = _sample(frame)
    keys, parents = _texts(sample, "code"), _texts(sample, _PARENT_COLUMN.get(layer))
    geoms = sample.geometry.to_numpy()
    as_given = _misfit(conn, layer, geoms, keys, parents)
    if not as_given >= MIN_MISFIT:  # also NaN: nothing to compare with
        return None
    try:
        converted = {datum: geometries_to_wgs84(geoms, datum) for datum in DATUMS}
    except LonLatError:  # swapped or out of range: the loader names the row
        return None
    best = min(
        (_misfit(conn, layer, moved, keys, parents), datum) for datum, moved in converted.items()
    )
    if best[0] <= as_given / FACTOR:
        return Offset(layer, best[1], as_given, best[0])
    return None
