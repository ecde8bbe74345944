"""Deterministic, seeded demo and benchmark data: the Nanchang High-tech Zone (南昌高新区)
around Aixi Lake, its streets, communities, grids, households, grid members and stations.

generate() is pure: it returns GeoDataFrames in EPSG:4326 (lon, lat; polygons follow the
RFC 7946 right-hand rule) and never touches a database. The column names are the contract
with the bulk loader. Everything is built in metres (EPSG:32650) with vectorised numpy and
shapely, then reprojected once; the same arguments always give identical frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data import _basemap, _homes, _members, _stations, _text, _tiling, names
from data._geometry import FloatArray, GeomArray, as_multipolygons
from data._text import IntArray, ObjArray
from gis import vocabulary

# The domain's words, re-exported for the generator's users.
DUTIES: Final = vocabulary.DUTIES
LEVELS: Final = vocabulary.AREA_LEVELS
MEMBER_KINDS: Final = vocabulary.MEMBER_KINDS
STATION_KINDS: Final = vocabulary.STATION_KINDS
CARE_TAGS: Final = vocabulary.CARE_TAGS
SERVICES: Final = vocabulary.SERVICES
CRS: Final = "EPSG:4326"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoData:
    areas: gpd.GeoDataFrame  # code, name, level, parent_code, geometry (MultiPolygon)
    grids: gpd.GeoDataFrame  # code, name, community_code, geometry (MultiPolygon)
    households: gpd.GeoDataFrame  # code, address, building_key, residents, care_tags, geometry
    members: gpd.GeoDataFrame  # code, name, duty, service_phone, personal_phone, grid_code,
    # min_load, max_load, active, kind, geometry (home)
    stations: gpd.GeoDataFrame  # code, name, kind, services, opening_hours, address,
    # service_phone, geometry
    ways: gpd.GeoDataFrame  # code, name, highway, oneway, geometry (LineString)
    land: gpd.GeoDataFrame  # code, kind, name, geometry (MultiPolygon)


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def _polygons(geoms: GeomArray) -> GeomArray:
    """Metric MultiPolygons → lon/lat, counter-clockwise shells (RFC 7946)."""
    lonlat = shapely.transform(geoms, _tiling.TO_LONLAT.transform, interleaved=False)
    out: GeomArray = shapely.orient_polygons(as_multipolygons(lonlat), exterior_cw=False)
    return out


def _points(x: FloatArray, y: FloatArray) -> GeomArray:
    lon, lat = _tiling.TO_LONLAT.transform(x, y)
    out: GeomArray = shapely.points(lon, lat)
    return out


LIST_COLUMNS: Final = frozenset({"care_tags", "services"})


def _frame(columns: dict[str, Any], geometry: GeomArray) -> gpd.GeoDataFrame:
    """Object arrays of text become pandas' str dtype; lists and None stay objects."""
    data = {
        k: pd.Series(v, dtype="str")
        if isinstance(v, np.ndarray) and v.dtype == object and k not in LIST_COLUMNS
        else v
        for k, v in columns.items()
    }
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)


def _area_codes(t: _tiling.Tiling) -> tuple[list[str], list[str], list[str]]:
    """Statistical-style codes: district (6 digits) + street (3) + community (3)."""
    streets = [f"{names.DISTRICT_CODE}{s + 1:03d}" for s in range(len(t.street_names))]
    index = _text.group_rank(t.community_street)
    comms = [f"{streets[s]}{i + 1:03d}" for s, i in zip(t.community_street, index, strict=True)]
    rank = _text.group_rank(t.grid_community) + 1
    grids = [f"{comms[c]}-G{n:02d}" for c, n in zip(t.grid_community, rank, strict=True)]
    return streets, comms, grids


def _areas(t: _tiling.Tiling, streets: list[str], comms: list[str]) -> gpd.GeoDataFrame:
    geoms = np.concatenate([[t.district], t.street_cells, t.community_cells])
    parents: list[str | None] = [None, *[names.DISTRICT_CODE] * len(streets)]
    parents += [streets[s] for s in t.community_street]
    columns = {
        "code": pd.Series([names.DISTRICT_CODE, *streets, *comms], dtype="str"),
        "name": pd.Series([names.DISTRICT_NAME, *t.street_names, *t.community_names], dtype="str"),
        "level": pd.Series(["district", *t.street_levels, *t.community_levels], dtype="str"),
        "parent_code": pd.Series(parents, dtype=object),  # None for the district
    }
    return _frame(columns, _polygons(geoms))


def _grids(t: _tiling.Tiling, comms: list[str], codes: list[str]) -> gpd.GeoDataFrame:
    rank = _text.group_rank(t.grid_community) + 1
    grid_names = _text.concat(
        _text.lookup(t.community_names, t.grid_community), "第", _text.digits(rank), "网格"
    )
    columns = {
        "code": np.array(codes, dtype=object),
        "name": grid_names,
        "community_code": _text.lookup(comms, t.grid_community),
    }
    return _frame(columns, _polygons(t.grid_cells))


