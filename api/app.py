"""The FastAPI application, built from settings (nothing is created at import time)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import errors
from api.auth import TokenCache, revocation_listener
from api.routes import assignments, grids, ogc, pages, places
from api.settings import Settings
from layers.db import new_pool


def create_app(settings: Settings) -> FastAPI:
    if not settings.database_url:
        raise ValueError("create_app needs settings.database_url (see api.database)")

    url = settings.database_url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = new_pool(url, min_size=settings.pool_min_size, max_size=settings.pool_max_size)
        await pool.open(wait=True)
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
    errors.install(app)
    app.include_router(ogc.router)
    app.include_router(places.router)
    app.include_router(assignments.router)
    app.include_router(grids.router)
    app.include_router(pages.router)
    app.mount("/static", pages.static_files(), name="static")
    return app


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` with several worker processes: each builds its own app from
    the environment, which `gridgis serve` has set (DATABASE_URL included)."""
    return create_app(Settings())
