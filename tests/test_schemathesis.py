"""Every operation of the OpenAPI document, fed generated input (schemathesis, seeded and
bounded), with and without a staff token, through a real `gridgis serve`: no answer may be
a server error. Bad input is a 4xx with a message, never a 500."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from layers.db import connect
from layers.tokens import create_token
from tests.live import served

EXAMPLES = int(os.environ.get("GRIDGIS_FUZZ_EXAMPLES", "8"))


@pytest.fixture(scope="module")
def server(databases, demo_template) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    url = databases.url(databases.create(template=demo_template))
    with connect(url) as conn:
        token = create_token(conn, role="admin", scope_code="360190", label="schemathesis")
        conn.commit()
    # The public's rate would turn most generated requests into 429s: off for this client.
    os.environ["GRIDGIS_PUBLIC_RATE"] = "0"
    try:
        with served(url) as base:
            yield base, token
    finally:
        del os.environ["GRIDGIS_PUBLIC_RATE"]


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _server_errors(operation, headers: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    found: list[str] = []

    @given(case=operation.as_strategy())
    @FUZZ
    def run(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=headers, timeout=30)
        if response.status_code >= 500:
            found.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

    run()
    return found


@pytest.mark.parametrize("who", ["public", "staff"])
def test_no_input_makes_a_server_error(server, who):  # type: ignore[no-untyped-def]
    base, token = server
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    headers = {"Authorization": f"Bearer {token}"} if who == "staff" else {}
    errors: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        errors += _server_errors(result.ok(), headers)
        operations += 1
    assert operations >= 20  # every route of the document was fed
    assert errors == []
