"""Staff accounts and their sign-in sessions.

Passwords are kept as argon2id hashes (argon2-cffi), never in clear; a session is a random
id in an HttpOnly cookie, of which only a SHA-256 hash is stored, with a CSRF token the
pages send back on every write. Failed sign-ins lock an account for a while."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from layers.areas import communities_below
from layers.db import Connection, fetchone, fetchval
from layers.tokens import REVOKED_CHANNEL, ROLES, Staff

_HASHER = PasswordHasher()  # argon2id with the library's current parameters
# Verifying against this when there is no such account takes as long as a real check, so
# answer times do not tell which names exist.
_DUMMY_HASH = _HASHER.hash("no account has this password")
MIN_PASSWORD = 10
LOCK_AFTER = 5  # failed sign-ins in a row
LOCK_MINUTES = 15


class AccountError(ValueError):
    """An account request that cannot be honoured; the message says why."""


class Locked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many failed sign-ins: locked until {until:%H:%M} UTC")
        self.until = until


@dataclass(frozen=True)
class SignedIn:
    session_id: str  # for the cookie; only its hash is stored
    csrf: str
    staff: Staff


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD or len(password) > 200:
        raise AccountError(f"a password needs {MIN_PASSWORD} to 200 characters")
    return _HASHER.hash(password)


def _password_ok(stored: str, given: str) -> bool:
    try:
        return bool(_HASHER.verify(stored, given))
    except (VerificationError, InvalidHashError):
        return False


def _session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def staff_of_account(
    conn: Connection, account_id: int, name: str, role: str, scope_code: str
) -> Staff:
    communities = await communities_below(conn, area_code=scope_code)
    return Staff(
        token_id=None,
        role=role,
        scope_code=scope_code,
        communities=communities or (),
        account_id=account_id,
        name=name,
    )


async def sign_in(conn: Connection, *, name: str, password: str, hours: float) -> SignedIn | None:
    """A new session for the right name and password; None when wrong (the failure is
    counted); Locked while the account is locked."""
    row = await fetchone(
        conn,
        "SELECT id, password_hash, role, scope_code, locked_until, "
        "locked_until IS NOT NULL AND locked_until > now() "
        "FROM accounts WHERE name = %s AND active",
        (name,),
    )
    if row is None:
        await asyncio.to_thread(_password_ok, _DUMMY_HASH, password)
        return None
    account_id, stored, role, scope_code, locked_until, locked = row
    if locked:
        raise Locked(locked_until)
    # argon2 is slow on purpose (tens of milliseconds): off the event loop.
    if not await asyncio.to_thread(_password_ok, stored, password):
        await conn.execute(
            "UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1, locked_until = CASE "
            "WHEN failed_sign_ins + 1 >= %s THEN now() + make_interval(mins => %s) END "
            "WHERE id = %s",
            (LOCK_AFTER, LOCK_MINUTES, account_id),
        )
        return None
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    async with conn.transaction():
        await conn.execute(
            "UPDATE accounts SET failed_sign_ins = 0, locked_until = NULL WHERE id = %s",
            (account_id,),
        )
        await conn.execute(
            "INSERT INTO sessions (id_hash, account_id, csrf, expires_at) "
            "VALUES (%s, %s, %s, now() + %s)",
            (_session_hash(session_id), account_id, csrf, timedelta(hours=hours)),
        )
        await conn.execute("DELETE FROM sessions WHERE expires_at < now()")
    staff = await staff_of_account(conn, int(account_id), name, str(role), str(scope_code))
    return SignedIn(session_id, csrf, staff)


async def session_staff(conn: Connection, session_id: str) -> tuple[Staff, str] | None:
    """The staff member of a live session and its CSRF token."""
    row = await fetchone(
        conn,
        "SELECT a.id, a.name, a.role, a.scope_code, s.csrf, s.expires_at FROM sessions s "
        "JOIN accounts a ON a.id = s.account_id "
        "WHERE s.id_hash = %s AND s.expires_at > now() AND a.active",
        (_session_hash(session_id),),
    )
    if row is None:
        return None
    account_id, name, role, scope_code, csrf, expires_at = row
    staff = await staff_of_account(conn, int(account_id), str(name), str(role), str(scope_code))
    return Staff(**{**staff.__dict__, "expires_at": expires_at}), str(csrf)


async def sign_out(conn: Connection, session_id: str) -> None:
    key = _session_hash(session_id)
    await conn.execute("DELETE FROM sessions WHERE id_hash = %s", (key,))
    await conn.execute("SELECT pg_notify(%s, %s)", (REVOKED_CHANNEL, "session:" + key))


def session_key(session_id: str) -> str:
    """The cache key of a session (its hash, as stored and as announced at sign-out)."""
    return "session:" + _session_hash(session_id)


# --- managing accounts ------------------------------------------------------------------

_ACCOUNT_JSON = """
SELECT coalesce(json_agg(json_build_object(
    'id', a.id, 'name', a.name, 'display_name', a.display_name, 'role', a.role,
    'scope_code', a.scope_code, 'active', a.active, 'created_at', a.created_at,
    'locked', coalesce(a.locked_until > now(), false),
    'sessions', (SELECT count(*) FROM sessions s WHERE s.account_id = a.id
                 AND s.expires_at > now())) ORDER BY a.name), '[]')::text
