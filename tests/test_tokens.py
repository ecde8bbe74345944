"""Staff tokens as the API sees them: the cache is bounded in size and age, keeps no unknown
token, and a revocation (from the command line, another process) takes effect at once."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.auth import Identity, TokenCache
from api.cli import app as cli
from api.settings import Settings
from layers.db import connect
from layers.tokens import Staff, create_token

STAFF = Staff(token_id=1, role="dispatcher", scope_code="X", communities=("X",))
ME = Identity(STAFF)


def test_the_cache_forgets_the_least_recently_used_beyond_its_size():
    cache = TokenCache(max_size=2, ttl=60)
    for key in ("a", "b"):
        cache.put(key, ME)
    assert cache.get("a") == ME  # "a" is now the most recent
    cache.put("c", ME)
    assert len(cache) == 2
    assert cache.get("b") is None and cache.get("a") == ME and cache.get("c") == ME


def test_the_cache_forgets_after_its_time():
    cache = TokenCache(max_size=10, ttl=0.05)
    cache.put("a", ME)
    assert cache.get("a") == ME
    time.sleep(0.06)
    assert cache.get("a") is None and len(cache) == 0


def test_the_cache_never_keeps_an_identity_past_its_expiry():
    soon = datetime.now(UTC) + timedelta(seconds=0.05)
    cache = TokenCache(max_size=10, ttl=60)
    cache.put("a", Identity(replace(STAFF, expires_at=soon)))
    assert cache.get("a") is not None
    time.sleep(0.06)
    assert cache.get("a") is None


def test_the_cache_drops_what_a_revocation_names():
    cache = TokenCache()
    cache.put("a", ME)
    cache.put("b", Identity(Staff(token_id=2, role="admin", scope_code="X", communities=())))
    cache.put("session:abc", Identity(replace(STAFF, token_id=None, account_id=7), csrf="c"))
    cache.put("session:def", Identity(replace(STAFF, token_id=None, account_id=8), csrf="d"))
    cache.drop("1")
    assert cache.get("a") is None and cache.get("b") is not None
    cache.drop("account:7")
    assert cache.get("session:abc") is None and cache.get("session:def") is not None
    cache.drop("session:def")
    assert cache.get("session:def") is None and len(cache) == 1


def _until(check, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def served(demo_db, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", demo_db)
    with connect(demo_db) as conn:
        token = create_token(conn, role="dispatcher", scope_code="360190", label="test")
        token_id = conn.execute("SELECT max(id) FROM tokens").fetchone()[0]  # type: ignore[index]
        conn.commit()
    app = create_app(Settings(database_url=demo_db))
    with TestClient(app) as client:
        yield client, app, token, token_id


def test_unknown_tokens_are_refused_and_never_cached(served):
    client, app, _, _ = served
    for n in range(50):
        answer = client.get(
            "/members/nearest?lon=116&lat=28.7", headers={"Authorization": f"Bearer guess{n}"}
        )
        assert answer.status_code == 401
    assert len(app.state.token_cache) == 0


def test_a_revoked_token_stops_working_at_once(served):
    client, app, token, token_id = served
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/members/nearest?lon=116&lat=28.7", headers=headers).status_code == 200
    assert len(app.state.token_cache) == 1
    result = CliRunner().invoke(cli, ["token", "revoke", str(token_id)])
    assert result.exit_code == 0, result.output
    # The revoking process announces it; the app's listener drops the cached token.
    assert _until(lambda: len(app.state.token_cache) == 0)
    assert client.get("/members/nearest?lon=116&lat=28.7", headers=headers).status_code == 401


def test_staff_learn_their_role_and_jurisdiction(served):
    client, _, token, _ = served
    assert client.get("/auth/me").json() == {"signed_in": False}
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "dispatcher" and me["scope_code"] == "360190"
    assert me["can_edit_grids"] is False
    assert len(me["communities"]) >= 10 and all(c.startswith("360190") for c in me["communities"])
