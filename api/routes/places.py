"""Questions about a place: nearest open stations (public), nearest members (staff), and the
grid that owns a point with its published members."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.auth import MaybeStaffDep, StaffDep
from api.deps import ConnectionDep, SettingsDep
from api.errors import BadRequest, NotFound
from gis.geometry import LonLatError, check_lonlat
from gis.privacy import published_name
from gis.vocabulary import DUTIES, SERVICES
from layers import audit, places
from layers.tokens import Staff

router = APIRouter(tags=["Places"])
GEOJSON = "application/geo+json"


async def place(
    lon: Annotated[float, Query(description="longitude, WGS84 degrees (east positive)")],
    lat: Annotated[float, Query(description="latitude, WGS84 degrees (north positive)")],
) -> tuple[float, float]:
    """A lon/lat pair, with a hint when the two look swapped (a latitude of 115...)."""
    try:
        check_lonlat(lon, lat)
    except LonLatError as error:
        raise BadRequest(str(error)) from error
    return lon, lat


PlaceDep = Annotated[tuple[float, float], Depends(place)]


def _feature(code: str, geometry: str, properties: dict[str, Any]) -> bytes:
    # The geometry is GeoJSON text from PostGIS: spliced in, not parsed and dumped again.
    return (
        b'{"type":"Feature","id":'
        + orjson.dumps(code)
        + b',"geometry":'
        + geometry.encode()
        + b',"properties":'
        + orjson.dumps(properties)
        + b"}"
    )


@router.get("/stations/nearest", summary="The nearest stations, nearest first")
async def nearest_stations(
    conn: ConnectionDep,
    settings: SettingsDep,
    point: PlaceDep,
    k: Annotated[int, Query(ge=1, le=100)] = 5,
    service: Annotated[str | None, Query(description=", ".join(SERVICES))] = None,
    open_now: Annotated[bool, Query(description="only stations open now")] = False,
    max_distance_m: Annotated[float | None, Query(gt=0, le=100_000)] = None,
) -> Response:
    if service is not None and service not in SERVICES:
        raise BadRequest(f"service '{service}' is not one of: {', '.join(SERVICES)}")
    # Local wall-clock time without a zone: opening_hours strings are local times.
    now = datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None, second=0, microsecond=0)
    stations = await places.nearest_stations(
        conn,
        lon=point[0],
        lat=point[1],
        k=k,
        now=now,
        service=service,
        open_now=open_now,
        max_distance_m=max_distance_m,
    )
    features = [_feature(s.properties["code"], s.geometry, s.properties) for s in stations]
    body = b'{"type":"FeatureCollection","features":[' + b",".join(features) + b"]}"
    return Response(body, media_type=GEOJSON)


@router.get("/members/nearest", summary="The nearest active members (staff)")
async def nearest_members(
    conn: ConnectionDep,
    staff: StaffDep,
    point: PlaceDep,
    k: Annotated[int, Query(ge=1, le=100)] = 5,
) -> Response:
    body, rows = await places.nearest_members(
        conn, lon=point[0], lat=point[1], k=k, scope=staff.scope_code
    )
    await audit.record(conn, staff, action="read", target="/members/nearest", rows=rows)
    return Response(body, media_type=GEOJSON)


def _published(member: dict[str, Any], full_names: bool) -> dict[str, Any]:
    return {
        "name": member["name"] if full_names else published_name(member["name"]),
        "duty": member["duty"],
        "duty_label": DUTIES.get(member["duty"], member["duty"]),
        "service_phone": member["service_phone"],
    }


def _sees_full_names(staff: Staff | None, community: str) -> bool:
    return staff is not None and community in staff.communities


@router.get("/grids/at", summary="The grid that owns a point, its community and members")
async def grid_at(conn: ConnectionDep, point: PlaceDep, staff: MaybeStaffDep) -> Response:
    found = await places.grid_at(conn, lon=point[0], lat=point[1])
    if found is None:
        raise NotFound(f"no grid covers lon {point[0]}, lat {point[1]}: outside every grid")
    full = _sees_full_names(staff, found.grid["community"]["code"])
    properties = {**found.grid, "members": [_published(m, full) for m in found.members]}
    if full and staff is not None:
        target = f"/grids/at ({found.grid['code']})"
        await audit.record(conn, staff, action="read", target=target, rows=len(found.members))
    return Response(_feature(found.grid["code"], found.geometry, properties), media_type=GEOJSON)
