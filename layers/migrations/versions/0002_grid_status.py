"""The current assignment status of each grid (ok / understaffed / overstaffed ...), written by
every assignment run that covers the grid; the planner map colours grids by it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE grid_status (
            grid_id integer PRIMARY KEY REFERENCES grids (id) ON DELETE CASCADE,
            run_id integer NOT NULL REFERENCES assignment_runs (id),
            status varchar(16) NOT NULL CHECK (status IN
                ('ok', 'understaffed', 'overstaffed', 'no_members', 'empty')),
            households integer NOT NULL,
            members integer NOT NULL,
            members_needed integer NOT NULL DEFAULT 0,
            unassigned integer NOT NULL DEFAULT 0,
            idle_capacity integer NOT NULL DEFAULT 0,
            split_buildings integer NOT NULL DEFAULT 0,
            moved integer NOT NULL DEFAULT 0,
            objective_m double precision NOT NULL DEFAULT 0
        );
        CREATE INDEX assignments_run_idx ON assignments (run_id);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE grid_status; DROP INDEX assignments_run_idx")
