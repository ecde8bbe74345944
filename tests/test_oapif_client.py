"""A standard OGC API - Features client (GDAL's OAPIF driver, as used by QGIS and ogr2ogr)
browses and downloads every collection it may see, through a real server."""

from __future__ import annotations

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
