"""When each feature last changed (`updated_at`, kept by the database): the time column of
the OGC API's `datetime` parameter and of CQL2 temporal filters.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("areas", "grids", "households", "members", "stations")


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- now(), unless the change itself says when (a time loaded from a file)
            IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
                NEW.updated_at := now();
            END IF;
            RETURN NEW;
        END $$;
        """
    )
    for table in TABLES:
        # now() is the same for every existing row: PostgreSQL stores it once, no rewrite
        op.execute(
            f"""
            ALTER TABLE {table} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
            CREATE TRIGGER {table}_touch BEFORE UPDATE ON {table}
                FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW)
                EXECUTE FUNCTION touch_updated_at();
            CREATE INDEX {table}_updated_idx ON {table} (updated_at);
            """
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_touch ON {table}; DROP INDEX {table}_updated_idx;")
        op.execute(f"ALTER TABLE {table} DROP COLUMN updated_at")
    op.execute("DROP FUNCTION touch_updated_at()")
