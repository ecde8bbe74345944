"""Member cards (连心卡): one card per active member, only what a grid board publishes, the
same bytes for the same input, and a QR code that decodes to the report page of the card's
own grid (read back from the printed PDF, as a phone would)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from api.settings import Settings
from layers.db import connect

GRID = "360190001001-G01"


@pytest.fixture(scope="module")
def client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=demo_url))) as test_client:
        yield test_client


def _members(url: str, grid: str) -> list[tuple[str, str]]:
    with connect(url) as conn:
        return conn.execute(
            "SELECT m.name, m.personal_phone FROM members m JOIN grids g ON g.id = m.grid_id "
            "WHERE g.code = %s AND m.active",
            (grid,),
        ).fetchall()


def test_the_cards_page_has_one_card_per_active_member_and_nothing_personal(client, demo_url):
    page = client.get(f"/cards/{GRID}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    members = _members(demo_url, GRID)
    assert page.text.count('class="gg-card-id"') == len(members) > 0
    for name, phone in members:
        assert name not in page.text  # the surname only: 张*
        assert name[0] + "*" in page.text
        if phone:
            assert phone not in page.text
    assert page.text.count("<svg") == len(members)  # a QR code on each
    community = client.get("/cards/360190001001").text
    assert community.count('class="gg-card-id"') >= len(members)
    assert client.get("/cards/NOPE").status_code == 404


def test_the_pdf_is_the_same_for_the_same_cards_and_its_qr_codes_open_the_grids_report(
    client, tmp_path
):
    first = client.get(f"/cards/{GRID}?f=pdf")
    assert first.headers["content-type"] == "application/pdf"
    assert client.get(f"/cards/{GRID}?f=pdf").content == first.content  # byte for byte
    pdf = tmp_path / "cards.pdf"
    pdf.write_bytes(first.content)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fonts and " yes " in fonts  # embedded
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    image = Image.open(next(Path(tmp_path).glob("page*.png")))
    decoded = {code.text for code in zxingcpp.read_barcodes(image)}
    assert decoded == {f"http://testserver/report?grid={GRID}"}, decoded
    assert re.match(rb"%PDF-1\.\d", first.content)