def _care_tags(rng: np.random.Generator, residents: IntArray, rural: Any) -> ObjArray:
    """Mostly empty lists; elderly and low-income households are commoner in villages,
    children in bigger households."""
    n = len(residents)
    p = np.stack(
        [
            np.where(rural, 0.22, 0.10),
            0.03 + 0.12 * (residents >= 3),
            np.full(n, 0.02),
            np.where(rural, 0.06, 0.03),
            np.full(n, 0.01),
        ],
        axis=1,
    )
    bits = (rng.random((n, len(CARE_TAGS))) < p) @ (1 << np.arange(len(CARE_TAGS)))
    combos = np.empty(1 << len(CARE_TAGS), dtype=object)
    for mask in range(len(combos)):  # element-wise: numpy would broadcast a list of tuples
        combos[mask] = tuple(t for b, t in enumerate(CARE_TAGS) if mask >> b & 1)
    fresh_list = np.frompyfunc(list, 1, 1)  # one list object per row, no shared mutables
    return np.asarray(fresh_list(combos[bits]), dtype=object)


def _households(rng: np.random.Generator, homes: _homes.Homes) -> gpd.GeoDataFrame:
    n = len(homes.x)
    residents = rng.choice(np.arange(1, 7), n, p=[0.14, 0.28, 0.27, 0.18, 0.08, 0.05])
    columns = {
        "code": _text.codes("H", n, 7),
        "address": homes.address,
        "building_key": homes.building_key,
        "residents": residents.astype(np.int64),
        "care_tags": _care_tags(rng, residents, homes.rural),
    }
    return _frame(columns, _points(homes.x, homes.y))


def _members_frame(m: _members.Members, grid_codes: list[str]) -> gpd.GeoDataFrame:
    n = len(m.grid)
    columns = {
        "code": _text.codes("M", n, 6),
        "name": m.name,
        "duty": _text.lookup(tuple(DUTIES), m.duty),
        "service_phone": m.service_phone,
        "personal_phone": m.personal_phone,
        "grid_code": _text.lookup(grid_codes, m.grid),
        "min_load": np.full(n, _members.MIN_LOAD, dtype=np.int64),
        "max_load": np.full(n, _members.MAX_LOAD, dtype=np.int64),
        "active": m.active,
        "kind": m.kind,
    }
    return _frame(columns, _points(m.x, m.y))


def _stations_frame(s: _stations.Stations) -> gpd.GeoDataFrame:
    n = len(s.name)
    services = np.empty(n, dtype=object)
    for i, offered in enumerate(s.services):
        services[i] = offered
    columns = {
        "code": _text.codes("S", n, 4),
        "name": np.array(s.name, dtype=object),
        "kind": np.array(s.kind, dtype=object),
        "services": services,
        "opening_hours": np.array(s.opening_hours, dtype=object),
        "address": np.array(s.address, dtype=object),
        "service_phone": np.array(s.service_phone, dtype=object),
    }
    return _frame(columns, _points(s.x, s.y))


def _ways_frame(w: _basemap.Ways) -> gpd.GeoDataFrame:
    lines = shapely.transform(w.geom, _tiling.TO_LONLAT.transform, interleaved=False)
    columns = {
        "code": np.array(_basemap.numbered("W", len(lines)), dtype=object),
        "name": pd.Series(w.name, dtype=object),
        "highway": np.array(w.highway, dtype=object),
        "oneway": np.zeros(len(lines), dtype=bool),
    }
    return _frame(columns, lines)


def _land_frame(land: _basemap.Land) -> gpd.GeoDataFrame:
    columns = {
        "code": np.array(land.code, dtype=object),
        "kind": np.array(land.kind, dtype=object),
        "name": pd.Series(land.name, dtype=object),
    }
    return _frame(columns, _polygons(land.geom))


def generate(
    *,
    households: int = 20_000,
    seed: int = 20261125,
    progress: Progress | None = None,
) -> DemoData:
    """The demo data set: by default the Nanchang High-tech Zone with 20,000 households in
    70 grids; households=2_400_000 gives a city of ~6,000 grids and ~120,000 members.

    progress(stage, done, total) is called as stages advance (areas, grids, households,
    members, stations). Same arguments → identical frames."""
    if isinstance(households, bool) or not isinstance(households, int) or households < 1:
        raise ValueError("households must be a positive int")
    report = progress or _quiet
    # Streams by index: a stream added later leaves the earlier ones (and their data) as is.
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    t = _tiling.build(rngs[0], households, report)
    streets, comms, grid_codes = _area_codes(t)
    rural = np.array([level == "village" for level in t.community_levels])
    noise = rngs[1].lognormal(0.0, 0.3, len(t.grid_cells))
    need = _tiling.apportion(households, noise * np.where(rural[t.grid_community], 0.5, 1.0))
    homes = _homes.build(
        rngs[1], t.grid_cells, t.grid_community, t.community_names, comms, rural, need
    )
    report("households", households, households)
    members = _members.build(rngs[2], need, (homes.x, homes.y), t.grid_community, t.grid_cells)
    report("members", len(members.grid), len(members.grid))
    stations = _stations.build(
        rngs[3],
        households,
        t.district,
        t.community_names,
        t.community_levels,
        t.community_cells,
        t.street_names,
        t.street_cells,
    )
    report("stations", len(stations.name), len(stations.name))
    ways, land = _basemap.build(rngs[5], t, homes.buildings)
    report("base map", 1, 1)
    return DemoData(
        areas=_areas(t, streets, comms),
        grids=_grids(t, comms, grid_codes),
        households=_households(rngs[4], homes),
        members=_members_frame(members, grid_codes),
        stations=_stations_frame(stations),
        ways=_ways_frame(ways),
        land=_land_frame(land),
    )
