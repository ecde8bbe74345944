"""Finding a place as people give it: by name or address (staff: also grids, buildings and
households of their jurisdiction; the public: public places only), and who should go there
(dispatch)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.auth import StaffDep
from api.deps import ConnectionDep
from api.errors import BadRequest
from api.routes.places import GEOJSON, PlaceDep
from gis.vocabulary import DUTIES
from layers import dispatch, search

router = APIRouter(tags=["Search"])

Text = Annotated[
    str,
    Query(min_length=1, max_length=100, description="part of a name or address, e.g. 名都 3栋"),
]
Limit = Annotated[int, Query(ge=1, le=50)]


def _query(q: str) -> str:
    text = " ".join(q.split())
    if not text:
        raise BadRequest("q is empty: type part of a name or an address")
    return text


@router.get("/search", summary="Places, grids, buildings and addresses by name (staff)")
async def staff_search(
    conn: ConnectionDep, staff: StaffDep, q: Text, limit: Limit = 10
) -> Response:
    body = await search.search(conn, _query(q), communities=staff.communities, limit=limit)
    return Response(body, media_type=GEOJSON)


@router.get("/places/search", summary="Public places by name: communities, roads, stations")
async def public_search(conn: ConnectionDep, q: Text, limit: Limit = 10) -> Response:
    body = await search.search(conn, _query(q), communities=None, limit=limit)
    return Response(body, media_type=GEOJSON)


@router.get("/dispatch/at", summary="Who should go to a place, first to last, and why (staff)")
async def responsible(
    conn: ConnectionDep,
    staff: StaffDep,
    point: PlaceDep,
    household: Annotated[str | None, Query(max_length=32, description="a household code")] = None,
    building: Annotated[str | None, Query(max_length=64, description="a building key")] = None,
    duty: Annotated[str | None, Query(description=", ".join(DUTIES))] = None,
    others: Annotated[int, Query(ge=0, le=20, description="members of other grids")] = 3,
) -> dict[str, Any]:
    if duty is not None and duty not in DUTIES:
        raise BadRequest(f"duty '{duty}' is not one of: {', '.join(DUTIES)}")
    place = dispatch.Place(point[0], point[1], household=household, building=building)
    return await dispatch.responsible(conn, place, scope=staff.scope_code, duty=duty, others=others)
