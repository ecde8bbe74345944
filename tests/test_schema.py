"""The GeoAlchemy2 models are Alembic's target: they must describe the migrated schema
exactly (tables, columns, types, indexes, foreign keys), or autogenerate would propose to
undo the migrations."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from layers.db import sqlalchemy_url
from layers.migrate import include_object
from layers.models import Base


def test_models_match_the_migrated_schema(empty_db):
    engine = create_engine(sqlalchemy_url(empty_db))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": include_object, "compare_type": True}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_the_database_accepts_exactly_the_grid_statuses_of_the_vocabulary(empty_db):
    from gis.vocabulary import GridStatus
    from layers.db import connect

    with connect(empty_db) as conn:
        check = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'grid_status'::regclass AND contype = 'c'"
        ).fetchone()
    assert check is not None
    allowed = set(re.findall(r"'(\w+)'", check[0]))
    assert allowed == {s.value for s in GridStatus}


def test_the_database_accepts_exactly_the_highways_and_land_kinds_of_the_vocabulary():
    import importlib

    from gis.vocabulary import HIGHWAYS, LAND_KINDS

    module = importlib.import_module("layers.migrations.versions.0021_base_layers")
    assert module.HIGHWAYS == HIGHWAYS and module.LAND_KINDS == LAND_KINDS
