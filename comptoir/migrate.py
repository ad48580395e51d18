"""`python -m comptoir.migrate`: bring the database to the latest schema (Alembic head)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from comptoir.db import database_url, normalize_url
from comptoir.settings import PROJECT_ROOT


def alembic_config(url: str | None = None) -> Config:
    """Alembic config pointing at our migrations and at `url` (default: the settings' URL)."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", normalize_url(url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: str | None = None) -> None:
    """Apply every pending migration."""
    command.upgrade(alembic_config(url), "head")


if __name__ == "__main__":
    upgrade()
    print("Database schema is up to date.")
