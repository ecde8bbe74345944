"""The benchmarks' databases: on DATABASE_URL's server (as its user), else in the embedded
PostGIS, owned by the app's role as the app's own database is (the admin adds PostGIS)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import psycopg

from layers import cluster, roles
from layers.db import with_database

ROOT = Path(__file__).resolve().parent.parent


def bench_database(name: str, *, reload: bool = False) -> str:
    """The URL of database `name`, created when missing (dropped first with `reload`)."""
    if os.environ.get("DATABASE_URL"):
        admin = app = with_database(os.environ["DATABASE_URL"], "postgres")
        owner = psycopg.conninfo.conninfo_to_dict(admin).get("user")
    else:
        state = cluster.up(state_dir=Path(os.environ.get("GRIDGIS_STATE_DIR", ROOT / ".gridgis")))
        admin, app, owner = state.admin_url(), state.url("postgres"), cluster.APP
    if reload:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    roles.create_app_database(admin, name, owner=str(owner))
    if owner != psycopg.conninfo.conninfo_to_dict(admin).get("user"):
        roles.hand_over(admin, name, str(owner))  # a database made before the app's role
    return with_database(app, name)


def app_for(url: str, **settings: Any) -> Any:
    """The API app on `url`, built in this process (for TestClient benchmarks)."""
    # This folder holds a script named api.py that would shadow the `api` package.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    from api.app import create_app
    from api.settings import Settings

    return create_app(Settings(database_url=url, **settings))
