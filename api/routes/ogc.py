"""OGC API - Features: the landing page, conformance, the collections and their queryables,
as JSON or HTML (`f` or Accept)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import MaybeStaffDep
from api.deps import ConnectionDep, SettingsDep
from api.ogc_common import (
    CONFORMANCE,
    HTML,
    JSON,
    OPENAPI30,
    alternates,
    base,
    collection_for,
    describe,
    link,
    queryables,
    wants_html,
)
from api.settings import Settings
from layers.collections import visible_collections
from maps import ogc_html
from maps.base import PageOptions

router = APIRouter(tags=["OGC API - Features"])
Format = Annotated[str | None, Query(description="json or html (default: by Accept)")]
Lang = Annotated[str | None, Query(pattern="^(zh-CN|en)$", description="language of HTML")]


def page_options(request: Request, settings: Settings, lang: str | None) -> PageOptions:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return PageOptions(language=lang or settings.language, static_root=f"{root}/static",
                       api_root=root)  # fmt: skip


def json_response(document: Any, media_type: str = JSON) -> Response:
    return Response(orjson.dumps(document), media_type=media_type)


@router.get("/", summary="Landing page")
async def landing(
    request: Request, settings: SettingsDep, f: Format = None, lang: Lang = None
) -> Response:
    root = base(request)
    document = {
        "title": "gridgis",
        "description": "Grids, communities and service stations of grid management (网格化管理)",
        "links": [
            *alternates(request, JSON),
            link(f"{root}/openapi.json", "service-desc", OPENAPI30, "the API definition"),
            link(f"{root}/docs", "service-doc", HTML, "the API documentation"),
            link(f"{root}/conformance", "conformance", JSON, "conformance classes"),
            link(f"{root}/collections", "data", JSON, "collections"),
        ],
    }
    if wants_html(request, f):
        return HTMLResponse(ogc_html.landing(page_options(request, settings, lang), document))
    return json_response(document)


@router.get("/conformance", summary="Conformance classes")
async def conformance(
    request: Request, settings: SettingsDep, f: Format = None, lang: Lang = None
) -> Response:
    if wants_html(request, f):
        return HTMLResponse(
            ogc_html.conformance(page_options(request, settings, lang), CONFORMANCE)
        )
    return json_response({"conformsTo": CONFORMANCE})


@router.get("/collections", summary="The collections (staff also see the personal-data ones)")
async def collections(
    conn: ConnectionDep,
    request: Request,
    staff: MaybeStaffDep,
    settings: SettingsDep,
    f: Format = None,
    lang: Lang = None,
) -> Response:
    html = wants_html(request, f)
    visible = visible_collections(staff=staff is not None)
    document = {
        "links": alternates(request, JSON),
        "collections": [await describe(conn, request, c) for c in visible],
    }
    if html:
        return HTMLResponse(ogc_html.collections(page_options(request, settings, lang), document))
    return json_response(document)


@router.get("/collections/{collection_id}", summary="One collection")
async def collection(
    collection_id: str,
    conn: ConnectionDep,
    request: Request,
    staff: MaybeStaffDep,
    settings: SettingsDep,
    f: Format = None,
    lang: Lang = None,
) -> Response:
    html = wants_html(request, f)
    document = await describe(conn, request, collection_for(collection_id, staff))
    if html:
        return HTMLResponse(ogc_html.collection(page_options(request, settings, lang), document))
    return json_response(document)


@router.get("/collections/{collection_id}/queryables", summary="What a filter may ask (Part 3)")
async def collection_queryables(
    collection_id: str, request: Request, staff: MaybeStaffDep, f: Format = None
) -> Response:
    wants_html(request, f)  # checks f
    schema = queryables(request, collection_for(collection_id, staff))
    return json_response(schema, "application/schema+json")
