"""China's obfuscated map datums, for handing a place to the phone map apps people use:
GCJ-02 ("Mars coordinates", Amap/Gaode, Tencent) and BD-09 (Baidu), forward from WGS84.

These are the published public-domain formulas (Krasovsky 1940 ellipsoid constants, the
GCJ-02 offset series, Baidu's polar perturbation), vectorised. Outside China the apps use
WGS84, so the forward transform leaves such points alone. The exact inverse (GCJ-02/BD-09
back to WGS84) is left to a later change."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

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
