"""Request dependencies as `Annotated` aliases: the pooled connection and the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from psycopg_pool import AsyncConnectionPool

from api.settings import Settings
from layers.db import Connection


async def _connection(request: Request) -> AsyncIterator[Connection]:
    pool: AsyncConnectionPool = request.app.state.pool
    async with pool.connection() as conn:
        yield conn


async def _settings(request: Request) -> Settings:
    # async: a plain def dependency would be sent to the thread pool on every request
    settings: Settings = request.app.state.settings
    return settings


ConnectionDep = Annotated[Connection, Depends(_connection)]
SettingsDep = Annotated[Settings, Depends(_settings)]
