"""OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0) over the public collections."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.auth import MaybeStaffDep
from api.deps import ConnectionDep
from api.errors import BadRequest, NotFound, Unauthorized
from layers import audit, features
from layers.features import Collection
from layers.tokens import Staff

router = APIRouter(tags=["OGC API - Features"])

GEOJSON = "application/geo+json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
STANDARD_PARAMS = {"bbox", "limit", "offset", "properties", "f"}
MAX_FILTER = 200  # characters of a property filter's value
MAX_OFFSET = 1_000_000_000  # beyond every collection; keeps the number a database integer


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


@router.get("/", summary="Landing page")
def landing(request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    return {
        "title": "gridgis",
        "description": "Grids, communities and service stations of grid management (网格化管理)",
        "links": [
            _link(f"{base}/", "self", "application/json", "this document"),
            _link(
                f"{base}/openapi.json",
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.0",
                "the API definition",
            ),
            _link(f"{base}/docs", "service-doc", "text/html", "the API documentation"),
            _link(f"{base}/conformance", "conformance", "application/json", "conformance"),
            _link(f"{base}/collections", "data", "application/json", "collections"),
        ],
    }


@router.get("/conformance", summary="Conformance classes")
def conformance() -> dict[str, list[str]]:
    return {"conformsTo": CONFORMANCE}


def _collection_for(collection_id: str, staff: Staff | None) -> Collection:
    collection = features.COLLECTIONS.get(collection_id)
    if collection is None:
        known = ", ".join(c.id for c in features.visible_collections(staff=staff is not None))
        raise NotFound(f"no collection '{collection_id}'; collections: {known}")
    if collection.staff_only and staff is None:
        raise Unauthorized(
            f"{collection_id} holds personal data: staff only, send 'Authorization: Bearer <token>'"
        )
    return collection


def _scope(staff: Staff | None) -> str | None:
    return staff.scope_code if staff is not None else None


async def _describe(
    conn: ConnectionDep, request: Request, collection: Collection
) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    bbox = await features.extent(conn, collection=collection)
    description: dict[str, Any] = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "links": [
            _link(f"{base}/collections/{collection.id}", "self", "application/json"),
            _link(f"{base}/collections/{collection.id}/items", "items", GEOJSON),
        ],
    }
    if bbox:
        description["extent"] = {
            "spatial": {"bbox": [bbox], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
        }
    return description


@router.get("/collections", summary="The collections (staff also see the personal-data ones)")
async def collections(
    conn: ConnectionDep, request: Request, staff: MaybeStaffDep
) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    visible = features.visible_collections(staff=staff is not None)
    return {
        "links": [_link(f"{base}/collections", "self", "application/json")],
        "collections": [await _describe(conn, request, c) for c in visible],
    }


@router.get("/collections/{collection_id}", summary="One collection")
async def collection(
    collection_id: str, conn: ConnectionDep, request: Request, staff: MaybeStaffDep
) -> dict[str, Any]:
    return await _describe(conn, request, _collection_for(collection_id, staff))


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError as error:
        raise BadRequest(
            f"bbox '{text}' is not four numbers minLon,minLat,maxLon,maxLat"
        ) from error
    if len(values) != 4:
        raise BadRequest(f"bbox needs 4 numbers minLon,minLat,maxLon,maxLat, got {len(values)}")
    min_x, min_y, max_x, max_y = values
    if not (
        -180 <= min_x <= 180 and -180 <= max_x <= 180 and -90 <= min_y <= 90 and -90 <= max_y <= 90
    ):
        raise BadRequest(f"bbox {text} is outside lon [-180, 180] / lat [-90, 90] (lon first)")
    if min_x > max_x or min_y > max_y:
        raise BadRequest(f"bbox {text} has a minimum above its maximum")
    return min_x, min_y, max_x, max_y


def _filters(request: Request, collection: Collection) -> dict[str, str]:
    filters = {}
    for name, value in request.query_params.items():
        if name in STANDARD_PARAMS:
            continue
        if name not in collection.properties:
            raise BadRequest(
                f"unknown parameter '{name}'; filterable properties of {collection.id}: "
                + ", ".join(collection.properties)
            )
        if len(value) > MAX_FILTER:
            raise BadRequest(
                f"the value of '{name}' has {len(value)} characters; at most {MAX_FILTER}"
            )
        filters[name] = value
    return filters


def _chosen_properties(text: str | None, collection: Collection) -> list[str] | None:
    if text is None:
        return None
    # each name once, in the order asked: a list of any length asks for at most them all
    chosen = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in chosen if name not in collection.properties]
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise BadRequest(f"unknown properties {shown}; known: " + ", ".join(collection.properties))
    return chosen


def _page_links(
    request: Request, *, offset: int, limit: int, page: features.Page
) -> list[dict[str, str]]:
    links = [_link(str(request.url), "self", GEOJSON)]
    if offset + page.number_returned < page.number_matched:
        links.append(
            _link(str(request.url.include_query_params(offset=offset + limit)), "next", GEOJSON)
        )
    if offset > 0:
        links.append(
            _link(
                str(request.url.include_query_params(offset=max(0, offset - limit))),
                "prev",
                GEOJSON,
            )
        )
    return links


@router.get(
    "/collections/{collection_id}/items",
    summary="Features of a collection",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
async def items(
    collection_id: str,
    conn: ConnectionDep,
    request: Request,
    bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat (WGS84)")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    properties: Annotated[
        str | None, Query(description="comma-separated properties to return")
    ] = None,
    staff: MaybeStaffDep = None,
) -> Response:
    collection = _collection_for(collection_id, staff)
    page = await features.read_page(
        conn,
        collection=collection,
        bbox=parse_bbox(bbox),
        filters=_filters(request, collection),
        properties=_chosen_properties(properties, collection),
        limit=limit,
        offset=offset,
        scope=_scope(staff),
    )
    envelope = orjson.dumps(
        {
            "type": "FeatureCollection",
            "numberMatched": page.number_matched,
            "numberReturned": page.number_returned,
            "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "links": _page_links(request, offset=offset, limit=limit, page=page),
        }
    )
    body = envelope[:-1] + b',"features":' + page.features_json.encode() + b"}"
    if staff is not None and collection.staff_only:
        target = f"/collections/{collection.id}/items"
        await audit.record(conn, staff, action="read", target=target, rows=page.number_returned)
    return Response(body, media_type=GEOJSON)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
async def item(
    collection_id: str,
    feature_id: str,
    conn: ConnectionDep,
    request: Request,
    staff: MaybeStaffDep,
) -> Response:
    collection = _collection_for(collection_id, staff)
    feature, inside = await features.read_feature(
        conn, collection=collection, feature_id=feature_id, scope=_scope(staff)
    )
    if feature is None or not inside:  # outside the jurisdiction: as if unknown
        raise NotFound(f"no feature '{feature_id}' in {collection_id}")
    if staff is not None and collection.staff_only:
        target = f"/collections/{collection.id}/items/{feature_id}"
        await audit.record(conn, staff, action="read", target=target, rows=1)
    links = orjson.dumps(
        [
            _link(str(request.url), "self", GEOJSON),
            _link(
                str(request.base_url) + f"collections/{collection_id}",
                "collection",
                "application/json",
            ),
        ]
    ).decode()
    return Response(feature[:-1] + f',"links":{links}}}', media_type=GEOJSON)
