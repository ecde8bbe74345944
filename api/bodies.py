"""Request bodies that carry geometry: read up to a size limit, parsed as JSON, checked with
geojson-pydantic and for lon/lat ranges, handed on as shapely geometries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson
import shapely
from fastapi import Request
from geojson_pydantic import LineString, MultiPolygon, Polygon
from pydantic import ValidationError
from shapely.geometry.base import BaseGeometry

from api.errors import BadRequest, PayloadTooLarge, Unprocessable
from gis.geometry import LonLatError, check_lonlat

MAX_BODY_BYTES = 1_000_000
MAX_POSITIONS = 20_000
SHAPES = {"Polygon": Polygon, "MultiPolygon": MultiPolygon}
LINES = {"LineString": LineString}


async def json_body(request: Request, *, optional: bool = False) -> Any:
    """The body as JSON, read up to the size limit (a huge body is refused, not buffered)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body has {int(declared):,} bytes; at most {MAX_BODY_BYTES:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"the body is over {MAX_BODY_BYTES:,} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        if optional:
            return None
        raise Unprocessable("send a body: a GeoJSON geometry or a Feature with one")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BadRequest(f"the body is not JSON: {error}") from error


def geometry(value: Any, allowed: Mapping[str, Any], what: str) -> BaseGeometry:
    """A GeoJSON geometry (or a Feature carrying one) of an allowed type, checked with
    geojson-pydantic, then for lon/lat ranges, as a shapely geometry."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    kind = value.get("type") if isinstance(value, dict) else None
    if not isinstance(kind, str) or kind not in allowed:
        names = " or ".join(allowed)
        raise Unprocessable(f"{what} must be a GeoJSON {names} (or a Feature with one), not {kind}")
    try:
        model = allowed[kind].model_validate(value)
    except ValidationError as error:
        raise Unprocessable(f"{what} is not valid GeoJSON: {messages(error)}") from error
    geojson = model.__geo_interface__
    _check_positions(list(_positions(geojson["coordinates"])), what)
    return shapely.force_2d(shapely.geometry.shape(geojson))


def messages(error: ValidationError) -> str:
    """Pydantic's complaints in a line, without its internal type names."""
    seen: list[str] = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"] if not str(p).startswith("Position"))
        text = f"{where or 'geometry'}: {item['msg'].removeprefix('Value error, ')}"
        if text not in seen:
            seen.append(text)
    return "; ".join(seen[:3])


def _positions(coordinates: Any) -> Iterator[tuple[float, ...]]:
    if coordinates and isinstance(coordinates[0], int | float):
        yield tuple(coordinates)
        return
    for part in coordinates:
        yield from _positions(part)


def _check_positions(positions: list[tuple[float, ...]], what: str) -> None:
    if len(positions) > MAX_POSITIONS:
        raise Unprocessable(f"{what} has {len(positions):,} positions; at most {MAX_POSITIONS:,}")
    try:
        check_lonlat([p[0] for p in positions], [p[1] for p in positions])
    except LonLatError as error:
        raise Unprocessable(f"{what}: {error}") from error
