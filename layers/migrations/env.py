"""Alembic environment: the URL comes from the caller (layers.migrate), never from a file."""

from alembic import context
from sqlalchemy import create_engine, pool

from layers.migrate import include_object
from layers.models import Base

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection, target_metadata=Base.metadata, include_object=include_object
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
