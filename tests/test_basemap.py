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


def test_a_new_way_changes_exactly_the_tiles_it_lies_in(demo_db):
    with TestClient(create_app(Settings(database_url=demo_db))) as fresh:
        here, elsewhere = _tile(116.0, 28.685, 16), _tile(116.04, 28.66, 16)
        first = {path: fresh.get(path) for path in (here, elsewhere)}
        etags = {path: answer.headers["etag"] for path, answer in first.items()}
        again = fresh.get(here, headers={"If-None-Match": etags[here]})
        assert again.status_code == 304 and again.content == b""
        with connect(demo_db) as conn:  # a footway, 20 m long, where the first tile is
            conn.execute(
                "INSERT INTO ways (code, name, highway, geom) VALUES ('W-NEW', '新小路', "
                "'footway', ST_GeomFromText('LINESTRING(116.0 28.685, 116.0002 28.685)', 4326))"
            )
            conn.commit()
        changed = fresh.get(here, headers={"If-None-Match": etags[here]})
        assert changed.status_code == 200 and changed.headers["etag"] != etags[here]
        assert "新小路".encode() in changed.content or b"footway" in changed.content
        kept = fresh.get(elsewhere, headers={"If-None-Match": etags[elsewhere]})
        assert kept.status_code == 304
