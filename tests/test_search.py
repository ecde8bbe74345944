"""Search by name and address (staff: within the jurisdiction; the public: public places
only) and who should go to a place, with the reason for each — on the demo, against answers
read from the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from layers.assignments import Scope, assign_blocking
from layers.db import connect
from layers.tokens import create_token

DISTRICT, MINGDU, LONGJIANG = "360190", "360190001001", "360190001002"


@pytest.fixture(scope="module")
def site(databases, demo_template) -> Iterator[tuple[TestClient, str]]:
    url = databases.url(databases.create(template=demo_template))
    assign_blocking(url, scope=Scope(all=True), workers=1)
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client, url


def _headers(url: str, scope: str, role: str = "dispatcher") -> dict[str, str]:
    with connect(url) as conn:
        token = create_token(conn, role=role, scope_code=scope, label="search")
        conn.commit()
    return {"Authorization": f"Bearer {token}"}


def _one(url: str, sql: str, params: object = None) -> tuple:  # type: ignore[type-arg]
    with connect(url) as conn:
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return tuple(row)


def _found(client: TestClient, path: str, headers: dict[str, str] | None = None) -> list[dict]:
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200, response.text
    return [
        f["properties"] | {"xy": f["geometry"]["coordinates"]} for f in response.json()["features"]
    ]


def test_part_of_an_address_finds_the_building_and_its_flats_first(site):
    client, url = site
    code, address, key = _one(
        url,
        "SELECT h.code, h.address, h.building_key FROM households h JOIN grids g ON g.id = h.grid_id "
        "WHERE g.community_code = %s AND h.address LIKE '%%单元%%' ORDER BY h.code LIMIT 1",
        (MINGDU,),
    )
    community, building, _unit, _flat = address.split(" ")  # 名都社区 3栋 2单元 501
    headers = _headers(url, DISTRICT)
    # the building, typed in part ("名都 3栋"): the building first
    best = _found(client, f"/search?q={community[:2]} {building}", headers)
    assert best[0]["kind"] == "building" and best[0]["code"] == key
    assert best[0]["name"] == f"{community} {building}"
    # the whole address: that household first, at its place
    exact = _found(client, f"/search?q={address}", headers)
    assert (exact[0]["kind"], exact[0]["code"]) == ("household", code)
    lon, lat = _one(url, "SELECT ST_X(geom), ST_Y(geom) FROM households WHERE code = %s", (code,))
    assert exact[0]["xy"] == pytest.approx([lon, lat], abs=1e-6)
    # a community, a road and a station by part of their name
    assert _found(client, "/search?q=龙江", headers)[0]["code"] == LONGJIANG
    road = _found(client, "/search?q=紫阳大道", headers)[0]
    assert (road["kind"], road["name"]) == ("road", "紫阳大道")
    station = _found(client, "/search?q=云中城", headers)[0]
    assert (station["kind"], station["name"]) == ("station", "云中城红色驿站")


def test_staff_search_stays_in_the_jurisdiction(site):
    client, url = site
    (address,) = _one(
        url,
        "SELECT h.address FROM households h JOIN grids g ON g.id = h.grid_id "
        "WHERE g.community_code = %s ORDER BY h.code LIMIT 1",
        (LONGJIANG,),
    )
    headers = _headers(url, MINGDU)
    theirs = _found(client, f"/search?q={address}&limit=50", headers)
    assert all(f["kind"] not in ("household", "building", "grid", "community") or
               f["context"] == "名都社区" or f["code"] == MINGDU for f in theirs)  # fmt: skip
    (own,) = _one(
        url,
        "SELECT h.address FROM households h JOIN grids g ON g.id = h.grid_id "
        "WHERE g.community_code = %s ORDER BY h.code LIMIT 1",
        (MINGDU,),
    )
    assert _found(client, f"/search?q={own}", headers)[0]["name"] == own
    assert client.get("/search?q=名都").status_code == 401


def test_public_search_finds_public_places_only(site):
    client, url = site
    (address,) = _one(url, "SELECT address FROM households ORDER BY code LIMIT 1")
    for q in (address, "名都社区", "3栋", "艾溪湖"):
        kinds = {f["kind"] for f in _found(client, f"/places/search?q={q}&limit=50")}
        assert kinds <= {"community", "street", "road", "landmark", "station"}, q
    lake = _found(client, "/places/search?q=艾溪湖")
    assert [f["name"] for f in lake[:2]] == ["艾溪湖", "艾溪湖湿地公园"] or lake[0][
        "name"
    ] == "艾溪湖"
    assert client.get("/places/search?q=%20%20").status_code == 400
    assert client.get("/places/search?q=" + "长" * 101).status_code == 400


def test_the_member_linked_to_the_household_comes_first_with_the_reason(site):
    client, url = site
    code, lon, lat, member, grid = _one(
        url,
        "SELECT h.code, ST_X(h.geom), ST_Y(h.geom), m.code, g.code FROM households h "
        "JOIN assignments a ON a.household_id = h.id JOIN members m ON m.id = a.member_id "
        "JOIN grids g ON g.id = h.grid_id WHERE g.community_code = %s ORDER BY h.code LIMIT 1",
        (MINGDU,),
    )
    headers = _headers(url, DISTRICT)
    body = client.get(f"/dispatch/at?lon={lon}&lat={lat}&household={code}", headers=headers).json()
    first = body["members"][0]
    assert (first["code"], first["reason"]) == (member, "household")
    assert body["grid"]["code"] == grid and body["place"]["household"] == code
    reasons = [m["reason"] for m in body["members"]]
    # then the grid's other members, then other grids' — each member once
    assert reasons == sorted(
        reasons, key=["household", "building", "duty", "same_grid", "other_grid"].index
    )
    assert len({m["code"] for m in body["members"]}) == len(body["members"])
    (active,) = _one(
        url, "SELECT count(*) FROM members m JOIN grids g ON g.id = m.grid_id "
        "WHERE g.code = %s AND m.active", (grid,),
    )  # fmt: skip
    in_grid = [m for m in body["members"] if m["grid_code"] == grid]
    assert len(in_grid) == active
    others = [m for m in body["members"] if m["reason"] == "other_grid"]
    assert len(others) == 3 and all(m["grid_code"] != grid for m in others)
    # a point at the building (no household chosen): the building's members first
    at = client.get(f"/dispatch/at?lon={lon}&lat={lat}", headers=headers).json()
    assert at["members"][0]["reason"] == "building" and at["members"][0]["households"] >= 1
    # a duty asked for: the grid's members with that duty right after the linked ones
    duty = client.get(f"/dispatch/at?lon={lon}&lat={lat}&duty=safety_inspector", headers=headers)
    listed = [m for m in duty.json()["members"] if m["reason"] == "duty"]
    assert all(m["duty"] == "safety_inspector" for m in listed)


def test_dispatch_refuses_swapped_coordinates_and_strangers(site):
    client, url = site
    headers = _headers(url, DISTRICT)
    swapped = client.get("/dispatch/at?lon=28.68&lat=116.01", headers=headers)
    assert swapped.status_code == 400 and "swapped" in swapped.json()["detail"]
    assert client.get("/dispatch/at?lon=116.01&lat=28.68").status_code == 401
    bad = client.get("/dispatch/at?lon=116.01&lat=28.68&duty=boss", headers=headers)
    assert bad.status_code == 400
    # outside the jurisdiction: the grid is named, its members are not listed
    lon, lat = _one(
        url, "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM grids "
        "WHERE community_code = %s LIMIT 1", (LONGJIANG,),
    )  # fmt: skip
    body = client.get(f"/dispatch/at?lon={lon}&lat={lat}", headers=_headers(url, MINGDU)).json()
    assert body["grid"]["in_jurisdiction"] is False
    assert all(m["grid_code"].startswith(MINGDU) for m in body["members"])
