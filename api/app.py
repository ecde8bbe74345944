"""The FastAPI application, built from settings (nothing is created at import time)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import orjson
from fastapi import FastAPI, Response
from fastapi_offline import FastAPIOffline
from psycopg_pool import PoolTimeout

from api import errors
from api.auth import TokenCache, revocation_listener
from api.middleware import Admission, Buckets, Cors, Guard, HeadAsGet, RateLimit, SecurityHeaders
from api.ogc_common import OPENAPI30
from api.openapi30 import openapi30
from api.routes import (
    accounts,
    assignments,
    basemap,
    cards,
    exports,
    grids,
    items,
    ogc,
    pages,
    places,
    search,
    session,
    tiles,
)
from api.settings import Settings
from api.tile_cache import TileCache
from layers.db import new_pool

# The API's routers; the pages (HTML, outside the OpenAPI document's order) come after.
ROUTERS = (ogc, items, tiles, basemap, places, search, assignments, grids, exports, cards,
           session, accounts)  # fmt: skip


def create_app(settings: Settings) -> FastAPI:
    if not settings.database_url:
        raise ValueError("create_app needs settings.database_url (see api.database)")

    url = settings.database_url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = new_pool(
            url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            timeout=settings.pool_timeout,
        )
        # Serve even while the database is away (503s), and fill the pool when it comes.
        await pool.open(wait=False)
        with suppress(PoolTimeout):
            await pool.wait(timeout=10)
        app.state.pool = pool
        # Everything built so far lives as long as the app: keep it out of the garbage
        # collector's full passes, which otherwise stall requests for tens of milliseconds.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        try:
            async with revocation_listener(app, url):
                yield
        finally:
            await pool.close()

    # The docs pages use Swagger UI and ReDoc served by the app: intranets have no CDN.
    app = FastAPIOffline(
        title="gridgis",
        description="Grid management (网格化管理): grids, members and red stations as GeoJSON "
        "and OGC API - Features.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    _caches(app, settings)
    errors.install(app)
    for module in (*ROUTERS, pages):
        app.include_router(module.router)
    app.mount("/static", pages.static_files(), name="static")
    _serve_openapi30(app)
    _bound(app, settings)
    return app


def _caches(app: FastAPI, settings: Settings) -> None:
    app.state.sign_in_attempts = Buckets(
        per_second=settings.sign_in_per_minute / 60, burst=settings.sign_in_per_minute
    )
    app.state.tile_cache = TileCache()
    app.state.token_cache = TokenCache(
        max_size=settings.token_cache_size, ttl=settings.token_cache_seconds
    )


def _serve_openapi30(app: FastAPI) -> None:
    """/openapi.json as OpenAPI 3.0 with its media type (built once, on first request)."""
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", "") != app.openapi_url]
    built: list[bytes] = []

    @app.get(app.openapi_url or "/openapi.json", include_in_schema=False)
    async def openapi() -> Response:
        if not built:
            built.append(orjson.dumps(openapi30(app)))
        return Response(built[0], media_type=OPENAPI30)


def _bound(app: FastAPI, settings: Settings) -> None:
    """Outermost first: headers on every answer, then the public's rate, then shedding,
    then the body checks (added innermost first)."""
    app.add_middleware(Guard, max_body=settings.max_body_bytes)
    app.add_middleware(HeadAsGet)
    app.add_middleware(Admission, limit=settings.max_in_flight)
    app.add_middleware(RateLimit, per_second=settings.public_rate, burst=settings.public_burst)
    app.add_middleware(Cors, origins=tuple(settings.cors_origins))
    app.add_middleware(SecurityHeaders)


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` with several worker processes: each builds its own app from
    the environment, which `gridgis serve` has set (DATABASE_URL included)."""
    return create_app(Settings())
