"""Assignment runs over HTTP (planners) and one grid's assignment (staff)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field, model_validator

from api.access import ScopedGrid, check_grids_within
from api.auth import PlannerDep, StaffDep
from api.deps import ConnectionDep, SettingsDep
from api.errors import BadRequest, NotFound
from gis.vocabulary import GridStatus
from layers import audit
from layers.areas import communities_below
from layers.assignment_view import grid_assignment, grid_communities
from layers.assignments import Scope, ScopeError, run_assignment
from layers.db import Connection
from layers.tokens import Staff

router = APIRouter(tags=["Assignment"])


class RunRequest(BaseModel):
    """Exactly one of: grid codes, an area code (community, street, district), or all."""

    grids: list[str] | None = Field(default=None, min_length=1, max_length=10_000)
    community: str | None = None
    all: bool = False

    @model_validator(mode="after")
    def _one_scope(self) -> RunRequest:
        if sum([self.grids is not None, self.community is not None, self.all]) != 1:
            raise ValueError("give exactly one of: grids, community, all")
        return self


class GridResult(BaseModel):
    grid: str
    status: GridStatus
    households: int
    members: int
    members_needed: int
    unassigned: int
    idle_capacity: int
    split_buildings: int
    moved: int
    objective_m: float


class RunResponse(BaseModel):
    run_id: int
    grids: int
    households: int
    assigned: int
    by_status: dict[str, int]
    members_outside_bounds: int
    objective_m: float
    results: list[GridResult]


async def _scope_within(conn: Connection, body: RunRequest, staff: Staff) -> Scope:
    """The run's scope, refused when it reaches outside the caller's jurisdiction."""
    if body.all:
        return Scope(area=staff.scope_code)  # "all" means all of the caller's grids
    if body.community is not None:
        below = await communities_below(conn, area_code=body.community)
        if below is None or not set(below) <= set(staff.communities):
            raise NotFound(f"no area with code '{body.community}' in your jurisdiction")
        return Scope(area=body.community)
    codes = body.grids or []
    check_grids_within(await grid_communities(conn, grid_codes=codes), codes, staff)
    return Scope(grids=tuple(codes))


@router.post("/assignments/run", summary="Assign households to members (planner, admin)")
async def run(
    body: RunRequest, conn: ConnectionDep, staff: PlannerDep, settings: SettingsDep
) -> RunResponse:
    scope = await _scope_within(conn, body, staff)
    try:
        summary = await run_assignment(conn, scope=scope, workers=settings.workers)
    except ScopeError as error:
        raise BadRequest(str(error)) from error
    detail = f"run {summary.run_id}: {summary.grids} grids"
    target = "/assignments/run"
    await audit.record(
        conn, staff, action="write", target=target, rows=summary.assigned, detail=detail
    )
    return RunResponse(
        run_id=summary.run_id,
        grids=summary.grids,
        households=summary.households,
        assigned=summary.assigned,
        by_status=summary.by_status,
        members_outside_bounds=summary.members_outside_bounds,
        objective_m=round(summary.objective_m, 1),
        results=[
            GridResult(
                grid=s.grid,
                status=s.status,
                households=len(s.member_of),
                members=len(s.loads),
                members_needed=s.members_needed,
                unassigned=s.unassigned,
                idle_capacity=s.idle_capacity,
                split_buildings=s.split_buildings,
                moved=s.moved,
                objective_m=round(s.objective_m, 1),
            )
            for s in summary.solutions
        ],
    )


@router.get("/grids/{code}/assignment", summary="A grid's households, members and loads (staff)")
async def assignment_of_grid(code: ScopedGrid, conn: ConnectionDep, staff: StaffDep) -> Response:
    body, households = await grid_assignment(conn, grid_code=code)
    target = f"/grids/{code}/assignment"
    await audit.record(conn, staff, action="read", target=target, rows=households)
    return Response(body or "{}", media_type="application/json")
