"""Coordinate reference systems as OGC API names them (http://www.opengis.net/def/crs/...):
the ones the API offers, and the axis order each defines — EPSG:4326 and EPSG:4490
(CGCS2000) are latitude first, OGC's CRS84 longitude first."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyproj

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
# CRS84 and WGS 84 (GPS, web maps), CGCS2000 (China's official datum: Tianditu, official
# files) and its 3-degree Gauss-Krüger zone of the demo (CM 117°E), Web Mercator, UTM 50N.
OFFERED = (CRS84, EPSG + "4326", EPSG + "4490", EPSG + "4548", EPSG + "3857", EPSG + "32650")


class CrsError(ValueError):
    """A CRS the API does not offer."""


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int  # the EPSG code PostGIS knows it by (CRS84: 4326)
    swap_axes: bool  # its first axis is northing or latitude (PostGIS writes x first)


@lru_cache(maxsize=32)
def crs(uri: str | None) -> Crs:
    """The offered CRS named by `uri` (CRS84 when None); CrsError for any other."""
    name = (uri or CRS84).strip()
    if name.startswith("[") and name.endswith("]"):  # the "safe CURIE" form, [EPSG:4490]
        name = EPSG + name[1:-1].split(":")[-1]
    if name not in OFFERED:
        raise CrsError(f"'{name}' is not one of the CRSs offered: {', '.join(OFFERED)}")
    if name == CRS84:
        return Crs(name, 4326, False)
    code = int(name.removeprefix(EPSG))
    first_axis = pyproj.CRS.from_epsg(code).axis_info[0]
    return Crs(name, code, first_axis.direction in ("north", "south"))
