"""The HTTP layer through the real app (lifespan, pool, SQL) against the demo database."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.live import served

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=demo_url))) as test_client:
        yield test_client


def test_landing_and_conformance(client):
    landing = client.get("/").json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= rels
    classes = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in classes


def test_collections_are_the_public_layers_with_extents(client):
    body = client.get("/collections").json()
    ids = {c["id"] for c in body["collections"]}
    assert {"communities", "grids", "stations"} <= ids
    assert not ids & {"households", "members", "assignments"}
    grids = next(c for c in body["collections"] if c["id"] == "grids")
    min_x, min_y, max_x, max_y = grids["extent"]["spatial"]["bbox"][0]
    assert 115.9 < min_x < max_x < 116.2 and 28.5 < min_y < max_y < 28.9


def test_paging_through_grids_returns_each_exactly_once(client):
    seen: list[str] = []
    url: str | None = "/collections/grids/items?limit=7"
    matched = None
    while url:
        response = client.get(url)
        assert response.headers["content-type"] == "application/geo+json"
        page = response.json()
        matched = page.get("numberMatched", matched)  # counted on the first page
        assert page["numberReturned"] == len(page["features"])
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert matched is not None and len(seen) == matched == len(set(seen)) >= 60


def test_items_bbox_property_filter_and_selection(client):
    everything = client.get("/collections/stations/items?limit=1000").json()["features"]
    west, south, east, north = 115.98, 28.66, 116.03, 28.70
    inside = {
        f["id"]
        for f in everything
        if west <= f["geometry"]["coordinates"][0] <= east
        and south <= f["geometry"]["coordinates"][1] <= north
    }
    page = client.get(f"/collections/stations/items?limit=1000&bbox={west},{south},{east},{north}")
    assert {f["id"] for f in page.json()["features"]} == inside
    red = client.get("/collections/stations/items?limit=1000&kind=red_station").json()
    assert red["numberMatched"] >= 8
    assert {f["properties"]["kind"] for f in red["features"]} == {"red_station"}
    slim = client.get("/collections/stations/items?limit=1&properties=name").json()
    assert list(slim["features"][0]["properties"]) == ["name"]


def test_one_item_by_id_and_polygons_follow_the_right_hand_rule(client):
    first = client.get("/collections/grids/items?limit=1").json()["features"][0]
    item = client.get(f"/collections/grids/items/{first['id']}").json()
    assert item["id"] == first["id"] and item["type"] == "Feature"
    ring = item["geometry"]["coordinates"][0][0]
    signed_area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    assert signed_area > 0  # RFC 7946: exterior rings counterclockwise


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/collections/parcels", 404, "no collection 'parcels'"),
        ("/collections/households/items", 401, "staff only"),
        ("/collections/grids/items/NOPE", 404, "no feature 'NOPE'"),
        ("/collections/grids/items?bbox=116.0,28.7,115.9,28.6", 400, "minimum above its maximum"),
        ("/collections/grids/items?bbox=28.6,115.9,28.7,116.0", 400, "outside lon"),
        ("/collections/grids/items?bbox=a,b", 400, "not four (or six) numbers"),
        ("/collections/grids/items?bbox=1,2,3", 400, "needs 4 or 6 numbers"),
        ("/collections/grids/items?limit=0", 400, "limit"),
        ("/collections/grids/items?f=xml", 400, "f=xml is not one of"),
        ("/collections/grids/items?crs=EPSG:4326", 400, "not one of the CRSs offered"),
        ("/collections/grids/items?datetime=yesterday", 400, "RFC 3339"),
        ("/collections/grids/items?sortby=colour", 400, "'colour' is not a property"),
        ("/collections/grids/items?colour=red", 400, "unknown parameter 'colour'"),
    ],
)
def test_bad_requests_are_problem_json(client, url, status, words):
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and words in body["detail"]


def test_gridgis_serve_answers_collections_and_docs(demo_url):
    with served(demo_url, workers=2) as base:
        collections = httpx.get(f"{base}/collections", timeout=5)
        assert collections.status_code == 200
        assert "grids" in {c["id"] for c in collections.json()["collections"]}
        docs = httpx.get(f"{base}/docs", timeout=5)
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        # the docs work on an intranet: every asset comes from this server
        assets = re.findall(r'(?:src|href)=["\']?([^"\' >]+)', docs.text)
        assert assets and all(a.startswith("/") for a in assets), assets
        for asset in assets:
            assert httpx.get(f"{base}{asset}", timeout=5).status_code == 200, asset


def test_keyset_pages_give_every_household_once_while_others_are_added(demo_db):
    """Paging by key: rows added during the paging never shift a page (with offsets they
    would repeat or skip one)."""
    from layers.db import connect
    from layers.tokens import create_token

    with connect(demo_db) as conn:
        token = create_token(conn, role="dispatcher", scope_code="360190", label="paging")
        before = {r[0] for r in conn.execute(
            "SELECT code FROM households WHERE grid_id IS NOT NULL").fetchall()}  # fmt: skip
        conn.commit()
    headers = {"Authorization": f"Bearer {token}"}
    seen: list[str] = []
    added = 0
    with TestClient(create_app(Settings(database_url=demo_db))) as client:
        url: str | None = "/collections/households/items?limit=2000&properties=code"
        while url:
            page = client.get(url, headers=headers).json()
            seen += [f["id"] for f in page["features"]]
            with connect(demo_db) as conn:  # another writer adds a household meanwhile
                conn.execute(
                    "INSERT INTO households (code, address, building_key, geom) "
                    "SELECT 'NEW' || %s, address, building_key, geom FROM households "
                    "WHERE code = %s",
                    (added, seen[0]),
                )
                conn.commit()
            added += 1
            url = next((k["href"] for k in page["links"] if k["rel"] == "next"), None)
    old = [code for code in seen if not code.startswith("NEW")]
    assert len(old) == len(set(old)) and set(old) == before
