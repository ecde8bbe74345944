"""The base map's vector tiles, built by PostGIS from the demo's ways and land: the layers
are there where the data is, thin out when zoomed out, and nothing is asked of the world
outside."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from layers.db import connect

MVT = "application/vnd.mapbox-vector-tile"


@pytest.fixture(scope="module")
def client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=demo_url))) as test_client:
        yield test_client


def _tile(lon: float, lat: float, z: int) -> str:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"/basemap/{z}/{x}/{y}.pbf"


def test_a_tile_in_town_holds_roads_buildings_and_names(client, demo_url):
    with connect(demo_url) as conn:
        row = conn.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM households WHERE address LIKE '名都社区%%' "
            "ORDER BY code LIMIT 1"
        ).fetchone()
    assert row is not None
    body = client.get(_tile(row[0], row[1], 15))  # at a building, at building zoom
    assert body.status_code == 200 and body.headers["content-type"] == MVT
    assert b"roads" in body.content and b"buildings" in body.content
    assert body.headers["cache-control"].startswith("public")
    overview = client.get(_tile(116.0, 28.685, 12)).content
    assert b"roads" in overview and b"buildings" not in overview  # no buildings far out
    assert "高新大道".encode() in overview or b"primary" in overview


def test_the_lake_and_its_name(client):
    lake = client.get(_tile(115.945, 28.69, 14)).content
    assert b"water" in lake and "艾溪湖".encode() in lake


def test_nothing_far_away_and_bad_addresses(client):
    assert client.get(_tile(2.35, 48.85, 14)).content == b""  # Paris: no data
    assert client.get("/basemap/21/0/0.pbf").status_code == 404
    assert client.get("/basemap/3/8/0.pbf").status_code == 404
    assert client.get("/basemap/a/0/0.pbf").status_code in (400, 422)
