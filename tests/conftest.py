"""A real PostGIS for the tests: the server in DATABASE_URL, else the embedded cluster.
Each test module gets throw-away databases copied from migrated templates (CREATE DATABASE
... TEMPLATE is a file copy, much faster than migrating and loading again)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from layers import cluster, migrate, roles
from layers.db import connect, with_database
from layers.loading import load_layers

ROOT = Path(__file__).resolve().parent.parent
DEMO_HOUSEHOLDS = 20_000
DEMO_SEED = 20261125


TEST_APP_ROLE = "gridgis_test_app"


def _server() -> tuple[str, str]:
    """The admin's URL (to create databases) and the app's (its role, least privileged)."""
    if os.environ.get("DATABASE_URL"):
        admin = with_database(os.environ["DATABASE_URL"], "postgres")
        password = roles.new_password()
        try:
            roles.ensure_app_role(admin, TEST_APP_ROLE, password)
        except psycopg.errors.InsufficientPrivilege:
            return admin, admin  # no right to make roles: test as the given user
        return admin, roles.with_credentials(admin, TEST_APP_ROLE, password)
    state_dir = Path(os.environ.get("GRIDGIS_STATE_DIR", ROOT / ".gridgis"))
    status = cluster.up(state_dir=state_dir)
    return status.admin_url(), status.url("postgres")


class Databases:
    """Creates and drops the throw-away databases of one test session, each owned by the
    app's role (as the app's own database is), with PostGIS added by the admin."""

    def __init__(self, admin_url: str, app_url: str) -> None:
        self.admin_url = admin_url
        self.app_url = app_url
        self.owner = psycopg.conninfo.conninfo_to_dict(app_url)["user"]
        self.prefix = f"gridgis_test_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []

    def create(self, *, template: str | None = None) -> str:
        name = f"{self.prefix}_{len(self.created)}"
        roles.create_app_database(self.admin_url, name, owner=str(self.owner), template=template)
        self.created.append(name)
        return name

    def url(self, name: str) -> str:
        return with_database(self.app_url, name)

    def drop_all(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in reversed(self.created):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def databases() -> Iterator[Databases]:
    made = Databases(*_server())
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def schema_template(databases: Databases) -> str:
    name = databases.create()
    migrate.upgrade(databases.url(name))
    return name


@pytest.fixture(scope="session")
def demo_data():  # type: ignore[no-untyped-def]
    from data.generate import generate

    return generate(households=DEMO_HOUSEHOLDS, seed=DEMO_SEED)


@pytest.fixture(scope="session")
def demo_template(databases: Databases, schema_template: str, demo_data) -> str:  # type: ignore[no-untyped-def]
    name = databases.create(template=schema_template)
    with connect(databases.url(name), autocommit=True) as conn:
        load_layers(
            conn,
            frames={
                "areas": demo_data.areas,
                "grids": demo_data.grids,
                "stations": demo_data.stations,
                "households": demo_data.households,
                "members": demo_data.members,
                "ways": demo_data.ways,
                "land": demo_data.land,
            },
        )
    return name


@pytest.fixture
def empty_db(databases: Databases, schema_template: str) -> str:
    """URL of a fresh, migrated, empty database."""
    return databases.url(databases.create(template=schema_template))


@pytest.fixture
def demo_db(databases: Databases, demo_template: str) -> str:
    """URL of a fresh copy of the loaded demo (safe to change)."""
    return databases.url(databases.create(template=demo_template))


@pytest.fixture(scope="session")
def demo_url(databases: Databases, demo_template: str) -> str:
    """URL of a shared copy of the demo, for tests that only read."""
    return databases.url(databases.create(template=demo_template))
