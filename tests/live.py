"""A real `gridgis serve` process on a free loopback port, for clients that need a socket
(GDAL, browsers, load tools)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(database_url: str, *, workers: int = 1) -> Iterator[str]:
    """Yields the base URL while the server runs; stops it (by its PID) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GRIDGIS_PORT": str(port),
        "GRIDGIS_WORKERS": str(workers),
    }
    gridgis = os.path.join(os.path.dirname(sys.executable), "gridgis")
    server = subprocess.Popen(
        [gridgis, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/conformance", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    output = server.stdout.read() if server.stdout else ""
                    raise RuntimeError(f"gridgis serve exited: {output}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("gridgis serve did not answer within 30 s") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
