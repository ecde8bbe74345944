"""Who is calling: the public, or staff with a role and a jurisdiction — an API client with
a bearer token, or a person signed in on the pages (a session cookie; every write then
carries the session's CSRF token in `X-CSRF-Token`, which another site cannot read).

Identities are looked up once and kept in a small cache: bounded in size and age (never
beyond a token's expiry), never holding an unknown token or session (so guessing cannot
fill it), and emptied of a revoked token or ended session as soon as the database announces
it (LISTEN, see `watch_revocations`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import psycopg
from fastapi import Depends, FastAPI, Request

from api.deps import ConnectionDep
from api.errors import Forbidden, Unauthorized
from layers.accounts import session_key, session_staff
from layers.db import connect_async
from layers.tokens import REVOKED_CHANNEL, Staff, hash_token, staff_for

log = logging.getLogger(__name__)


SESSION_COOKIE = "gridgis_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Identity:
    staff: Staff
    csrf: str | None = None  # sessions only


class TokenCache:
    """Identities by token or session hash, least recently used first out, each for at
    most `ttl` seconds (and never past its expiry)."""

    def __init__(self, *, max_size: int = 1024, ttl: float = 60.0) -> None:
        self.max_size = max_size
        self.ttl = ttl
        self._entries: OrderedDict[str, tuple[float, Identity]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Identity | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: str, identity: Identity) -> None:
        ttl = self.ttl
        expires = identity.staff.expires_at
        if expires is not None:
            ttl = min(ttl, (expires - datetime.now(UTC)).total_seconds())
        self._entries[key] = (time.monotonic() + ttl, identity)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def drop(self, announced: str) -> None:
        """Forget what a revocation names: "<token id>", "account:<id>" or
        "session:<hash>" (the announcements of layers.tokens and layers.accounts)."""
        kind, _, value = announced.rpartition(":")
        for key, (_, identity) in list(self._entries.items()):
            staff = identity.staff
            if (
                (kind == "" and str(staff.token_id) == value)
                or (kind == "account" and str(staff.account_id) == value)
                or (kind == "session" and key == announced)
            ):
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


async def _token_identity(conn: ConnectionDep, cache: TokenCache, token: str) -> Identity:
    key = hash_token(token)
    identity = cache.get(key)
    if identity is None:
        staff = await staff_for(conn, key)
        if staff is None:
            raise Unauthorized("unknown, expired or revoked token")
        identity = Identity(staff)
        cache.put(key, identity)
    return identity


async def _session_identity(conn: ConnectionDep, cache: TokenCache, session: str) -> Identity:
    key = session_key(session)
    identity = cache.get(key)
    if identity is None:
        found = await session_staff(conn, session)
        if found is None:
            raise Unauthorized("your session has ended: sign in again")
        identity = Identity(*found)
        cache.put(key, identity)
    return identity


async def optional_staff(request: Request, conn: ConnectionDep) -> Staff | None:
    cache: TokenCache = request.app.state.token_cache
    token = _bearer(request)
    if token is not None:
        return (await _token_identity(conn, cache, token)).staff
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        return None
    identity = await _session_identity(conn, cache, session)
    request.state.identity = identity
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not identity.csrf or not secrets.compare_digest(sent, identity.csrf):
            raise Forbidden(
                "this change needs the X-CSRF-Token of your session (GET /auth/me gives it)"
            )
    return identity.staff


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


async def admin(staff: Annotated[Staff, Depends(required_staff)]) -> Staff:
    require_role(staff, "admin")
    return staff


MaybeStaffDep = Annotated[Staff | None, Depends(optional_staff)]
StaffDep = Annotated[Staff, Depends(required_staff)]
PlannerDep = Annotated[Staff, Depends(planner)]
AdminDep = Annotated[Staff, Depends(admin)]


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
                    cache.drop(note.payload)
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
