"""The embedded PostGIS: a private PostgreSQL cluster, used when no DATABASE_URL is given,
so a fresh clone needs no database set-up.

Safe on a shared machine: the cluster asks every connection for a password (scram), made at
set-up and kept owner-only in the state folder; the app connects as `gridgis_app`, which owns
the `gridgis` database and nothing more, while the superuser only creates roles, databases
and PostGIS. The cluster keeps its port for life, so a restarted database is found again by
a running API. initdb and postgres refuse to run as root, so as root every server command
runs as the unprivileged `postgres` OS user; when that user cannot enter the project's
folder (a home folder, mode 700), the data lives in /var/lib/gridgis/<id>/ instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from layers import roles

PG_ROOT = Path("/usr/lib/postgresql")
SHARED_ROOT = Path("/var/lib/gridgis")
ADMIN = "gridgis"  # the cluster's superuser
APP = "gridgis_app"  # the app's role
DATABASE = "gridgis"
SERVER_USER = "postgres"

# Tuned for a single-user development and test cluster: bulk loads of millions of rows
# without checkpoint storms; synchronous_commit=off loses at most the last moments of work
# on a crash, never corrupts.
SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
password_encryption = 'scram-sha-256'
max_connections = 100
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
synchronous_commit = off
jit = off
log_min_messages = warning
"""
HBA = """# gridgis: every connection needs a password (scram-sha-256).
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
"""


class ClusterError(RuntimeError):
    """The embedded cluster cannot be set up, started or reached."""


@dataclass(frozen=True)
class ClusterStatus:
    running: bool
    initialised: bool
    port: int | None
    data_dir: Path
    state_dir: Path

    def _password(self, user: str) -> str | None:
        path = self.state_dir / f"{user}.password"
        return path.read_text().strip() if path.exists() else None

    def admin_url(self, database: str = "postgres") -> str:
        base = f"postgresql://127.0.0.1:{self.port}/{database}"
        return roles.with_credentials(base, ADMIN, self._password(ADMIN))

    def url(self, database: str = DATABASE) -> str:
        """The app's URL: its own role, not the superuser."""
        base = f"postgresql://127.0.0.1:{self.port}/{database}"
        return roles.with_credentials(base, APP, self._password(APP))


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


def _as_root() -> bool:
    return os.geteuid() == 0


