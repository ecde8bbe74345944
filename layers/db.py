"""Connections to PostGIS: one URL form for psycopg, asyncpg and SQLAlchemy."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg


def plain_url(url: str) -> str:
    """`postgresql://...` whatever driver suffix the user wrote (postgresql+psycopg://...)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith(("postgresql", "postgres")):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return urlunsplit(("postgresql", *parts[1:]))


def sqlalchemy_url(url: str) -> str:
    return plain_url(url).replace("postgresql://", "postgresql+psycopg://", 1)


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    return psycopg.connect(plain_url(url), autocommit=autocommit)


def with_database(url: str, database: str) -> str:
    """The same server, another database (for throw-away test databases)."""
    parts = urlsplit(plain_url(url))
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))
