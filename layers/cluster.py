"""The embedded PostGIS: a private PostgreSQL cluster under a git-ignored state folder.

Used when no DATABASE_URL is given, so a fresh clone needs no database set-up. The cluster
listens on a free loopback port (no unix socket: state paths can exceed the socket path
limit). initdb and postgres refuse to run as root, so as root every server command runs as
the unprivileged `postgres` OS user, who owns the state folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

PG_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "gridgis"
DATABASE = "gridgis"
SERVER_USER = "postgres"

# Tuned for a single-user development and test cluster: bulk loads of millions of rows
# without checkpoint storms; synchronous_commit=off loses at most the last moments of work
# on a crash, never corrupts.
SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 100
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
synchronous_commit = off
jit = off
log_min_messages = warning
"""


class ClusterError(RuntimeError):
    """The embedded cluster cannot be set up, started or reached."""


@dataclass(frozen=True)
class ClusterStatus:
    running: bool
    initialised: bool
    port: int | None
    data_dir: Path

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"


def pg_bin_dir() -> Path:
    """The server binaries of the newest PostgreSQL that has PostGIS (Debian keeps them
    outside PATH, one folder per major version)."""
    configured = os.environ.get("GRIDGIS_PG_BIN")
    if configured:
        return Path(configured)
    versions = sorted(
        (p for p in PG_ROOT.glob("*") if p.name.isdigit()), key=lambda p: int(p.name), reverse=True
    )
    for version in versions:
        postgis = Path("/usr/share/postgresql") / version.name / "extension" / "postgis.control"
        if (version / "bin" / "initdb").exists() and postgis.exists():
            return version / "bin"
    raise ClusterError(
        f"no PostgreSQL with PostGIS under {PG_ROOT}; run `make setup`, which installs "
        "postgresql-15 and postgresql-15-postgis-3"
    )


def _run_as_server_user(args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = args
    if os.geteuid() == 0:
        command = ["runuser", "-u", SERVER_USER, "--", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise ClusterError(f"{Path(args[0]).name} failed: {result.stderr.strip() or result.stdout}")
    return result


def _paths(state_dir: Path) -> tuple[Path, Path, Path]:
    state_dir = state_dir.resolve()
    return state_dir / "pgdata", state_dir / "port", state_dir / "postgres.log"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _give_to_server_user(path: Path) -> None:
    if os.geteuid() != 0:
        return
    user = pwd.getpwnam(SERVER_USER)
    for root, dirs, files in os.walk(path):
        os.chown(root, user.pw_uid, user.pw_gid)
        for name in dirs + files:
            os.chown(Path(root) / name, user.pw_uid, user.pw_gid)


def _check_reachable(state_dir: Path) -> None:
    """The server user must be able to walk down to the state folder."""
    if os.geteuid() != 0:
        return
    probe = _run_as_server_user(["test", "-x", str(state_dir)], check=False)
    if probe.returncode != 0:
        raise ClusterError(
            f"the '{SERVER_USER}' OS user cannot reach {state_dir}; move the project to a "
            "folder every user can enter, or set GRIDGIS_STATE_DIR to one"
        )


def status(*, state_dir: Path) -> ClusterStatus:
    data_dir, port_file, _ = _paths(state_dir)
    initialised = (data_dir / "PG_VERSION").exists()
    port = int(port_file.read_text()) if port_file.exists() else None
    running = False
    if initialised:
        result = _run_as_server_user(
            [str(pg_bin_dir() / "pg_ctl"), "status", "-D", str(data_dir)], check=False
        )
        running = result.returncode == 0
    return ClusterStatus(running=running, initialised=initialised, port=port, data_dir=data_dir)


def _initialise(state_dir: Path) -> None:
    data_dir, _, _ = _paths(state_dir)
    if data_dir.exists():
        shutil.rmtree(data_dir)  # a half-made data folder from an interrupted initdb
    data_dir.mkdir(parents=True)
    _give_to_server_user(state_dir.resolve())
    _check_reachable(state_dir.resolve())
    _run_as_server_user(
        [
            str(pg_bin_dir() / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
    )
    with (data_dir / "postgresql.conf").open("a") as conf:
        conf.write(SERVER_SETTINGS)


def up(*, state_dir: Path) -> ClusterStatus:
    """Initialise (first time) and start the cluster; make sure the main database exists."""
    state_dir.mkdir(parents=True, exist_ok=True)
    current = status(state_dir=state_dir)
    if not current.initialised:
        _initialise(state_dir)
    elif current.running and current.port is not None:
        return current
    data_dir, port_file, log_file = _paths(state_dir)
    port = current.port if current.port and _port_free(current.port) else _free_port()
    port_file.write_text(str(port))
    _give_to_server_user(state_dir.resolve())
    _run_as_server_user(
        [
            str(pg_bin_dir() / "pg_ctl"),
            "start",
            "-w",
            "-t",
            "30",
            "-D",
            str(data_dir),
            "-l",
            str(log_file),
            "-o",
            f"-p {port}",
        ]
    )
    started = status(state_dir=state_dir)
    _ensure_database(started)
    return started


def down(*, state_dir: Path) -> ClusterStatus:
    current = status(state_dir=state_dir)
    if current.running:
        data_dir, _, _ = _paths(state_dir)
        _run_as_server_user(
            [str(pg_bin_dir() / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(data_dir)]
        )
    return status(state_dir=state_dir)


def _ensure_database(current: ClusterStatus) -> None:
    with psycopg.connect(current.url("postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
