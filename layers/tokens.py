"""Staff tokens. Only a SHA-256 hash is stored, so a leaked database does not leak tokens;
a token carries a role and a jurisdiction: an area code and everything below it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import psycopg

from layers.areas import communities_below
from layers.db import Connection, fetchone

# Revocations are announced on this channel (in the revoking transaction), so every API
# worker drops the token from its cache at once.
REVOKED_CHANNEL = "gridgis_token_revoked"

ROLES = ("dispatcher", "planner", "admin")


class TokenError(ValueError):
    """A token request that cannot be honoured (unknown role or area)."""


@dataclass(frozen=True)
class Staff:
    token_id: int
    role: str
    scope_code: str
    communities: tuple[str, ...]  # the jurisdiction, as community and village codes


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn: psycopg.Connection, *, role: str, scope_code: str, label: str | None) -> str:
    """A new random token; it is shown once and only its hash is kept."""
    if role not in ROLES:
        raise TokenError(f"role '{role}' is not one of: {', '.join(ROLES)}")
    if not conn.execute("SELECT 1 FROM areas WHERE code = %s", (scope_code,)).fetchone():
        raise TokenError(f"no area with code '{scope_code}' to scope the token to")
    token = "gg_" + secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO tokens (token_hash, role, scope_code, label) VALUES (%s, %s, %s, %s)",
        (hash_token(token), role, scope_code, label),
    )
    return token


def revoke_token(conn: psycopg.Connection, *, token_id: int) -> bool:
    row = conn.execute(
        "UPDATE tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL RETURNING id",
        (token_id,),
    ).fetchone()
    if row is not None:
        conn.execute("SELECT pg_notify(%s, %s)", (REVOKED_CHANNEL, str(token_id)))
    return row is not None


def list_tokens(conn: psycopg.Connection) -> list[tuple[int, str, str, str | None, str, bool]]:
    rows = conn.execute(
        "SELECT id, role, scope_code, label, to_char(created_at, 'YYYY-MM-DD HH24:MI'), "
        "revoked_at IS NOT NULL FROM tokens ORDER BY id"
    ).fetchall()
    return [(int(r[0]), r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]


async def staff_for(conn: Connection, token_hash: str) -> Staff | None:
    """The staff member behind a token's hash, or None for an unknown or revoked token."""
    row = await fetchone(
        conn,
        "SELECT id, role, scope_code FROM tokens WHERE token_hash = %s AND revoked_at IS NULL",
        (token_hash,),
    )
    if row is None:
        return None
    token_id, role, scope_code = row
    communities = await communities_below(conn, area_code=str(scope_code))
    return Staff(
        token_id=int(token_id),
        role=str(role),
        scope_code=str(scope_code),
        communities=communities or (),
    )
