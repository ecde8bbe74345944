"""Read a layer file (GeoJSON, GeoPackage, Shapefile, CSV with lon/lat) into a frame in
EPSG:4326 with the layer's columns, checking what only Python can check (row numbers count
from 1 in the file's order). Coordinates come in the file's own CRS, else the one the
caller names (any EPSG code, or GCJ-02/BD-09 as copied from Amap, Tencent or Baidu), else
WGS84."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from gis.chinese_crs import DATUMS, geometries_to_wgs84
from gis.geometry import LonLatError
from gis.hours import is_valid as valid_hours
from layers.bulk import LoadError
from layers.layerspec import LAYERS

# Other names files use for a column (GB/T-style area files name the parent "parent").
ALIASES = {"areas": {"parent": "parent_code"}}
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb"}
LON_NAMES = ("lon", "lng", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")


def _pick(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {column.lower(): column for column in columns}
    return next((lowered[name] for name in names if name in lowered), None)


def _read_csv(path: Path) -> gpd.GeoDataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "wkt" in {c.lower() for c in table.columns}:
        column = _pick(list(table.columns), ("wkt",))
        assert column is not None
        geoms = []
        for row, text in enumerate(table.pop(column), start=1):
            try:
                geoms.append(shapely.from_wkt(text) if text else None)
            except shapely.errors.GEOSException as error:
                raise LoadError(f"unreadable WKT geometry ({error})", row=row) from error
        return gpd.GeoDataFrame(table, geometry=geoms)
    lon, lat = _pick(list(table.columns), LON_NAMES), _pick(list(table.columns), LAT_NAMES)
    if lon is None or lat is None:
        raise LoadError("a CSV needs lon and lat columns (or a wkt column)")
    x = pd.to_numeric(table.pop(lon), errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(table.pop(lat), errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~(np.isfinite(x) & np.isfinite(y)))
    if bad.size:
        raise LoadError("lon/lat missing or not a number", row=int(bad[0]) + 1)
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(x, y))


def _read_vector(path: Path) -> gpd.GeoDataFrame:
    try:
        return pyogrio.read_dataframe(path)
    except Exception as error:  # pyogrio raises several error types for unreadable files
        raise LoadError(f"cannot read {path.name}: {error}") from error


def source_crs(text: str | None) -> str | CRS | None:
    """What `--crs` names: 'gcj02', 'bd09', a pyproj CRS (EPSG:4490, 4490, a WKT) or None."""
    if text is None or text.strip().lower() in DATUMS:
        return text.strip().lower() if text else None
    try:
        return CRS.from_user_input(int(text) if text.strip().isdigit() else text.strip())
    except CRSError as error:
        raise LoadError(
            f"unknown CRS '{text}': give an EPSG code (4326, 4490, EPSG:4548), gcj02 (Amap, "
            "Tencent) or bd09 (Baidu)"
        ) from error


def _declared(frame: gpd.GeoDataFrame) -> CRS | None:
    """The file's CRS, unless it is WGS84 lon/lat: RFC 7946 GeoJSON always says WGS84, and
    so do files whose coordinates were copied from Amap or Baidu."""
    crs = frame.crs
    if (
        crs is None
        or crs.to_epsg() == 4326
        or crs.equals(CRS.from_epsg(4326), ignore_axis_order=True)
    ):
        return None
    declared: CRS = crs
    return declared


def _to_wgs84(frame: gpd.GeoDataFrame, given: str | CRS | None) -> gpd.GeoDataFrame:
    declared = _declared(frame)
    if isinstance(given, str):
        if declared is not None and not declared.is_geographic:
            raise LoadError(
                f"the file declares {declared.name} (projected): {given} coordinates are "
                "longitude/latitude"
            )
        try:
            moved = geometries_to_wgs84(frame.geometry.to_numpy(), given)
        except LonLatError as error:
            raise LoadError(f"{error} (in the {given} coordinates)") from error
        return frame.set_geometry(gpd.GeoSeries(moved, index=frame.index, crs="EPSG:4326"))
    if given is not None and declared is not None and not declared.equals(given):
        raise LoadError(
            f"the file declares {declared.name} but --crs says {given.name}: "
            "drop --crs to use the file's own"
        )
    source = declared or given or CRS.from_epsg(4326)
    frame = frame.set_crs(source, allow_override=True)
    return frame if source.to_epsg() == 4326 else frame.to_crs("EPSG:4326")


def _restore_truncated_names(
    frame: gpd.GeoDataFrame, expected: tuple[str, ...]
) -> gpd.GeoDataFrame:
    """Shapefiles cut field names to 10 characters (opening_hours -> opening_ho)."""
    renames = {}
    for column in frame.columns:
        if len(column) == 10 and column not in expected:
            matches = [name for name in expected if name.startswith(column)]
            if len(matches) == 1:
                renames[column] = matches[0]
    return frame.rename(columns=renames)


def _as_list(value: object) -> list[str]:
    if isinstance(value, list | tuple | np.ndarray):
        return [str(item) for item in value]
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return []
    text = str(value).strip()
    if text.startswith("["):
        try:
            return [str(item) for item in json.loads(text)]
        except json.JSONDecodeError:  # a Python list written as text: ['water', 'toilet']
            text = text.strip("[]").replace("'", "").replace('"', "")
    return [part.strip() for part in text.replace(";", ",").replace("|", ",").split(",") if part]


def _as_bool(value: object) -> object:
    """A flag as the database reads it: text as written, numbers as true/false, gaps NULL."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and np.isnan(value):
        return None
    return bool(value)


def _check_opening_hours(frame: gpd.GeoDataFrame) -> None:
    if "opening_hours" not in frame.columns:
        return
    for row, value in enumerate(frame["opening_hours"], start=1):
        if isinstance(value, str) and value and not valid_hours(value):
            raise LoadError(f"opening_hours '{value}' is not valid OpenStreetMap syntax", row=row)


def read_layer(path: Path, *, layer: str, crs: str | CRS | None = None) -> gpd.GeoDataFrame:
    """The file as a frame in WGS84 with the layer's columns (missing optional ones are
    empty); `crs` (see `source_crs`) is what the file's coordinates are when it does not
    say."""
    if layer not in LAYERS:
        raise LoadError(f"unknown layer '{layer}'; choose one of {', '.join(LAYERS)}")
    if not path.exists():
        raise LoadError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = _read_csv(path)
    elif suffix in VECTOR_SUFFIXES:
        frame = _read_vector(path)
    else:
        raise LoadError(f"unsupported file type '{suffix}' (GeoJSON, GeoPackage, Shapefile, CSV)")
    frame = _to_wgs84(frame, crs)
    spec = LAYERS[layer]
    frame = _restore_truncated_names(frame, spec.columns)
    frame = frame.rename(columns={k: v for k, v in ALIASES.get(layer, {}).items() if k in frame})
    frame.attrs["ignored_columns"] = sorted(
        str(c) for c in frame.columns if c not in spec.columns and c != frame.geometry.name
    )
    for column in spec.array_columns:
        if column in frame.columns:
            frame[column] = [_as_list(value) for value in frame[column]]
    frame = frame.replace({"": None})
    for column, kind in spec.types.items():
        if kind == "boolean" and column in frame.columns:
            frame[column] = pd.Series([_as_bool(v) for v in frame[column]], dtype=object)
    _check_opening_hours(frame)
    return frame
