"""The base map's own layers: `ways` (streets and paths, OpenStreetMap highway classes, with
names; also the walking network) and `land` (water, green space and buildings). Loaded
like every layer (`gridgis load --layer ways|land`, upsert by code), drawn as vector tiles.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


# Frozen here (gis/vocabulary.py holds the same lists for the loaders and the generator).
HIGHWAYS = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "motorway_link",
    "trunk_link",
    "primary_link",
    "secondary_link",
    "tertiary_link",
    "living_street",
    "service",
    "pedestrian",
    "track",
    "road",
    "busway",
    "footway",
    "bridleway",
    "steps",
    "corridor",
    "path",
    "cycleway",
)
LAND_KINDS = ("water", "green", "building")


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def _geometry_checks(table: str) -> str:
    return f"""
    CONSTRAINT {table}_geom_valid CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    CONSTRAINT {table}_geom_range CHECK (
        ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180
        AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90)
    """


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE ways (
            id serial PRIMARY KEY,
            code varchar(32) NOT NULL UNIQUE,
            name text CHECK (name <> ''),
            highway varchar(32) NOT NULL CHECK (highway IN {_in_list(HIGHWAYS)}),
            oneway boolean NOT NULL DEFAULT false,
            geom geometry(LineString, 4326) NOT NULL,
            {_geometry_checks("ways")}
        );
        CREATE TABLE land (
            id serial PRIMARY KEY,
            code varchar(32) NOT NULL UNIQUE,
            kind varchar(16) NOT NULL CHECK (kind IN {_in_list(LAND_KINDS)}),
            name text CHECK (name <> ''),
            geom geometry(MultiPolygon, 4326) NOT NULL,
            {_geometry_checks("land")}
        );
        CREATE INDEX ways_geom_idx ON ways USING gist (geom);
        CREATE INDEX land_geom_idx ON land USING gist (geom);
        CREATE INDEX land_kind_idx ON land (kind);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE ways, land")
