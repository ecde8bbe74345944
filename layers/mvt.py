"""Mapbox vector tiles built by PostGIS: the tile envelope of WebMercatorQuad z/x/y, a
geometry clipped and quantised into it, a named layer of rows. What every tile of this
service shares (the base map and the data layers)."""

from __future__ import annotations

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 20
ENVELOPE = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"  # EPSG:3857
# Rows are found on the indexed native (4326) geometry, the tile's envelope transformed.
IN_TILE = f"&& ST_Transform({ENVELOPE}, 4326)"


def valid_tile(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def tile_geom(column: str = "geom", *, buffer: int = BUFFER) -> str:
    """The column (EPSG:4326) as tile coordinates; at low zooms simplified first, so a
    tile of a whole city carries what a screen shows, not every vertex."""
    simple = f"ST_SimplifyPreserveTopology({column}, 360.0 / (256 * 2^%(z)s) / 4)"
    return (
        f"ST_AsMVTGeom(ST_Transform(CASE WHEN %(z)s < 14 THEN {simple} ELSE {column} END, "
        f"3857), {ENVELOPE}, {EXTENT}, {buffer})"
    )


def layer(name: str, select: str) -> str:
    """A layer of the rows of `select` (with a `geom` column of tile_geom); empty bytes
    when it has none, so layers concatenate into one tile."""
    return (
        f"coalesce((SELECT ST_AsMVT(t, '{name}', {EXTENT}, 'geom') FROM ({select}) t "
        "WHERE t.geom IS NOT NULL), ''::bytea)"
    )
