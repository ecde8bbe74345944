"""OGC API - Features Parts 1-3 over raw HTTP, against the demo: datetime, limit, 6-number
bbox, HEAD, array properties, HTML, CORS; CRS by reference (EPSG:4490 lat/lon); queryables,
CQL2 text and JSON checked against a brute-force evaluation in Python; sortby; SQL
injection attempts refused and harmless."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import shapely
from fastapi.testclient import TestClient
from pyproj import Transformer
from shapely.geometry import shape

from api.app import create_app
from api.settings import Settings
from layers.db import connect

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture(scope="module")
def client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=demo_url))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def stations(client) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    features: list[dict[str, Any]] = client.get("/collections/stations/items?limit=1000").json()[
        "features"
    ]
    return features


def _ids(client: TestClient, query: str) -> set[str]:
    answer = client.get(f"/collections/stations/items?limit=1000&{query}")
    assert answer.status_code == 200, answer.text
    return {f["id"] for f in answer.json()["features"]}


# ---- Part 1 ----


def test_datetime_filters_on_the_time_column_with_open_ends(client, demo_url):
    with connect(demo_url) as conn:
        conn.execute("UPDATE stations SET updated_at = '2026-01-15T12:00:00Z' WHERE code IN "
                     "(SELECT code FROM stations ORDER BY code LIMIT 3)")  # fmt: skip
        conn.commit()
        old = {
            r[0] for r in conn.execute("SELECT code FROM stations WHERE updated_at < '2026-02-01'")
        }
    assert len(old) == 3
    assert _ids(client, "datetime=../2026-02-01T00:00:00Z") == old
    assert _ids(client, "datetime=2026-01-15") == old  # a date: that whole day
    assert _ids(client, "datetime=2026-01-15T12:00:00Z") == old  # an instant
    assert not old & _ids(client, "datetime=2026-02-01T00:00:00Z/..")
    # a layer without a time column ignores datetime, as the standard says
    assert client.get("/collections/assignments/items?datetime=2026-01-01").status_code in (401,)


def test_limit_above_the_maximum_is_served_at_the_maximum(client):
    answer = client.get("/collections/grids/items?limit=99999")
    assert answer.status_code == 200 and answer.json()["numberReturned"] <= 10_000


def test_a_six_number_bbox_is_a_bbox_with_heights(client):
    four = _ids(client, "bbox=115.98,28.66,116.03,28.70")
    six = _ids(client, "bbox=115.98,28.66,-100,116.03,28.70,100")
    assert four == six and four


def test_head_answers_every_get_with_its_headers(client):
    for path in ("/", "/collections", "/collections/grids", "/collections/grids/items?limit=2",
                 "/conformance", "/collections/grids/queryables"):  # fmt: skip
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == got.headers["content-length"]


def test_an_array_property_filters_by_membership(client, stations):
    with_toilet = {f["id"] for f in stations if "toilet" in f["properties"]["services"]}
    assert with_toilet and _ids(client, "services=toilet") == with_toilet


def test_html_pages_for_people_in_both_languages(client):
    for path in ("/", "/collections", "/collections/stations", "/collections/stations/items"):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'lang="zh-CN"' in page.text
        english = client.get(path + "?f=html&lang=en")
        assert 'lang="en"' in english.text
    items = client.get("/collections/stations/items?f=html&limit=5&lang=en").text
    assert items.count("<tr>") == 6 and "gg-ogc-map" in items
    assert client.get("/collections/stations/items?f=kml").status_code == 400


def test_public_layers_are_readable_from_other_origins_staff_layers_are_not(client):
    public = client.get(
        "/collections/stations/items?limit=1", headers={"Origin": "https://maps.example"}
    )
    assert public.headers["access-control-allow-origin"] == "*"
    assert "Content-Crs" in public.headers["access-control-expose-headers"]
    staff = client.get("/collections/members/items", headers={"Origin": "https://maps.example",
                                                             "Authorization": "Bearer x"})  # fmt: skip
    assert "access-control-allow-origin" not in staff.headers
    preflight = client.options("/collections/stations/items", headers={
        "Origin": "https://maps.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization"})  # fmt: skip
    assert preflight.status_code == 204
    assert "authorization" not in preflight.headers["access-control-allow-headers"].lower()


# ---- Part 2 ----


def test_cgcs2000_output_is_lat_lon_and_says_its_crs(client, stations):
    answer = client.get(f"/collections/stations/items?limit=1000&crs={EPSG}4490")
    assert answer.headers["content-crs"] == f"<{EPSG}4490>"
    by_id = {f["id"]: f["geometry"]["coordinates"] for f in answer.json()["features"]}
    for feature in stations:
        lon, lat = feature["geometry"]["coordinates"]
        assert by_id[feature["id"]] == pytest.approx([lat, lon], abs=1e-6)  # axis order
    default = client.get("/collections/stations/items?limit=1")
    assert default.headers["content-crs"] == f"<{CRS84}>"
    described = client.get("/collections/stations").json()
    assert f"{EPSG}4490" in described["crs"] and described["storageCrs"] == CRS84


def test_a_projected_crs_and_a_bbox_in_another_crs(client, stations):
    utm = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
    answer = client.get(f"/collections/stations/items?limit=1000&crs={EPSG}32650").json()
    by_id = {f["id"]: f["geometry"]["coordinates"] for f in answer["features"]}
    some = stations[0]
    assert by_id[some["id"]] == pytest.approx(
        list(utm.transform(*some["geometry"]["coordinates"])), abs=0.01
    )
    # a bbox given lat first in EPSG:4326 is the same box as lon first in CRS84
    lat_first = f"bbox=28.66,115.98,28.70,116.03&bbox-crs={quote(EPSG + '4326')}"
    assert _ids(client, lat_first) == _ids(client, "bbox=115.98,28.66,116.03,28.70")


# ---- Part 3 ----


def test_queryables_list_the_properties_and_the_geometry(client):
    schema = client.get("/collections/stations/queryables")
    assert schema.headers["content-type"] == "application/schema+json"
    props = schema.json()["properties"]
    assert props["services"]["type"] == "array" and props["geometry"]["format"] == "geometry-point"
    assert "updated_at" in props


def _brute(stations: list[dict[str, Any]], keep) -> set[str]:  # type: ignore[no-untyped-def]
    return {f["id"] for f in stations if keep(f["properties"], shape(f["geometry"]))}


BOX = shapely.box(115.99, 28.66, 116.03, 28.70)
CASES = [
    ("kind = 'red_station'", lambda p, g: p["kind"] == "red_station"),
    ("kind <> 'red_station' AND name LIKE '%驿站%'",
     lambda p, g: p["kind"] != "red_station" and "驿站" in p["name"]),
    ("kind IN ('rider_station', 'micro_station') OR address IS NULL",
     lambda p, g: p["kind"] in ("rider_station", "micro_station") or p["address"] is None),
    ("S_INTERSECTS(geometry, BBOX(115.99, 28.66, 116.03, 28.70))", lambda p, g: BOX.intersects(g)),
    ("S_WITHIN(geometry, POLYGON((115.99 28.66, 116.03 28.66, 116.03 28.70, 115.99 28.70, 115.99 28.66)))",
     lambda p, g: BOX.contains(g)),
    ("NOT S_INTERSECTS(geometry, BBOX(115.99, 28.66, 116.03, 28.70)) AND A_CONTAINS(services, ('water', 'toilet'))",
     lambda p, g: not BOX.intersects(g) and {"water", "toilet"} <= set(p["services"])),
    ("A_OVERLAPS(services, ('microwave', 'books'))",
     lambda p, g: bool({"microwave", "books"} & set(p["services"]))),
]  # fmt: skip


@pytest.mark.parametrize(("text", "keep"), CASES, ids=[c[0][:40] for c in CASES])
def test_cql2_text_equals_a_brute_force_check(client, stations, text, keep):
    expected = _brute(stations, keep)
    assert _ids(client, "filter=" + quote(text)) == expected
    assert expected or "NOT" in text  # the cases select something


def test_cql2_json_and_filter_crs(client, stations):
    tree = {"op": "s_intersects", "args": [{"property": "geometry"},
            {"bbox": [28.66, 115.99, 28.70, 116.03]}]}  # fmt: skip
    query = (
        f"filter-lang=cql2-json&filter-crs={quote(EPSG + '4326')}&filter={quote(json.dumps(tree))}"
    )
    assert _ids(client, query) == _brute(stations, lambda p, g: BOX.intersects(g))


def test_sortby_orders_by_a_property(client):
    page = client.get(
        "/collections/grids/items?limit=50&sortby=-households,code&properties=households"
    ).json()
    counts = [f["properties"]["households"] or 0 for f in page["features"]]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("filter=" + quote("kind = 'x' AND"), "1:"),  # where it broke: line and column
        ("filter=" + quote("colour = 'red'"), "'colour' is not a queryable"),
        (
            "filter=" + quote("S_INTERSECTS(kind, POINT(116 28.7))"),
            "compares the queryable",
        ),
        (
            "filter=" + quote("T_AFTER(kind, TIMESTAMP('2026-01-01T00:00:00Z'))"),
            "time queryable",
        ),
        ("filter-lang=sql&filter=1", "filter-lang"),
        ("sortby=" + quote("name; DROP TABLE stations"), "not a property"),
    ],
)
def test_bad_filters_say_what_is_wrong(client, query, words):
    answer = client.get(f"/collections/stations/items?{query}")
    assert answer.status_code == 400 and words in answer.json()["detail"], answer.text


def test_sql_injection_is_data_not_code(client, demo_url, stations):
    before = len(stations)
    attempts = [
        "filter=" + quote("name = 'x'' OR ''1''=''1'"),
        "filter=" + quote("name = 'x''); DROP TABLE stations; --'"),
        "kind=" + quote("red_station' OR '1'='1"),
        "name=" + quote("x'; DELETE FROM stations; --"),
    ]
    for query in attempts:
        answer = client.get(f"/collections/stations/items?limit=1000&{query}")
        assert answer.status_code in (200, 400)
        if answer.status_code == 200:
            assert answer.json()["numberMatched"] == 0  # a literal string that matches nothing
    with connect(demo_url) as conn:
        assert conn.execute("SELECT count(*) FROM stations").fetchone() == (before,)


def test_the_api_definition_is_a_complete_openapi_30_document(client):
    from openapi_spec_validator import validate

    answer = client.get("/openapi.json")
    assert answer.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = answer.json()
    assert document["openapi"].startswith("3.0")
    validate(document)  # raises on anything 3.0 does not allow
    landing = client.get("/").json()
    desc = next(k for k in landing["links"] if k["rel"] == "service-desc")
    assert desc["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    items = document["paths"]["/collections/stations/items"]["get"]
    params = {p["name"]: p for p in items["parameters"]}
    assert params["bbox"]["schema"]["type"] == "array" and params["bbox"]["explode"] is False
    assert {"services", "kind", "filter", "sortby", "crs", "datetime"} <= set(params)
    assert {"400", "404", "429", "503"} <= set(items["responses"])
    staff = document["paths"]["/collections/households/items"]["get"]
    assert {"bearer": []} in staff["security"] and "401" in staff["responses"]
    save = document["paths"]["/grids/{code}"]["put"]["responses"]
    assert {"401", "403", "412", "428", "413", "422"} <= set(save)
    problem = save["412"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}


# ---- exports: GeoPackage, CSV, xlsx; masked phones; recorded ----


def _staff(demo_url: str, role: str) -> dict[str, str]:
    from layers.tokens import create_token

    with connect(demo_url) as conn:
        token = create_token(conn, role=role, scope_code="360190001001", label="exports")
        conn.commit()
    return {"Authorization": f"Bearer {token}"}


def test_a_collection_exports_as_geopackage_readable_by_gdal(client, demo_url, tmp_path):
    import pyogrio

    headers = _staff(demo_url, "dispatcher")
    answer = client.get("/collections/households/items?f=gpkg", headers=headers)
    assert (
        answer.status_code == 200
        and answer.headers["content-type"] == "application/geopackage+sqlite3"
    )
    path = tmp_path / "households.gpkg"
    path.write_bytes(answer.content)
    frame = pyogrio.read_dataframe(path)
    with connect(demo_url) as conn:
        (expected,) = conn.execute(
            "SELECT count(*) FROM households h JOIN grids g ON g.id = h.grid_id "
            "WHERE g.community_code = '360190001001'"
        ).fetchone()  # type: ignore[misc]
        records = conn.execute(
            "SELECT rows FROM audit_log WHERE action = 'export' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert len(frame) == expected  # every one, not a page
    assert frame["id"].is_unique and records == (expected,)


def test_personal_phones_are_masked_in_exports_unless_admin(client, demo_url):
    import csv as csvlib
    import io

    rows = {}
    for role in ("dispatcher", "admin"):
        answer = client.get("/collections/members/items?f=csv", headers=_staff(demo_url, role))
        assert answer.headers["content-type"].startswith("text/csv")
        table = list(csvlib.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
        rows[role] = {r["id"]: r["personal_phone"] for r in table}
    assert rows["dispatcher"].keys() == rows["admin"].keys() and rows["admin"]
    for code, full in rows["admin"].items():
        if full:
            masked = rows["dispatcher"][code]
            assert masked == full[:3] + "****" + full[-4:] and masked != full


def test_each_members_households_as_an_xlsx_workbook(client, demo_url):
    import io

    import openpyxl

    grid = "360190001001-G01"
    answer = client.get(f"/grids/{grid}/households.xlsx", headers=_staff(demo_url, "dispatcher"))
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    listed = {row[0] for sheet in book for row in sheet.iter_rows(min_row=3, values_only=True)}
    with connect(demo_url) as conn:
        expected = {r[0] for r in conn.execute(
            "SELECT h.code FROM households h JOIN grids g ON g.id = h.grid_id WHERE g.code = %s",
            (grid,))}  # fmt: skip
    assert listed == expected
    assert client.get("/grids/360190002001-G01/households.xlsx",
                      headers=_staff(demo_url, "dispatcher")).status_code == 404  # fmt: skip
