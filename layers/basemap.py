"""The base map as Mapbox vector tiles, built by PostGIS (ST_AsMVT) from the project's own
layers: water, green space, buildings, roads by OpenStreetMap class, and place names
(communities, streets, roads, landmarks) — so the pages draw streets and landmarks
offline, from this server. What is drawn thins out as the map zooms out."""

from __future__ import annotations

from layers.db import Connection, fetchval
from layers.mvt import ENVELOPE, IN_TILE, MAX_ZOOM, layer, tile_geom, valid_tile

__all__ = ["MAX_ZOOM", "tile", "valid_tile"]

# Roads shown from a zoom on, by class (the rest from BUILDING_ZOOM).
ROAD_ZOOMS = {
    "motorway": 0, "trunk": 0, "primary": 0, "secondary": 11, "tertiary": 12,
    "motorway_link": 12, "trunk_link": 12, "primary_link": 12, "secondary_link": 13,
    "residential": 14, "unclassified": 14, "living_street": 15, "service": 15,
}  # fmt: skip
BUILDING_ZOOM = 15

_WHERE = f"geom {IN_TILE}"

_ROAD_ZOOM = "CASE highway " + " ".join(f"WHEN '{h}' THEN {z}" for h, z in ROAD_ZOOMS.items())
_ROAD_ZOOM += f" ELSE {BUILDING_ZOOM} END"

_LAYERS = [
    layer(
        "water",
        f"SELECT {tile_geom()} AS geom, name FROM land WHERE kind = 'water' AND {_WHERE}",
    ),
    layer(
        "green",
        f"SELECT {tile_geom()} AS geom, name FROM land WHERE kind = 'green' AND %(z)s >= 11 "
        f"AND {_WHERE}",
    ),
    layer(
        "buildings",
        f"SELECT {tile_geom()} AS geom FROM land WHERE kind = 'building' "
        f"AND %(z)s >= {BUILDING_ZOOM} AND {_WHERE}",
    ),
    layer(
        "roads",
        f"SELECT {tile_geom()} AS geom, highway, name FROM ways "
        f"WHERE %(z)s >= {_ROAD_ZOOM} AND {_WHERE}",
    ),
    # One label point each; buffer 0 so that a name belongs to exactly one tile.
    layer(
        "places",
        f"""SELECT {tile_geom("p", buffer=0)} AS geom,
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
            WHERE ST_Intersects(p, ST_Transform({ENVELOPE}, 4326))""",
    ),
]
_TILE = "SELECT " + " || ".join(_LAYERS)


async def tile(conn: Connection, z: int, x: int, y: int) -> bytes:
    """The tile's protobuf bytes (empty where there is nothing)."""
    data = await fetchval(conn, _TILE, {"z": z, "x": x, "y": y})
    return bytes(data or b"")
