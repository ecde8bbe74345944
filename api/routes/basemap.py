"""The base map's vector tiles (public): roads, water, green space, buildings and place
names from this server's own layers, so the pages need no map service from outside."""

from __future__ import annotations

import time
from collections import OrderedDict

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ConnectionDep
from api.errors import NotFound
from layers import basemap

router = APIRouter(tags=["Base map"])
MVT = "application/vnd.mapbox-vector-tile"
CACHE_SIZE = 4096
CACHE_SECONDS = 300.0


class TileCache:
    """The tiles asked for lately, for a few minutes (ways and land change only by loads)."""

    def __init__(self, size: int = CACHE_SIZE, ttl: float = CACHE_SECONDS) -> None:
        self.size, self.ttl = size, ttl
        self._tiles: OrderedDict[tuple[int, int, int], tuple[float, bytes]] = OrderedDict()

    def get(self, key: tuple[int, int, int]) -> bytes | None:
        entry = self._tiles.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        self._tiles.move_to_end(key)
        return entry[1]

    def put(self, key: tuple[int, int, int], data: bytes) -> None:
        self._tiles[key] = (time.monotonic() + self.ttl, data)
        while len(self._tiles) > self.size:
            self._tiles.popitem(last=False)


@router.get(
    "/basemap/{z}/{x}/{y}.pbf",
    summary="A base-map vector tile (Mapbox Vector Tile, Web Mercator)",
    response_class=Response,
)
async def tile(z: int, x: int, y: int, request: Request, conn: ConnectionDep) -> Response:
    if not basemap.valid_tile(z, x, y):
        raise NotFound(f"no tile {z}/{x}/{y}: zoom 0–{basemap.MAX_ZOOM}, x and y 0–2^zoom−1")
    cache: TileCache = request.app.state.basemap_cache
    data = cache.get((z, x, y))
    if data is None:
        data = await basemap.tile(conn, z, x, y)
        cache.put((z, x, y), data)
    return Response(data, media_type=MVT, headers={"Cache-Control": "public, max-age=300"})
