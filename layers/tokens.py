"""Staff tokens. Only a SHA-256 hash is stored, so a leaked database does not leak tokens;
a token carries a role and a jurisdiction: an area code and everything below it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import psycopg

from layers.areas import communities_below
from layers.db import Connection, fetchone

# Revocations are announced on this channel (in the revoking transaction), so every API
# worker drops the token from its cache at once.
REVOKED_CHANNEL = "gridgis_token_revoked"

ROLES = ("dispatcher", "planner", "admin")


class TokenError(ValueError):
    """A token request that cannot be honoured (unknown role or area)."""


DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Staff:
    """Who acts: a token (API clients) or a signed-in account (the pages)."""

    token_id: int | None
    role: str
    scope_code: str
    communities: tuple[str, ...]  # the jurisdiction, as community and village codes
    account_id: int | None = None
    name: str = ""  # the account's name, or the token's label
    expires_at: datetime | None = None

    @property
    def actor(self) -> str:
        """How records name who acted: "account:li.na" or "token:12"."""
        if self.account_id is not None:
            return f"account:{self.name}"
        return f"token:{self.token_id}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    conn: psycopg.Connection,
    *,
    role: str,
    scope_code: str,
    label: str | None,
    days: int = DEFAULT_DAYS,
) -> str:
    """A new random token valid for `days`; it is shown once and only its hash is kept."""
    if role not in ROLES:
        raise TokenError(f"role '{role}' is not one of: {', '.join(ROLES)}")
    if not 1 <= days <= 3660:
        raise TokenError(f"a token lives 1 to 3660 days, not {days}")
    if not conn.execute("SELECT 1 FROM areas WHERE code = %s", (scope_code,)).fetchone():
        raise TokenError(f"no area with code '{scope_code}' to scope the token to")
    token = "gg_" + secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO tokens (token_hash, role, scope_code, label, expires_at) "
        "VALUES (%s, %s, %s, %s, now() + make_interval(days => %s))",
        (hash_token(token), role, scope_code, label, days),
    )
    return token


def rotate_token(conn: psycopg.Connection, *, token_id: int, days: int = DEFAULT_DAYS) -> str:
    """A new token with the old one's role, jurisdiction and label; the old one is revoked
    in the same transaction (so a leaked token is replaced in one step)."""
    row = conn.execute(
        "SELECT role, scope_code, label FROM tokens WHERE id = %s AND revoked_at IS NULL",
        (token_id,),
    ).fetchone()
    if row is None:
        raise TokenError(f"no active token with id {token_id}")
    token = create_token(conn, role=row[0], scope_code=row[1], label=row[2], days=days)
    conn.execute(
        "UPDATE tokens SET rotated_to = (SELECT id FROM tokens WHERE token_hash = %s) "
        "WHERE id = %s",
        (hash_token(token), token_id),
    )
    revoke_token(conn, token_id=token_id)
    return token


def revoke_token(conn: psycopg.Connection, *, token_id: int) -> bool:
    row = conn.execute(
        "UPDATE tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL RETURNING id",
        (token_id,),
    ).fetchone()
    if row is not None:
        conn.execute("SELECT pg_notify(%s, %s)", (REVOKED_CHANNEL, str(token_id)))
    return row is not None


def list_tokens(conn: psycopg.Connection) -> list[tuple[object, ...]]:
    """id, role, scope, label, created, expires, state (active / expired / revoked)."""
    return conn.execute(
        "SELECT id, role, scope_code, label, to_char(created_at, 'YYYY-MM-DD HH24:MI'), "
        "to_char(expires_at, 'YYYY-MM-DD'), CASE WHEN revoked_at IS NOT NULL THEN 'revoked' "
        "WHEN expires_at <= now() THEN 'expired' ELSE 'active' END FROM tokens ORDER BY id"
    ).fetchall()


async def staff_for(conn: Connection, token_hash: str) -> Staff | None:
    """The staff member behind a token's hash, or None for an unknown, expired or revoked
    token."""
    row = await fetchone(
        conn,
        "SELECT id, role, scope_code, coalesce(label, ''), expires_at FROM tokens "
        "WHERE token_hash = %s AND revoked_at IS NULL AND expires_at > now()",
        (token_hash,),
    )
    if row is None:
        return None
    token_id, role, scope_code, label, expires_at = row
    communities = await communities_below(conn, area_code=str(scope_code))
    return Staff(
        token_id=int(token_id),
        role=str(role),
        scope_code=str(scope_code),
        communities=communities or (),
        name=str(label),
        expires_at=expires_at,
    )
