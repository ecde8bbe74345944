"""`gridgis load --crs`: GCJ-02 and BD-09 (copied from Amap, Tencent, Baidu) and EPSG codes
(CGCS2000) come in at their WGS84 place; a layer that looks copied from Amap without
`--crs` stops with that diagnosis, and nothing is loaded."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

from api.cli import app
from gis.chinese_crs import wgs84_to_bd09, wgs84_to_gcj02
from layers.db import connect

TWINS = 400  # households, members and grids taken from the demo, as Amap would give them
SHIFTS = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


@pytest.fixture
def cli(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", demo_db)
    return CliRunner()


def _shifted(frame: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    def moved(xy: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
        return np.column_stack(SHIFTS[datum](xy[:, 0], xy[:, 1]))

    geometry = shapely.transform(frame.geometry.to_numpy(), moved)
    return frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs="EPSG:4326"))


def _sample(demo_data, layer: str) -> gpd.GeoDataFrame:  # type: ignore[no-untyped-def]
    frame = getattr(demo_data, layer)
    rows = np.random.default_rng(7).choice(len(frame), min(TWINS, len(frame)), replace=False)
    return frame.iloc[np.sort(rows)]


def _geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    frame.to_file(path, driver="GeoJSON")
    return path


def _farthest_m(url: str, table: str, twin: gpd.GeoDataFrame) -> float:
    """How far the stored features lie from their WGS84 twins, at most (Hausdorff, m)."""
    with connect(url) as conn:
        row = conn.execute(
            f"SELECT max(ST_HausdorffDistance(ST_Transform(t.geom, 32650), "
            f"ST_Transform(ST_GeomFromWKB(f.w, 4326), 32650))) "
            f"FROM unnest(%s::text[], %s::bytea[]) AS f(code, w) JOIN {table} t USING (code)",
            (list(twin["code"]), list(twin.geometry.to_wkb())),
        ).fetchone()
    assert row is not None and row[0] is not None
    return float(row[0])


@pytest.mark.parametrize(("layer", "datum"), [("households", "gcj02"), ("grids", "bd09")])
def test_a_layer_from_amap_or_baidu_lands_on_its_wgs84_twin(
    cli, demo_db, demo_data, tmp_path, layer, datum
):
    twin = _sample(demo_data, layer)
    path = _geojson(_shifted(twin, datum), tmp_path / f"{layer}.geojson")
    result = cli.invoke(app, ["load", str(path), "--layer", layer, "--crs", datum])
    assert result.exit_code == 0, result.output
    assert _farthest_m(demo_db, layer, twin) < 1.0


@pytest.mark.parametrize(
    ("layer", "datum"), [("households", "gcj02"), ("members", "gcj02"), ("grids", "bd09")]
)
def test_a_shifted_layer_without_crs_stops_with_the_diagnosis(
    cli, demo_db, demo_data, tmp_path, layer, datum
):
    twin = _sample(demo_data, layer)
    path = _geojson(_shifted(twin, datum), tmp_path / f"{layer}.geojson")
    result = cli.invoke(app, ["load", str(path), "--layer", layer])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert f"--crs {datum}" in output and "nothing was loaded" in output, output
    assert _farthest_m(demo_db, layer, twin) < 0.01  # the stored features did not move
    # the planner who knows better says so: the file is taken as it is (and meets the
    # loader's own checks — here a household shifted out of the district is refused)
    forced = cli.invoke(app, ["load", str(path), "--layer", layer, "--crs", "EPSG:4326"])
    assert "shifted" not in forced.output, forced.output


def test_the_same_layer_in_wgs84_loads_without_a_word(cli, demo_db, demo_data, tmp_path):
    twin = _sample(demo_data, "households")
    result = cli.invoke(
        app, ["load", str(_geojson(twin, tmp_path / "h.geojson")), "--layer", "households"]
    )
    assert result.exit_code == 0 and "shifted" not in result.output, result.output


def test_cgcs2000_files_are_reprojected_and_a_csv_takes_bd09(cli, demo_db, demo_data, tmp_path):
    stations = demo_data.stations
    # a GeoPackage in CGCS2000 / 3-degree Gauss-Kruger CM 117E, as survey offices deliver
    stations.to_crs("EPSG:4548").to_file(tmp_path / "stations.gpkg")
    result = cli.invoke(app, ["load", str(tmp_path / "stations.gpkg"), "--layer", "stations"])
    assert result.exit_code == 0, result.output
    assert _farthest_m(demo_db, "stations", stations) < 0.01
    # the same stations as a CSV of Baidu coordinates
    lon, lat = wgs84_to_bd09(stations.geometry.x.to_numpy(), stations.geometry.y.to_numpy())
    table = stations.drop(columns="geometry").assign(lon=lon, lat=lat)
    table.to_csv(tmp_path / "stations.csv", index=False)
    result = cli.invoke(
        app, ["load", str(tmp_path / "stations.csv"), "--layer", "stations", "--crs", "bd09"]
    )
    assert result.exit_code == 0, result.output
    assert _farthest_m(demo_db, "stations", stations) < 1.0


@pytest.mark.parametrize(
    ("crs", "says"),
    [
        ("wgs85", "unknown CRS 'wgs85'"),
        ("4490", "declares"),  # the file says EPSG:4548: --crs may not contradict it
        ("gcj02", "projected"),  # GCJ-02 is longitude/latitude
    ],
)
def test_a_crs_that_cannot_be_is_refused_before_anything_loads(
    cli, demo_db, demo_data, tmp_path, crs, says
):
    demo_data.stations.to_crs("EPSG:4548").to_file(tmp_path / "stations.gpkg")
    result = cli.invoke(
        app, ["load", str(tmp_path / "stations.gpkg"), "--layer", "stations", "--crs", crs]
    )
    assert result.exit_code == 1
    assert says in " ".join(result.output.split()), result.output
