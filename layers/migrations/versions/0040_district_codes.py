"""Every large table carries its district's code, ready to be distributed by it (Citus, see
docs/scale.md): grids from their community, households and members from their grid,
assignments as they are written. Kept by the database; costs one column each.

Revision ID: 0040
Revises: 0009
Create Date: 2026-12-02
"""

from alembic import op

revision = "0040"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        -- The area of rank 2 (district or county) above an area, or the top of its tree.
        CREATE FUNCTION area_district(area text) RETURNS text LANGUAGE sql STABLE AS $$
            SELECT coalesce((SELECT a.code FROM areas a
                             WHERE a.code = ANY(c.path) AND area_rank(a.level) = 2),
                            c.path[1], c.code)
            FROM areas c WHERE c.code = area $$;

        ALTER TABLE grids ADD COLUMN district_code varchar(32);
        UPDATE grids SET district_code = area_district(community_code);
        ALTER TABLE grids ALTER COLUMN district_code SET NOT NULL;
        CREATE FUNCTION grid_district() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.district_code := area_district(NEW.community_code);
            RETURN NEW;
        END $$;
        CREATE TRIGGER grids_district BEFORE INSERT OR UPDATE OF community_code ON grids
            FOR EACH ROW EXECUTE FUNCTION grid_district();

        -- the grid a household lies in gives its district too (one lookup, not two)
        CREATE OR REPLACE FUNCTION household_grid() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT g.id, g.district_code INTO NEW.grid_id, NEW.district_code
            FROM grids g WHERE ST_Covers(g.geom, NEW.geom) ORDER BY g.id LIMIT 1;
            RETURN NEW;
        END $$;
        ALTER TABLE households ADD COLUMN district_code varchar(32);
        ALTER TABLE households DISABLE TRIGGER households_touch;
        UPDATE households h SET district_code = g.district_code FROM grids g
            WHERE g.id = h.grid_id;
        ALTER TABLE households ENABLE TRIGGER households_touch;

        ALTER TABLE members ADD COLUMN district_code varchar(32);
        ALTER TABLE members DISABLE TRIGGER members_touch;
        UPDATE members m SET district_code = g.district_code FROM grids g WHERE g.id = m.grid_id;
        ALTER TABLE members ENABLE TRIGGER members_touch;
        CREATE FUNCTION member_district() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.district_code := (SELECT district_code FROM grids WHERE id = NEW.grid_id);
            RETURN NEW;
        END $$;
        CREATE TRIGGER members_district BEFORE INSERT OR UPDATE OF grid_id ON members
            FOR EACH ROW EXECUTE FUNCTION member_district();

        ALTER TABLE assignments ADD COLUMN district_code varchar(32);
        UPDATE assignments a SET district_code = h.district_code FROM households h
            WHERE h.id = a.household_id;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        ALTER TABLE assignments DROP COLUMN district_code;
        DROP TRIGGER members_district ON members; DROP FUNCTION member_district();
        ALTER TABLE members DROP COLUMN district_code;
        CREATE OR REPLACE FUNCTION household_grid() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.grid_id := (
                SELECT g.id FROM grids g WHERE ST_Covers(g.geom, NEW.geom) ORDER BY g.id LIMIT 1);
            RETURN NEW;
        END $$;
        ALTER TABLE households DROP COLUMN district_code;
        DROP TRIGGER grids_district ON grids; DROP FUNCTION grid_district();
        ALTER TABLE grids DROP COLUMN district_code;
        DROP FUNCTION area_district(text);
        """
    )
