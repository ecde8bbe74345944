"""Search by name and address (dispatch and locator): trigram indexes (pg_trgm, a trusted
extension the database owner may create) on the names and addresses people type, in
Chinese or not, partially. Trigrams need a database whose LC_CTYPE classifies Chinese
characters as letters (any UTF-8 locale, e.g. C.UTF-8; not plain "C").

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

INDEXES = {
    "households_address_trgm": "households USING gin (address gin_trgm_ops)",
    # an address typed from its start (the usual way): a prefix range, in order
    "households_address_prefix": "households (address text_pattern_ops)",
    # the households of a building (search, dispatch)
    "households_building_idx": "households (building_key)",
    "areas_name_trgm": "areas USING gin (name gin_trgm_ops)",
    "grids_name_trgm": "grids USING gin (name gin_trgm_ops)",
    "stations_name_trgm": "stations USING gin (name gin_trgm_ops)",
    "ways_name_trgm": "ways USING gin (name gin_trgm_ops)",
    "land_name_trgm": "land USING gin (name gin_trgm_ops)",
}


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX {name}")