def _run_as_server_user(args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = ["runuser", "-u", SERVER_USER, "--", *args] if _as_root() else args
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise ClusterError(f"{Path(args[0]).name} failed: {result.stderr.strip() or result.stdout}")
    return result


def _pg(tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return _run_as_server_user([str(pg_bin_dir() / tool), *args], check=check)


def _private(path: Path, text: str) -> None:
    """A file only its owner may read (passwords)."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)


def _give_to_server_user(path: Path) -> None:
    if not _as_root():
        return
    user = pwd.getpwnam(SERVER_USER)
    for root, dirs, files in os.walk(path):
        os.chown(root, user.pw_uid, user.pw_gid)
        for name in dirs + files:
            os.chown(Path(root) / name, user.pw_uid, user.pw_gid)


def _server_can_enter(folder: Path) -> bool:
    """Whether the server user can walk into `folder` (every folder on the way must let it)."""
    if not _as_root():
        return True
    return _run_as_server_user(["test", "-x", str(folder)], check=False).returncode == 0


# --- where things are -------------------------------------------------------------------


def _layout_file(state_dir: Path) -> Path:
    return state_dir.resolve() / "cluster.json"


def _layout(state_dir: Path) -> dict[str, object]:
    path = _layout_file(state_dir)
    if path.exists():
        loaded: dict[str, object] = json.loads(path.read_text())
        return loaded
    legacy_port = state_dir.resolve() / "port"  # clusters made before cluster.json
    port = int(legacy_port.read_text()) if legacy_port.exists() else None
    return {"port": port, "data_root": str(state_dir.resolve())}


def _data_root(state_dir: Path) -> Path:
    """Where the server keeps its data and log: the state folder, or when the server user
    cannot use it, a folder of this project's own under /var/lib/gridgis."""
    state = state_dir.resolve()
    if _server_can_enter(state.parent):
        return state  # given to the server user at set-up
    digest = hashlib.sha256(str(state).encode()).hexdigest()[:12]
    return SHARED_ROOT / digest


def status(*, state_dir: Path) -> ClusterStatus:
    layout = _layout(state_dir)
    data_dir = Path(str(layout["data_root"])) / "pgdata"
    initialised = (data_dir / "PG_VERSION").exists()
    running = (
        initialised and _pg("pg_ctl", "status", "-D", str(data_dir), check=False).returncode == 0
    )
    port = layout.get("port")
    return ClusterStatus(
        running=running,
        initialised=initialised,
        port=int(str(port)) if port is not None else None,
        data_dir=data_dir,
        state_dir=state_dir.resolve(),
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_free(port: int) -> bool:
    """Whether a server could listen there now (as PostgreSQL does, connections of its
    last run waiting out TIME_WAIT do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# --- set-up, start, stop ----------------------------------------------------------------


def _initialise(state_dir: Path) -> None:
    """A new cluster with a superuser password, on a port it keeps."""
    root = _data_root(state_dir)
    data_dir = root / "pgdata"
    if data_dir.exists():
        shutil.rmtree(data_dir)  # a half-made data folder from an interrupted initdb
    data_dir.mkdir(parents=True)
    root.chmod(0o700)
    if root != state_dir.resolve():
        print(
            f"gridgis: the '{SERVER_USER}' user cannot enter {state_dir.resolve()}, so the "
            f"embedded database keeps its data in {root} (owner-only)",
            file=sys.stderr,
        )
    admin_password = roles.new_password()
    _private(state_dir / f"{ADMIN}.password", admin_password)
    password_file = root / "initdb.password"
    _private(password_file, admin_password)
    _give_to_server_user(root)
    try:
        _pg(
            "initdb", "-D", str(data_dir), "-U", ADMIN, f"--pwfile={password_file}",
            "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
    finally:
        password_file.unlink(missing_ok=True)
    with (data_dir / "postgresql.conf").open("a") as conf:
        conf.write(SERVER_SETTINGS)
    _layout_file(state_dir).write_text(
        json.dumps({"port": _free_port(), "data_root": str(root)}, indent=1)
    )


def _start(current: ClusterStatus) -> None:
    port = current.port or _free_port()
    if not _port_free(port):
        raise ClusterError(
            f"port {port}, which the embedded database always uses (so a running API finds "
            f'it again), is taken by another program; stop that, or remove "port" from '
            f"{_layout_file(current.state_dir)} to choose a new one"
        )
    layout = {"port": port, "data_root": str(current.data_dir.parent)}
    _layout_file(current.state_dir).write_text(json.dumps(layout, indent=1))
    _give_to_server_user(current.data_dir.parent)
    log = current.data_dir.parent / "postgres.log"
    _pg(
        "pg_ctl", "start", "-w", "-t", "30", "-D", str(current.data_dir), "-l", str(log),
        "-o", f"-p {port}",
    )  # fmt: skip


def up(*, state_dir: Path) -> ClusterStatus:
    """Initialise (first time) and start the cluster; make sure the app's role and database
    exist, with passwords, and upgrade a cluster made before passwords (trust) to them."""
    state_dir.mkdir(parents=True, exist_ok=True)
    state_dir.chmod(0o700)
    current = status(state_dir=state_dir)
    if not current.initialised:
        _initialise(state_dir)
        current = status(state_dir=state_dir)
    if not current.running:
        _start(current)
        current = status(state_dir=state_dir)
    _secure(current)
    if not _layout_file(state_dir).exists():  # a cluster of an earlier version: record it
        layout = {"port": current.port, "data_root": str(current.data_dir.parent)}
        _layout_file(state_dir).write_text(json.dumps(layout, indent=1))
    return status(state_dir=state_dir)


def down(*, state_dir: Path) -> ClusterStatus:
    current = status(state_dir=state_dir)
    if current.running:
        _pg("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(current.data_dir))
    return status(state_dir=state_dir)


def _trusting(hba: Path) -> bool:
    """Whether any rule lets connections in without a password (clusters of earlier
    versions of gridgis)."""
    rules = [line.split() for line in hba.read_text().splitlines()]
    return any(rule and not rule[0].startswith("#") and rule[-1] == "trust" for rule in rules)


def _secure(current: ClusterStatus) -> None:
    """Passwords on, the app's role and database there. Idempotent and quick once done."""
    hba = current.data_dir / "pg_hba.conf"
    trusting = _trusting(hba)
    app_password_file = current.state_dir / f"{APP}.password"
    if not trusting and app_password_file.exists():
        return
    if trusting and not (current.state_dir / f"{ADMIN}.password").exists():
        admin_password = roles.new_password()
        with psycopg.connect(current.admin_url(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(ADMIN), sql.Literal(admin_password)
                )
            )
        _private(current.state_dir / f"{ADMIN}.password", admin_password)
    app_password = roles.new_password()
    roles.ensure_app_role(current.admin_url(), APP, app_password)
    _private(app_password_file, app_password)
    roles.create_app_database(current.admin_url(), DATABASE, owner=APP)
    roles.hand_over(current.admin_url(), DATABASE, APP)
    if trusting:
        hba.write_text(HBA)
        _give_to_server_user(hba)
        _pg("pg_ctl", "reload", "-D", str(current.data_dir))
