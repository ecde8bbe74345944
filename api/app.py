"""The FastAPI application, built from settings (nothing is created at import time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import errors
from api.routes import assignments, ogc, places
from api.settings import Settings
from layers.db import plain_url


def create_app(settings: Settings) -> FastAPI:
    if not settings.database_url:
        raise ValueError("create_app needs settings.database_url (see api.database)")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(
            plain_url(settings.database_url or ""),
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    # The docs pages use Swagger UI and ReDoc served by the app: intranets have no CDN.
    app = FastAPIOffline(
        title="gridgis",
        description="Grid management (网格化管理): grids, members and red stations as GeoJSON "
        "and OGC API - Features.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.token_cache = {}
    errors.install(app)
    app.include_router(ogc.router)
    app.include_router(places.router)
    app.include_router(assignments.router)
    return app


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` with several worker processes: each builds its own app from
    the environment, which `gridgis serve` has set (DATABASE_URL included)."""
    return create_app(Settings())
