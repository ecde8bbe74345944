"""The deployment files: compose runs PostGIS and the API, the API waits for a healthy
database and reaches it by its service name."""

from __future__ import annotations

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
    assert "@db:5432/" in api["environment"]["DATABASE_URL"]
    assert api["build"] == "."
    assert "pgdata" in compose["volumes"]


def test_compose_config_passes_where_docker_compose_is_installed():
    tool = shutil.which("docker-compose")
    if tool is None:
        return  # the structural test above still ran; `docker compose` is not on every machine
    result = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_image_serves_the_installed_command():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gridgis", "serve"]' in dockerfile
    assert "USER gridgis" in dockerfile  # not root
    for package in ("gis", "layers", "api", "maps", "data"):
        assert f"COPY {package} {package}" in dockerfile
