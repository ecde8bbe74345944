"""Checks and projections for lon/lat input before any metric work.

Storage is WGS84 lon/lat, but distances must be metres accurate to 0.5 %; a UTM zone around
the data gives that for city-sized areas, so every metric algorithm projects first.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pyproj

_WGS84 = "EPSG:4326"


def check_lonlat(lon: npt.ArrayLike, lat: npt.ArrayLike) -> None:
    """Reject coordinates that cannot be lon/lat, so swapped or projected input fails loudly."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    if lon_a.shape != lat_a.shape:
        raise ValueError(f"lon has shape {lon_a.shape} but lat has shape {lat_a.shape}")
    for name, values, limit in (("lon", lon_a, 180.0), ("lat", lat_a, 90.0)):
        bad = np.flatnonzero(~(np.abs(values) <= limit))  # also catches NaN and inf
        if bad.size:
            first = bad[0]
            raise ValueError(
                f"{bad.size} {name} value(s) outside [-{limit:g}, {limit:g}] or not finite "
                f"(first at index {first}: {values.flat[first]!r}); "
                "expected WGS84 lon/lat in degrees, lon first"
            )


def utm_epsg(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """EPSG codes of the WGS84 / UTM zones containing the points (vectorised)."""
    check_lonlat(lon, lat)
    lon_a, lat_a = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    zone = np.minimum((lon_a + 180.0) // 6.0 + 1, 60).astype(np.int64)  # lon 180: zone 60
    return np.where(lat_a >= 0, 32600, 32700) + zone


def metric_crs_for(lon: float, lat: float) -> pyproj.CRS:
    """The WGS84 / UTM zone containing the point: metric, and accurate near the data."""
    return crs_from_epsg(int(utm_epsg(lon, lat)))


def to_metric(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, crs: pyproj.CRS
) -> npt.NDArray[np.float64]:
    """Project lon/lat degrees to an (n, 2) array of x/y metres in ``crs``."""
    check_lonlat(lon, lat)
    x, y = _transformer(crs).transform(
        np.asarray(lon, dtype=np.float64).ravel(), np.asarray(lat, dtype=np.float64).ravel()
    )
    return np.column_stack((x, y)).astype(np.float64)


@lru_cache(maxsize=64)
def crs_from_epsg(code: int) -> pyproj.CRS:
    return pyproj.CRS.from_epsg(code)


@lru_cache(maxsize=64)
def _transformer(crs: pyproj.CRS) -> pyproj.Transformer:
    # Building a Transformer costs milliseconds (PROJ database look-ups); reuse it per CRS.
    return pyproj.Transformer.from_crs(_WGS84, crs, always_xy=True)
