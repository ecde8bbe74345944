"""Vector tiles (OGC API - Tiles): a tile decodes to exactly the features of its bounds,
households are counts per grid at low zooms and points only close up, staff tiles stop at
the jurisdiction, and a tile's ETag changes when — and only when — data under it does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import mapbox_vector_tile
import mercantile
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient
from pyproj import Transformer
from shapely import wkb

from api.app import create_app
from api.settings import Settings
from layers.assignments import Scope, assign_blocking
from layers.db import connect
from layers.tokens import create_token

COMMUNITY = "360190001001"
_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)


def to_mercator(shape: Any) -> Any:
    return shapely.transform(
        shape, lambda xy: np.column_stack(_MERCATOR.transform(xy[:, 0], xy[:, 1]))
    )


MVT = "application/vnd.mapbox-vector-tile"


@pytest.fixture(scope="module")
def url(databases, demo_template) -> str:  # type: ignore[no-untyped-def]
    made = databases.url(databases.create(template=demo_template))
    assign_blocking(made, scope=Scope(all=True), workers=1)
    return made


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=url))) as test_client:
        yield test_client


def _token(url: str, scope: str) -> dict[str, str]:
    with connect(url) as conn:
        token = create_token(conn, role="dispatcher", scope_code=scope, label="tiles")
        conn.commit()
    return {"Authorization": f"Bearer {token}"}


def _tile_over(url: str, code: str, z: int) -> mercantile.Tile:
    with connect(url) as conn:
        lon, lat = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
            "WHERE code = %s) g",
            (code,),
        ).fetchone()  # type: ignore[misc]
    return mercantile.tile(lon, lat, z)


def _decode(body: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = mapbox_vector_tile.decode(body)
    return decoded


def _grids(url: str) -> dict[str, Any]:
    """Every grid's shape in Web Mercator metres (shapely, pyproj: not the tile's SQL)."""
    with connect(url) as conn:
        rows = conn.execute("SELECT code, ST_AsBinary(geom) FROM grids").fetchall()
    return {code: to_mercator(wkb.loads(shape)) for code, shape in rows}


def _grids_expected(url: str, tile: mercantile.Tile) -> tuple[set[str], set[str]]:
    """The grids a tile must hold (overlapping it by more than a few pixels) and those it
    may hold (within its 64/4096 buffer)."""
    bounds = mercantile.xy_bounds(tile)
    envelope = shapely.box(bounds.left, bounds.bottom, bounds.right, bounds.top)
    pixel = (bounds.right - bounds.left) / 4096
    may = shapely.buffer(envelope, 64 * pixel, join_style="mitre")
    grids = _grids(url)
    must = {c for c, g in grids.items() if g.intersection(envelope).area > 16 * pixel**2}
    return must, {c for c, g in grids.items() if g.intersects(may)}


@pytest.mark.parametrize("z", [12, 14, 16])
def test_a_tile_holds_exactly_the_grids_of_its_bounds(client, url, z):
    tile = _tile_over(url, f"{COMMUNITY}-G01", z)
    answer = client.get(f"/collections/grids/tiles/WebMercatorQuad/{z}/{tile.y}/{tile.x}")
    assert answer.status_code == 200 and answer.headers["content-type"] == MVT
    codes = {f["properties"]["code"] for f in _decode(answer.content)["grids"]["features"]}
    must, may = _grids_expected(url, tile)
    assert must and must <= codes <= may


def test_households_are_counts_per_grid_far_out_and_points_close_up(client, url):
    staff = _token(url, "360190")
    far = _tile_over(url, f"{COMMUNITY}-G01", 13)
    body = client.get(f"/collections/households/tiles/WebMercatorQuad/13/{far.y}/{far.x}",
                      headers=staff).content  # fmt: skip
    counts = _decode(body)["households"]["features"]
    assert counts and all("code" not in f["properties"] for f in counts)  # no household
    assert {f["geometry"]["type"] for f in counts} == {"Point"}
    assert sum(f["properties"]["households"] for f in counts) > 1000
    near = _tile_over(url, f"{COMMUNITY}-G01", 16)
    body = client.get(f"/collections/households/tiles/WebMercatorQuad/16/{near.y}/{near.x}",
                      headers=staff).content  # fmt: skip
    points = _decode(body)["households"]["features"]
    assert points and all(f["properties"]["code"].startswith("H") for f in points)


def test_staff_tiles_stop_at_the_jurisdiction_and_the_public_gets_none(client, url):
    mine = _token(url, COMMUNITY)
    tile = _tile_over(url, f"{COMMUNITY}-G01", 14)
    path = f"/tiles/WebMercatorQuad/14/{tile.y}/{tile.x}"
    layers = _decode(client.get(path, headers=mine).content)
    grids_of_mine = {c for c in _grids_expected(url, tile)[1] if c.startswith(COMMUNITY)}
    assert {f["properties"]["grid_code"] for f in layers["households"]["features"]} <= grids_of_mine
    public = _decode(client.get(path).content)
    assert "grids" in public and "households" not in public and "members" not in public
    assert (
        client.get(
            f"/collections/households/tiles/WebMercatorQuad/14/{tile.y}/{tile.x}"
        ).status_code
        == 401
    )


def test_an_unchanged_tile_is_304_and_a_redraw_changes_only_the_tiles_it_touched(client, url):
    here = _tile_over(url, f"{COMMUNITY}-G01", 15)
    far = _tile_over(url, "360190003001-G01", 15)
    paths = {name: f"/collections/grids/tiles/WebMercatorQuad/15/{t.y}/{t.x}"
             for name, t in (("here", here), ("far", far))}  # fmt: skip
    etags = {name: client.get(p).headers["etag"] for name, p in paths.items()}
    again = client.get(paths["here"], headers={"If-None-Match": etags["here"]})
    assert again.status_code == 304 and again.content == b""
    with connect(url) as conn:  # a planner renames and reshapes a grid under "here"
        conn.execute(
            "UPDATE grids SET name = name || '（改）' WHERE code = %s", (f"{COMMUNITY}-G01",)
        )
        conn.commit()
    assert client.get(paths["here"], headers={"If-None-Match": etags["here"]}).status_code == 200
    assert client.get(paths["far"], headers={"If-None-Match": etags["far"]}).status_code == 304


def test_tilesets_and_conformance_are_declared(client):
    classes = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in classes
    tileset = client.get("/collections/grids/tiles/WebMercatorQuad").json()
    assert tileset["tileMatrixSetURI"].endswith("WebMercatorQuad")
    template = next(k["href"] for k in tileset["links"] if k["rel"] == "item")
    assert template.endswith("/{tileMatrix}/{tileRow}/{tileCol}")
    quad = client.get("/tileMatrixSets/WebMercatorQuad").json()
    assert len(quad["tileMatrices"]) == 21 and quad["tileMatrices"][0]["matrixWidth"] == 1
    assert client.get("/collections/grids/tiles/WebMercatorQuad/3/99/0").status_code == 404
