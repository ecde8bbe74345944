"""Staff tokens: a role and a jurisdiction (an area code), stored as SHA-256 hashes only;
and a geography index for nearest-station queries in metres.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE tokens (
            id serial PRIMARY KEY,
            token_hash char(64) NOT NULL UNIQUE,
            role varchar(16) NOT NULL CHECK (role IN ('dispatcher', 'planner', 'admin')),
            scope_code varchar(32) NOT NULL REFERENCES areas (code) ON UPDATE CASCADE,
            label text,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz
        );
        CREATE INDEX stations_geog_idx ON stations USING gist ((geom::geography));
        CREATE INDEX members_geog_idx ON members USING gist ((geom::geography));
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE tokens; DROP INDEX stations_geog_idx; DROP INDEX members_geog_idx")
