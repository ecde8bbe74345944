"""What the OGC API routes share: links, the conformance classes, the encodings (`f` and
Accept: GeoJSON/JSON or HTML), finding a collection the caller may read, describing it."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.errors import BadRequest, NotFound, Unauthorized
from gis.crs_uri import CRS84, OFFERED
from layers import features
from layers.collections import Collection, visible_collections
from layers.db import Connection
from layers.tokens import Staff

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI30 = "application/vnd.oai.openapi+json;version=3.0"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
_PART1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
_PART3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
CONFORMANCE = [
    _PART1 + "core",
    _PART1 + "geojson",
    _PART1 + "html",
    _PART1 + "oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    _PART3 + "queryables",
    _PART3 + "queryables-query-parameters",
    _PART3 + "filter",
    _PART3 + "features-filter",
    _CQL2 + "cql2-text",
    _CQL2 + "cql2-json",
    _CQL2 + "basic-cql2",
    _CQL2 + "advanced-comparison-operators",
    _CQL2 + "basic-spatial-functions",
    _CQL2 + "basic-spatial-functions-plus",
    _CQL2 + "spatial-functions",
    _CQL2 + "temporal-functions",
    _CQL2 + "array-functions",
    *(
        f"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{c}"
        for c in (
            "core",
            "tileset",
            "tilesets-list",
            "geodata-tilesets",
            "dataset-tilesets",
            "mvt",
            "oas30",
        )
    ),
]


def link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    found = {"href": href, "rel": rel, "type": type_}
    if title:
        found["title"] = title
    return found


def base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def wants_html(request: Request, f: str | None) -> bool:
    """HTML when asked with `f=html`, or by a browser's Accept without `f`; `f` other than
    json, geojson or html is a 400."""
    if f is not None:
        if f not in ("json", "geojson", "html"):
            raise BadRequest(f"f={f} is not one of: json, geojson, html (items also gpkg, csv)")
        return f == "html"
    accept = request.headers.get("accept", "")
    return HTML in accept and "json" not in accept.split(HTML)[0]


def alternates(request: Request, own: str) -> list[dict[str, str]]:
    """The self link and its other encodings."""
    url = request.url.remove_query_params("f")
    kinds = [(own, "self")] + [(k, "alternate") for k in (own, HTML) if k != own]
    if own == HTML:
        kinds = [(HTML, "self"), (JSON, "alternate")]
    found = []
    for kind, rel in kinds:
        f = "html" if kind == HTML else ("geojson" if kind == GEOJSON else "json")
        found.append(link(str(url.include_query_params(f=f)), rel, kind))
    return found


def collection_for(collection_id: str, staff: Staff | None) -> Collection:
    collection = features.COLLECTIONS.get(collection_id)
    if collection is None:
        known = ", ".join(c.id for c in visible_collections(staff=staff is not None))
        raise NotFound(f"no collection '{collection_id}'; collections: {known}")
    if collection.staff_only and staff is None:
        raise Unauthorized(
            f"{collection_id} holds personal data: staff only, send 'Authorization: Bearer <token>'"
        )
    return collection


async def describe(conn: Connection, request: Request, collection: Collection) -> dict[str, Any]:
    root = base(request)
    home = f"{root}/collections/{collection.id}"
    description: dict[str, Any] = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": list(OFFERED),
        "storageCrs": CRS84,
        "links": [
            link(home, "self", JSON),
            link(home + "?f=html", "alternate", HTML),
            link(home + "/items", "items", GEOJSON),
            link(home + "/items?f=html", "items", HTML),
            link(
                home + "/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
            ),
        ],
    }
    extent: dict[str, Any] = {}
    bbox = await features.extent(conn, collection=collection)
    if bbox:
        extent["spatial"] = {"bbox": [bbox], "crs": CRS84}
    times = await features.time_extent(conn, collection=collection)
    if times:
        extent["temporal"] = {
            "interval": [times],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    if extent:
        description["extent"] = extent
    return description


def queryables(request: Request, collection: Collection) -> dict[str, Any]:
    """The collection's queryables as a JSON Schema (Part 3)."""
    kinds: dict[str, dict[str, Any]] = {
        "integer": {"type": "integer"},
        "number": {"type": "number"},
        "boolean": {"type": "boolean"},
        "array": {"type": "array", "items": {"type": "string"}},
    }
    props: dict[str, Any] = {
        name: {"title": name, **kinds.get(collection.type_of(name), {"type": "string"})}
        for name in collection.properties
    }
    geometry = {"Point": "point", "MultiPolygon": "multipolygon", "LineString": "linestring"}
    props["geometry"] = {"format": f"geometry-{geometry[collection.geometry_type]}"}
    if collection.time:
        props["updated_at"] = {"type": "string", "format": "date-time", "title": "last change"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base(request)}/collections/{collection.id}/queryables",
        "type": "object",
        "title": collection.title,
        "properties": props,
        "additionalProperties": False,
    }
