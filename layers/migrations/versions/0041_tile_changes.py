"""Where data changed, for vector tiles' ETags: every statement that writes a layer records
the extent of what it changed (the old and the new places), so a tile's version is the
last change that touches it — a redraw or a load changes exactly the tiles it touched.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-02
"""

from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

LAYERS = ("grids", "households", "members", "stations", "areas")
BIG = 100_000  # an assignment run over more households than this changed "everywhere"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE tile_changes (
            id bigserial PRIMARY KEY,
            layer varchar(32) NOT NULL,
            at timestamptz NOT NULL DEFAULT now(),
            geom geometry(Polygon, 4326)  -- NULL: everywhere
        );
        CREATE INDEX tile_changes_geom_idx ON tile_changes USING gist (geom);
        CREATE INDEX tile_changes_layer_idx ON tile_changes (layer, id);
        CREATE FUNCTION record_tile_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO tile_changes (layer, geom)
            SELECT TG_TABLE_NAME, ST_SetSRID(ST_Expand(ST_Extent(geom), 1e-7)::geometry, 4326)
            FROM changed
            HAVING count(*) > 0;
            RETURN NULL;
        END $$;
        -- assignments change households' member: their extent, or everywhere for a big run
        CREATE FUNCTION record_assignment_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT count(*) FROM changed) > %(big)s THEN
                INSERT INTO tile_changes (layer, geom) VALUES ('households', NULL);
            ELSE
                INSERT INTO tile_changes (layer, geom)
                SELECT 'households',
                    ST_SetSRID(ST_Expand(ST_Extent(h.geom), 1e-7)::geometry, 4326)
                FROM changed c JOIN households h ON h.id = c.household_id
                HAVING count(*) > 0;
            END IF;
            RETURN NULL;
        END $$;
        """.replace("%(big)s", str(BIG))
    )
    for table in LAYERS:
        for event, transition in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("UPDATE", "OLD"),
                                  ("DELETE", "OLD")):  # fmt: skip
            name = f"{table}_tiles_{event.lower()}_{transition.lower()}"
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                "EXECUTE FUNCTION record_tile_change()"
            )
    for event, transition in (("INSERT", "NEW"), ("DELETE", "OLD")):
        op.execute(
            f"CREATE TRIGGER assignments_tiles_{event.lower()} AFTER {event} ON assignments "
            f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
            "EXECUTE FUNCTION record_assignment_change()"
        )


def downgrade() -> None:
    op.execute("DROP TABLE tile_changes CASCADE")
    op.execute("DROP FUNCTION record_tile_change() CASCADE")
    op.execute("DROP FUNCTION record_assignment_change() CASCADE")
