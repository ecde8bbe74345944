"""The API definition as OpenAPI 3.0 (what the conformance class `oas30` promises; FastAPI
writes 3.1): its schemas converted, the bearer and session security schemes, every status
an operation can answer with the problem+json schema, and one path per collection with the
parameters that collection accepts — what GDAL, QGIS and OWSLib read to build requests."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from api.auth import optional_staff, required_staff
from gis.crs_uri import OFFERED
from layers.collections import COLLECTIONS, Collection

PROBLEM = {"$ref": "#/components/schemas/Problem"}
STATUSES = {
    400: "a parameter or the body is not valid (the detail says what to change)",
    401: "staff only: no, an unknown or an expired token or session",
    403: "the role may not do this, or a CSRF token is missing",
    404: "no such thing (in the caller's jurisdiction)",
    412: "the version given in If-Match is stale: reload",
    413: "the body is too large",
    422: "the body cannot be done (e.g. an invalid shape)",
    428: "If-Match is required",
    429: "too many requests from this client: wait (Retry-After)",
    503: "busy, or the database is away: try again (Retry-After)",
}
_ITEMS = "/collections/{collection_id}/items"


def _walk(node: Any) -> Any:
    """JSON Schema 2020-12 (OpenAPI 3.1) into the OpenAPI 3.0 schema object."""
    if isinstance(node, list):
        return [_walk(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _walk(value) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            node.pop(key)
            node.update(rest[0] if len(rest) == 1 else {key: rest})
            node["nullable"] = True
    if isinstance(node.get("type"), list):
        kinds = [k for k in node["type"] if k != "null"]
        node["type"], node["nullable"] = kinds[0], True
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), int | float) and not isinstance(node.get(bound), bool):
            node[plain], node[bound] = node[bound], True
    if "examples" in node and isinstance(node["examples"], list):
        examples = node.pop("examples")
        if examples:
            node["example"] = examples[0]
    if "const" in node:
        node["enum"] = [node.pop("const")]
    node.pop("$schema", None)
    return node


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _operation_errors(route: APIRoute, operation: dict[str, Any]) -> None:
    calls = _calls(route.dependant)
    codes = {400, 503}
    if "{" in route.path:
        codes.add(404)
    if required_staff in calls:
        codes |= {401, 403}
        operation["security"] = [{"bearer": []}, {"session": []}]
    elif optional_staff in calls:
        codes |= {401, 429}
        operation["security"] = [{}, {"bearer": []}, {"session": []}]
    else:
        codes.add(429)
    names = {p.get("name", "").lower() for p in operation.get("parameters", [])}
    if "if-match" in names:
        codes |= {412, 428}
    if "requestBody" in operation or set(route.methods or ()) & {"POST", "PUT", "PATCH"}:
        codes |= {413, 422}
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        content = {"application/problem+json": {"schema": PROBLEM}}
        responses.setdefault(str(code), {"description": STATUSES[code], "content": content})


def _items_parameters(collection: Collection) -> list[Any]:
    crs_enum = {"type": "string", "format": "uri", "enum": list(OFFERED)}
    names = list(collection.properties)
    standard = [
        {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
         "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
        {"name": "bbox-crs", "in": "query", "schema": crs_enum},
        {"name": "crs", "in": "query", "schema": crs_enum},
        {"name": "datetime", "in": "query", "schema": {"type": "string"},
         "description": "an RFC 3339 instant or interval (open ends: ..)"},
        {"name": "limit", "in": "query", "style": "form", "explode": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 10}},
        {"name": "offset", "in": "query",
         "schema": {"type": "integer", "minimum": 0, "default": 0}},
        {"name": "properties", "in": "query", "style": "form", "explode": False,
         "schema": {"type": "array", "items": {"type": "string", "enum": names}}},
        {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0},
         "description": "the key after which a page starts (the next links use it)"},
        {"name": "sortby", "in": "query", "schema": {"type": "string"},
         "description": "properties, comma-separated; - before one sorts it descending"},
        {"name": "filter", "in": "query", "schema": {"type": "string"}, "description": "CQL2"},
        {"name": "filter-lang", "in": "query",
         "schema": {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"}},
        {"name": "filter-crs", "in": "query", "schema": crs_enum},
        {"name": "f", "in": "query",
         "schema": {"type": "string", "enum": ["json", "geojson", "html"]}},
    ]  # fmt: skip
    kinds = {"integer": "integer", "number": "number", "boolean": "boolean"}
    for name in collection.properties:
        kind = kinds.get(collection.type_of(name), "string")
        standard.append({"name": name, "in": "query", "schema": {"type": kind},
                         "description": f"features whose {name} is this value"})  # fmt: skip
    return standard


def _per_collection(paths: dict[str, Any]) -> None:
    """The generic /collections/{collection_id}/... paths, once per collection."""
    generic = {p: paths.pop(p) for p in list(paths) if p.startswith("/collections/{collection_id}")}
    for collection in COLLECTIONS.values():
        for path, item in generic.items():
            concrete = copy.deepcopy(item)
            for operation in concrete.values():
                operation["parameters"] = [
                    p for p in operation.get("parameters", []) if p["name"] != "collection_id"
                ]
                operation["operationId"] = f"{operation['operationId']}_{collection.id}"
                operation["summary"] = f"{operation.get('summary', '')}: {collection.id}"
                if path == _ITEMS:
                    operation["parameters"] = _items_parameters(collection)
                if collection.staff_only:
                    operation["security"] = [{"bearer": []}, {"session": []}]
            paths[path.replace("{collection_id}", collection.id)] = concrete


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """The app's API routes, from routers it included too (FastAPI keeps those nested)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _api_routes(route.original_router.routes)
    return found


def openapi30(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(title=app.title, version=app.version, description=app.description,
                           routes=app.routes)  # fmt: skip
    document = _walk(document)
    document["openapi"] = "3.0.3"
    components = document.setdefault("components", {})
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "a staff token"},
        "session": {"type": "apiKey", "in": "cookie", "name": "gridgis_session",
                    "description": "a signed-in account (the pages); writes need X-CSRF-Token"},
    }  # fmt: skip
    components.setdefault("schemas", {})["Problem"] = {
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {name: {"type": "string"} for name in ("type", "title", "detail", "instance")}
        | {"status": {"type": "integer"}},
        "required": ["title", "status", "detail"],
    }
    routes = {(r.path, m.lower()): r for r in _api_routes(app.routes) for m in r.methods or ()}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            route = routes.get((path, method))
            if route is not None:
                _operation_errors(route, operation)
    _per_collection(document["paths"])
    converted: dict[str, Any] = document
    return converted
