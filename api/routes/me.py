"""Who the caller is, for the pages to show what the caller may do (and nothing else)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.auth import StaffDep

router = APIRouter(tags=["Staff"])


@router.get("/auth/me", summary="The caller's role and jurisdiction (staff)")
async def me(staff: StaffDep) -> dict[str, Any]:
    return {
        "role": staff.role,
        "scope_code": staff.scope_code,
        "communities": list(staff.communities),
        "can_edit_grids": staff.role in ("planner", "admin"),
    }
