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

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.access import EditableGrid, GridWithHistory, check_grids_within
from api.auth import PlannerDep
from api.bodies import LINES, SHAPES, geometry, json_body, messages
from api.deps import ConnectionDep
from api.edit_reports import edit_report
from api.errors import (
    BadRequest,
    Conflict,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)
from layers import audit, grid_edits, grid_history
from layers.assignment_view import grid_communities
from layers.db import Connection
from layers.grid_history import Actor
from layers.tokens import Staff

router = APIRouter(tags=["Grid edits"])
TEXT = r"^[^\x00-\x1f\x7f]+$"  # no control characters


class SplitBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    line: dict[str, Any]
    code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    # text only: no control characters (a name is shown on pages, cards and exports)
    name: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"
    )
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


async def _run(
    conn: Connection,
    edit: grid_edits.Edit,
    staff: Staff,
    *,
    save: bool,
    version: int | None = None,
) -> Response:
    actor = Actor(role=staff.role, token_id=staff.token_id, scope_code=staff.scope_code)
    try:
        outcome = await grid_edits.run_edit(
            conn, edit, actor=actor, save=save, expected_version=version
        )
    except grid_edits.GridNotFound as error:
        raise NotFound(str(error)) from error
    except grid_edits.StaleVersion as error:
        raise PreconditionFailed(str(error)) from error
    except grid_edits.EditConflict as error:
        raise Conflict(str(error)) from error
    except grid_edits.EditError as error:
        raise Unprocessable(str(error)) from error
    etag = outcome.version_after if save else outcome.version_before
    await audit.record(
        conn,
        staff,
        action="write" if save else "read",
        target=f"/grids/{outcome.grid} {outcome.action}" + ("" if save else " preview"),
        rows=len(outcome.moves),
        detail=f"grids {', '.join(g.code for g in outcome.grids)}" if outcome.grids else None,
    )
    return Response(
        orjson.dumps(edit_report(outcome)),
        media_type="application/json",
        headers={"ETag": f'"{etag}"'},
    )


@router.get("/grids/{code}", summary="One grid with its version (ETag; 304 when unchanged)")
async def grid(
    code: str,
    conn: ConnectionDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    found = await grid_history.grid_feature(conn, code)
    if found is None:
        raise NotFound(f"no grid with code '{code}'")
    body, version = found
    etag = f'"{version}"'
    if if_none_match is not None and etag in {
        t.strip().removeprefix("W/") for t in if_none_match.split(",")
    }:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/geo+json", headers={"ETag": etag})


@router.post(
    "/grids/{code}/preview",
    summary="What redrawing a grid would do, without saving (planner, admin)",
    openapi_extra=_body_schema(SHAPE_EXAMPLE),
)
async def preview(
    code: EditableGrid, request: Request, conn: ConnectionDep, staff: PlannerDep
) -> Response:
    shape = geometry(await json_body(request), SHAPES, "the shape")
    return await _run(conn, grid_edits.Redraw(code, shape), staff, save=False)


@router.put(
    "/grids/{code}",
    summary="Redraw a grid: shapes, households, re-assignment and history in one transaction",
    openapi_extra=_body_schema(SHAPE_EXAMPLE),
)
async def save(
    code: EditableGrid,
    request: Request,
    conn: ConnectionDep,
    staff: PlannerDep,
    if_match: Annotated[str | None, Header()] = None,
    undo: Annotated[int | None, Query(ge=1, description="the history record to undo")] = None,
) -> Response:
    version = _version(if_match)
    body = await json_body(request, optional=undo is not None)
    shape = geometry(body, SHAPES, "the shape") if body is not None else None
    edit = grid_edits.Redraw(code, shape, undo_of=undo)
    return await _run(conn, edit, staff, save=True, version=version)


def _split(code: str, body: Any) -> grid_edits.Split:
    try:
        parsed = SplitBody.model_validate(body)
    except ValidationError as error:
        raise Unprocessable(f"the split request is not valid: {messages(error)}") from error
    line = geometry(parsed.line, LINES, "the split line")
    members = tuple(parsed.members) if parsed.members is not None else None
    return grid_edits.Split(code, line, code=parsed.code, name=parsed.name, members=members)


@router.post(
    "/grids/{code}/split/preview",
    summary="What splitting a grid along a line would do (planner, admin)",
    openapi_extra=_body_schema(SPLIT_EXAMPLE),
)
async def split_preview(
    code: EditableGrid, request: Request, conn: ConnectionDep, staff: PlannerDep
) -> Response:
    edit = _split(code, await json_body(request))
    return await _run(conn, edit, staff, save=False)


@router.post(
    "/grids/{code}/split",
    summary="Split a grid along a line into two (planner, admin; If-Match)",
    openapi_extra=_body_schema(SPLIT_EXAMPLE),
)
async def split(
    code: EditableGrid,
    request: Request,
    conn: ConnectionDep,
    staff: PlannerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    version = _version(if_match)
    edit = _split(code, await json_body(request))
    return await _run(conn, edit, staff, save=True, version=version)


async def _merge(conn: Connection, code: str, body: MergeBody, staff: Staff) -> grid_edits.Merge:
    found = await grid_communities(conn, grid_codes=[body.other])
    check_grids_within(found, [body.other], staff)
    return grid_edits.Merge(code, body.other, other_version=body.with_version)


@router.post("/grids/{code}/merge/preview", summary="What merging two grids would do")
async def merge_preview(
    code: EditableGrid, body: MergeBody, conn: ConnectionDep, staff: PlannerDep
) -> Response:
    edit = await _merge(conn, code, body, staff)
    return await _run(conn, edit, staff, save=False)


@router.post("/grids/{code}/merge", summary="Merge a neighbour into a grid (If-Match)")
async def merge(
    code: EditableGrid,
    body: MergeBody,
    conn: ConnectionDep,
    staff: PlannerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    edit = await _merge(conn, code, body, staff)
    version = _version(if_match)
    return await _run(conn, edit, staff, save=True, version=version)


@router.get("/grids/{code}/history", summary="A grid's shape changes, newest first (staff)")
async def history(
    code: GridWithHistory,
    conn: ConnectionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    body = await grid_history.history_json(conn, code, limit=limit)
    return Response(body, media_type="application/json")
