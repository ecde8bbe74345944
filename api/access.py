"""What a caller may touch, as dependencies a route names in its signature: a grid inside the
caller's jurisdiction (`ScopedGrid`), one a planner may edit (`EditableGrid`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.auth import PlannerDep, StaffDep
from api.deps import ConnectionDep
from api.errors import NotFound
from layers.assignment_view import grid_communities
from layers.grid_history import history_community
from layers.tokens import Staff


def check_grids_within(found: dict[str, str], codes: list[str], staff: Staff) -> None:
    """Every code must be a grid (`found` maps grid codes to their community) inside the
    caller's jurisdiction. A grid outside it is answered like an unknown one, so answers
    do not tell what exists elsewhere."""
    missing = sorted(c for c in set(codes) if found.get(c) not in staff.communities)
    if missing:
        raise NotFound(f"no grid with code {', '.join(missing)} in your jurisdiction")


async def _scoped_grid(code: str, conn: ConnectionDep, staff: StaffDep) -> str:
    check_grids_within(await grid_communities(conn, grid_codes=[code]), [code], staff)
    return code


async def _editable_grid(code: str, conn: ConnectionDep, staff: PlannerDep) -> str:
    return await _scoped_grid(code, conn, staff)


async def _grid_with_history(code: str, conn: ConnectionDep, staff: StaffDep) -> str:
    """A grid, or one merged away that still has history, inside the jurisdiction."""
    community = await history_community(conn, code)
    if community is None or community not in staff.communities:
        raise NotFound(f"no grid with code '{code}' in your jurisdiction")
    return code


ScopedGrid = Annotated[str, Depends(_scoped_grid)]
EditableGrid = Annotated[str, Depends(_editable_grid)]
GridWithHistory = Annotated[str, Depends(_grid_with_history)]
