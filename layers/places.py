"""Questions about a place: the nearest stations and members, and the grid that owns it.

Nearest means true distance: candidates come from the geography GiST index (KNN `<->`, on the
sphere) and are ordered by the spheroid distance, which is what `distance_m` reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gis.chinese_crs import wgs84_to_bd09, wgs84_to_gcj02
from gis.hours import is_open, open_state, week
from layers.collections import AREAS_OF_GRID, IN_SCOPE
from layers.db import Connection, fetchall, fetchone

_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography"
# The sphere (index) and the spheroid orders differ by well under 0.5 %; a margin of extra
# candidates keeps the spheroid order exact at the cut.
_MARGIN = 8

_NEAREST_STATIONS = f"""
    SELECT * FROM (
        SELECT s.code, s.name, s.kind, s.services, s.opening_hours, s.address,
               s.service_phone, ST_AsGeoJSON(s.geom, 7) AS geometry,
               ST_Distance(s.geom::geography, {_POINT}) AS distance_m,
               ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
        FROM stations s
        WHERE (%(service)s::text IS NULL OR %(service)s = ANY(s.services))
          AND (%(within)s::float8 IS NULL OR ST_DWithin(s.geom::geography, {_POINT}, %(within)s))
        ORDER BY s.geom::geography <-> {_POINT}
        LIMIT %(limit)s) candidates
    ORDER BY distance_m, code
"""


@dataclass(frozen=True)
class Station:
    properties: dict[str, Any]  # with distance_m, open_now and next_change
    geometry: str  # GeoJSON text


def _station(row: Any, now: datetime) -> Station:
    code, name, kind, services, hours, address, phone, geometry, distance, lon, lat = row
    state = open_state(hours, now)
    gcj = wgs84_to_gcj02(lon, lat)
    bd = wgs84_to_bd09(lon, lat)
    properties = {
        "code": code,
        "name": name,
        "kind": kind,
        "services": list(services),
        "opening_hours": hours,
        "address": address,
        "service_phone": phone,
        "distance_m": round(float(distance), 1),
        "open_now": state.open_now,
        "next_change": state.next_change,
        # today and the next six days, in the service's time zone (the pages' "today")
        "week": week(hours, now.date()),
        # where the phone map apps expect it: Amap/Tencent (GCJ-02), Baidu (BD-09)
        "gcj02": [round(float(gcj[0]), 7), round(float(gcj[1]), 7)],
        "bd09": [round(float(bd[0]), 7), round(float(bd[1]), 7)],
    }
    return Station(properties, geometry)


async def nearest_stations(
    conn: Connection,
    *,
    lon: float,
    lat: float,
    k: int,
    now: datetime,
    service: str | None = None,
    open_now: bool = False,
    max_distance_m: float | None = None,
) -> list[Station]:
    """The k nearest stations (with the service; open at `now`, local time, if asked).

    Closed stations are skipped in Python (opening hours are not SQL), so when too few of
    the candidates are open the search widens until k are found or none are left."""
    params = {"lon": lon, "lat": lat, "service": service, "within": max_distance_m}
    limit = k
    while True:
        rows = await fetchall(conn, _NEAREST_STATIONS, {**params, "limit": limit + _MARGIN})
        chosen = [r for r in rows if not open_now or is_open(r[4], now)]
        if len(chosen) >= k or len(rows) < limit + _MARGIN:
            return [_station(row, now) for row in chosen[:k]]
        limit *= 4


async def nearest_members(
    conn: Connection, *, lon: float, lat: float, k: int, scope: str
) -> tuple[str, int]:
    """A FeatureCollection (JSON text) of the k nearest active members in the jurisdiction,
    and how many it holds."""
    row = await fetchone(
        conn,
        f"""
        WITH nearest AS (
            SELECT m.code, m.name, m.duty, m.service_phone, m.kind, g.code AS grid_code,
                   m.geom, ST_Distance(m.geom::geography, {_POINT}) AS distance_m
            FROM members m JOIN grids g ON g.id = m.grid_id {AREAS_OF_GRID}
            WHERE m.active AND {IN_SCOPE.format("%(scope)s")}
            ORDER BY m.geom::geography <-> {_POINT}
            LIMIT %(k)s + {_MARGIN})
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
            json_build_object('type', 'Feature', 'id', code,
                'geometry', ST_AsGeoJSON(geom, 7)::json,
                'properties', json_build_object('code', code, 'name', name, 'duty', duty,
                    'service_phone', service_phone, 'kind', kind, 'grid_code', grid_code,
                    'distance_m', round(distance_m::numeric, 1)))
            ORDER BY distance_m, code), '[]'))::text, count(*)
        FROM (SELECT * FROM nearest ORDER BY distance_m, code LIMIT %(k)s) best
        """,
        {"lon": lon, "lat": lat, "scope": scope, "k": k},
    )
    assert row is not None
    return str(row[0]), int(row[1])


@dataclass(frozen=True)
class GridAtPoint:
    grid: dict[str, Any]
    geometry: str
    members: list[dict[str, Any]]


_GRID_AT = """
    SELECT g.id, g.code, g.name, g.version, ST_AsGeoJSON(g.geom, 7),
           c.code, c.name, c.level, s.code, s.name, s.level
    FROM grids g JOIN areas c ON c.code = g.community_code
    LEFT JOIN areas s ON s.code = c.parent_code
    WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
    ORDER BY g.id LIMIT 1
"""


async def grid_at(conn: Connection, *, lon: float, lat: float) -> GridAtPoint | None:
    row = await fetchone(conn, _GRID_AT, (lon, lat))
    if row is None:
        return None
    grid_id, code, name, version, geometry, *areas = row
    members = await fetchall(
        conn,
        "SELECT name, duty, service_phone FROM members WHERE grid_id = %s AND active "
        "ORDER BY duty, code",
        (grid_id,),
    )
    grid = {
        "code": code,
        "name": name,
        "version": version,
        "community": {"code": areas[0], "name": areas[1], "level": areas[2]},
        "street": {"code": areas[3], "name": areas[4], "level": areas[5]},
    }
    return GridAtPoint(
        grid=grid,
        geometry=geometry,
        members=[{"name": n, "duty": d, "service_phone": p} for n, d, p in members],
    )
