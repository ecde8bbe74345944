"""Serving built vector tiles: a bounded cache of them, keyed by what they hold and their
version, and the answer with an ETag from that version (304 for a matching If-None-Match).
Shared by the data layers' tiles and the base map's."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

MVT = "application/vnd.mapbox-vector-tile"
CACHE_BYTES = 64 * 1024 * 1024


class TileCache:
    """Built tiles by key, least recently used out first, at most `limit` bytes in all."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self.tiles: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        found = self.tiles.get(key)
        if found is not None:
            self.tiles.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], tile: bytes) -> None:
        if len(tile) > self.limit // 8 or key in self.tiles:
            return
        self.tiles[key] = tile
        self.size += len(tile)
        while self.size > self.limit:
            _, dropped = self.tiles.popitem(last=False)
            self.size -= len(dropped)


async def versioned_tile(
    request: Request,
    *,
    key: tuple[Any, ...],
    etag: str,
    cache_control: str,
    if_none_match: str | None,
    build: Callable[[], Awaitable[bytes]],
) -> Response:
    """The tile `key` (whose last element is its version), from the cache or built; 304
    when the caller holds this version already."""
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    cache: TileCache = request.app.state.tile_cache
    body = cache.get(key)
    if body is None:
        body = await build()
        cache.put(key, body)
    return Response(body, media_type=MVT, headers=headers)
