"""A standard OGC API - Features client (GDAL's OAPIF driver, as used by QGIS and ogr2ogr)
browses and downloads every collection it may see, through a real server."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pyogrio
import pytest

from layers.db import connect
from layers.tokens import create_token
from tests.live import served


@pytest.fixture(scope="module")
def base(demo_url: str) -> Iterator[str]:
    with served(demo_url) as url:
        yield url


def _count(url: str, sql: str, params: object = None) -> int:
    with connect(url) as conn:
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


def test_gdal_lists_and_downloads_the_public_collections(base, demo_url):
    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{base}")}
    assert {"communities", "streets", "grids", "stations"} <= layers
    assert not layers & {"households", "members", "assignments"}
    for layer, table_count in (
        ("grids", "SELECT count(*) FROM grids"),
        ("stations", "SELECT count(*) FROM stations"),
        ("communities", "SELECT count(*) FROM areas WHERE level IN ('community', 'village')"),
    ):
        frame = pyogrio.read_dataframe(f"OAPIF:{base}", layer=layer)
        assert len(frame) == _count(demo_url, table_count), layer
        assert frame.geometry.is_valid.all()


def test_gdal_with_a_staff_token_downloads_the_jurisdictions_households(base, demo_url):
    with connect(demo_url) as conn:
        (community,) = conn.execute(
            "SELECT code FROM areas WHERE level = 'community' ORDER BY code LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        token = create_token(conn, role="dispatcher", scope_code=community, label="gdal")
        conn.commit()
    # How GDAL (and so ogr2ogr) sends a bearer token
    pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": token})
    try:
        layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{base}")}
        assert {"households", "members", "assignments"} <= layers
        frame = pyogrio.read_dataframe(f"OAPIF:{base}", layer="households")
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_BEARER": None})
    expected = _count(
        demo_url,
        "SELECT count(*) FROM households h JOIN grids g ON g.id = h.grid_id WHERE g.community_code = %s",
        (community,),
    )
    assert len(frame) == expected > 0
    assert frame["code"].is_unique


# ---- a stock GDAL of Debian 12 (3.6, the command line QGIS users have) and OWSLib ----

DEBIAN_GDAL = shutil.which("ogr2ogr")


@pytest.fixture(scope="module")
def district_token(demo_url: str) -> str:
    with connect(demo_url) as conn:
        token = create_token(conn, role="dispatcher", scope_code="360190", label="gdal 3.6")
        conn.commit()
    return token


def test_debian_gdal_downloads_every_household_with_a_header_file(
    base, demo_url, district_token, tmp_path
):
    assert DEBIAN_GDAL, "Debian's gdal-bin is missing: `make test` installs it"
    version = subprocess.run(["ogrinfo", "--version"], capture_output=True, text=True).stdout
    assert version.startswith("GDAL 3.6"), version
    header = tmp_path / "auth.txt"
    header.write_text(f"Authorization: Bearer {district_token}\n")
    header.chmod(0o600)
    out = tmp_path / "households.gpkg"
    # The README's way for GDAL 3.6: a header file, and pages of 1,000
    done = subprocess.run(
        ["ogr2ogr", "-oo", "PAGE_SIZE=1000", "-f", "GPKG", str(out), f"OAPIF:{base}",
         "households"],
        env={**os.environ, "GDAL_HTTP_HEADER_FILE": str(header)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    frame = pyogrio.read_dataframe(out)
    assert len(frame) == _count(
        demo_url, "SELECT count(*) FROM households WHERE grid_id IS NOT NULL"
    )
    assert frame["code"].is_unique


def test_debian_gdal_reads_a_layer_in_cgcs2000(base, demo_url, tmp_path):
    out = tmp_path / "stations.gpkg"
    crs = "http://www.opengis.net/def/crs/EPSG/0/4490"
    done = subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{base}/collections/stations?crs={crs}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    frame = pyogrio.read_dataframe(out)
    assert len(frame) == _count(demo_url, "SELECT count(*) FROM stations")


def test_owslib_reads_public_and_staff_layers_in_cgcs2000(base, demo_url, district_token):
    from owslib.ogcapi.features import Features

    public = Features(base)
    assert "stations" in {c["id"] for c in public.collections()["collections"]}
    page = public.collection_items(
        "stations", limit=500, crs="http://www.opengis.net/def/crs/EPSG/0/4490"
    )
    ours = public.collection_items("stations", limit=500)
    first = {f["id"]: f["geometry"]["coordinates"] for f in ours["features"]}
    for feature in page["features"]:
        lat, lon = feature["geometry"]["coordinates"]  # EPSG:4490: latitude first
        assert [lon, lat] == pytest.approx(first[feature["id"]], abs=1e-6)
    staff = Features(base, headers={"Authorization": f"Bearer {district_token}"})
    members = staff.collection_items("members", limit=5)
    assert members["numberReturned"] == 5
    queryables = public.collection_queryables("stations")
    assert "services" in queryables["properties"]
