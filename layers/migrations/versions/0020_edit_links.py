"""What an edit found, so that undo can put it back exactly: the assignment links of the
households it touched (household, member, run, distance) and each touched grid's assignment
status before it. Undo restores these instead of solving again, so every household gets
back the member it had.

Revision ID: 0020
Revises: 0041
Create Date: 2026-12-02
"""

from alembic import op

revision = "0020"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        -- No foreign keys: the record outlives households, members and runs; undo restores
        -- only the links whose household and member still exist in one grid.
        CREATE TABLE grid_edit_links (
            edit_id integer NOT NULL,
            household_id integer NOT NULL,
            member_id integer,
            run_id integer,
            distance_m double precision,
            PRIMARY KEY (edit_id, household_id)
        );
        ALTER TABLE grid_history ADD COLUMN status_before jsonb;
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE grid_edit_links; ALTER TABLE grid_history DROP COLUMN status_before")
