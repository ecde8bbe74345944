"""Member cards (连心卡) of a grid or of every grid of an area, to print and post: HTML or
PDF. Public: they carry only what a grid board publishes (surname, duty, service phone,
how many households), and a QR code to report a problem in that grid."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ConnectionDep, SettingsDep
from api.errors import NotFound
from api.routes.ogc import Lang, page_options
from layers.cards import cards as card_rows
from maps.cards import cards_html, cards_pdf

router = APIRouter(tags=["Member cards"])
MAX_CARDS = 5_000


@router.get(
    "/cards/{code}",
    summary="Member cards of a grid or an area, 10 to an A4 sheet (HTML or PDF)",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
async def cards(
    code: str,
    request: Request,
    conn: ConnectionDep,
    settings: SettingsDep,
    f: Annotated[str, Query(pattern="^(html|pdf)$")] = "html",
    lang: Lang = None,
) -> Response:
    rows = await card_rows(conn, grid_or_area=code, limit=MAX_CARDS)
    if not rows:
        raise NotFound(f"no grid or area with code '{code}', or no active member in it")
    base = str(request.base_url)
    options = page_options(request, settings, lang)
    if f == "html":
        return HTMLResponse(cards_html(rows, options, base))
    # A PDF of hundreds of cards is CPU work: off the event loop.
    body = await run_in_threadpool(cards_pdf, rows, options.language, base)
    name = f'inline; filename="cards-{code}.pdf"'
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": name})
