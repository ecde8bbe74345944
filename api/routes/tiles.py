"""OGC API - Tiles: vector tiles (MVT) of each collection and of the whole dataset in one
request (grids, stations, communities; for staff also households and members, clipped to
the jurisdiction), in WebMercatorQuad, paths {tileMatrix}/{tileRow}/{tileCol} = z/y/x as the
standard has them. Each tile carries an ETag from the last change touching it: 304 for a
matching If-None-Match, and a bounded cache of built tiles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from api.auth import MaybeStaffDep
from api.deps import ConnectionDep
from api.errors import NotFound, Unauthorized
from api.ogc_common import JSON, base, collection_for, link
from api.tile_cache import MVT, versioned_tile
from layers import tiles
from layers.mvt import MAX_ZOOM, valid_tile
from layers.tokens import Staff

router = APIRouter(tags=["OGC API - Tiles"])
TMS = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
WEB_MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"


def _layers_of(collection_id: str | None, staff: Staff | None) -> tuple[str, ...]:
    if collection_id is None:
        return tiles.PUBLIC + (tiles.STAFF if staff is not None else ())
    if collection_id not in tiles.LAYERS:
        raise NotFound(f"no tiles of '{collection_id}'; tiled: {', '.join(tiles.LAYERS)}")
    if tiles.LAYERS[collection_id].staff and staff is None:
        raise Unauthorized(f"{collection_id} holds personal data: staff only")
    return (collection_id,)


async def _tile(
    request: Request,
    conn: ConnectionDep,
    names: tuple[str, ...],
    z: int,
    y: int,
    x: int,
    staff: Staff | None,
    if_none_match: str | None,
) -> Response:
    if not valid_tile(z, x, y):
        raise NotFound(f"no tile {z}/{y}/{x}: zoom 0–{MAX_ZOOM}, row and column 0–2^zoom−1")
    scope = staff.scope_code if staff is not None else None
    version = await tiles.version(conn, tiles.tables_of(names), z, x, y)
    return await versioned_tile(
        request,
        key=(names, z, y, x, scope, version),
        etag=f'"{version}-{scope or "public"}"',
        cache_control="no-cache" if staff is None else "no-store",
        if_none_match=if_none_match,
        build=lambda: tiles.tile(conn, names, z, x, y, scope),
    )


IfNoneMatch = Annotated[str | None, Header()]


@router.get("/collections/{collection_id}/tiles/WebMercatorQuad/{z}/{y}/{x}",
            summary="A vector tile of a collection", response_class=Response,
            responses={200: {"content": {MVT: {}}}})  # fmt: skip
async def collection_tile(
    collection_id: str,
    z: int,
    y: int,
    x: int,
    request: Request,
    conn: ConnectionDep,
    staff: MaybeStaffDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    names = _layers_of(collection_id, staff)
    return await _tile(request, conn, names, z, y, x, staff, if_none_match)


@router.get("/tiles/WebMercatorQuad/{z}/{y}/{x}", response_class=Response,
            summary="A vector tile of every layer the caller may see, in one request",
            responses={200: {"content": {MVT: {}}}})  # fmt: skip
async def dataset_tile(
    z: int,
    y: int,
    x: int,
    request: Request,
    conn: ConnectionDep,
    staff: MaybeStaffDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    names = _layers_of(None, staff)
    return await _tile(request, conn, names, z, y, x, staff, if_none_match)


def _tileset(request: Request, path: str, title: str, names: tuple[str, ...]) -> dict[str, Any]:
    root = base(request)
    template = f"{root}{path}/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"
    return {
        "title": title,
        "dataType": "vector",
        "crs": WEB_MERCATOR,
        "tileMatrixSetURI": TMS,
        "links": [
            link(f"{root}{path}/tiles/WebMercatorQuad", "self", JSON),
            link(template, "item", MVT, "a vector tile"),
            link(
                f"{root}/tileMatrixSets/WebMercatorQuad",
                "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                JSON,
            ),
        ],
        "layers": [
            {"id": name, "dataType": "vector", "minZoom": 0, "maxZoom": MAX_ZOOM} for name in names
        ],
    }


@router.get("/collections/{collection_id}/tiles", summary="The tilesets of a collection")
async def collection_tilesets(
    collection_id: str, request: Request, staff: MaybeStaffDep
) -> dict[str, Any]:
    collection = collection_for(collection_id, staff)
    names = _layers_of(collection_id, staff)
    path = f"/collections/{collection_id}"
    return {"tilesets": [_tileset(request, path, collection.title, names)]}


@router.get("/collections/{collection_id}/tiles/WebMercatorQuad", summary="A tileset")
async def collection_tileset(
    collection_id: str, request: Request, staff: MaybeStaffDep
) -> dict[str, Any]:
    collection = collection_for(collection_id, staff)
    names = _layers_of(collection_id, staff)
    return _tileset(request, f"/collections/{collection_id}", collection.title, names)


@router.get("/tiles", summary="The dataset's tilesets")
async def dataset_tilesets(request: Request, staff: MaybeStaffDep) -> dict[str, Any]:
    names = _layers_of(None, staff)
    return {"tilesets": [_tileset(request, "", "gridgis", names)]}


@router.get("/tileMatrixSets", summary="The tiling schemes")
async def tile_matrix_sets(request: Request) -> dict[str, Any]:
    href = f"{base(request)}/tileMatrixSets/WebMercatorQuad"
    return {"tileMatrixSets": [{"id": "WebMercatorQuad", "uri": TMS,
                                "links": [link(href, "self", JSON)]}]}  # fmt: skip


@router.get("/tileMatrixSets/WebMercatorQuad", summary="The WebMercatorQuad tiling scheme")
async def web_mercator_quad() -> dict[str, Any]:
    half = 20037508.3427892
    return {
        "id": "WebMercatorQuad",
        "uri": TMS,
        "crs": WEB_MERCATOR,
        "orderedAxes": ["X", "Y"],
        "tileMatrices": [
            {
                "id": str(z),
                "scaleDenominator": 559082264.0287178 / 2**z,
                "cellSize": 156543.03392804097 / 2**z,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-half, half],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": 2**z,
                "matrixHeight": 2**z,
            }
            for z in range(MAX_ZOOM + 1)
        ],
    }
