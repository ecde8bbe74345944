"""The harness of bench/api.py: set-up (wrk, tipg's own venv), the servers (started and
stopped by PID) and the load tool (one bounded wrk run, parsed)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

TIPG_VERSION = "1.6.1"


def ensure_wrk() -> str:
    """wrk from Debian's packages (installed when missing; needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: run `sudo apt-get install -y wrk`, then run this again")
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    return shutil.which("wrk") or sys.exit("wrk is still missing after apt-get install")


def bench_dir(root: Path) -> Path:
    """`.bench/`: tipg's venv and the server logs; it holds only generated things, so it
    ignores itself in git."""
    folder = root / ".bench"
    folder.mkdir(exist_ok=True)
    (folder / ".gitignore").write_text("*\n")
    return folder


def ensure_tipg(venv: Path) -> None:
    """tipg in a venv of its own (never in the project's)."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import tipg, uvicorn; print(tipg.__version__)"]
    if python.exists():
        done = subprocess.run(probe, capture_output=True, text=True, check=False)
        if done.stdout.strip() == TIPG_VERSION:
            return
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "pip"), "install", "-q", f"tipg=={TIPG_VERSION}", "uvicorn"]
    subprocess.run(pip, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """One GET: (status, body); (0, b"") when nothing answers."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def wait_ready(self, path: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}); see {self.log}"
                )
            if get(self.base + path, timeout=5)[0] == 200:
                return
            time.sleep(0.3)
        raise RuntimeError(
            f"{self.name} did not answer {path} within {timeout:.0f} s; see {self.log}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(
    name: str, argv: list[str], *, env: dict[str, str], cwd: Path, port: int, log: Path
) -> Server:
    """Start a server; its output goes to `log` (a pipe nobody reads would block it)."""
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    return Server(name=name, base=f"http://127.0.0.1:{port}", process=process, log=log)


def start_gridgis(root: Path, url: str, log: Path, workers: int) -> Server:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "GRIDGIS_HOST": "127.0.0.1"}
    env |= {"GRIDGIS_PORT": str(port), "GRIDGIS_WORKERS": str(workers)}
    # wrk is one client asking as fast as it can: the public's per-client rate would
    # answer most of it with 429 (bench/load.py measures the limits themselves).
    env.setdefault("GRIDGIS_PUBLIC_RATE", "0")
    argv = [str(root / ".venv/bin/gridgis"), "serve"]
    return start("gridgis", argv, env=env, cwd=root, port=port, log=log)


def start_tipg(venv: Path, url: str, log: Path) -> Server:
    """tipg with one worker on the same tables, and the nearest-stations function as a
    "function collection" (tipg lists only what TIPG_DB_TABLES / _FUNCTIONS name; without
    TIPG_DB_FUNCTIONS it would also publish PostGIS's own set-returning functions)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRIDGIS_")}
    env |= {
        "DATABASE_URL": url,
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.stations", "public.households", "public.grids"]',
        "TIPG_DB_FUNCTIONS": '["public.nearest_stations"]',
    }
    argv = [str(venv / "bin/uvicorn"), "tipg.main:app", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--log-level", "warning"]
    # cwd: tipg also reads a .env file, and the project's is not for it.
    return start("tipg", argv, env=env, cwd=venv.parent, port=port, log=log)


@dataclass
class Result:
    rps: float | None = None
    p50: float | None = None
    p99: float | None = None
    errors: str = ""
    note: str = ""  # why there is no measurement, e.g. "n/a (HTTP 404)"
    features: int | None = None


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}[unit]


def wrk(
    url: str,
    headers: dict[str, str],
    *,
    seconds: int,
    threads: int,
    connections: int,
    script: Path | None = None,
) -> Result:
    """One bounded wrk run; a generous timeout so slow pages count as latency, not errors.
    `script`: a wrk Lua script (e.g. one that cycles through several paths)."""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    argv += ["--timeout", "10s"] + (["-s", str(script)] if script else [])
    for key, value in headers.items():
        argv += ["-H", f"{key}: {value}"]
    done = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        return Result(note=f"n/a (wrk exit {done.returncode})", errors=done.stderr.strip())
    out = done.stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    errors = []
    if socket := re.search(r"Socket errors: (.*)", out):
        errors.append(f"socket errors: {socket.group(1)}")
    if non2xx := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors.append(f"{non2xx.group(1)} non-2xx")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return Result(
        rps=float(rps.group(1)) if rps else None,
        p50=to_ms(latency["50"]) if "50" in latency else None,
        p99=to_ms(latency["99"]) if "99" in latency else None,
        errors="; ".join(errors),
    )
