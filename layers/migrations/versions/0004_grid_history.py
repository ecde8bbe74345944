"""Grid history: every change of a grid's shape, with who, when, the old and the new shape.

One planner edit changes several grids (the edited one and the neighbours that give up or
receive land); its rows share an `edit_id`. `grid_id` has no foreign key on purpose: the
record of a grid merged away must outlive the grid, so rows also keep the grid's code.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACTIONS = ("redraw", "split", "merge", "undo", "repair")


def upgrade() -> None:
    actions = ", ".join(f"'{action}'" for action in ACTIONS)
    op.execute(
        f"""
        CREATE SEQUENCE grid_edit_seq;
        CREATE TABLE grid_history (
            id serial PRIMARY KEY,
            edit_id integer NOT NULL,
            grid_id integer NOT NULL,
            grid_code varchar(32) NOT NULL,
            community_code varchar(32) NOT NULL REFERENCES areas (code) ON UPDATE CASCADE,
            version integer NOT NULL CHECK (version >= 1),
            action varchar(16) NOT NULL CHECK (action IN ({actions})),
            edited_grid varchar(32) NOT NULL,
            token_id integer REFERENCES tokens (id),
            role varchar(16) NOT NULL,
            scope_code varchar(32),
            at timestamptz NOT NULL DEFAULT now(),
            undo_of integer REFERENCES grid_history (id),
            old_geom geometry(MultiPolygon, 4326),
            new_geom geometry(MultiPolygon, 4326),
            -- NULL old: the grid was created (split); NULL new: it was merged away.
            CONSTRAINT grid_history_some_geom CHECK (old_geom IS NOT NULL OR new_geom IS NOT NULL)
        );
        CREATE INDEX grid_history_code_idx ON grid_history (grid_code, id);
        CREATE INDEX grid_history_edit_idx ON grid_history (edit_id);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE grid_history; DROP SEQUENCE grid_edit_seq")
