"""The demo data generator: counts, exact tilings, households in exactly one grid, member
loads, stations, determinism and the column contract with the bulk loader."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from opening_hours import OpeningHours

from data import names
from data._tiling import plan_sizes
from data.generate import CARE_TAGS, DUTIES, SERVICES, DemoData, generate

METRIC = "EPSG:32650"
REPORTED_COMMUNITIES = ("名都", "龙江", "上上城", "吾悦", "观澜", "溪湖北", "御水园")
REPORTED_VILLAGES = ("麻丘村", "北沥村")
REPORTED_STATIONS = ("云中城红色驿站", "艾溪湖湿地公园红色驿站", '吾悦社区"悦小哥"驿站')

CONTRACT = {
    "areas": ["code", "name", "level", "parent_code", "geometry"],
    "grids": ["code", "name", "community_code", "geometry"],
    "households": ["code", "address", "building_key", "residents", "care_tags", "geometry"],
    "members": [
        "code",
        "name",
        "duty",
        "service_phone",
        "personal_phone",
        "grid_code",
        "min_load",
        "max_load",
        "active",
        "kind",
        "geometry",
    ],
    "stations": [
        "code",
        "name",
        "kind",
        "services",
        "opening_hours",
        "address",
        "service_phone",
        "geometry",
    ],
    "ways": ["code", "name", "highway", "oneway", "geometry"],
    "land": ["code", "kind", "name", "geometry"],
}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate()


def _metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs(METRIC)


def _assert_tiles(parent, children, *, unit: float = 1.0) -> None:
    """children cover parent with no gap (symmetric difference) and no overlap, < 1 m²;
    unit is the area of one square coordinate unit in m²."""
    gap = shapely.symmetric_difference(parent, shapely.union_all(children))
    assert shapely.area(gap) * unit < 1.0
    tree = shapely.STRtree(children)
    left, right = tree.query(children, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(children[left[pairs]], children[right[pairs]]))
    assert overlap.sum() * unit < 1.0


def test_counts_and_real_names(demo: DemoData) -> None:
    areas = demo.areas
    levels = areas.level.value_counts()
    assert levels["district"] == 1
    assert levels.get("street", 0) + levels.get("township", 0) >= 3
    assert levels.get("community", 0) + levels.get("village", 0) >= 10
    by_name = areas.set_index("name").level
    for short in REPORTED_COMMUNITIES:
        assert by_name[f"{short}社区"] == "community"
    for village in REPORTED_VILLAGES:
        assert by_name[village] == "village"
    assert {"艾溪湖管理处", "京东镇", "麻丘镇"} <= set(areas.name)
    assert areas.loc[areas.level == "district", "name"].item() == names.DISTRICT_NAME
    assert 60 <= len(demo.grids) <= 80
    assert len(demo.households) == 20_000
    red = demo.stations[demo.stations.kind == "red_station"]
    assert len(red) >= 8
    assert set(REPORTED_STATIONS) <= set(red.name)


def test_district_near_aixi_lake(demo: DemoData) -> None:
    minx, miny, maxx, maxy = demo.areas.total_bounds
    assert minx >= 115.94 and maxx <= 116.08
    assert miny >= 28.63 and maxy <= 28.74


def test_areas_tile_their_parents(demo: DemoData) -> None:
    areas = _metric(demo.areas)
    geom = dict(zip(areas.code, areas.geometry, strict=True))
    for parent, children in areas.dropna(subset=["parent_code"]).groupby("parent_code"):
        _assert_tiles(geom[parent], children.geometry.to_numpy())


def test_grids_tile_their_communities(demo: DemoData) -> None:
    areas = _metric(demo.areas).set_index("code")
    grids = _metric(demo.grids)
    communities = areas[areas.level.isin(["community", "village"])]
    assert set(grids.community_code) == set(communities.index)
    for code, children in grids.groupby("community_code"):
        _assert_tiles(communities.geometry[code], children.geometry.to_numpy())


def test_tilings_exact_in_lon_lat_too(demo: DemoData) -> None:
    """Siblings share their vertices, so the stored EPSG:4326 polygons tile as well."""
    square_degree = 111_320.0 * 111_320.0 * np.cos(np.radians(28.68))
    geom = dict(zip(demo.areas.code, demo.areas.geometry, strict=True))
    for code, children in demo.grids.groupby("community_code"):
        _assert_tiles(geom[code], children.geometry.to_numpy(), unit=square_degree)
    for parent, children in demo.areas.dropna(subset=["parent_code"]).groupby("parent_code"):
        _assert_tiles(geom[parent], children.geometry.to_numpy(), unit=square_degree)


def test_geometries_valid_oriented_and_inside_district(demo: DemoData) -> None:
    district = demo.areas.geometry[demo.areas.level == "district"].item()
    margin = district.buffer(1e-7)  # ~1 cm: cell vertices lie on the district's edge
    for frame in (demo.areas, demo.grids):
        polys = frame.geometry.to_numpy()
        assert (shapely.get_type_id(polys) == 6).all()  # MultiPolygon
        assert shapely.is_valid(polys).all()
        rings = shapely.get_exterior_ring(shapely.get_parts(polys))
        assert shapely.is_ccw(rings).all()  # RFC 7946 right-hand rule
        assert shapely.covers(margin, polys).all()
    for frame in (demo.households, demo.members, demo.stations):
        points = frame.geometry.to_numpy()
        assert (shapely.get_type_id(points) == 0).all()
        assert shapely.contains(district, points).all()
    for frame in (demo.areas, demo.grids, demo.households, demo.members, demo.stations):
        assert frame.crs.to_epsg() == 4326
        assert frame.code.is_unique


def test_each_household_strictly_inside_one_grid(demo: DemoData) -> None:
    grids = _metric(demo.grids)
    points = _metric(demo.households).geometry.to_numpy()
    tree = shapely.STRtree(grids.geometry.to_numpy())
    hit, grid = tree.query(points, predicate="intersects")
    assert np.array_equal(np.bincount(hit, minlength=len(points)), np.ones(len(points)))
    inside = shapely.contains(grids.geometry.to_numpy()[grid], points[hit])
    assert inside.all()
    edges = shapely.boundary(grids.geometry.to_numpy()[grid])
    assert shapely.distance(edges, points[hit]).min() >= 1.9  # ~2 m clear of every edge
    # The building key names the household's community.
    community = grids.community_code.to_numpy()[grid]
    keys = demo.households.building_key.to_numpy()[hit]
    assert all(k.startswith(c + "-B") for k, c in zip(keys, community, strict=True))


def test_households_cluster_in_buildings(demo: DemoData) -> None:
    homes = _metric(demo.households)
    xy = pd.DataFrame({"key": homes.building_key, "x": homes.geometry.x, "y": homes.geometry.y})
    centre = xy.groupby("key")[["x", "y"]].transform("mean")
    spread = np.hypot(xy.x - centre.x, xy.y - centre.y)
    assert spread.max() < 20.0
    size = xy.groupby("key").size()
    town = demo.households.address.str.contains("栋")
    assert size[homes.building_key[town].unique()].max() <= 3 * 18 * 2
    assert size[homes.building_key[town].unique()].mean() > 12
    village_sizes = size[homes.building_key[~town].unique()]
    assert len(village_sizes) and village_sizes.max() <= 2
    assert demo.households.address.is_unique
    assert demo.households.address[town].str.fullmatch(r"\S+ \d+栋 \d单元 \d{3,4}").all()
    assert demo.households.address[~town].str.fullmatch(r"\S+村 \d+组 \d+号(附1)?").all()


def test_household_attributes(demo: DemoData) -> None:
    homes = demo.households
    assert homes.residents.between(1, 6).all()
    assert all(isinstance(t, list) and set(t) <= set(CARE_TAGS) for t in homes.care_tags)
    empty = homes.care_tags.map(len) == 0
    assert 0.6 < empty.mean() < 0.9  # mostly empty
    assert re.fullmatch(r"H\d{7}", homes.code.iloc[0])
    assert homes.code.iloc[0] == "H0000001"


def _loads(demo: DemoData) -> pd.DataFrame:
    grids = demo.grids[["code", "geometry"]].rename(columns={"code": "grid_code"})
    households = demo.households.sjoin(grids, predicate="within")
    active = demo.members[demo.members.active]
    return pd.DataFrame(
        {
            "households": households.groupby("grid_code").size(),
            "members": active.groupby("grid_code").size(),
        }
    ).fillna(0)


def test_member_loads_short_and_surplus_grids(demo: DemoData) -> None:
    loads = _loads(demo)
    short = loads.households > 25 * loads.members
    surplus = loads.households < 15 * loads.members
    assert 3 <= short.sum() <= 5
    assert 3 <= surplus.sum() <= 5
    assert (~short & ~surplus).mean() > 0.85  # most grids can meet 15–25 per member
    ratio = len(demo.members) / len(demo.households)
    assert 1 / 25 < ratio < 1 / 15


def test_members(demo: DemoData) -> None:
    members = demo.members
    assert set(members.duty) <= set(DUTIES)
    assert len(set(members.duty)) == 6
    assert set(members.kind) == {"resident", "cadre", "mobile"}
    assert (members.min_load == 15).all() and (members.max_load == 25).all()
    assert 0.005 < (~members.active).mean() < 0.04
    assert members.name.str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    for column in ("service_phone", "personal_phone"):
        assert members[column].str.fullmatch(r"1[3-9]\d{9}").all()
    assert (members.service_phone != members.personal_phone).all()
    assert set(members.grid_code) <= set(demo.grids.code)


def test_member_homes_near_their_grid(demo: DemoData) -> None:
    members = _metric(demo.members)
    grids = _metric(demo.grids).set_index("code")
    settled = members[members.kind != "mobile"]
    grid = grids.geometry[settled.grid_code].to_numpy()
    distance = shapely.distance(grid, settled.geometry.to_numpy())
    residents = (settled.kind == "resident").to_numpy()
    assert (distance[residents] == 0).all()  # residents live in their grid
    assert np.median(distance) == 0 and distance.max() < 5_000


def test_stations(demo: DemoData) -> None:
    stations = demo.stations
    kinds = set(stations.kind)
    assert kinds == {
        "red_station",
        "rider_station",
        "service_centre",
        "neighbourhood_centre",
        "micro_station",
    }
    streets = demo.areas.level.isin(["street", "township"]).sum()
    assert (stations.kind == "service_centre").sum() == streets
    assert stations.name[stations.kind == "service_centre"].str.endswith("党群服务中心").all()
    assert stations.name.is_unique
    for services in stations.services:
        assert isinstance(services, list) and services and set(services) <= set(SERVICES)
    for hours in stations.opening_hours:
        OpeningHours(hours)  # raises on a syntax error
    hours = set(stations.opening_hours)
    assert "24/7" in hours
    assert any(h.startswith("Mo-Fr") and "Sa" not in h for h in hours)  # weekdays only
    assert any("Su off" in h for h in hours)
    assert stations.service_phone.str.fullmatch(r"0791-8\d{7}").all()


def test_contract_columns_and_types(demo: DemoData) -> None:
    for name, columns in CONTRACT.items():
        frame = getattr(demo, name)
        assert isinstance(frame, gpd.GeoDataFrame)
        assert list(frame.columns) == columns
        assert frame.geometry.name == "geometry"
        text = [c for c in columns if c not in {"geometry", "care_tags", "services"}]
        text = [
            c for c in text if c not in {"residents", "min_load", "max_load", "active", "oneway"}
        ]
        for column in text:
            values = frame[column].dropna()
            assert all(isinstance(v, str) for v in values), (name, column)
    assert demo.areas.parent_code[demo.areas.level == "district"].tolist() == [None]
    assert set(demo.areas.level) <= {"district", "street", "township", "community", "village"}
    assert pd.api.types.is_integer_dtype(demo.households.residents)
    assert pd.api.types.is_integer_dtype(demo.members.min_load)
    assert pd.api.types.is_bool_dtype(demo.members.active)
    assert demo.grids.code.str.fullmatch(r"\d{12}-G\d{2}").all()
    assert demo.grids.name.str.fullmatch(r"\S+第\d+网格").all()


def _same(a: DemoData, b: DemoData) -> bool:
    for name in CONTRACT:
        left, right = getattr(a, name), getattr(b, name)
        if not left.drop(columns="geometry").equals(right.drop(columns="geometry")):
            return False
        if not (left.geometry.to_wkb() == right.geometry.to_wkb()).all():
            return False
    return True


def test_deterministic(demo: DemoData) -> None:
    assert _same(demo, generate())
    assert not _same(demo, generate(seed=7))


def test_small_data_set_and_progress() -> None:
    seen: list[tuple[str, int, int]] = []
    small = generate(households=1_000, seed=3, progress=lambda *a: seen.append(a))
    assert len(small.households) == 1_000
    assert {s for s, _, _ in seen} == {
        "areas",
        "grids",
        "households",
        "members",
        "stations",
        "base map",
    }
    assert all(0 <= done <= total for _, done, total in seen)
    assert (small.members.groupby("grid_code").size() >= 1).all()


def test_city_scale_plan() -> None:
    sizes = plan_sizes(2_400_000)
    assert sizes.grids == 6_000
    assert 700 <= sizes.communities <= 1_000
    assert 40 <= sizes.streets <= 80
    assert plan_sizes(20_000).grids == 70


def test_base_map_streets_lake_parks_and_buildings(demo: DemoData) -> None:
    ways, land = _metric(demo.ways), _metric(demo.land)
    assert set(ways.geom_type) == {"LineString"}
    assert {"primary", "secondary", "residential", "unclassified"} <= set(ways.highway)
    named = ways[ways.name.notna()]
    assert set(names.ROADS) <= set(named.name)  # the zone's real roads are on the map
    assert (named.highway != "residential").all()
    # no street along the borders runs through a building; every building holds its
    # households (village houses line their roads: those may touch)
    buildings = land[land.kind == "building"]
    assert len(buildings) == demo.households.building_key.nunique()
    streets = ways[ways.highway != "unclassified"].geometry.union_all()
    assert not buildings.geometry.intersects(streets).any()
    homes = _metric(demo.households).set_index("building_key").geometry
    footprint = buildings.set_index("code").geometry
    inside = footprint.loc[homes.index].buffer(1.0).contains(homes, align=False)
    assert inside.mean() > 0.99
    # Aixi Lake lies west of the district, off its shore; parks hold no building
    lake = land[land.name == "艾溪湖"].geometry.iloc[0]
    district = _metric(demo.areas[demo.areas.level == "district"]).geometry.iloc[0]
    assert lake.area > 1e6 and lake.distance(district) < 100 and not lake.intersects(district)
    assert lake.centroid.x < district.centroid.x
    parks = land[(land.kind == "green") & (land.name != "艾溪湖湿地公园")]
    assert len(parks) >= 5 and not parks.geometry.intersects(buildings.geometry.union_all()).any()
