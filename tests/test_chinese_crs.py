"""The GCJ-02 and BD-09 forward transforms against published reference points."""

from __future__ import annotations

import numpy as np
import pytest

from gis.chinese_crs import gcj02_to_bd09, wgs84_to_bd09, wgs84_to_gcj02
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
