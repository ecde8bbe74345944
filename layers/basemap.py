"""The base map as Mapbox vector tiles, built by PostGIS (ST_AsMVT) from the project's own
layers: water, green space, buildings, roads by OpenStreetMap class, and place names
(communities, streets, roads, landmarks) — so the pages draw streets and landmarks
offline, from this server. What is drawn thins out as the map zooms out."""

from __future__ import annotations

from layers.db import Connection, fetchval

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 20

# Roads shown from a zoom on, by class (the rest from BUILDING_ZOOM).
ROAD_ZOOMS = {
    "motorway": 0, "trunk": 0, "primary": 0, "secondary": 11, "tertiary": 12,
    "motorway_link": 12, "trunk_link": 12, "primary_link": 12, "secondary_link": 13,
    "residential": 14, "unclassified": 14, "living_street": 15, "service": 15,
}  # fmt: skip
BUILDING_ZOOM = 15

_ENVELOPE = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"
_WHERE = f"geom && ST_Transform({_ENVELOPE}, 4326)"


def _geom(column: str = "geom") -> str:
    return f"ST_AsMVTGeom(ST_Transform({column}, 3857), {_ENVELOPE}, {EXTENT}, {BUFFER})"


def _layer(name: str, select: str) -> str:
    return f"""coalesce((SELECT ST_AsMVT(t, '{name}', {EXTENT}, 'geom') FROM ({select}) t
        WHERE t.geom IS NOT NULL), ''::bytea)"""


_ROAD_ZOOM = "CASE highway " + " ".join(f"WHEN '{h}' THEN {z}" for h, z in ROAD_ZOOMS.items())
_ROAD_ZOOM += f" ELSE {BUILDING_ZOOM} END"

_LAYERS = [
    _layer(
        "water",
        f"SELECT {_geom()} AS geom, name FROM land WHERE kind = 'water' AND {_WHERE}",
    ),
    _layer(
        "green",
        f"SELECT {_geom()} AS geom, name FROM land WHERE kind = 'green' AND %(z)s >= 11 "
        f"AND {_WHERE}",
    ),
    _layer(
        "buildings",
        f"SELECT {_geom()} AS geom FROM land WHERE kind = 'building' "
        f"AND %(z)s >= {BUILDING_ZOOM} AND {_WHERE}",
    ),
    _layer(
        "roads",
        f"SELECT {_geom()} AS geom, highway, name FROM ways "
        f"WHERE %(z)s >= {_ROAD_ZOOM} AND {_WHERE}",
    ),
    # One label point each; buffer 0 so that a name belongs to exactly one tile.
    _layer(
        "places",
        f"""SELECT ST_AsMVTGeom(ST_Transform(p, 3857), {_ENVELOPE}, {EXTENT}, 0) AS geom,
               name, kind FROM (
            SELECT ST_PointOnSurface(geom) AS p, name, level AS kind FROM areas
            WHERE (level IN ('community', 'village') AND %(z)s >= 13
                   OR level IN ('street', 'township') AND %(z)s BETWEEN 11 AND 12)
              AND {_WHERE}
            UNION ALL
            SELECT ST_PointOnSurface(geom), name, kind FROM land
            WHERE kind IN ('water', 'green') AND name IS NOT NULL AND %(z)s >= 13
              AND {_WHERE}
            UNION ALL
            SELECT ST_LineInterpolatePoint(geom, 0.5), name, 'road' FROM ways
            WHERE name IS NOT NULL AND %(z)s >= 15 AND ST_Length(geom::geography) > 150
              AND {_WHERE}) labels
            WHERE ST_Intersects(p, ST_Transform({_ENVELOPE}, 4326))""",
    ),
]
_TILE = "SELECT " + " || ".join(_LAYERS)


def valid_tile(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


async def tile(conn: Connection, z: int, x: int, y: int) -> bytes:
    """The tile's protobuf bytes (empty where there is nothing)."""
    data = await fetchval(conn, _TILE, {"z": z, "x": x, "y": y})
    return bytes(data or b"")
