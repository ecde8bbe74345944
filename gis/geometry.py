"""Pure polygon and CRS helpers shared by every algorithm: the one lon/lat check, projection
to metres and back, measuring lon/lat shapes in metres, and the longest shared border.

Storage is WGS84 lon/lat, but distances and areas must be metres accurate to 0.5 %; the
UTM zone around the data gives that for city-sized areas, so every metric algorithm
projects first (pysal/spopt's rule: check the CRS, then work on plain metres).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

_WGS84 = "EPSG:4326"


class LonLatError(ValueError):
    """A coordinate that cannot be WGS84 lon/lat; `index` is the first bad position."""

    def __init__(self, reason: str, *, index: int, of: int) -> None:
        super().__init__(f"position {index}: {reason}" if of > 1 else reason)
        self.reason = reason
        self.index = index


def _swapped(lon: float, lat: float) -> bool:
    return abs(lon) <= 90 < abs(lat) <= 180


def _reason(lon: float, lat: float) -> str:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"lon {lon}, lat {lat} is not a finite number"
    if abs(lat) > 90:
        hint = " (are lon and lat swapped? lon comes first)" if _swapped(lon, lat) else ""
        return f"lat {lat} is outside [-90, 90]{hint}"
    return f"lon {lon} is outside [-180, 180]"


def check_lonlat(lon: npt.ArrayLike, lat: npt.ArrayLike) -> None:
    """Refuse coordinates that cannot be lon/lat (out of range, NaN, infinite), saying which
    position and, when the pair looks swapped, so. One check for API queries, request bodies,
    loaded files and algorithm inputs alike."""
    lon_a = np.asarray(lon, dtype=np.float64).ravel()
    lat_a = np.asarray(lat, dtype=np.float64).ravel()
    if lon_a.shape != lat_a.shape:
        raise ValueError(f"lon has {lon_a.size} values but lat has {lat_a.size}")
    bad = np.flatnonzero(~((np.abs(lon_a) <= 180.0) & (np.abs(lat_a) <= 90.0)))
    if bad.size:
        i = int(bad[0])
        raise LonLatError(_reason(float(lon_a[i]), float(lat_a[i])), index=i, of=lon_a.size)


def utm_epsg(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """EPSG codes of the WGS84 / UTM zones containing the points (vectorised)."""
    check_lonlat(lon, lat)
    lon_a, lat_a = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    zone = np.minimum((lon_a + 180.0) // 6.0 + 1, 60).astype(np.int64)  # lon 180: zone 60
    return np.where(lat_a >= 0, 32600, 32700) + zone


def metric_crs_for(lon: float, lat: float) -> pyproj.CRS:
    """The WGS84 / UTM zone containing the point: metric, and accurate near the data."""
    return crs_from_epsg(int(utm_epsg(lon, lat)))


@lru_cache(maxsize=64)
def crs_from_epsg(code: int) -> pyproj.CRS:
    return pyproj.CRS.from_epsg(code)


@lru_cache(maxsize=64)
def _forward(crs: pyproj.CRS) -> pyproj.Transformer:
    # Building a Transformer costs milliseconds (PROJ database look-ups); reuse it per CRS.
    return pyproj.Transformer.from_crs(_WGS84, crs, always_xy=True)


@lru_cache(maxsize=64)
def _inverse(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(crs, _WGS84, always_xy=True)


def lonlat_to_xy(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, crs: pyproj.CRS
) -> npt.NDArray[np.float64]:
    """Lon/lat degrees as an (n, 2) array of x/y metres in `crs`."""
    check_lonlat(lon, lat)
    x, y = _forward(crs).transform(
        np.asarray(lon, dtype=np.float64).ravel(), np.asarray(lat, dtype=np.float64).ravel()
    )
    return np.column_stack((x, y)).astype(np.float64)


def to_metric(geom: BaseGeometry, crs: pyproj.CRS) -> BaseGeometry:
    """A lon/lat geometry in the metric `crs`."""
    return shapely.transform(geom, lambda xy: lonlat_to_xy(xy[:, 0], xy[:, 1], crs=crs))


def to_lonlat(geom: BaseGeometry, crs: pyproj.CRS) -> BaseGeometry:
    """A metric geometry back in lon/lat (for GeoJSON output)."""
    inverse = _inverse(crs)
    return shapely.transform(
        geom, lambda xy: np.column_stack(inverse.transform(xy[:, 0], xy[:, 1]))
    )


def check_metric_crs(crs: object) -> pyproj.CRS:
    """The CRS, if it is projected with metre axes; otherwise a ValueError saying so."""
    parsed = pyproj.CRS.from_user_input(crs)
    units = {axis.unit_name for axis in parsed.axis_info}
    if not parsed.is_projected or units != {"metre"}:
        raise ValueError(
            f"this needs a projected CRS in metres, got {parsed.name!r} ({units}); "
            "project first (gis.geometry.to_metric)"
        )
    return parsed


@dataclass(frozen=True)
class Metric:
    """Measures of lon/lat geometries in one UTM zone."""

    crs: pyproj.CRS

    @classmethod
    def around(cls, geom: BaseGeometry) -> Metric:
        centre = shapely.centroid(geom)
        return cls(metric_crs_for(centre.x, centre.y))

    def project(self, geom: BaseGeometry) -> BaseGeometry:
        return to_metric(geom, self.crs)

    def area(self, geom: BaseGeometry) -> float:
        return 0.0 if geom.is_empty else float(self.project(geom).area)

    def length(self, geom: BaseGeometry) -> float:
        return 0.0 if geom.is_empty else float(self.project(geom).length)


# --- polygons ---------------------------------------------------------------------------


def polygons(geom: BaseGeometry | None) -> list[BaseGeometry]:
    """The polygonal parts of any geometry (overlays may add stray lines and points)."""
    if geom is None or geom.is_empty:
        return []
    found: list[BaseGeometry] = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon" and not part.is_empty:
            found.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            found.extend(polygons(part))
    return found


def multipolygon(parts: Iterable[BaseGeometry]) -> BaseGeometry:
    return shapely.MultiPolygon([p for g in parts for p in polygons(g)])


def shared_border(piece: BaseGeometry, other: BaseGeometry, eps: float) -> BaseGeometry:
    """The part of the piece's boundary that runs along `other` (within eps, CRS units)."""
    if other.is_empty:
        return shapely.LineString()
    near = shapely.buffer(other, eps, quad_segs=2)
    if not piece.intersects(near):
        return shapely.LineString()
    return shapely.intersection(piece.boundary, near)


def longest_shared_border(
    piece: BaseGeometry,
    neighbours: Mapping[str, BaseGeometry],
    *,
    eps: float,
    length: Callable[[BaseGeometry], float] = lambda line: float(line.length),
    at_least: float = 0.0,
) -> str | None:
    """The neighbour sharing the longest border with the piece (ties: the larger code), or
    None when no border is longer than `at_least`. `length` measures in metres when the
    geometries are lon/lat (Metric.length)."""
    lengths = {code: length(shared_border(piece, g, eps)) for code, g in neighbours.items()}
    best = max(lengths, key=lambda code: (lengths[code], code), default=None)
    return best if best is not None and lengths[best] > at_least else None
