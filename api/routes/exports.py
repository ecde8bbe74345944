"""Lists staff take away: each member's households of a grid as an xlsx workbook (address,
residents, care tags), recorded in the processing record."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api import export_formats
from api.access import ScopedGrid
from api.auth import StaffDep
from api.deps import ConnectionDep, SettingsDep
from layers import audit, exports

router = APIRouter(tags=["Exports (staff)"])

LABELS = {
    "zh-CN": {
        "grid": "网格", "member": "网格员", "household": "户编号", "address": "地址",
        "residents": "人数", "care_tags": "关爱标签", "unassigned": "未分配",
    },
    "en": {
        "grid": "Grid", "member": "Member", "household": "Household", "address": "Address",
        "residents": "Residents", "care_tags": "Care tags", "unassigned": "no member",
    },
}  # fmt: skip


@router.get(
    "/grids/{code}/households.xlsx",
    summary="Each member's households of a grid, one sheet each (staff)",
    response_class=Response,
    responses={200: {"content": {export_formats.XLSX: {}}}},
)
async def member_lists(
    code: ScopedGrid, conn: ConnectionDep, staff: StaffDep, settings: SettingsDep
) -> Response:
    lists = await exports.member_lists(conn, grid_code=code)
    rows = sum(len(found.rows) for found in lists)
    await audit.record(conn, staff, action="export", target=f"/grids/{code}/households.xlsx",
                       rows=rows)  # fmt: skip
    body = export_formats.member_workbook(code, lists, LABELS[settings.language])
    name = f'attachment; filename="{code}-households.xlsx"'
    return Response(body, media_type=export_formats.XLSX, headers={"Content-Disposition": name})
