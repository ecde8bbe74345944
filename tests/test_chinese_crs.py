"""GCJ-02 and BD-09, both ways, against published reference points."""

from __future__ import annotations

import numpy as np
import pytest

from gis.chinese_crs import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from gis.geometry import LonLatError

# (wgs lon, wgs lat, gcj lon, gcj lat): the eviltransform project's test points
CITIES = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
    (116.404, 39.915, 116.41024449916938, 39.91640428150164),  # coordtransform's README
]


@pytest.mark.parametrize(("lon", "lat", "gcj_lon", "gcj_lat"), CITIES)
def test_wgs84_to_gcj02_matches_the_published_points(lon, lat, gcj_lon, gcj_lat):
    got = wgs84_to_gcj02(lon, lat)
    assert got == pytest.approx((gcj_lon, gcj_lat), abs=1e-9)


def test_bd09_matches_the_published_points():
    # coordtransform's README: gcj02tobd09(116.404, 39.915), wgs84tobd09(116.404, 39.915)
    assert gcj02_to_bd09(116.404, 39.915) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-9
    )
    assert wgs84_to_bd09(116.404, 39.915) == pytest.approx(
        (116.41662724378733, 39.922699552216216), abs=1e-9
    )


def test_arrays_and_points_outside_china():
    lon, lat = wgs84_to_gcj02(np.array([116.0105, 2.35]), np.array([28.6841, 48.85]))
    assert lon[1] == 2.35 and lat[1] == 48.85  # Paris: unchanged
    # Nanchang moves a few hundred metres (about 0.005 deg east, 0.002-0.003 deg south)
    assert 0.003 < lon[0] - 116.0105 < 0.007 and -0.004 < lat[0] - 28.6841 < 0
    with pytest.raises(LonLatError, match="swapped"):
        wgs84_to_gcj02(28.68, 116.01)


@pytest.mark.parametrize(("lon", "lat", "gcj_lon", "gcj_lat"), CITIES)
def test_gcj02_to_wgs84_recovers_the_published_points(lon, lat, gcj_lon, gcj_lat):
    assert gcj02_to_wgs84(gcj_lon, gcj_lat) == pytest.approx((lon, lat), abs=1e-8)


def test_bd09_to_wgs84_recovers_the_published_points():
    assert bd09_to_gcj02(116.41036949371029, 39.92133699351021) == pytest.approx(
        (116.404, 39.915), abs=1e-9
    )
    assert bd09_to_wgs84(116.41662724378733, 39.922699552216216) == pytest.approx(
        (116.404, 39.915), abs=1e-9
    )


def test_baidus_own_conversion_agrees_within_a_metre():
    # Baidu's geoconv API documentation: WGS84 (114.21892734521, 29.575429778924) is BD-09
    # (114.23074871003, 29.579084787690); Baidu's servers add a little of their own.
    metres_per_degree = 111_320.0
    lon, lat = wgs84_to_bd09(114.21892734521, 29.575429778924)
    assert abs(lon - 114.23074871003) * metres_per_degree < 1
    assert abs(lat - 29.579084787690) * metres_per_degree < 1
    lon, lat = bd09_to_wgs84(114.23074871003, 29.579084787690)
    assert abs(lon - 114.21892734521) * metres_per_degree < 1
    assert abs(lat - 29.575429778924) * metres_per_degree < 1


def test_the_round_trip_is_within_1e_7_degrees_everywhere_in_china():
    rng = np.random.default_rng(19)
    lon, lat = rng.uniform(73.0, 135.0, 50_000), rng.uniform(18.0, 53.5, 50_000)
    for forward, inverse in ((wgs84_to_gcj02, gcj02_to_wgs84), (wgs84_to_bd09, bd09_to_wgs84)):
        back_lon, back_lat = inverse(*forward(lon, lat))
        assert np.abs(back_lon - lon).max() < 1e-7 and np.abs(back_lat - lat).max() < 1e-7


def test_the_inverse_leaves_points_outside_china_alone():
    lon, lat = gcj02_to_wgs84(np.array([2.35, 116.0105]), np.array([48.85, 28.6841]))
    assert (lon[0], lat[0]) == (2.35, 48.85)  # Paris
    assert lon[1] < 116.0105 and lat[1] > 28.6841  # Nanchang moves back west and north
    with pytest.raises(LonLatError, match="swapped"):
        gcj02_to_wgs84(28.68, 116.01)
