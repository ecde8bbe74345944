"""The base map's layers (ways, land) record where they change too, so a base-map tile has
a version (its ETag, and the key of the app's tile cache) like the data layers' tiles.

Revision ID: 0043
Revises: 0022
Create Date: 2026-12-02
"""

from alembic import op

revision = "0043"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLES = ("ways", "land")
EVENTS = (("INSERT", "NEW"), ("UPDATE", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))


def upgrade() -> None:
    for table in TABLES:
        for event, transition in EVENTS:
            op.execute(
                f"CREATE TRIGGER {table}_tiles_{event.lower()}_{transition.lower()} "
                f"AFTER {event} ON {table} REFERENCING {transition} TABLE AS changed "
                "FOR EACH STATEMENT EXECUTE FUNCTION record_tile_change()"
            )


def downgrade() -> None:
    for table in TABLES:
        for event, transition in EVENTS:
            op.execute(
                f"DROP TRIGGER {table}_tiles_{event.lower()}_{transition.lower()} ON {table}"
            )
