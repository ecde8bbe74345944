"""Initial schema: areas, grids, households, members, stations, assignments.

The database itself refuses what is wrong (invalid or empty geometry, a wrong SRID or type,
coordinates out of range, duplicate codes, unknown enum values), so every writer — the CLI,
the API, psql — gets the same guarantees.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _geometry_checks(table: str) -> str:
    return f"""
    CONSTRAINT {table}_geom_valid CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    CONSTRAINT {table}_geom_range CHECK (
        ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180
        AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90)
    """


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def _array_of(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]::text[]"


AREA_LEVELS = ("district", "street", "township", "community", "village")
DUTIES = (
    "policy_promoter",
    "information_collector",
    "dispute_mediator",
    "safety_inspector",
    "liaison",
    "volunteer",
)
MEMBER_KINDS = ("resident", "cadre", "mobile")
STATION_KINDS = (
    "red_station",
    "rider_station",
    "service_centre",
    "neighbourhood_centre",
    "micro_station",
)
SERVICES = (
    "water",
    "charging",
    "rest",
    "toilet",
    "storage",
    "first_aid",
    "raincoat",
    "microwave",
    "books",
    "wifi",
)
CARE_TAGS = ("elderly", "children", "disabled", "low_income", "veteran")


TABLES = f"""
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE areas (
    id serial PRIMARY KEY,
    code varchar(32) NOT NULL UNIQUE,
    name text NOT NULL CHECK (name <> ''),
    level varchar(16) NOT NULL CHECK (level IN {_in_list(AREA_LEVELS)}),
    parent_code varchar(32) REFERENCES areas (code) ON UPDATE CASCADE,
    geom geometry(MultiPolygon, 4326) NOT NULL,
    {_geometry_checks("areas")}
);

CREATE TABLE grids (
    id serial PRIMARY KEY,
    code varchar(32) NOT NULL UNIQUE,
    name text NOT NULL CHECK (name <> ''),
    community_code varchar(32) NOT NULL REFERENCES areas (code) ON UPDATE CASCADE,
    geom geometry(MultiPolygon, 4326) NOT NULL,
    version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    {_geometry_checks("grids")}
);

CREATE TABLE households (
    id serial PRIMARY KEY,
    code varchar(32) NOT NULL UNIQUE,
    address text NOT NULL,
    building_key text NOT NULL,
    residents integer NOT NULL DEFAULT 1 CHECK (residents BETWEEN 0 AND 50),
    care_tags text[] NOT NULL DEFAULT '{{}}' CHECK (care_tags <@ {_array_of(CARE_TAGS)}),
    geom geometry(Point, 4326) NOT NULL,
    grid_id integer REFERENCES grids (id) ON DELETE SET NULL,
    {_geometry_checks("households")}
);

CREATE TABLE members (
    id serial PRIMARY KEY,
    code varchar(32) NOT NULL UNIQUE,
    name text NOT NULL CHECK (name <> ''),
    duty varchar(32) NOT NULL CHECK (duty IN {_in_list(DUTIES)}),
    service_phone varchar(32) NOT NULL,
    personal_phone varchar(32),
    grid_id integer NOT NULL REFERENCES grids (id),
    geom geometry(Point, 4326) NOT NULL,
    min_load integer NOT NULL DEFAULT 15,
    max_load integer NOT NULL DEFAULT 25,
    active boolean NOT NULL DEFAULT true,
    kind varchar(16) NOT NULL DEFAULT 'resident' CHECK (kind IN {_in_list(MEMBER_KINDS)}),
    CONSTRAINT members_load_bounds CHECK (min_load >= 0 AND min_load <= max_load),
    {_geometry_checks("members")}
);

CREATE TABLE stations (
    id serial PRIMARY KEY,
    code varchar(32) NOT NULL UNIQUE,
    name text NOT NULL CHECK (name <> ''),
    kind varchar(32) NOT NULL CHECK (kind IN {_in_list(STATION_KINDS)}),
    services text[] NOT NULL DEFAULT '{{}}' CHECK (services <@ {_array_of(SERVICES)}),
    opening_hours text NOT NULL DEFAULT '24/7',
    address text,
    service_phone varchar(32),
    geom geometry(Point, 4326) NOT NULL,
    {_geometry_checks("stations")}
);

CREATE TABLE assignment_runs (
    id serial PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    scope jsonb NOT NULL,
    objective_m double precision,
    summary jsonb
);

CREATE TABLE assignments (
    household_id integer PRIMARY KEY REFERENCES households (id) ON DELETE CASCADE,
    member_id integer NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    run_id integer NOT NULL REFERENCES assignment_runs (id),
    distance_m double precision NOT NULL CHECK (distance_m >= 0)
);

CREATE INDEX areas_geom_idx ON areas USING gist (geom);
CREATE INDEX areas_parent_idx ON areas (parent_code);
CREATE INDEX grids_geom_idx ON grids USING gist (geom);
CREATE INDEX grids_community_idx ON grids (community_code);
CREATE INDEX households_geom_idx ON households USING gist (geom);
CREATE INDEX households_grid_idx ON households (grid_id);
CREATE INDEX members_geom_idx ON members USING gist (geom);
CREATE INDEX members_grid_idx ON members (grid_id);
CREATE INDEX stations_geom_idx ON stations USING gist (geom);
CREATE INDEX assignments_member_idx ON assignments (member_id);
"""

# A household's grid is derived from the grid polygon that covers it and cannot be typed
# in: any write of grid_id is replaced by the spatial answer. NULL flags a household that
# lies outside every grid (it is kept, and `gridgis validate` reports it).
TRIGGERS = """
CREATE FUNCTION household_grid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.grid_id := (
        SELECT g.id FROM grids g WHERE ST_Covers(g.geom, NEW.geom) ORDER BY g.id LIMIT 1);
    RETURN NEW;
END $$;

CREATE TRIGGER households_grid BEFORE INSERT OR UPDATE OF geom, grid_id ON households
    FOR EACH ROW EXECUTE FUNCTION household_grid();

-- A household that changes grid loses its member: members serve their own grid only.
CREATE FUNCTION household_left_grid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM assignments WHERE household_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER households_left_grid AFTER UPDATE OF grid_id ON households
    FOR EACH ROW WHEN (OLD.grid_id IS DISTINCT FROM NEW.grid_id)
    EXECUTE FUNCTION household_left_grid();

-- When grid polygons change, the households under the old and the new shapes are joined
-- again (set-based, only those rows).
CREATE FUNCTION grids_rejoin_households() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE households h SET grid_id = NULL
    FROM changed_grids c
    WHERE ST_Intersects(c.geom, h.geom);
    RETURN NULL;
END $$;

CREATE TRIGGER grids_inserted AFTER INSERT ON grids
    REFERENCING NEW TABLE AS changed_grids
    FOR EACH STATEMENT EXECUTE FUNCTION grids_rejoin_households();
CREATE TRIGGER grids_reshaped_new AFTER UPDATE ON grids
    REFERENCING NEW TABLE AS changed_grids
    FOR EACH STATEMENT EXECUTE FUNCTION grids_rejoin_households();
CREATE TRIGGER grids_reshaped_old AFTER UPDATE ON grids
    REFERENCING OLD TABLE AS changed_grids
    FOR EACH STATEMENT EXECUTE FUNCTION grids_rejoin_households();
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(TRIGGERS)


def downgrade() -> None:
    op.execute(
        "DROP TABLE assignments, assignment_runs, stations, members, households, grids, areas"
    )
    op.execute("DROP FUNCTION household_grid, household_left_grid, grids_rejoin_households")