FROM accounts a WHERE a.scope_code = ANY(%s)
"""


async def create_account(
    conn: Connection,
    *,
    name: str,
    password: str,
    role: str,
    scope_code: str,
    display_name: str = "",
    created_by: int | None = None,
) -> int:
    check_role(role)
    if not await fetchval(conn, "SELECT 1 FROM areas WHERE code = %s", (scope_code,)):
        raise AccountError(f"no area with code '{scope_code}'")
    try:
        account_id = await fetchval(
            conn,
            "INSERT INTO accounts (name, display_name, password_hash, role, scope_code, "
            "created_by) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (name, display_name, hash_password(password), role, scope_code, created_by),
        )
    except psycopg.errors.UniqueViolation as error:
        raise AccountError(f"an account named '{name}' exists already") from error
    except psycopg.errors.CheckViolation as error:
        raise AccountError(
            "a name has 2 to 64 letters, digits or . _ @ -, no spaces; a display name at "
            "most 100 characters"
        ) from error
    return int(account_id)


async def accounts_json(conn: Connection, *, areas: tuple[str, ...]) -> str:
    """The accounts scoped to these area codes, as a JSON array (no password hashes)."""
    return str(await fetchval(conn, _ACCOUNT_JSON, (list(areas),)))


async def account_scope(conn: Connection, account_id: int) -> str | None:
    value = await fetchval(conn, "SELECT scope_code FROM accounts WHERE id = %s", (account_id,))
    return str(value) if value is not None else None


async def update_account(
    conn: Connection,
    account_id: int,
    *,
    active: bool | None = None,
    role: str | None = None,
    scope_code: str | None = None,
    password: str | None = None,
    display_name: str | None = None,
) -> None:
    """Change what is given. A new password, role, scope or a disabled account ends the
    account's sessions: whoever was signed in signs in again under the new terms."""
    if role is not None:
        check_role(role)
    new_hash = hash_password(password) if password is not None else None
    async with conn.transaction():
        await conn.execute(
            "UPDATE accounts SET active = coalesce(%s, active), role = coalesce(%s, role), "
            "scope_code = coalesce(%s, scope_code), display_name = coalesce(%s, display_name), "
            "password_hash = coalesce(%s, password_hash), password_changed_at = CASE WHEN "
            "%s::text IS NULL THEN password_changed_at ELSE now() END, failed_sign_ins = 0, "
            "locked_until = NULL WHERE id = %s",
            (active, role, scope_code, display_name, new_hash, new_hash, account_id),
        )
        if active is False or role or scope_code or new_hash:
            await end_sessions(conn, account_id)


async def end_sessions(conn: Connection, account_id: int) -> None:
    """Delete the account's sessions and tell every worker to forget them."""
    await conn.execute("DELETE FROM sessions WHERE account_id = %s", (account_id,))
    await conn.execute("SELECT pg_notify(%s, %s)", (REVOKED_CHANNEL, f"account:{account_id}"))


def check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role '{role}' is not one of: {', '.join(ROLES)}")
