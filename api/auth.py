"""Who is calling: the public (no token) or staff with a role and a jurisdiction.

Tokens are looked up once and kept in a small cache: bounded in size and age, never holding
an unknown token (so guessing cannot fill it), and emptied of a revoked token as soon as the
database announces the revocation (LISTEN, see `watch_revocations`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Annotated

import psycopg
from fastapi import Depends, FastAPI, Request

from api.deps import ConnectionDep
from api.errors import Forbidden, Unauthorized
from layers.db import connect_async
from layers.tokens import REVOKED_CHANNEL, Staff, hash_token, staff_for

log = logging.getLogger(__name__)


class TokenCache:
    """Staff by token hash, least recently used first out, each for at most `ttl` seconds."""

    def __init__(self, *, max_size: int = 1024, ttl: float = 60.0) -> None:
        self.max_size = max_size
        self.ttl = ttl
        self._entries: OrderedDict[str, tuple[float, Staff]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Staff | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: str, staff: Staff) -> None:
        self._entries[key] = (time.monotonic() + self.ttl, staff)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def drop_token(self, token_id: int) -> None:
        for key in [k for k, (_, s) in self._entries.items() if s.token_id == token_id]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return token.strip()


async def optional_staff(request: Request, conn: ConnectionDep) -> Staff | None:
    token = _bearer(request)
    if token is None:
        return None
    cache: TokenCache = request.app.state.token_cache
    key = hash_token(token)
    staff = cache.get(key)
    if staff is None:
        staff = await staff_for(conn, key)
        if staff is None:
            raise Unauthorized("unknown or revoked token")
        cache.put(key, staff)
    return staff


async def required_staff(staff: Annotated[Staff | None, Depends(optional_staff)]) -> Staff:
    if staff is None:
        raise Unauthorized(
            "staff only: send 'Authorization: Bearer <token>' (gridgis token create)"
        )
    return staff


def require_role(staff: Staff, *roles: str) -> None:
    if staff.role not in roles:
        raise Forbidden(f"a {staff.role} token cannot do this; it needs one of: {', '.join(roles)}")


async def planner(staff: Annotated[Staff, Depends(required_staff)]) -> Staff:
    require_role(staff, "planner", "admin")
    return staff


MaybeStaffDep = Annotated[Staff | None, Depends(optional_staff)]
StaffDep = Annotated[Staff, Depends(required_staff)]
PlannerDep = Annotated[Staff, Depends(planner)]


async def watch_revocations(
    url: str, cache: TokenCache, listening: asyncio.Event, *, retry_seconds: float = 2.0
) -> None:
    """Drop revoked tokens from the cache as the database announces them. While the
    listener is disconnected, revocations could be missed: the cache is emptied on every
    (re)connection, so a stale entry never outlives the gap."""
    while True:
        try:
            conn = await connect_async(url)
            async with conn:
                await conn.execute(f"LISTEN {REVOKED_CHANNEL}")
                cache.clear()
                listening.set()
                async for note in conn.notifies():
                    with contextlib.suppress(ValueError):
                        cache.drop_token(int(note.payload))
        except (psycopg.OperationalError, OSError) as error:
            log.info("token revocation listener disconnected (%s); retrying", error)
            cache.clear()
            await asyncio.sleep(retry_seconds)


@contextlib.asynccontextmanager
async def revocation_listener(app: FastAPI, url: str) -> AsyncIterator[None]:
    """The listener runs while the app does; the app starts once it listens (or after a
    few seconds without a database: requests then answer for themselves)."""
    listening = asyncio.Event()
    task = asyncio.create_task(watch_revocations(url, app.state.token_cache, listening))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(listening.wait(), timeout=5)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
