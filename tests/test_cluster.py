"""The embedded PostGIS on a shared machine: its own throw-away cluster here, made in an
owner-only folder as a root user's home would be. No other OS user gets in; the app's role
is no superuser; a restarted database keeps its address and a running API recovers by
itself, answering 503 (never 500) while it is away."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from layers import cluster, migrate
from tests.live import served

OUTSIDER = "nobody"


@pytest.fixture(scope="module")
def private_cluster(tmp_path_factory) -> Iterator[cluster.ClusterStatus]:  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("home")
    home.chmod(0o700)  # like /root: only its owner may enter
    state = home / "project" / ".gridgis"
    status = cluster.up(state_dir=state)
    try:
        yield status
    finally:
        cluster.down(state_dir=state)
        if status.data_dir.parent != state.resolve():
            shutil.rmtree(status.data_dir.parent, ignore_errors=True)


def _as_outsider(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", OUTSIDER, "--", *args], capture_output=True, text=True, check=False
    )


def test_a_project_in_an_owner_only_folder_gets_a_database(private_cluster):
    status = private_cluster
    assert status.running
    if os.geteuid() == 0:  # the postgres user cannot enter the folder: data kept elsewhere
        assert status.data_dir.parent.parent == cluster.SHARED_ROOT
        assert oct(status.data_dir.parent.stat().st_mode)[-3:] == "700"
    with psycopg.connect(status.url()) as conn:
        assert conn.execute("SELECT postgis_version()").fetchone()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another OS user")
def test_another_os_user_can_neither_connect_nor_read_the_passwords(private_cluster):
    status = private_cluster
    for user in (cluster.APP, cluster.ADMIN):
        password = status.state_dir / f"{user}.password"
        assert oct(password.stat().st_mode)[-3:] == "600"
        assert _as_outsider("cat", str(password)).returncode != 0
        psql = _as_outsider(
            "psql", "-w", "-h", "127.0.0.1", "-p", str(status.port), "-U", user, "-d", "postgres",
            "-c", "SELECT 1",
        )  # fmt: skip
        assert psql.returncode != 0 and "password" in psql.stderr


def test_the_app_role_owns_its_tables_and_nothing_more(private_cluster):
    url = private_cluster.url()
    migrate.upgrade(url)  # migrations run as the owner: the app's role
    with psycopg.connect(url, autocommit=True) as conn:
        super_, create_role, create_db = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()  # type: ignore[misc]
        assert (super_, create_role, create_db) == (False, False, False)
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'households'")
        assert owner.fetchone() == (cluster.APP,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("COPY (SELECT 1) TO PROGRAM 'id'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT pg_read_file('/etc/passwd')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE ROLE intruder SUPERUSER")


def _load(base: str, stop: threading.Event, seen: Counter[str]) -> None:
    with httpx.Client(base_url=base, timeout=10) as http:
        while not stop.is_set():
            try:
                answer = http.get("/collections/grids/items?limit=1")
            except httpx.TransportError:
                seen["connection error"] += 1
                continue
            kind = answer.headers.get("content-type", "")
            seen[f"{answer.status_code} {kind.split(';')[0]}"] += 1
            if answer.status_code == 503:
                assert answer.headers.get("retry-after")
            time.sleep(0.02)


def test_a_restarted_database_keeps_its_address_and_the_api_recovers(private_cluster):
    state: Path = private_cluster.state_dir
    url = private_cluster.url()
    migrate.upgrade(url)
    with served(url) as base:
        seen: Counter[str] = Counter()
        stop = threading.Event()
        load = threading.Thread(target=_load, args=(base, stop, seen))
        load.start()
        try:
            time.sleep(1)
            before = sum(n for kind, n in seen.items() if kind.startswith("200"))
            port = cluster.down(state_dir=state).port
            time.sleep(2)  # requests while the database is away
            away = Counter(seen)
            restarted = cluster.up(state_dir=state)
            assert restarted.port == port  # the same address
            deadline = time.monotonic() + 20
            recovered = False
            while time.monotonic() < deadline and not recovered:
                time.sleep(0.5)
                recovered = seen["200 application/geo+json"] > away["200 application/geo+json"]
        finally:
            stop.set()
            load.join()
    assert before > 0 and recovered, seen
    assert away["503 application/problem+json"] > 0, away  # said so while away
    assert not [kind for kind in seen if kind.startswith("5") and not kind.startswith("503")]
    assert seen["connection error"] == 0, seen
