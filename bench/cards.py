"""Member cards benchmark (issue: Chinese data in and out): the PDF of every active member's
card of the demo district, through the HTTP API. Goal: 1,000 cards in under 10 s.

    .venv/bin/python bench/cards.py
"""

from __future__ import annotations

import time

from _db import app_for, bench_database
from fastapi.testclient import TestClient
from rich.console import Console

from layers import migrate
from layers.assignments import Scope, assign_blocking
from layers.db import connect
from layers.loading import counts, load_layers

console = Console()


def main() -> None:
    url = bench_database("gridgis_bench_load")
    migrate.upgrade(url)
    with connect(url, autocommit=True) as conn:
        if not counts(conn)["members"]:
            from data.generate import generate

            demo = generate(households=20_000, seed=20261125)
            frames = {k: getattr(demo, k) for k in ("areas", "grids", "stations", "households")}
            load_layers(conn, frames={**frames, "members": demo.members})
            assign_blocking(url, scope=Scope(all=True))
        (members,) = conn.execute("SELECT count(*) FROM members WHERE active").fetchone()  # type: ignore[misc]
    with TestClient(app_for(url, public_rate=0)) as client:
        for _ in range(2):  # the first run also loads the font
            started = time.perf_counter()
            answer = client.get("/cards/360190?f=pdf")
            seconds = time.perf_counter() - started
        assert answer.status_code == 200
    pages = answer.content.count(b"/Type /Page\n") or answer.content.count(b"/Type /Page")
    console.print(
        f"{members:,} cards (the demo district) as a PDF: {seconds:.1f} s, "
        f"{len(answer.content) / 1e6:.1f} MB, {pages} pages — goal 1,000 cards < 10 s"
    )


if __name__ == "__main__":
    main()
