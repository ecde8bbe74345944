"""Connections to PostGIS, all through psycopg 3: the app's async pool, async query helpers,
and plain connections for the command line, tests and benchmarks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql as _sql
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

T = TypeVar("T")
Connection: TypeAlias = psycopg.AsyncConnection[TupleRow]
Params: TypeAlias = Sequence[Any] | dict[str, Any] | None
Query: TypeAlias = str | _sql.SQL | _sql.Composed

# A generic plan of a spatial query (chosen after five runs of a prepared statement) can be
# a hundred times slower than a custom one: plan every time, with the real parameters.
SESSION_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


def plain_url(url: str) -> str:
    """`postgresql://...` whatever driver suffix the user wrote (postgresql+psycopg://...)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith(("postgresql", "postgres")):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return urlunsplit(("postgresql", *parts[1:]))


def sqlalchemy_url(url: str) -> str:
    return plain_url(url).replace("postgresql://", "postgresql+psycopg://", 1)


def with_database(url: str, database: str) -> str:
    """The same server, another database (for throw-away test databases)."""
    parts = urlsplit(plain_url(url))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[TupleRow]:
    """A blocking connection, for the command line, tests and benchmarks."""
    return psycopg.connect(plain_url(url), autocommit=autocommit)


async def connect_async(url: str) -> Connection:
    """One async connection in autocommit mode (writers open their own transactions)."""
    return await psycopg.AsyncConnection.connect(plain_url(url), autocommit=True)


def run_blocking(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run async work to its end from blocking code (the command line, tests, benchmarks).
    Where this thread already runs an event loop (a browser driver's), in a thread of its
    own, since a loop cannot be entered twice."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work())
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(lambda: asyncio.run(work())).result()


async def _configure(conn: Connection) -> None:
    await conn.set_autocommit(True)
    for name, value in SESSION_SETTINGS.items():
        await conn.execute(
            _sql.SQL("SET {} = {}").format(_sql.Identifier(name), _sql.Literal(value))
        )


def new_pool(
    url: str, *, min_size: int, max_size: int, timeout: float = 5.0
) -> AsyncConnectionPool:
    """The app's one pool (opened in the app's lifespan). Connections are in autocommit
    mode: a read is one round trip, and writes say where their transaction starts."""
    return AsyncConnectionPool(
        plain_url(url),
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        configure=_configure,
        open=False,
        name="gridgis",
        # While the database is away, keep trying to reconnect (never give up).
        reconnect_timeout=7 * 24 * 3600,
    )


async def fetchone(conn: Connection, query: Query, params: Params = None) -> TupleRow | None:
    cursor = await conn.execute(query, params)
    return await cursor.fetchone()


async def fetchall(conn: Connection, query: Query, params: Params = None) -> list[TupleRow]:
    cursor = await conn.execute(query, params)
    return await cursor.fetchall()


async def fetchval(conn: Connection, query: Query, params: Params = None) -> Any:
    """The first column of the first row, or None when there is no row."""
    row = await fetchone(conn, query, params)
    return row[0] if row is not None else None
