"""Bounded, whatever the input: bodies over the limit (413, before authentication reads
them), NUL characters anywhere (400), numbers beyond any collection (400), the public's
rate (429), more requests in flight than a worker serves (503), and the headers every
answer carries."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from layers.db import connect
from layers.tokens import create_token

HERE = "lon=116.0105&lat=28.6841"


@pytest.fixture(scope="module")
def client(demo_url) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(Settings(database_url=demo_url))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def staff(demo_url) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with connect(demo_url) as conn:
        token = create_token(conn, role="planner", scope_code="360190", label="limits")
        conn.commit()
    return {"Authorization": f"Bearer {token}"}


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail: str = response.json()["detail"]
    return detail


def test_a_large_body_is_refused_before_anyone_reads_it(client):
    # no token at all: the size is checked first, so no one parses or authenticates it
    huge = client.post("/grids/X/preview", content=b"{" + b" " * 1_500_000 + b"}")
    assert "at most 1,000,000" in _problem(huge, 413)
    streamed = client.post("/grids/X/preview", content=iter([b" " * 600_000] * 3))
    assert "over 1,000,000" in _problem(streamed, 413)


@pytest.mark.parametrize(
    "path",
    [
        "/collections/grids/items/abc%00def",
        "/collections/grids/items?name=%00",
        f"/stations/nearest?{HERE}&service=water%00",
    ],
)
def test_nul_in_a_url_is_a_400(client, path):
    assert "NUL" in _problem(client.get(path), 400)


def test_nul_in_a_body_is_a_400(client, staff):
    body = '{"line": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "name": "a\\u0000"}'
    answer = client.post(
        "/grids/360190001001-G01/split/preview",
        content=body,
        headers={**staff, "Content-Type": "application/json"},
    )
    assert "NUL" in _problem(answer, 400)


def test_numbers_and_lists_beyond_any_collection_are_400s_not_500s(client):
    assert "offset" in _problem(client.get(f"/collections/grids/items?offset={2**70}"), 400)
    many = ",".join(["name"] * 60)  # the same name sixty times: asked once
    ok = client.get(f"/collections/grids/items?limit=1&properties={many}")
    assert ok.status_code == 200 and set(ok.json()["features"][0]["properties"]) == {"name"}
    unknown = ",".join(f"p{i}" for i in range(60))
    assert "and 55 more" in _problem(
        client.get(f"/collections/grids/items?properties={unknown}"), 400
    )
    assert "over 200 characters" in _problem(
        client.get(f"/collections/grids/items?name={'x' * 201}"), 400
    )


def test_the_public_is_limited_per_client_and_staff_are_not(demo_url, staff):
    settings = Settings(database_url=demo_url, public_rate=1, public_burst=3)
    with TestClient(create_app(settings)) as limited:
        answers = [limited.get(f"/stations/nearest?{HERE}") for _ in range(4)]
        assert [a.status_code for a in answers[:3]] == [200, 200, 200]
        assert "too many requests" in _problem(answers[3], 429)
        assert int(answers[3].headers["retry-after"]) >= 1
        assert limited.get("/static/station.svg").status_code == 200  # assets are not counted
        for _ in range(5):  # staff are known and answerable: no public rate
            assert limited.get(f"/stations/nearest?{HERE}", headers=staff).status_code == 200


def test_more_requests_than_a_worker_admits_are_shed_with_503(demo_url):
    app = create_app(Settings(database_url=demo_url, max_in_flight=2, public_rate=0))

    async def flood() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://test") as http,
        ):
            calls = [http.get(f"/stations/nearest?{HERE}&k=20") for _ in range(30)]
            return await asyncio.gather(*calls)

    answers = asyncio.run(flood())
    codes = [a.status_code for a in answers]
    assert set(codes) == {200, 503}, codes
    shed = next(a for a in answers if a.status_code == 503)
    assert "busy" in _problem(shed, 503) and shed.headers["retry-after"] == "1"


def test_every_answer_carries_the_security_headers(client, staff):
    public = client.get("/collections/grids/items?limit=1")
    assert public.headers["x-content-type-options"] == "nosniff"
    assert public.headers["x-frame-options"] == "DENY"
    assert "no-store" not in public.headers.get("cache-control", "")
    personal = client.get("/collections/members/items?limit=1", headers=staff)
    assert personal.headers["cache-control"] == "no-store"
    docs = client.get("/docs")
    policy = docs.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    inline = re.findall(r"<script>(.*?)</script>", docs.text, re.DOTALL)
    assert inline, "the docs page starts Swagger UI with an inline script"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "frame-ancestors 'none'" in policy
