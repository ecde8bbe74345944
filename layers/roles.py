"""Database roles and ownership: the app connects as a role that owns its database's tables
and nothing more — no superuser, so no `COPY ... PROGRAM`, no reading another database.
A superuser (the admin) only creates roles, databases and the PostGIS extension."""

from __future__ import annotations

import secrets
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from layers.db import plain_url, with_database


def new_password() -> str:
    return secrets.token_urlsafe(24)


def with_credentials(url: str, user: str, password: str | None) -> str:
    """The same server and database, another user (and password)."""
    parts = urlsplit(plain_url(url))
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port else ""
    secret = f":{quote(password, safe='')}" if password else ""
    netloc = f"{quote(user, safe='')}{secret}@{host}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def ensure_app_role(admin_url: str, role: str, password: str) -> None:
    """The app's role: may log in, owns what it creates, nothing else."""
    with psycopg.connect(plain_url(admin_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL(
                "{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                "NOBYPASSRLS PASSWORD {}"
            ).format(sql.SQL(verb), sql.Identifier(role), sql.Literal(password))
        )


def create_app_database(
    admin_url: str, name: str, *, owner: str, template: str | None = None
) -> None:
    """A database owned by the app's role, with PostGIS (which only a superuser can add)."""
    with psycopg.connect(with_database(admin_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            statement = sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
            if template:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(statement)
    with psycopg.connect(with_database(admin_url, name), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


# Objects the admin created before the app had a role of its own (a cluster set up by an
# earlier gridgis); members of an extension stay with the extension's owner.
_HAND_OVER = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN
        SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END
               AS kind, format('%I.%I', n.nspname, c.relname) AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
          -- a serial's sequence follows its table
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                   WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT 'FUNCTION', p.oid::regprocedure::text
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I', item.kind, item.name, '{owner}');
    END LOOP;
END $$
"""


def hand_over(admin_url: str, database: str, owner: str) -> None:
    """Give a database and its tables, sequences and functions to the app's role."""
    with psycopg.connect(with_database(admin_url, database), autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(database), sql.Identifier(owner)
            )
        )
        conn.execute(_HAND_OVER.replace("{owner}", owner.replace("'", "''")).encode())
