"""The FastAPI application, built from settings (nothing is created at import time)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from psycopg_pool import PoolTimeout

from api import errors
from api.auth import TokenCache, revocation_listener
from api.middleware import Admission, Guard, RateLimit, SecurityHeaders
from api.routes import assignments, basemap, grids, me, ogc, pages, places, search
from api.settings import Settings
from layers.db import new_pool


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
    app.state.token_cache = TokenCache(
        max_size=settings.token_cache_size, ttl=settings.token_cache_seconds
    )
    app.state.tile_cache = basemap.TileCache()
    errors.install(app)
    app.include_router(ogc.router)
    app.include_router(places.router)
    app.include_router(assignments.router)
    app.include_router(grids.router)
    app.include_router(me.router)
    app.include_router(search.router)
    app.include_router(basemap.router)
    app.include_router(pages.router)
    app.mount("/static", pages.static_files(), name="static")
    # Outermost first: headers on every answer, then the public's rate, then shedding,
    # then the body checks.
    app.add_middleware(Guard, max_body=settings.max_body_bytes)
    app.add_middleware(Admission, limit=settings.max_in_flight)
    app.add_middleware(RateLimit, per_second=settings.public_rate, burst=settings.public_burst)
    app.add_middleware(SecurityHeaders)
    return app


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` with several worker processes: each builds its own app from
    the environment, which `gridgis serve` has set (DATABASE_URL included)."""
    return create_app(Settings())
