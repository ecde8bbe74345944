"""Nearest stations and members, the grid at a point, and who sees what — through the real
app, checked against independent computations (pyproj geodesics, shapely point-in-polygon)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import opening_hours
import pytest
import shapely
from fastapi.testclient import TestClient
from pyproj import Geod

from api.app import create_app
from api.settings import Settings
from layers.db import connect
from layers.tokens import create_token

GEOD = Geod(ellps="WGS84")
# Places in the demo area (Aixi Lake), chosen once; the tests derive answers from the data.
PROBES = [(115.99, 28.68), (116.02, 28.70), (115.965, 28.665), (116.04, 28.69)]


@pytest.fixture(scope="module")
def client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=demo_url))) as test_client:
        yield test_client


def _rows(url: str, sql: str, params: object = None) -> list[tuple]:  # type: ignore[type-arg]
    with connect(url) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def _token(url: str, role: str, scope: str) -> dict[str, str]:
    with connect(url) as conn:
        token = create_token(conn, role=role, scope_code=scope, label="test")
        conn.commit()
    return {"Authorization": f"Bearer {token}"}


def _stations(url: str) -> list[tuple[str, float, float, list[str], str]]:
    return _rows(url, "SELECT code, ST_X(geom), ST_Y(geom), services, opening_hours FROM stations")  # type: ignore[return-value]


def _by_geodesic(url: str, lon: float, lat: float) -> list[tuple[float, str, list[str], str]]:
    ranked = []
    for code, x, y, services, hours in _stations(url):
        _, _, metres = GEOD.inv(lon, lat, x, y)
        ranked.append((metres, code, services, hours))
    return sorted(ranked)


@pytest.mark.parametrize(("lon", "lat"), PROBES)
def test_nearest_stations_equal_a_brute_force_geodesic_ranking(client, demo_url, lon, lat):
    body = client.get(f"/stations/nearest?lon={lon}&lat={lat}&k=5").json()
    expected = _by_geodesic(demo_url, lon, lat)[:5]
    got = [(f["properties"]["distance_m"], f["id"]) for f in body["features"]]
    assert [code for _, code in got] == [code for _, code, _, _ in expected]
    for (distance, _), (metres, _, _, _) in zip(got, expected, strict=True):
        assert distance == pytest.approx(metres, rel=1e-3, abs=0.2)


def test_nearest_with_a_service_and_a_radius(client, demo_url):
    lon, lat = PROBES[0]
    body = client.get(f"/stations/nearest?lon={lon}&lat={lat}&k=3&service=microwave").json()
    expected = [c for _, c, s, _ in _by_geodesic(demo_url, lon, lat) if "microwave" in s][:3]
    assert [f["id"] for f in body["features"]] == expected
    near = client.get(f"/stations/nearest?lon={lon}&lat={lat}&k=50&max_distance_m=1500").json()
    inside = [c for m, c, _, _ in _by_geodesic(demo_url, lon, lat) if m <= 1500]
    assert [f["id"] for f in near["features"]] == inside


def test_open_now_lists_only_open_stations_in_distance_order(client, demo_url):
    lon, lat = PROBES[1]
    for _attempt in range(3):  # the minute may turn between the two evaluations
        now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, second=0, microsecond=0)
        body = client.get(f"/stations/nearest?lon={lon}&lat={lat}&k=5&open_now=true").json()
        expected = [
            c
            for _, c, _, h in _by_geodesic(demo_url, lon, lat)
            if opening_hours.OpeningHours(h).is_open(now)
        ][:5]
        if [f["id"] for f in body["features"]] == expected:
            break
    assert [f["id"] for f in body["features"]] == expected
    assert all(f["properties"]["open_now"] is True for f in body["features"])


@pytest.mark.parametrize(("lon", "lat"), PROBES)
def test_grid_at_equals_point_in_polygon(client, demo_url, lon, lat):
    grids = _rows(demo_url, "SELECT code, ST_AsText(geom) FROM grids ORDER BY id")
    owner = next(
        code for code, wkt in grids if shapely.from_wkt(wkt).covers(shapely.Point(lon, lat))
    )
    body = client.get(f"/grids/at?lon={lon}&lat={lat}").json()
    assert body["id"] == owner and body["properties"]["code"] == owner
    (community,) = _rows(demo_url, "SELECT community_code FROM grids WHERE code = %s", (owner,))
    assert body["properties"]["community"]["code"] == community[0]
    assert body["properties"]["street"]["code"]
    members = body["properties"]["members"]
    (active,) = _rows(
        demo_url,
        "SELECT count(*) FROM members m JOIN grids g ON g.id = m.grid_id WHERE g.code = %s AND m.active",
        (owner,),
    )
    assert len(members) == active[0] > 0
    assert set(members[0]) == {"name", "duty", "duty_label", "service_phone"}


def test_outside_every_grid_says_so(client):
    response = client.get("/grids/at?lon=100.0&lat=20.0")
    assert response.status_code == 404
    assert "outside every grid" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/stations/nearest?lon=28.68&lat=115.99", "are lon and lat swapped?"),
        ("/stations/nearest?lon=200&lat=28.6", "lon 200.0 is outside"),
        ("/stations/nearest?lon=116&lat=28.6&k=0", "k"),
        ("/stations/nearest?lon=116&lat=28.6&service=spa", "service 'spa'"),
        ("/stations/nearest?lon=abc&lat=28.6", "lon"),
        ("/stations/nearest?lat=28.6", "lon"),
        ("/grids/at?lon=116&lat=-95", "lat -95.0 is outside"),
    ],
)
def test_bad_places_are_400_problems(client, url, words):
    response = client.get(url)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"]


# --- privacy ---------------------------------------------------------------------------


def _personal_values(url: str) -> set[str]:
    rows = _rows(
        url,
        "SELECT name FROM members UNION SELECT personal_phone FROM members "
        "UNION SELECT address FROM households UNION SELECT code FROM households "
        "UNION SELECT code FROM members",
    )
    return {value for (value,) in rows if value and len(value) >= 2}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_public_endpoints_never_return_personal_data(client, demo_url):
    personal = _personal_values(demo_url)
    public_urls = [
        "/collections",
        "/collections/grids/items?limit=1000",
        "/collections/stations/items?limit=1000",
        "/collections/communities/items?limit=1000",
        "/collections/streets/items?limit=1000",
        *(f"/stations/nearest?lon={x}&lat={y}&k=20" for x, y in PROBES),
        *(f"/grids/at?lon={x}&lat={y}" for x, y in PROBES),
    ]
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        strings = set(_strings(response.json()))
        leaked = strings & personal
        assert not leaked, (url, sorted(leaked)[:5])
        assert not strings & {"personal_phone", "home", "address_of_household"}, url
    for collection in ("households", "members", "assignments"):
        response = client.get(f"/collections/{collection}/items")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_public_member_names_are_masked_staff_see_them(client, demo_url):
    lon, lat = PROBES[0]
    public = client.get(f"/grids/at?lon={lon}&lat={lat}").json()
    names = [m["name"] for m in public["properties"]["members"]]
    assert all(name.endswith("*") for name in names)
    community = public["properties"]["community"]["code"]
    staff = client.get(
        f"/grids/at?lon={lon}&lat={lat}", headers=_token(demo_url, "dispatcher", community)
    ).json()
    full = {m["name"] for m in staff["properties"]["members"]}
    known = {name for (name,) in _rows(demo_url, "SELECT name FROM members")}
    assert full <= known and not any(name.endswith("*") for name in full)


# --- staff and jurisdictions ------------------------------------------------------------


@pytest.fixture(scope="module")
def two_communities(demo_url) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    rows = _rows(demo_url, "SELECT code FROM areas WHERE level = 'community' ORDER BY code LIMIT 2")
    return rows[0][0], rows[1][0]


def test_a_dispatcher_sees_only_households_of_their_community(client, demo_url, two_communities):
    mine, other = two_communities
    headers = _token(demo_url, "dispatcher", mine)
    page = client.get("/collections/households/items?limit=10000", headers=headers).json()
    (expected,) = _rows(
        demo_url,
        "SELECT count(*) FROM households h JOIN grids g ON g.id = h.grid_id WHERE g.community_code = %s",
        (mine,),
    )
    assert page["numberMatched"] == len(page["features"]) == expected[0] > 0
    grids_of_mine = {
        c for (c,) in _rows(demo_url, "SELECT code FROM grids WHERE community_code = %s", (mine,))
    }
    assert {f["properties"]["grid_code"] for f in page["features"]} <= grids_of_mine
    ((foreign,),) = _rows(
        demo_url,
        "SELECT h.code FROM households h JOIN grids g ON g.id = h.grid_id WHERE g.community_code = %s LIMIT 1",
        (other,),
    )
    response = client.get(f"/collections/households/items/{foreign}", headers=headers)
    unknown = client.get("/collections/households/items/NOPE", headers=headers)
    assert response.status_code == unknown.status_code == 404  # as if it did not exist
    assert response.json()["detail"].replace(foreign, "NOPE") == unknown.json()["detail"]
    filtered = client.get(f"/collections/households/items?code={foreign}", headers=headers).json()
    assert filtered["numberMatched"] == 0


def test_nearest_members_are_active_and_in_the_jurisdiction(client, demo_url, two_communities):
    mine, _ = two_communities
    ((lon, lat),) = _rows(
        demo_url,
        "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM areas WHERE code = %s",
        (mine,),
    )
    headers = _token(demo_url, "dispatcher", mine)
    body = client.get(f"/members/nearest?lon={lon}&lat={lat}&k=7", headers=headers).json()
    rows = _rows(
        demo_url,
        "SELECT m.code, ST_X(m.geom), ST_Y(m.geom) FROM members m JOIN grids g ON g.id = m.grid_id "
        "WHERE m.active AND g.community_code = %s",
        (mine,),
    )
    expected = sorted((GEOD.inv(lon, lat, x, y)[2], code) for code, x, y in rows)[:7]
    assert [f["id"] for f in body["features"]] == [code for _, code in expected]
    assert client.get(f"/members/nearest?lon={lon}&lat={lat}").status_code == 401


def test_bad_and_revoked_tokens_are_refused(demo_url, two_communities):
    mine, _ = two_communities
    headers = _token(demo_url, "planner", mine)
    with TestClient(create_app(Settings(database_url=demo_url))) as fresh:
        assert fresh.get("/collections/members/items", headers=headers).status_code == 200
        bad = fresh.get("/collections/members/items", headers={"Authorization": "Bearer nope"})
        assert (
            bad.status_code == 401 and "unknown, expired or revoked token" in bad.json()["detail"]
        )
        basic = fresh.get("/collections/members/items", headers={"Authorization": "Basic eDp5"})
        assert basic.status_code == 401
    with connect(demo_url) as conn:
        conn.execute(
            "UPDATE tokens SET revoked_at = now() WHERE label = 'test' AND scope_code = %s AND role = 'planner'",
            (mine,),
        )
        conn.commit()
    with TestClient(create_app(Settings(database_url=demo_url))) as fresh:
        assert fresh.get("/collections/members/items", headers=headers).status_code == 401


def test_staff_see_their_collections_listed(client, demo_url, two_communities):
    headers = _token(demo_url, "dispatcher", two_communities[0])
    ids = {c["id"] for c in client.get("/collections", headers=headers).json()["collections"]}
    assert {"households", "members", "assignments", "grids"} <= ids
    member = client.get("/collections/members/items?limit=1", headers=headers).json()["features"][0]
    assert {"personal_phone", "load", "grid_code"} <= set(member["properties"])
    json.dumps(member)  # plain JSON


def test_nearest_stations_carry_their_week_and_app_coordinates(client):
    from gis.chinese_crs import wgs84_to_bd09, wgs84_to_gcj02

    feature = client.get("/stations/nearest?lon=116.01&lat=28.68&k=1").json()["features"][0]
    lon, lat = feature["geometry"]["coordinates"]
    p = feature["properties"]
    assert p["gcj02"] == pytest.approx([float(v) for v in wgs84_to_gcj02(lon, lat)], abs=1e-6)
    assert p["bd09"] == pytest.approx([float(v) for v in wgs84_to_bd09(lon, lat)], abs=1e-6)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert len(p["week"]) == 7 and p["week"][0]["date"] == today
