"""The deployment files: compose runs PostGIS and the API, the API waits for a healthy
database and reaches it by its service name."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_waits_for_a_healthy_postgis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, api = compose["services"]["db"], compose["services"]["api"]
    assert db["image"].startswith("postgis/postgis:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert api["environment"]["DATABASE_URL"].startswith("postgresql://gridgis_app:")
    assert "@db:5432/gridgis" in api["environment"]["DATABASE_URL"]
    assert api["build"] == "."
    assert "pgdata" in compose["volumes"]


def _config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose is missing: `make test` installs Debian's"
    clean = {k: v for k, v in os.environ.items() if "PASSWORD" not in k}
    return subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        check=False,
        env={**clean, **env},
    )


def test_compose_needs_real_passwords_and_connects_as_the_app_role():
    refused = _config({})
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr
    passwords = {"POSTGRES_PASSWORD": "s3cret-admin", "GRIDGIS_DB_PASSWORD": "s3cret-app"}
    config = _config(passwords)
    assert config.returncode == 0, config.stderr
    resolved = yaml.safe_load(config.stdout)
    url = resolved["services"]["api"]["environment"]["DATABASE_URL"]
    assert url == "postgresql://gridgis_app:s3cret-app@db:5432/gridgis"
    assert "s3cret-admin" not in str(resolved["services"]["api"])  # the app never gets it


def test_the_database_init_script_makes_a_least_privileged_owner():
    script = (ROOT / "deploy/initdb/10-gridgis.sh").read_text()
    assert "NOSUPERUSER" in script and "OWNER gridgis_app" in script
    assert "CREATE EXTENSION IF NOT EXISTS postgis" in script


def test_the_image_serves_the_installed_command():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gridgis", "serve"]' in dockerfile
    assert "USER gridgis" in dockerfile  # not root
    for package in ("gis", "layers", "api", "maps", "data"):
        assert f"COPY {package} {package}" in dockerfile
