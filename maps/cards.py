"""Member cards (连心卡), 85.6 × 54 mm, ten to an A4 sheet with cut marks: as a print-ready
HTML page and as a PDF with an embedded CJK font (Debian's Noto Sans CJK). Each card carries
a QR code that opens the report page located in the card's grid. The same input gives the
same bytes. Pure builders: no database."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF

from gis.vocabulary import DUTIES
from maps.base import PAGE_CSS, PageOptions

CARD_W, CARD_H = 85.6, 54.0  # ISO/IEC 7810 ID-1, mm
COLUMNS, ROWS = 2, 5
LEFT, TOP = (210 - COLUMNS * CARD_W) / 2, (297 - ROWS * CARD_H) / 2
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_SC = 2  # Simplified Chinese in Noto's collection
RED = (200, 22, 29)
WORDS = {
    "zh-CN": {"title": "连心卡", "serves": "联系 {n} 户", "scan": "扫码反映问题",
              "phone": "服务电话"},
    "en": {"title": "Member cards", "serves": "serves {n} households", "scan": "Scan to report",
           "phone": "Service phone"},
}  # fmt: skip


@lru_cache(maxsize=4096)
def _qr(url: str) -> segno.QRCode:
    # A fixed mask: scoring all eight is most of the time of a code, and any mask reads.
    return segno.make_qr(url, error="m", mask=3, boost_error=False)


def report_url(base: str, grid: str) -> str:
    return f"{base.rstrip('/')}/report?grid={grid}"


Card = Mapping[str, Any]  # grid_code, grid_name, community, name, duty, service_phone, households


def cards_html(cards: Sequence[Card], options: PageOptions, base: str) -> str:
    words = WORDS[options.language]
    sheets = []
    for start in range(0, len(cards), COLUMNS * ROWS):
        body = "".join(_card_html(card, words, base) for card in cards[start : start + 10])
        sheets.append(f'<section class="gg-sheet">{body}</section>')
    return (
        f'<!DOCTYPE html><html lang="{options.language}"><head><meta charset="utf-8">'
        f"<title>{words['title']}</title>"
        f'<link rel="stylesheet" href="{html.escape(options.static(PAGE_CSS))}">'
        f'</head><body class="gg-cards">{"".join(sheets)}</body></html>'
    )


def _card_html(card: Card, words: dict[str, str], base: str) -> str:
    e = html.escape
    qr = _qr(report_url(base, card["grid_code"])).svg_inline(scale=2, border=1)
    return (
        '<article class="gg-card-id">'
        f"<header>{e(card['community'])} · {e(card['grid_name'])}"
        f"<small>{e(card['grid_code'])}</small></header>"
        f'<p class="gg-card-name">{e(card["name"])}</p>'
        f"<p>{e(str(DUTIES.get(card['duty'], card['duty'])))}</p>"
        f"<p>{words['phone']} {e(card['service_phone'])}</p>"
        f"<p>{e(words['serves'].format(n=card['households']))}</p>"
        f"<figure>{qr}<figcaption>{words['scan']}</figcaption></figure></article>"
    )


# --- PDF ----------------------------------------------------------------------------------

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # fixed: the same cards give the same bytes


def cards_pdf(cards: Sequence[Card], language: str, base: str) -> bytes:
    words = WORDS[language]
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(_EPOCH)
    pdf.set_title(words["title"])
    pdf.set_auto_page_break(False)
    pdf.add_font("noto", fname=str(FONT), collection_font_number=FONT_SC)
    for index, card in enumerate(cards):
        if index % (COLUMNS * ROWS) == 0:
            pdf.add_page()
            _cut_marks(pdf)
        x = LEFT + (index % COLUMNS) * CARD_W
        y = TOP + (index // COLUMNS % ROWS) * CARD_H
        _card_pdf(pdf, card, words, base, x, y)
    return bytes(pdf.output())


def _cut_marks(pdf: FPDF) -> None:
    """Short lines in the margins along every card edge: where to cut."""
    pdf.set_draw_color(120)
    pdf.set_line_width(0.2)
    for column in range(COLUMNS + 1):
        x = LEFT + column * CARD_W
        pdf.line(x, TOP - 8, x, TOP - 2)
        pdf.line(x, TOP + ROWS * CARD_H + 2, x, TOP + ROWS * CARD_H + 8)
    for row in range(ROWS + 1):
        y = TOP + row * CARD_H
        pdf.line(LEFT - 8, y, LEFT - 2, y)
        pdf.line(LEFT + COLUMNS * CARD_W + 2, y, LEFT + COLUMNS * CARD_W + 8, y)


def _card_pdf(pdf: FPDF, card: Card, words: dict[str, str], base: str, x: float, y: float) -> None:
    pdf.set_fill_color(*RED)
    pdf.rect(x + 1, y + 1, CARD_W - 2, 9, style="F")
    pdf.set_text_color(255)
    pdf.set_font("noto", size=9)
    pdf.set_xy(x + 3, y + 2.5)
    pdf.cell(CARD_W - 6, 6, f"{card['community']} · {card['grid_name']}  {card['grid_code']}")
    pdf.set_text_color(0)
    pdf.set_font("noto", size=16)
    pdf.set_xy(x + 4, y + 14)
    pdf.cell(50, 8, str(card["name"]))
    pdf.set_font("noto", size=9)
    lines = (
        str(DUTIES.get(card["duty"], card["duty"])),
        f"{words['phone']} {card['service_phone']}",
        words["serves"].format(n=card["households"]),
    )
    for number, line in enumerate(lines):
        pdf.set_xy(x + 4, y + 25 + number * 6)
        pdf.cell(50, 5, line)
    _qr_pdf(pdf, _qr(report_url(base, card["grid_code"])), x + CARD_W - 27, y + 16, 23)
    pdf.set_font("noto", size=6)
    pdf.set_xy(x + CARD_W - 27, y + 40)
    pdf.cell(23, 3, words["scan"], align="C")


def _qr_pdf(pdf: FPDF, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """The code as filled rectangles, one per run of dark modules: vector, sharp at any
    print size, and far quicker than an image per card."""
    matrix = qr.matrix
    cell = size / (len(matrix) + 2)
    pdf.set_fill_color(0)
    for row, modules in enumerate(matrix):
        column = 0
        while column < len(modules):
            if not modules[column]:
                column += 1
                continue
            start = column
            while column < len(modules) and modules[column]:
                column += 1
            top = y + (row + 1) * cell
            pdf.rect(x + (start + 1) * cell, top, (column - start) * cell, cell, style="F")
