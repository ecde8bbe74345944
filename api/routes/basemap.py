"""The base map's vector tiles (public): roads, water, green space, buildings and place
names from this server's own layers, so the pages need no map service from outside."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from api.deps import ConnectionDep
from api.errors import NotFound
from api.tile_cache import versioned_tile
from layers import basemap, tiles

router = APIRouter(tags=["Base map"])


@router.get(
    "/basemap/{z}/{x}/{y}.pbf",
    summary="A base-map vector tile (Mapbox Vector Tile, Web Mercator)",
    response_class=Response,
)
async def tile(
    z: int,
    x: int,
    y: int,
    request: Request,
    conn: ConnectionDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    if not basemap.valid_tile(z, x, y):
        raise NotFound(f"no tile {z}/{x}/{y}: zoom 0–{basemap.MAX_ZOOM}, x and y 0–2^zoom−1")
    version = await tiles.version(conn, tiles.BASEMAP_TABLES, z, x, y)
    # Five minutes without asking (the base map changes by loads); then the ETag.
    return await versioned_tile(
        request,
        key=("basemap", z, x, y, version),
        etag=f'"base-{version}"',
        cache_control="public, max-age=300",
        if_none_match=if_none_match,
        build=lambda: basemap.tile(conn, z, x, y),
    )
