"""OGC API - Features items: a page of a collection's features (bbox, datetime, property
filters, CQL2 `filter`, `sortby`, `crs`, `properties`, paging) and one feature, as GeoJSON
or HTML. Staff collections need a token and answer only inside its jurisdiction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import export_formats
from api.auth import MaybeStaffDep
from api.deps import ConnectionDep, SettingsDep
from api.errors import NotFound, PayloadTooLarge
from api.ogc_common import GEOJSON, JSON, alternates, collection_for, link, wants_html
from api.ogc_params import parse_crs, selection
from api.routes.ogc import Format, Lang, page_options
from layers import audit, exports, features
from layers.collections import Collection
from layers.db import Connection
from layers.features import OutputCrs
from layers.tokens import Staff
from maps import ogc_html

router = APIRouter(tags=["OGC API - Features"])
MAX_LIMIT = 10_000
MAX_OFFSET = 1_000_000_000  # beyond every collection; keeps the number a database integer


def _page_links(request: Request, *, offset: int, limit: int, page: features.Page) -> list[Any]:
    """next after the last key where keys order the page (fast at any depth, and steady
    under inserts); by offset where sortby orders it."""
    links = alternates(request, GEOJSON)
    url = request.url
    if page.next_after is not None and "sortby" not in request.query_params:
        href = str(url.remove_query_params("offset").include_query_params(after=page.next_after))
        links.append(link(href, "next", GEOJSON))
    elif page.number_matched is not None and offset + page.number_returned < page.number_matched:
        href = str(url.include_query_params(offset=offset + limit))
        links.append(link(href, "next", GEOJSON))
    if offset > 0:
        href = str(request.url.include_query_params(offset=max(0, offset - limit)))
        links.append(link(href, "prev", GEOJSON))
    return links


def _content_crs(uri: str) -> dict[str, str]:
    return {"Content-Crs": f"<{uri}>"}


@router.get(
    "/collections/{collection_id}/items",
    summary="Features of a collection",
    response_class=Response,
    responses={
        200: {
            "content": {
                GEOJSON: {},
                "text/html": {},
                export_formats.GPKG: {},
                export_formats.CSV: {},
            }
        }
    },
)
async def items(
    collection_id: str,
    conn: ConnectionDep,
    request: Request,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, description=f"at most {MAX_LIMIT:,} are served")] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    after: Annotated[
        int | None, Query(ge=0, le=2**62, description="the key after which the page starts")
    ] = None,
    staff: MaybeStaffDep = None,
    f: Format = None,
    lang: Lang = None,
) -> Response:
    collection = collection_for(collection_id, staff)
    chosen = selection(request.query_params, collection)
    scope = staff.scope_code if staff is not None else None
    if f in FILES:
        return await _export(conn, collection, chosen, staff, f)
    html = wants_html(request, f)
    limit = min(limit, MAX_LIMIT)  # above the maximum: served at the maximum (Part 1)
    page = await features.read_page(
        conn,
        collection=collection,
        selection=chosen,
        limit=limit,
        offset=offset,
        after=after,
        scope=scope,
    )
    if staff is not None and collection.staff_only:
        target = f"/collections/{collection.id}/items"
        await audit.record(conn, staff, action="read", target=target, rows=page.number_returned)
    envelope = _envelope(request, page, offset=offset, limit=limit)
    if html:
        document = {**envelope, "features": orjson.loads(page.features_json)}
        options = page_options(request, settings, lang)
        return HTMLResponse(ogc_html.items(options, collection.title, document))
    body = orjson.dumps(envelope)[:-1] + b',"features":' + page.features_json.encode() + b"}"
    crs_uri = parse_crs(request.query_params.get("crs")).uri
    return Response(body, media_type=GEOJSON, headers=_content_crs(crs_uri))


def _envelope(request: Request, page: features.Page, *, offset: int, limit: int) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "type": "FeatureCollection",
        "numberMatched": page.number_matched,
        "numberReturned": page.number_returned,
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": _page_links(request, offset=offset, limit=limit, page=page),
    }
    if page.number_matched is None:  # a page after a key is not counted
        del envelope["numberMatched"]
    return envelope


FILES = ("gpkg", "csv")


async def _export(
    conn: Connection,
    collection: Collection,
    chosen: features.Selection,
    staff: Staff | None,
    kind: str,
) -> Response:
    """Every feature of the selection as a file (GeoPackage or CSV), recorded."""
    try:
        found = await exports.all_features(
            conn,
            collection=collection,
            selection=chosen,
            scope=staff.scope_code if staff is not None else None,
            role=staff.role if staff is not None else None,
        )
    except exports.TooMany as error:
        raise PayloadTooLarge(str(error)) from error
    if staff is not None:
        target = f"/collections/{collection.id}/items?f={kind}"
        await audit.record(conn, staff, action="export", target=target, rows=len(found))
    if kind == "gpkg":
        body = export_formats.geopackage(found, layer=collection.id, srid=chosen.crs.srid)
        media = export_formats.GPKG
    else:
        body, media = export_formats.csv(found, layer=collection.id), export_formats.CSV
    name = f'attachment; filename="{collection.id}.{kind}"'
    return Response(body, media_type=media, headers={"Content-Disposition": name})


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}, "text/html": {}}}},
)
async def item(
    collection_id: str,
    feature_id: str,
    conn: ConnectionDep,
    request: Request,
    settings: SettingsDep,
    staff: MaybeStaffDep,
    crs: Annotated[str | None, Query(description="the CRS of the geometry")] = None,
    f: Format = None,
    lang: Lang = None,
) -> Response:
    html = wants_html(request, f)
    collection = collection_for(collection_id, staff)
    out = parse_crs(crs)
    scope = staff.scope_code if staff is not None else None
    feature, inside = await features.read_feature(
        conn,
        collection=collection,
        feature_id=feature_id,
        scope=scope,
        crs=OutputCrs(out.srid, out.swap_axes),
    )
    if feature is None or not inside:  # outside the jurisdiction: as if unknown
        raise NotFound(f"no feature '{feature_id}' in {collection_id}")
    if staff is not None and collection.staff_only:
        target = f"/collections/{collection.id}/items/{feature_id}"
        await audit.record(conn, staff, action="read", target=target, rows=1)
    if html:
        options = page_options(request, settings, lang)
        return HTMLResponse(ogc_html.item(options, collection.title, orjson.loads(feature)))
    base_url = str(request.base_url).rstrip("/")
    links = [
        *alternates(request, GEOJSON),
        link(f"{base_url}/collections/{collection_id}", "collection", JSON),
    ]
    body = feature[:-1] + "," + orjson.dumps({"links": links}).decode()[1:]
    return Response(body, media_type=GEOJSON, headers=_content_crs(out.uri))
