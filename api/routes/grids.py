"""Planners redraw grids: preview, save, split, merge, history (issue 6).

    GET  /grids/{code}                  the grid with its version (ETag), public
    POST /grids/{code}/preview          body: a Polygon/MultiPolygon or a Feature with one
    PUT  /grids/{code}[?undo=<id>]      same body; ?undo=<history id>: every grid that edit
                                        changed takes back its old shape (body optional)
    POST /grids/{code}/split/preview    body: {"line": LineString|Feature, "code"?, "name"?,
    POST /grids/{code}/split                       "members"?: [member codes to move]}
    POST /grids/{code}/merge/preview    body: {"with": other code, "with_version"?: int}
    POST /grids/{code}/merge
    GET  /grids/{code}/history          the grid's shape changes, newest first

Saves need `If-Match: "<version>"` (the ETag of GET or preview): missing → 428 Precondition
Required, stale → 412, and nothing changes. A shape that is not JSON → 400; too big → 413;
invalid, swapped or out of range, empty, outside the community, swallowing a neighbour or
leaving a gap → 422; a code taken, or an undo over later edits → 409. Planner and admin
tokens only (403 for others), within their jurisdiction (403). A preview runs the very
transaction a save runs, then rolls it back.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Annotated, Any

import orjson
import shapely
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from geojson_pydantic import LineString, MultiPolygon, Polygon
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from shapely.geometry.base import BaseGeometry
from starlette.concurrency import run_in_threadpool

from api.auth import StaffDep, require_role
from api.deps import ConnectionDep, SettingsDep
from api.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Problem,
    Unprocessable,
)
from layers import grid_history
from layers import redraw as edits
from layers.assignment_view import grid_communities
from layers.db import connect
from layers.tokens import Staff

router = APIRouter(tags=["Grid edits"])

MAX_BODY_BYTES = 1_000_000
MAX_POSITIONS = 20_000
SHAPES = {"Polygon": Polygon, "MultiPolygon": MultiPolygon}
LINES = {"LineString": LineString}


class PayloadTooLarge(Problem):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


class PreconditionRequired(Problem):
    status = HTTPStatus.PRECONDITION_REQUIRED


# --- request bodies ---------------------------------------------------------------------


async def _json_body(request: Request, *, optional: bool = False) -> Any:
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


def _geometry(value: Any, allowed: Mapping[str, Any], what: str) -> BaseGeometry:
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
        raise Unprocessable(f"{what} is not valid GeoJSON: {_messages(error)}") from error
    geometry = model.__geo_interface__
    _check_positions(list(_positions(geometry["coordinates"])), what)
    return shapely.force_2d(shapely.geometry.shape(geometry))


def _messages(error: ValidationError) -> str:
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
    for index, (lon, lat, *_) in enumerate(positions):
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise Unprocessable(f"{what}: position {index} is not a finite number")
        if not -90 <= lat <= 90:
            swapped = abs(lon) <= 90 and abs(lat) <= 180
            hint = " (are lon and lat swapped? GeoJSON is [lon, lat])" if swapped else ""
            raise Unprocessable(f"{what}: position {index} has lat {lat}, outside [-90, 90]{hint}")
        if not -180 <= lon <= 180:
            raise Unprocessable(f"{what}: position {index} has lon {lon}, outside [-180, 180]")


class SplitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line: dict[str, Any]
    code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    members: list[str] | None = Field(default=None, max_length=1_000)


class MergeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    other: str = Field(alias="with", min_length=1, max_length=32)
    with_version: int | None = Field(default=None, ge=1)


def _body_schema(example: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": example}},
        }
    }


SHAPE_EXAMPLE = {
    "type": "Polygon",
    "coordinates": [[[115.95, 28.69], [115.96, 28.69], [115.96, 28.70], [115.95, 28.69]]],
}
SPLIT_EXAMPLE = {"line": {"type": "LineString", "coordinates": [[115.94, 28.69], [115.97, 28.7]]}}


# --- checks -----------------------------------------------------------------------------


async def _editable(conn: Any, code: str, staff: Staff) -> None:
    """Planners and admins, for a grid in their jurisdiction."""
    require_role(staff, "planner", "admin")
    await _within(conn, code, staff)


async def _within(conn: Any, code: str, staff: Staff) -> None:
    found = await grid_communities(conn, grid_codes=[code])
    if code not in found:
        raise NotFound(f"no grid with code '{code}'")
    if found[code] not in staff.communities:
        raise Forbidden(f"grid {code} lies outside your jurisdiction")


def _version(if_match: str | None) -> int:
    """The version in `If-Match: "7"` (also W/"7" or 7)."""
    if if_match is None:
        raise PreconditionRequired(
            "send If-Match with the version you edited (the ETag of GET /grids/{code} or of "
            'the preview), e.g. If-Match: "3"'
        )
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise BadRequest(f'If-Match must carry one grid version such as "3", not {if_match!r}')
    return int(tag)


def _actor(staff: Staff) -> edits.Actor:
    return edits.Actor(role=staff.role, token_id=staff.token_id, scope_code=staff.scope_code)


def _edit_sync(
    url: str, edit: edits.Edit, actor: edits.Actor, save: bool, version: int | None
) -> edits.Outcome:
    with connect(url, autocommit=True) as conn:
        return edits.run_edit(conn, edit, actor=actor, save=save, expected_version=version)


async def _run(
    settings: Any, edit: edits.Edit, staff: Staff, *, save: bool, version: int | None = None
) -> Response:
    try:
        outcome = await run_in_threadpool(
            _edit_sync, settings.database_url or "", edit, _actor(staff), save, version
        )
    except edits.GridNotFound as error:
        raise NotFound(str(error)) from error
    except edits.StaleVersion as error:
        raise PreconditionFailed(str(error)) from error
    except edits.EditConflict as error:
        raise Conflict(str(error)) from error
    except edits.EditError as error:
        raise Unprocessable(str(error)) from error
    etag = outcome.version_after if save else outcome.version_before
    return Response(
        orjson.dumps(_report(outcome)), media_type="application/json", headers={"ETag": f'"{etag}"'}
    )


# --- responses --------------------------------------------------------------------------


def _geojson(geom: BaseGeometry | None) -> Any:
    if geom is None:
        return None
    # RFC 7946: exterior rings counter-clockwise.
    return shapely.geometry.mapping(shapely.orient_polygons(geom, exterior_cw=False))


def _report(outcome: edits.Outcome) -> dict[str, Any]:
    plan = outcome.plan
    return {
        "action": outcome.action,
        "grid": outcome.grid,
        "saved": outcome.saved,
        "version": outcome.version_before,
        "new_version": outcome.version_after,
        "can_save": not outcome.refusals,
        "refusals": outcome.refusals,
        "grids": {
            "type": "FeatureCollection",
            "features": [_grid_feature(g) for g in outcome.grids],
        },
        "households_moved": [
            {"household": m.household, "from": m.from_grid, "to": m.to_grid} for m in outcome.moves
        ],
        "gaps": [
            {"geometry": _geojson(g), "area_m2": round(a, 1)}
            for g, a in zip(plan.gaps, plan.gap_areas_m2, strict=True)
        ],
        "problems": [
            {
                "kind": i.kind,
                "grids": list(i.grids),
                "area_m2": i.area_m2,
                "detail": i.detail,
                "location": _geojson(i.location),
            }
            for i in outcome.issues
        ],
        "warnings": plan.warnings,
        "snapped_m": plan.snapped_m,
        "clipped_m2": round(plan.clipped_m2, 1),
        "assignment_run": outcome.run_id if outcome.saved else None,
        "history": outcome.history,
    }


def _grid_feature(grid: edits.GridOutcome) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": grid.code,
        "geometry": _geojson(grid.geom),
        "properties": {
            "code": grid.code,
            "name": grid.name,
            "change": grid.change,
            "version": grid.version,
            "area_m2": grid.area_m2,
            "area_change_m2": grid.area_change_m2,
            "households": grid.households,
            "status": grid.status,
            "members_needed": grid.members_needed,
            "unassigned": grid.unassigned,
            "idle_capacity": grid.idle_capacity,
            "moved": grid.moved,
            "members": [
                {
                    "code": m.code,
                    "load": m.load,
                    "min_load": m.min_load,
                    "max_load": m.max_load,
                    "active": m.active,
                    "within_bounds": not m.active or m.min_load <= m.load <= m.max_load,
                }
                for m in grid.members
            ],
        },
    }


# --- routes -----------------------------------------------------------------------------


@router.get("/grids/{code}", summary="One grid with its version (ETag)")
async def grid(code: str, conn: ConnectionDep) -> Response:
    found = await grid_history.grid_feature(conn, code)
    if found is None:
        raise NotFound(f"no grid with code '{code}'")
    body, version = found
    return Response(body, media_type="application/geo+json", headers={"ETag": f'"{version}"'})


@router.post(
    "/grids/{code}/preview",
    summary="What redrawing a grid would do, without saving (planner, admin)",
    openapi_extra=_body_schema(SHAPE_EXAMPLE),
)
async def preview(
    code: str, request: Request, conn: ConnectionDep, staff: StaffDep, settings: SettingsDep
) -> Response:
    await _editable(conn, code, staff)
    shape = _geometry(await _json_body(request), SHAPES, "the shape")
    return await _run(settings, edits.Redraw(code, shape), staff, save=False)


@router.put(
    "/grids/{code}",
    summary="Redraw a grid: shapes, households, re-assignment and history in one transaction",
    openapi_extra=_body_schema(SHAPE_EXAMPLE),
)
async def save(
    code: str,
    request: Request,
    conn: ConnectionDep,
    staff: StaffDep,
    settings: SettingsDep,
    if_match: Annotated[str | None, Header()] = None,
    undo: Annotated[int | None, Query(ge=1, description="the history record to undo")] = None,
) -> Response:
    await _editable(conn, code, staff)
    version = _version(if_match)
    body = await _json_body(request, optional=undo is not None)
    shape = _geometry(body, SHAPES, "the shape") if body is not None else None
    edit = edits.Redraw(code, shape, undo_of=undo)
    return await _run(settings, edit, staff, save=True, version=version)


def _split(code: str, body: Any) -> edits.Split:
    try:
        parsed = SplitBody.model_validate(body)
    except ValidationError as error:
        raise Unprocessable(f"the split request is not valid: {_messages(error)}") from error
    line = _geometry(parsed.line, LINES, "the split line")
    members = tuple(parsed.members) if parsed.members is not None else None
    return edits.Split(code, line, code=parsed.code, name=parsed.name, members=members)


@router.post(
    "/grids/{code}/split/preview",
    summary="What splitting a grid along a line would do (planner, admin)",
    openapi_extra=_body_schema(SPLIT_EXAMPLE),
)
async def split_preview(
    code: str, request: Request, conn: ConnectionDep, staff: StaffDep, settings: SettingsDep
) -> Response:
    await _editable(conn, code, staff)
    edit = _split(code, await _json_body(request))
    return await _run(settings, edit, staff, save=False)


@router.post(
    "/grids/{code}/split",
    summary="Split a grid along a line into two (planner, admin; If-Match)",
    openapi_extra=_body_schema(SPLIT_EXAMPLE),
)
async def split(
    code: str,
    request: Request,
    conn: ConnectionDep,
    staff: StaffDep,
    settings: SettingsDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    await _editable(conn, code, staff)
    version = _version(if_match)
    edit = _split(code, await _json_body(request))
    return await _run(settings, edit, staff, save=True, version=version)


async def _merge(conn: Any, code: str, body: MergeBody, staff: Staff) -> edits.Merge:
    await _editable(conn, code, staff)
    await _within(conn, body.other, staff)
    return edits.Merge(code, body.other, other_version=body.with_version)


@router.post("/grids/{code}/merge/preview", summary="What merging two grids would do")
async def merge_preview(
    code: str, body: MergeBody, conn: ConnectionDep, staff: StaffDep, settings: SettingsDep
) -> Response:
    edit = await _merge(conn, code, body, staff)
    return await _run(settings, edit, staff, save=False)


@router.post("/grids/{code}/merge", summary="Merge a neighbour into a grid (If-Match)")
async def merge(
    code: str,
    body: MergeBody,
    conn: ConnectionDep,
    staff: StaffDep,
    settings: SettingsDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    edit = await _merge(conn, code, body, staff)
    version = _version(if_match)
    return await _run(settings, edit, staff, save=True, version=version)


@router.get("/grids/{code}/history", summary="A grid's shape changes, newest first (staff)")
async def history(
    code: str,
    conn: ConnectionDep,
    staff: StaffDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    community = await grid_history.history_community(conn, code)
    if community is None:
        raise NotFound(f"no grid with code '{code}'")
    if community not in staff.communities:
        raise Forbidden(f"grid {code} lies outside your jurisdiction")
    body = await grid_history.history_json(conn, code, limit=limit)
    return Response(body, media_type="application/json")
