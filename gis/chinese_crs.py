"""China's obfuscated map datums: GCJ-02 ("Mars coordinates", Amap/Gaode, Tencent) and
BD-09 (Baidu) — forward from WGS84 to hand a place to the phone map apps, and back to WGS84
for data copied from them.

These are the published public-domain formulas (Krasovsky 1940 ellipsoid constants, the
GCJ-02 offset series, Baidu's polar perturbation), vectorised. Outside China the apps use
WGS84, so both directions leave such points alone.

The inverse has no closed form: it iterates the forward transform to its fixed point until
the round trip is within 1e-10 degrees (about 0.01 mm). prcoords, the public-domain Python
reference, stops at 1e-5 degrees (about a metre) and drops the in-China test inside its
loop, so it is used only as a cross-check in the tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import shapely

from gis.geometry import check_lonlat

FloatArray = npt.NDArray[np.float64]

_A = 6378245.0  # Krasovsky 1940 semi-major axis, m
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
# China's bounding box as the apps use it (a coarse test: outside it nothing is shifted)
_CHINA = (72.004, 0.8293, 137.8347, 55.8271)


def in_china(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    west, south, east, north = _CHINA
    return (lon_a >= west) & (lon_a <= east) & (lat_a >= south) & (lat_a <= north)


def _offset_lat(x: FloatArray, y: FloatArray) -> FloatArray:
    out = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    out += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return out


def _offset_lon(x: FloatArray, y: FloatArray) -> FloatArray:
    out = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    out += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return out


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """WGS84 lon/lat -> GCJ-02 lon/lat (arrays or scalars as 0-d arrays); points outside
    China are returned unchanged."""
    check_lonlat(lon, lat)
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = lon_a - 105.0, lat_a - 35.0
    rad = lat_a / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = _offset_lat(x, y) * 180.0 / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = _offset_lon(x, y) * 180.0 / (_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = in_china(lon_a, lat_a)
    return np.where(inside, lon_a + dlon, lon_a), np.where(inside, lat_a + dlat, lat_a)


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 lon/lat -> BD-09 lon/lat (Baidu)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """WGS84 lon/lat -> BD-09 lon/lat, through GCJ-02 (as Baidu does)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


TOLERANCE = 1e-10  # degrees: where the inverse's round trip stops
MAX_STEPS = 30  # each step gains about two digits; the tolerance is reached in four or five


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lon: FloatArray,
    lat: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """The point that `forward` maps to (lon, lat): fixed-point steps from the point itself,
    each moving by what the round trip misses."""
    x, y = lon.copy(), lat.copy()
    for _ in range(MAX_STEPS):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if max(float(np.max(np.abs(dx), initial=0)), float(np.max(np.abs(dy), initial=0))) < (
            TOLERANCE
        ):
            break
    return x, y


def _gcj02_of_china(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The forward offset without the in-China test: the inverse decides that once, on its
    input, so a point near the border cannot flip sides between steps."""
    x, y = lon - 105.0, lat - 35.0
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = _offset_lat(x, y) * 180.0 / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = _offset_lon(x, y) * 180.0 / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 lon/lat -> WGS84 lon/lat, exact to 1e-10 degrees; points outside China are
    returned unchanged (GCJ-02 does not move them)."""
    check_lonlat(lon, lat)
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    inside = in_china(lon_a, lat_a)
    x, y = _invert(_gcj02_of_china, lon_a, lat_a)
    return np.where(inside, x, lon_a), np.where(inside, y, lat_a)


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """BD-09 lon/lat -> GCJ-02 lon/lat, exact to 1e-10 degrees."""
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return _invert(gcj02_to_bd09, lon_a, lat_a)


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """BD-09 lon/lat -> WGS84 lon/lat (through GCJ-02, as Baidu's forward goes)."""
    check_lonlat(lon, lat)
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
DATUMS = tuple(TO_WGS84)


def geometries_to_wgs84(geometries: npt.ArrayLike, datum: str) -> npt.NDArray[np.object_]:
    """Shapely geometries in GCJ-02 or BD-09 lon/lat, every vertex moved to WGS84 (in one
    vectorised pass; empty and missing geometries stay as they are)."""
    inverse = TO_WGS84[datum]

    def moved(xy: FloatArray) -> FloatArray:
        lon, lat = inverse(xy[:, 0], xy[:, 1])
        return np.column_stack((lon, lat))

    return np.asarray(shapely.transform(np.asarray(geometries, dtype=object), moved))
