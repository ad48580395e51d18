"""Alembic environment: the URL comes from Comptoir's settings (or the caller's config)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from comptoir.db import database_url
from comptoir.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Apply migrations on a live connection (the only mode we use)."""
    url = config.get_main_option("sqlalchemy.url") or database_url()
    connectable = create_engine(url)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


run_migrations_online()
