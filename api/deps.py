"""Request dependencies as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from api.settings import Settings


async def _connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn:
        yield conn


async def _settings(request: Request) -> Settings:
    # async: a plain def dependency would be sent to the thread pool on every request
    settings: Settings = request.app.state.settings
    return settings


ConnectionDep = Annotated[asyncpg.Connection, Depends(_connection)]
SettingsDep = Annotated[Settings, Depends(_settings)]
