"""Questions about a place: the nearest stations and members, and the grid that owns it.

Nearest means true distance: candidates come from the geography GiST index (KNN `<->`, on the
sphere) and are ordered by the spheroid distance, which is what `distance_m` reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from layers.features import AREAS_OF_GRID, IN_SCOPE

_POINT = "ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography"


@dataclass(frozen=True)
class StationCandidate:
    properties: dict[str, Any]
    geometry: str  # GeoJSON text
    opening_hours: str


async def nearest_stations(
    conn: asyncpg.Connection,
    *,
    lon: float,
    lat: float,
    limit: int,
    service: str | None,
    max_distance_m: float | None,
) -> list[StationCandidate]:
    # The sphere (index) and the spheroid orders differ by well under 0.5 %; a margin of
    # extra candidates keeps the spheroid order exact at the cut.
    rows = await conn.fetch(
        f"""
        SELECT * FROM (
            SELECT s.code, s.name, s.kind, s.services, s.opening_hours, s.address,
                   s.service_phone, ST_AsGeoJSON(s.geom, 7) AS geometry,
                   ST_Distance(s.geom::geography, {_POINT}) AS distance_m
            FROM stations s
            WHERE ($3::text IS NULL OR $3 = ANY(s.services))
              AND ($4::float8 IS NULL OR ST_DWithin(s.geom::geography, {_POINT}, $4))
            ORDER BY s.geom::geography <-> {_POINT}
            LIMIT $5) candidates
        ORDER BY distance_m, code
        """,
        lon,
        lat,
        service,
        max_distance_m,
        limit + 8,
    )
    return [
        StationCandidate(
            properties={
                "code": row["code"],
                "name": row["name"],
                "kind": row["kind"],
                "services": list(row["services"]),
                "opening_hours": row["opening_hours"],
                "address": row["address"],
                "service_phone": row["service_phone"],
                "distance_m": round(float(row["distance_m"]), 1),
            },
            geometry=row["geometry"],
            opening_hours=row["opening_hours"],
        )
        for row in rows
    ]


async def nearest_members(
    conn: asyncpg.Connection,
    *,
    lon: float,
    lat: float,
    k: int,
    scope: str,
) -> str:
    """A FeatureCollection (JSON text) of the k nearest active members in the jurisdiction."""
    value = await conn.fetchval(
        f"""
        WITH nearest AS (
            SELECT m.code, m.name, m.duty, m.service_phone, m.kind, g.code AS grid_code,
                   m.geom, ST_Distance(m.geom::geography, {_POINT}) AS distance_m
            FROM members m JOIN grids g ON g.id = m.grid_id {AREAS_OF_GRID}
            WHERE m.active AND {IN_SCOPE.format("$3")}
            ORDER BY m.geom::geography <-> {_POINT}
            LIMIT $4 + 8)
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
            json_build_object('type', 'Feature', 'id', code,
                'geometry', ST_AsGeoJSON(geom, 7)::json,
                'properties', json_build_object('code', code, 'name', name, 'duty', duty,
                    'service_phone', service_phone, 'kind', kind, 'grid_code', grid_code,
                    'distance_m', round(distance_m::numeric, 1)))
            ORDER BY distance_m, code), '[]'))::text
        FROM (SELECT * FROM nearest ORDER BY distance_m, code LIMIT $4) best
        """,
        lon,
        lat,
        scope,
        k,
    )
    return str(value)


@dataclass(frozen=True)
class GridAtPoint:
    grid: dict[str, Any]
    geometry: str
    members: list[dict[str, Any]]


async def grid_at(conn: asyncpg.Connection, *, lon: float, lat: float) -> GridAtPoint | None:
    row = await conn.fetchrow(
        """
        SELECT g.id, g.code, g.name, g.version, ST_AsGeoJSON(g.geom, 7) AS geometry,
               c.code AS community_code, c.name AS community_name, c.level AS community_level,
               s.code AS street_code, s.name AS street_name, s.level AS street_level
        FROM grids g JOIN areas c ON c.code = g.community_code
        LEFT JOIN areas s ON s.code = c.parent_code
        WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
        ORDER BY g.id LIMIT 1
        """,
        lon,
        lat,
    )
    if row is None:
        return None
    members = await conn.fetch(
        "SELECT name, duty, service_phone FROM members WHERE grid_id = $1 AND active "
        "ORDER BY duty, code",
        row["id"],
    )
    grid = {
        "code": row["code"],
        "name": row["name"],
        "version": row["version"],
        "community": {
            "code": row["community_code"],
            "name": row["community_name"],
            "level": row["community_level"],
        },
        "street": {
            "code": row["street_code"],
            "name": row["street_name"],
            "level": row["street_level"],
        },
    }
    return GridAtPoint(grid=grid, geometry=row["geometry"], members=[dict(m) for m in members])
