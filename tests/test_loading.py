"""`gridgis load` and the schema's own guarantees, on a small hand-made area.

The area: a district square split into two communities (west, east); the west community has
two grids (south, north), the east one grid."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box
from typer.testing import CliRunner

from api.cli import app
from layers.bulk import UpsertResult
from layers.db import connect
from layers.files import read_layer
from layers.loading import load_layers

W, S, E, N, MID_X, MID_Y = 115.95, 28.65, 115.97, 28.67, 115.96, 28.66


def _areas() -> gpd.GeoDataFrame:
    rows = [
        ("D1", "测试区", "district", None, box(W, S, E, N)),
        ("S1", "测试街道", "street", "D1", box(W, S, E, N)),
        ("C1", "西社区", "community", "S1", box(W, S, MID_X, N)),
        ("C2", "东村", "village", "S1", box(MID_X, S, E, N)),
    ]
    return gpd.GeoDataFrame(
        [r[:4] for r in rows],
        columns=["code", "name", "level", "parent_code"],
        geometry=[MultiPolygon([r[4]]) for r in rows],
        crs="EPSG:4326",
    )


def _grids() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["G1", "G2", "G3"],
            "name": ["西南网格", "西北网格", "东网格"],
            "community_code": ["C1", "C1", "C2"],
        },
        geometry=[box(W, S, MID_X, MID_Y), box(W, MID_Y, MID_X, N), box(MID_X, S, E, N)],
        crs="EPSG:4326",
    )


HOUSEHOLDS_CSV = """code,address,building_key,residents,care_tags,lon,lat
H1,西社区1栋101,B1,3,elderly,115.955,28.655
H2,西社区1栋102,B1,2,,115.955,28.655
H3,西社区9栋101,B9,1,"elderly,disabled",115.955,28.665
H4,东村12号,B12,4,,115.965,28.660
"""


@pytest.fixture
def cli(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", empty_db)
    return CliRunner()


def _load(cli: CliRunner, path: Path, layer: str):  # type: ignore[no-untyped-def]
    return cli.invoke(app, ["load", str(path), "--layer", layer])


def _count(url: str, table: str) -> int:
    with connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])


@pytest.fixture
def base_layers(cli: CliRunner, tmp_path: Path, empty_db: str) -> Path:
    _areas().to_file(tmp_path / "areas.geojson")
    _grids().to_file(tmp_path / "grids.gpkg")
    assert _load(cli, tmp_path / "areas.geojson", "areas").exit_code == 0
    result = _load(cli, tmp_path / "grids.gpkg", "grids")
    assert result.exit_code == 0, result.output
    return tmp_path


def test_households_load_from_csv_and_join_their_grid(cli, base_layers, empty_db):
    (base_layers / "households.csv").write_text(HOUSEHOLDS_CSV)
    result = _load(cli, base_layers / "households.csv", "households")
    assert result.exit_code == 0, result.output
    with connect(empty_db) as conn:
        rows = conn.execute(
            "SELECT h.code, g.code, h.care_tags FROM households h "
            "LEFT JOIN grids g ON g.id = h.grid_id ORDER BY h.code"
        ).fetchall()
    assert rows == [
        ("H1", "G1", ["elderly"]),
        ("H2", "G1", []),
        ("H3", "G2", ["elderly", "disabled"]),
        ("H4", "G3", []),
    ]


def test_loading_again_is_idempotent_and_updates_only_changes(base_layers, empty_db):
    path = base_layers / "households.csv"
    path.write_text(HOUSEHOLDS_CSV)

    def load() -> UpsertResult:
        with connect(empty_db, autocommit=True) as conn:
            frame = read_layer(path, layer="households")
            (result,) = load_layers(conn, frames={"households": frame})
        return result

    first = load()
    assert (first.inserted, first.updated, first.unchanged) == (4, 0, 0)
    again = load()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    path.write_text(HOUSEHOLDS_CSV.replace("东村12号", "东村12号之一"))
    changed = load()
    assert (changed.inserted, changed.updated, changed.unchanged) == (0, 1, 3)
    with connect(empty_db) as conn:
        address = conn.execute("SELECT address FROM households WHERE code = 'H4'").fetchone()
    assert address == ("东村12号之一",)
    assert _count(empty_db, "households") == 4


@pytest.mark.parametrize(
    ("bad_line", "bad_row", "reason"),
    [
        (
            "H3,西社区9栋101,B9,1,,28.665,115.955",
            3,
            "lat 115.955 is outside [-90, 90] (are lon and lat swapped?",
        ),
        ("H3,,B9,1,,115.955,28.665", 3, "missing value for required field 'address'"),
        ("H3,西社区9栋101,B9,1,,115.955,", 3, "lon/lat missing"),
        ("H3,西社区9栋101,B9,1,pets,115.955,28.665", 3, "care_tags 'pets'"),
        ("H3,外地,B9,1,,116.5,28.665", 3, "outside the administrative area"),
        (
            "H3,西社区9栋\x1b[31m101,B9,1,,115.955,28.665",
            3,
            "address '西社区9栋\x1b[31m101' holds a control",
        ),
        ("H1,西社区9栋101,B9,1,,115.955,28.665", 3, "code 'H1' appears more than once"),
    ],
)
def test_a_bad_household_row_is_named_and_nothing_is_loaded(
    cli, base_layers, empty_db, bad_line, bad_row, reason
):
    lines = HOUSEHOLDS_CSV.splitlines()
    lines[bad_row] = bad_line
    (base_layers / "bad.csv").write_text("\n".join(lines) + "\n")
    result = _load(cli, base_layers / "bad.csv", "households")
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert f"row {bad_row}" in message and reason in message, message
    assert "nothing was loaded" in message
    assert _count(empty_db, "households") == 0


def test_a_self_crossing_grid_is_rejected_with_its_row(cli, base_layers, empty_db):
    bowtie = Polygon([(W, S), (MID_X, N), (MID_X, S), (W, N), (W, S)])
    grids = _grids()
    grids = gpd.GeoDataFrame(
        {"code": ["G7", "G8"], "name": ["好", "坏"], "community_code": ["C1", "C1"]},
        geometry=[grids.geometry[0], bowtie],
        crs="EPSG:4326",
    )
    grids.to_file(base_layers / "bowtie.geojson")
    result = _load(cli, base_layers / "bowtie.geojson", "grids")
    message = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "row 2" in message and "invalid geometry: Self-intersection" in message, message
    assert _count(empty_db, "grids") == 3  # the good row G7 was not loaded either


def test_a_projected_file_is_reprojected_to_wgs84(cli, base_layers, empty_db):
    stations = gpd.GeoDataFrame(
        {
            "code": ["ST1"],
            "name": ["云中城红色驿站"],
            "kind": ["red_station"],
            "services": ["water,charging"],
            "opening_hours": ["Mo-Fr 08:30-17:30"],
        },
        geometry=[Point(115.955, 28.655)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32650")
    with pytest.warns(UserWarning):  # the Shapefile format truncates long field names
        stations.to_file(base_layers / "stations.shp")
    result = _load(cli, base_layers / "stations.shp", "stations")
    assert result.exit_code == 0, result.output
    with connect(empty_db) as conn:
        row = conn.execute(
            "SELECT ST_X(geom), ST_Y(geom), services, opening_hours FROM stations"
        ).fetchone()
    assert row is not None
    assert row[3] == "Mo-Fr 08:30-17:30"  # survives the Shapefile's 10-character field names
    assert row[0] == pytest.approx(115.955, abs=1e-7)
    assert row[1] == pytest.approx(28.655, abs=1e-7)
    assert row[2] == ["water", "charging"]


def test_bad_opening_hours_are_refused(cli, base_layers, empty_db):
    (base_layers / "stations.csv").write_text(
        "code,name,kind,services,opening_hours,lon,lat\n"
        "ST1,驿站一,red_station,water,24/7,115.955,28.655\n"
        "ST2,驿站二,red_station,water,Mo-Fr 25:99,115.956,28.655\n"
    )
    result = _load(cli, base_layers / "stations.csv", "stations")
    assert result.exit_code == 1
    assert "row 2" in result.output and "opening_hours" in result.output
    assert _count(empty_db, "stations") == 0


def test_members_need_a_known_grid(cli, base_layers, empty_db):
    (base_layers / "members.csv").write_text(
        "code,name,duty,service_phone,grid_code,lon,lat\n"
        "M1,张伟,liaison,13800000001,G1,115.955,28.655\n"
        "M2,李娜,liaison,13800000002,G99,115.955,28.655\n"
    )
    result = _load(cli, base_layers / "members.csv", "members")
    assert result.exit_code == 1
    assert "row 2" in result.output and "G99" in result.output
    assert _count(empty_db, "members") == 0


def test_unknown_layer_and_missing_file_are_clear_errors(cli, base_layers):
    result = _load(cli, base_layers / "nope.csv", "households")
    assert result.exit_code == 1 and "no such file" in result.output
    (base_layers / "x.csv").write_text("code,lon,lat\n")
    result = _load(cli, base_layers / "x.csv", "parcels")
    assert result.exit_code == 1 and "unknown layer 'parcels'" in result.output


# --- what the database itself refuses or derives, whoever writes -----------------------


def _execute(url: str, sql: str) -> None:
    with connect(url) as conn:
        conn.execute(sql)
        conn.commit()


@pytest.mark.parametrize(
    ("sql", "error"),
    [
        (  # self-crossing polygon
            "INSERT INTO grids (code, name, community_code, geom) VALUES ('X', 'x', 'C1', "
            "ST_Multi(ST_GeomFromText('POLYGON((115.95 28.65, 115.96 28.67, 115.96 28.65, "
            "115.95 28.67, 115.95 28.65))', 4326)))",
            psycopg.errors.CheckViolation,
        ),
        (  # wrong SRID
            "INSERT INTO stations (code, name, kind, geom) VALUES ('X', 'x', 'red_station', "
            "ST_SetSRID(ST_MakePoint(500000, 3170000), 32650))",
            psycopg.errors.InvalidParameterValue,
        ),
        (  # latitude out of range
            "INSERT INTO stations (code, name, kind, geom) VALUES ('X', 'x', 'red_station', "
            "ST_SetSRID(ST_MakePoint(28.6, 115.9), 4326))",
            psycopg.errors.CheckViolation,
        ),
        (  # duplicate code
            "INSERT INTO grids (code, name, community_code, geom) SELECT code, name, "
            "community_code, geom FROM grids WHERE code = 'G1'",
            psycopg.errors.UniqueViolation,
        ),
        (  # unknown station kind
            "INSERT INTO stations (code, name, kind, geom) VALUES ('X', 'x', 'shop', "
            "ST_SetSRID(ST_MakePoint(115.955, 28.655), 4326))",
            psycopg.errors.CheckViolation,
        ),
    ],
)
def test_the_database_refuses_what_is_wrong(base_layers, empty_db, sql, error):
    with pytest.raises(error):
        _execute(empty_db, sql)


def test_a_household_grid_cannot_be_typed_and_outsiders_are_flagged(cli, base_layers, empty_db):
    (base_layers / "households.csv").write_text(HOUSEHOLDS_CSV)
    assert _load(cli, base_layers / "households.csv", "households").exit_code == 0
    # typing another grid by hand is overruled by the point-in-polygon answer
    _execute(
        empty_db,
        "UPDATE households SET grid_id = (SELECT id FROM grids WHERE code = 'G3') "
        "WHERE code = 'H1'",
    )
    # a grid shrinks: H3 (north-west) is no longer inside any grid, but it is kept
    _execute(
        empty_db,
        "UPDATE grids SET geom = ST_Multi(ST_MakeEnvelope(115.95, 28.66, 115.96, "
        "28.662, 4326)) WHERE code = 'G2'",
    )
    with connect(empty_db) as conn:
        rows = dict(
            conn.execute(  # type: ignore[arg-type]
                "SELECT h.code, g.code FROM households h LEFT JOIN grids g ON g.id = h.grid_id"
            ).fetchall()
        )
    assert rows == {"H1": "G1", "H2": "G1", "H3": None, "H4": "G3"}


def _area(code: str, name: str, level: str, parent: str | None, box: tuple[float, ...]) -> dict:  # type: ignore[type-arg]
    west, south, east, north = box
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Feature", "properties": {"code": code, "name": name, "level": level, "parent": parent},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip


HIERARCHY = [
    _area("36", "江西省", "province", None, (113.5, 24.4, 118.5, 30.1)),
    _area("3601", "南昌市", "city", "36", (115.4, 28.1, 116.6, 29.2)),
    _area("360190", "高新区", "district", "3601", (115.9, 28.6, 116.1, 28.8)),
    _area("360190001", "艾溪湖街道", "street", "360190", (115.95, 28.65, 116.05, 28.75)),
    _area("360190001001", "名都社区", "community", "360190001", (115.96, 28.66, 116.0, 28.7)),
]


def test_a_province_to_community_file_loads_and_scopes_work_at_every_level(cli, empty_db, tmp_path):
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [*HIERARCHY[::-1]]}))
    result = _load(cli, path, "areas")  # children first in the file: parents come from it too
    assert result.exit_code == 0, result.output
    with connect(empty_db) as conn:
        paths = dict(conn.execute("SELECT code, path FROM areas").fetchall())
    assert paths["360190001001"] == ["36", "3601", "360190", "360190001", "360190001001"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"level": "street"}, "a street cannot lie in a province"),
        ({"box": (118.0, 28.1, 119.6, 29.2)}, "% of the area lies outside its parent"),
    ],
)
def test_a_child_must_be_one_level_below_and_inside_its_parent(
    cli, empty_db, tmp_path, change, reason
):
    city = dict(HIERARCHY[1])
    if "level" in change:
        city["properties"] = {**city["properties"], "level": change["level"]}
    if "box" in change:
        city = _area("3601", "南昌市", "city", "36", change["box"])
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [HIERARCHY[0], city]}))
    result = _load(cli, path, "areas")
    assert result.exit_code == 1 and "row 2" in result.output and reason in result.output, (
        result.output
    )
    assert _count(empty_db, "areas") == 0


def test_an_unknown_column_is_reported_not_silently_dropped(cli, empty_db, tmp_path):
    feature = dict(HIERARCHY[0])
    feature["properties"] = {**feature["properties"], "area_km2": 166900}
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = _load(cli, path, "areas")
    assert result.exit_code == 0 and "area_km2" in result.output and "not loaded" in result.output


# --- the base map's layers: ways (lines) and land (polygons) ------------------------------

WAYS_GEOJSON = """{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"code": "W1", "name": "紫阳大道", "highway": "primary"},
  "geometry": {"type": "LineString", "coordinates": [[115.95, 28.66], [115.97, 28.66]]}},
 {"type": "Feature", "properties": {"code": "W2", "highway": "footway", "oneway": true},
  "geometry": {"type": "LineString", "coordinates": [[115.955, 28.65], [115.955, 28.67]]}},
 {"type": "Feature", "properties": {"code": "W3", "name": "小路", "highway": "%s"},
  "geometry": {"type": "LineString", "coordinates": [[115.96, 28.65], [115.965, 28.67]]}}
]}"""


def test_ways_load_from_geojson_lines_and_again_changes_nothing(cli, tmp_path, empty_db):
    path = tmp_path / "ways.geojson"
    path.write_text(WAYS_GEOJSON % "motorway_link")
    result = _load(cli, path, "ways")
    assert result.exit_code == 0, result.output
    with connect(empty_db) as conn:
        rows = conn.execute(
            "SELECT code, name, highway, oneway, GeometryType(geom) FROM ways ORDER BY code"
        ).fetchall()
    assert rows == [
        ("W1", "紫阳大道", "primary", False, "LINESTRING"),
        ("W2", None, "footway", True, "LINESTRING"),
        ("W3", "小路", "motorway_link", False, "LINESTRING"),
    ]
    with connect(empty_db, autocommit=True) as conn:
        (again,) = load_layers(conn, frames={"ways": read_layer(path, layer="ways")})
    assert again == UpsertResult("ways", rows=3, inserted=0, updated=0, unchanged=3)


def test_a_bad_way_is_named_and_nothing_is_loaded(cli, tmp_path, empty_db):
    path = tmp_path / "ways.geojson"
    path.write_text(WAYS_GEOJSON % "highway_to_hell")
    result = _load(cli, path, "ways")
    assert result.exit_code == 1
    assert "row 3" in result.output and "highway_to_hell" in result.output
    assert _count(empty_db, "ways") == 0
    polygon = tmp_path / "polygon.geojson"
    polygon.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"code": "W9", "highway": "primary"}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[115.95, 28.65], [115.96, 28.65], [115.96, 28.66], [115.95, 28.65]]]}}]}"
    )
    result = _load(cli, polygon, "ways")
    assert result.exit_code == 1 and "row 1" in result.output and "expected a line" in result.output


def test_land_loads_polygons_by_kind(cli, tmp_path, empty_db):
    frame = gpd.GeoDataFrame(
        {"code": ["L1", "L2", "L3"], "kind": ["water", "green", "building"],
         "name": ["艾溪湖", None, "1栋"]},
        geometry=[box(W, S, MID_X, MID_Y), box(MID_X, S, E, N), box(W, MID_Y, W + 0.001, N)],
        crs="EPSG:4326",
    )  # fmt: skip
    frame.to_file(tmp_path / "land.gpkg")
    result = _load(cli, tmp_path / "land.gpkg", "land")
    assert result.exit_code == 0, result.output
    with connect(empty_db) as conn:
        rows = conn.execute("SELECT code, kind, name FROM land ORDER BY code").fetchall()
    assert rows == [("L1", "water", "艾溪湖"), ("L2", "green", None), ("L3", "building", "1栋")]
    frame.loc[1, "kind"] = "lava"
    frame.to_file(tmp_path / "bad.gpkg")
    result = _load(cli, tmp_path / "bad.gpkg", "land")
    assert result.exit_code == 1 and "row 2" in result.output and "lava" in result.output
    assert _count(empty_db, "land") == 3
