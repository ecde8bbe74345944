"""Vector tiles of the data layers (OGC API - Tiles, WebMercatorQuad): grids, stations,
communities for everyone; households and members for staff, clipped to the jurisdiction.
Households come as counts per grid below HOUSEHOLD_POINTS_ZOOM, so a tile stays small
however dense the city; as points from there. A tile's version is the last change that
touched it (tile_changes), so an unchanged tile is answered 304 or from a cache."""

from __future__ import annotations

from dataclasses import dataclass

from layers.collections import IN_SCOPE
from layers.db import Connection, fetchval
from layers.mvt import IN_TILE, layer, tile_geom

HOUSEHOLD_POINTS_ZOOM = 15  # a z15 tile of the densest district holds ~3,000 households
PUBLIC = ("grids", "stations", "communities")
STAFF = ("households", "members")


@dataclass(frozen=True)
class TileLayer:
    name: str
    select: str  # rows with `geom` (tile coordinates), for %(z)s %(x)s %(y)s [%(scope)s]
    changes: tuple[str, ...]  # the tables whose changes make a new version
    staff: bool = False


# Attributes thin out with the zoom: a city-wide tile carries codes and status only.
_GRIDS = f"""
    SELECT {tile_geom("g.geom")} AS geom, g.code, s.status,
           CASE WHEN %(z)s >= 12 THEN g.name END AS name,
           CASE WHEN %(z)s >= 12 THEN s.households END AS households,
           CASE WHEN %(z)s >= 12 THEN s.members END AS members
    FROM grids g LEFT JOIN grid_status s ON s.grid_id = g.id WHERE g.geom {IN_TILE}
"""
_STATIONS = f"""
    SELECT {tile_geom("t.geom")} AS geom, t.code, t.kind,
           CASE WHEN %(z)s >= 13 THEN t.name END AS name,
           CASE WHEN %(z)s >= 15 THEN array_to_string(t.services, ',') END AS services
    FROM stations t WHERE t.geom {IN_TILE}
"""
_COMMUNITIES = f"""
    SELECT {tile_geom("t.geom")} AS geom, t.code, t.name, t.level
    FROM areas t WHERE t.level IN ('community', 'village') AND t.geom {IN_TILE}
"""
_SCOPED = "JOIN grids g ON g.id = t.grid_id JOIN areas c ON c.code = g.community_code"
_HOUSEHOLD_POINTS = f"""
    SELECT {tile_geom("t.geom")} AS geom, t.code, g.code AS grid_code, m.code AS member_code
    FROM households t {_SCOPED}
    LEFT JOIN assignments a ON a.household_id = t.id LEFT JOIN members m ON m.id = a.member_id
    WHERE t.geom {IN_TILE} AND {IN_SCOPE.format("%(scope)s")}
"""
# Below HOUSEHOLD_POINTS_ZOOM: one point per grid with its count of households (kept by
# each assignment run), never the households themselves.
_HOUSEHOLD_COUNTS = f"""
    SELECT {tile_geom("ST_PointOnSurface(g.geom)")} AS geom, g.code AS grid_code,
           coalesce(s.households, 0) AS households
    FROM grids g JOIN areas c ON c.code = g.community_code
    LEFT JOIN grid_status s ON s.grid_id = g.id
    WHERE g.geom {IN_TILE} AND {IN_SCOPE.format("%(scope)s")}
"""
_MEMBERS = f"""
    SELECT {tile_geom("t.geom")} AS geom, t.code, t.duty, t.kind, g.code AS grid_code
    FROM members t {_SCOPED}
    WHERE t.active AND %(z)s >= 13 AND t.geom {IN_TILE} AND {IN_SCOPE.format("%(scope)s")}
"""

LAYERS = {
    "grids": TileLayer("grids", _GRIDS, ("grids", "areas")),
    "stations": TileLayer("stations", _STATIONS, ("stations",)),
    "communities": TileLayer("communities", _COMMUNITIES, ("areas",)),
    "households": TileLayer("households", "", ("households", "grids"), staff=True),
    "members": TileLayer("members", _MEMBERS, ("members", "grids"), staff=True),
}


def _select(name: str, z: int) -> str:
    if name == "households":
        return _HOUSEHOLD_POINTS if z >= HOUSEHOLD_POINTS_ZOOM else _HOUSEHOLD_COUNTS
    return LAYERS[name].select


BASEMAP_TABLES = ("areas", "land", "ways")  # what the base map's tiles are drawn from


def tables_of(names: tuple[str, ...]) -> tuple[str, ...]:
    """The tables whose changes change the tiles of these layers."""
    return tuple(sorted({t for name in names for t in LAYERS[name].changes}))


async def version(conn: Connection, tables: tuple[str, ...], z: int, x: int, y: int) -> int:
    """The last change of these tables touching the tile (0: none recorded)."""
    value = await fetchval(
        conn,
        f"SELECT coalesce(max(id), 0) FROM tile_changes WHERE layer = ANY(%(tables)s) "
        f"AND (geom IS NULL OR geom {IN_TILE})",
        {"tables": list(tables), "z": z, "x": x, "y": y},
    )
    return int(value)


async def tile(
    conn: Connection, names: tuple[str, ...], z: int, x: int, y: int, scope: str | None
) -> bytes:
    """One tile with a layer for each name (staff layers need a scope)."""
    parts = [layer(name, _select(name, z)) for name in names]
    value = await fetchval(
        conn, "SELECT " + " || ".join(parts), {"z": z, "x": x, "y": y, "scope": scope}
    )
    return bytes(value or b"")
