"""Staff sign in on the pages with an account: an HttpOnly session cookie, a CSRF token on
every write, failed sign-ins limited; admins manage accounts in their jurisdiction; every
staff read of personal data and every write leaves an append-only record."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.settings import Settings
from layers.db import connect

DISTRICT = "360190"
COMMUNITY = "360190001001"
PASSWORD = "correct horse battery"


def _account(name: str, role: str, scope: str, password: str = PASSWORD) -> None:
    result = CliRunner().invoke(
        cli,
        ["account", "create", "--name", name, "--role", role, "--scope", scope,
         "--password-stdin"],
        input=password + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


@pytest.fixture
def site(demo_db, monkeypatch) -> Iterator[tuple[TestClient, str]]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", demo_db)
    _account("planner.li", "planner", COMMUNITY)
    _account("admin.wang", "admin", DISTRICT)
    with TestClient(create_app(Settings(database_url=demo_db))) as client:
        yield client, demo_db


def _sign_in(client: TestClient, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/auth/sign-in", json={"name": name, "password": password})


def _rows(url: str, sql: str, params: object = None) -> list[tuple]:  # type: ignore[type-arg]
    with connect(url) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def test_a_session_cookie_signs_a_planner_in_and_writes_need_its_csrf_token(site):
    client, _ = site
    assert _sign_in(client, "planner.li", "wrong password!").status_code == 401
    signed = _sign_in(client, "planner.li")
    assert signed.status_code == 200
    cookie = signed.headers["set-cookie"]
    assert "gridgis_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain http here; Secure over https
    me = client.get("/auth/me").json()
    assert me["role"] == "planner" and me["name"] == "planner.li"
    assert me["csrf"] == signed.json()["csrf"] and me["communities"] == [COMMUNITY]
    households = client.get("/collections/households/items?limit=3")
    assert households.status_code == 200 and households.headers["cache-control"] == "no-store"

    run = {"community": COMMUNITY}
    refused = client.post("/assignments/run", json=run)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    forged = client.post("/assignments/run", json=run, headers={"X-CSRF-Token": "guess"})
    assert forged.status_code == 403
    done = client.post("/assignments/run", json=run, headers={"X-CSRF-Token": me["csrf"]})
    assert done.status_code == 200

    out = client.post("/auth/sign-out", headers={"X-CSRF-Token": me["csrf"]})
    assert out.status_code == 200
    client.cookies.set("gridgis_session", cookie.split("gridgis_session=")[1].split(";")[0])
    assert client.get("/auth/me").status_code == 401  # the old cookie is dead: said so


def test_failed_sign_ins_lock_the_account_and_are_limited_per_address(demo_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_db)
    _account("dispatcher.zhao", "dispatcher", COMMUNITY)
    settings = Settings(database_url=demo_db, sign_in_per_minute=8)
    with TestClient(create_app(settings)) as client:
        answers = [_sign_in(client, "dispatcher.zhao", f"wrong {n}").status_code for n in range(5)]
        assert answers == [401] * 5
        locked = _sign_in(client, "dispatcher.zhao")  # the right password, but locked now
        assert locked.status_code == 429 and "locked" in locked.json()["detail"]
        assert int(locked.headers["retry-after"]) > 0
        # the address itself has used its 8 attempts a minute
        for _ in range(2):
            _sign_in(client, "nobody", "whatever password")
        limited = _sign_in(client, "nobody", "whatever password")
        assert limited.status_code == 429 and "your address" in limited.json()["detail"]


def test_admins_manage_accounts_in_their_jurisdiction(site):
    client, _ = site
    assert _sign_in(client, "planner.li").status_code == 200
    csrf = client.get("/auth/me").json()["csrf"]
    assert client.get("/accounts").status_code == 403  # a planner is not an admin
    client.post("/auth/sign-out", headers={"X-CSRF-Token": csrf})

    admin = TestClient(client.app)
    assert _sign_in(admin, "admin.wang").status_code == 200
    csrf = admin.get("/auth/me").json()["csrf"]
    names = {a["name"] for a in admin.get("/accounts").json()}
    assert {"planner.li", "admin.wang"} <= names
    assert all("password" not in key for a in admin.get("/accounts").json() for key in a)
    new = {"name": "zhang.san", "password": "long enough pw", "role": "dispatcher",
           "scope_code": COMMUNITY}  # fmt: skip
    created = admin.post("/accounts", json=new, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    elsewhere = admin.post(
        "/accounts", json={**new, "name": "li.si", "scope_code": "999999"},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert elsewhere.status_code == 404

    zhang = TestClient(client.app)
    assert _sign_in(zhang, "zhang.san", "long enough pw").status_code == 200
    assert zhang.get("/auth/me").status_code == 200
    disabled = admin.patch(
        f"/accounts/{created.json()['id']}", json={"active": False}, headers={"X-CSRF-Token": csrf}
    )
    assert disabled.status_code == 200
    assert zhang.get("/auth/me").status_code == 401  # the session ended at once
    assert _sign_in(zhang, "zhang.san", "long enough pw").status_code == 401


def test_reads_of_personal_data_and_writes_are_recorded_append_only(site):
    client, url = site
    assert _sign_in(client, "planner.li").status_code == 200
    page = client.get("/collections/households/items?limit=7").json()
    assert page["numberReturned"] == 7
    csrf = client.get("/auth/me").json()["csrf"]
    client.post("/assignments/run", json={"community": COMMUNITY}, headers={"X-CSRF-Token": csrf})
    records = _rows(
        url,
        "SELECT actor, role, scope_code, action, target, rows FROM audit_log ORDER BY id",
    )
    assert ("account:planner.li", "planner", COMMUNITY, "sign_in", "/auth/sign-in", 0) in records
    assert (
        "account:planner.li", "planner", COMMUNITY, "read", "/collections/households/items", 7
    ) in records  # fmt: skip
    writes = [r for r in records if r[3] == "write"]
    assert writes and writes[-1][4] == "/assignments/run" and writes[-1][5] > 0

    admin = TestClient(client.app)
    _sign_in(admin, "admin.wang")
    listed = admin.get("/audit?action=read").json()
    assert any(r["target"] == "/collections/households/items" and r["rows"] == 7 for r in listed)
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        _rows(url, "DELETE FROM audit_log RETURNING id")
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        _rows(url, "UPDATE audit_log SET rows = 0 RETURNING id")
