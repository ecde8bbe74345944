"""Who should go to a place, first to last, each with the reason (the dispatcher's first
question): the member linked to the household at the address (or to the households of the
building there), then the grid's members with the duty the matter needs, then the grid's
other active members by distance, then the nearest active members of other grids, all in
the caller's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from layers.collections import AREAS_OF_GRID as _AREAS
from layers.collections import IN_SCOPE
from layers.db import Connection, fetchall, fetchone

_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"
BUILDING_REACH_M = 25.0  # a point this close to a household is at its building

_MEMBER = f"""
    m.id, m.code, m.name, m.duty, m.service_phone, g.code AS grid_code,
    round(ST_Distance(m.geom::geography, {_POINT}::geography)::numeric, 1)::float8,
    ST_X(m.geom), ST_Y(m.geom)
"""
_FIELDS = ("id", "code", "name", "duty", "service_phone", "grid_code", "distance_m", "lon", "lat")
_SCOPED = f"""
    FROM members m JOIN grids g ON g.id = m.grid_id
    LEFT JOIN areas c ON c.code = g.community_code LEFT JOIN areas s ON s.code = c.parent_code
    WHERE m.active AND {IN_SCOPE.format("%(scope)s")}
"""


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    household: str | None = None  # a household code (from a search)
    building: str | None = None  # a building key


async def _household(conn: Connection, place: Place, scope: str) -> tuple[Any, ...] | None:
    """(code, address, building_key, lon, lat) of the household asked for, or None."""
    row = await fetchone(
        conn,
        "SELECT h.code, h.address, h.building_key, ST_X(h.geom), ST_Y(h.geom) "
        f"FROM households h JOIN grids g ON g.id = h.grid_id {_AREAS} "
        f"WHERE h.code = %(code)s AND {IN_SCOPE.format('%(scope)s')}",
        {"code": place.household, "scope": scope},
    )
    return tuple(row) if row else None


async def _building_at(conn: Connection, params: dict[str, Any]) -> str | None:
    """The building whose footprint holds the point, else that of the nearest household
    within reach."""
    row = await fetchone(
        conn,
        f"SELECT code FROM land WHERE kind = 'building' AND ST_Covers(geom, {_POINT}) "
        "UNION ALL (SELECT building_key FROM households "
        f"WHERE ST_DWithin(geom::geography, {_POINT}::geography, %(reach)s) "
        f"ORDER BY geom::geography <-> {_POINT}::geography LIMIT 1) LIMIT 1",
        {**params, "reach": BUILDING_REACH_M},
    )
    return str(row[0]) if row else None


async def _grid(conn: Connection, params: dict[str, Any]) -> dict[str, Any] | None:
    row = await fetchone(
        conn,
        "SELECT g.id, g.code, g.name, c.code, c.name, s.code, s.name, "
        f"{IN_SCOPE.format('%(scope)s')} FROM grids g {_AREAS} "
        f"WHERE ST_Covers(g.geom, {_POINT}) ORDER BY g.id LIMIT 1",
        params,
    )
    if row is None:
        return None
    keys = ("id", "code", "name", "community_code", "community", "street_code", "street")
    return {**dict(zip(keys, row, strict=False)), "in_jurisdiction": bool(row[7])}


def _members(rows: list[Any], reason: str, **detail: Any) -> list[dict[str, Any]]:
    return [{**dict(zip(_FIELDS, row[: len(_FIELDS)], strict=True)), "reason": reason,
             **detail, **({"households": int(row[-1])} if reason == "building" else {})}
            for row in rows]  # fmt: skip


async def _linked(
    conn: Connection, params: dict[str, Any], household: str | None, building: str | None
) -> list[dict[str, Any]]:
    if household is not None:
        rows = await fetchall(
            conn,
            f"SELECT {_MEMBER} {_SCOPED} AND m.id = (SELECT a.member_id FROM assignments a "
            "JOIN households h ON h.id = a.household_id WHERE h.code = %(household)s)",
            {**params, "household": household},
        )
        return _members(rows, "household")
    if building is None:
        return []
    rows = await fetchall(
        conn,
        f"SELECT {_MEMBER}, n FROM (SELECT a.member_id, count(*) AS n FROM households h "
        "JOIN assignments a ON a.household_id = h.id WHERE h.building_key = %(building)s "
        f"GROUP BY a.member_id) linked JOIN members m ON m.id = linked.member_id "
        f"JOIN grids g ON g.id = m.grid_id {_AREAS} "
        f"WHERE m.active AND {IN_SCOPE.format('%(scope)s')} ORDER BY n DESC, m.code",
        {**params, "building": building},
    )
    return _members(rows, "building")


async def responsible(
    conn: Connection, place: Place, *, scope: str, duty: str | None, others: int
) -> dict[str, Any]:
    """The place (with the household or building found there), its grid, and the members
    in order, each with `reason`: household | building | duty | same_grid | other_grid."""
    params: dict[str, Any] = {"lon": place.lon, "lat": place.lat, "scope": scope}
    found = await _household(conn, place, scope) if place.household else None
    if found is not None:
        params.update(lon=found[3], lat=found[4])
    building = found[2] if found else place.building or await _building_at(conn, params)
    grid = await _grid(conn, params)
    members = await _linked(conn, params, found[0] if found else None, building)
    grid_id = grid["id"] if grid and grid["in_jurisdiction"] else None
    if grid_id is not None:
        rows = await fetchall(
            conn,
            f"SELECT {_MEMBER}, m.duty = %(duty)s {_SCOPED} AND m.grid_id = %(grid)s "
            "ORDER BY m.duty = %(duty)s DESC NULLS LAST, 7, m.code",
            {**params, "grid": grid_id, "duty": duty},
        )
        members += _members([r for r in rows if r[-1]], "duty")
        members += _members([r for r in rows if not r[-1]], "same_grid")
    rows = await fetchall(
        conn,
        f"SELECT {_MEMBER} {_SCOPED} AND m.grid_id IS DISTINCT FROM %(grid)s "
        f"ORDER BY m.geom::geography <-> {_POINT}::geography LIMIT %(k)s",
        {**params, "grid": grid_id, "k": others},
    )
    members += _members(sorted(rows, key=lambda r: (r[6], r[1])), "other_grid")
    seen: set[int] = set()
    ordered = []
    for m in members:  # each member once, at their first (strongest) reason
        if m["id"] not in seen:
            seen.add(m["id"])
            ordered.append({k: v for k, v in m.items() if k != "id"})
    if grid is not None:
        del grid["id"]
    place_out = {"lon": params["lon"], "lat": params["lat"], "building": building}
    if found is not None:
        place_out.update(household=found[0], address=found[1])
    return {"place": place_out, "grid": grid, "members": ordered}
