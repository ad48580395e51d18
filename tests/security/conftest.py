"""Security tests run with Temporal, Stripe and SMTP pointed at a closed port.

Routes that would reach Temporal or Stripe must answer 401/403/404 before trying; for an
owner they then answer 409/503. A closed port (1, privileged, never listened on) keeps a
developer's running dev stack on the default ports out of these tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.conftest import restore_env, set_env, truncate_all

CLOSED_TEMPORAL = "127.0.0.1:1"
CLOSED_STRIPE = "http://127.0.0.1:1"
CLOSED_SMTP_PORT = "1"


# Module scope, not session: a session fixture would only be undone at the very end of the
# run and leave every later folder's tests pointed at the closed ports.
@pytest.fixture(scope="module", autouse=True)
def isolated_services() -> Iterator[None]:
    previous = set_env(
        {
            "COMPTOIR_TEMPORAL_ADDRESS": CLOSED_TEMPORAL,
            "COMPTOIR_STRIPE_API_BASE": CLOSED_STRIPE,
            # Sign-up and reset e-mails go nowhere (the mail_sink fixture points them at its
            # sink when a test needs to read them), never into a running dev stack's sink.
            "COMPTOIR_SMTP_PORT": CLOSED_SMTP_PORT,
        }
    )
    try:
        yield
    finally:
        restore_env(previous)


@pytest.fixture(scope="module")
def module_db(database_url: str) -> Iterator[Session]:
    """One clean database for a whole module whose tests each build their own tenants.

    Emptying every table costs about half a second on a loaded machine; tests that create
    fresh users and objects of their own need it once, not once per test.
    """
    from comptoir.db import get_sessionmaker

    session = get_sessionmaker()()
    _truncate_or_name_the_blocker(session)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def _truncate_or_name_the_blocker(session: Session) -> None:
    """Empty the tables; when a transaction left open elsewhere blocks that, say which one."""
    session.execute(text("SET lock_timeout = '20s'"))
    try:
        truncate_all(session)
    except OperationalError:
        session.rollback()
        blockers = session.execute(
            text(
                "SELECT pid, state, now() - xact_start, left(query, 300) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state LIKE 'idle in transaction%'"
            )
        ).all()
        raise AssertionError(f"a transaction left open blocks the tables: {blockers}") from None
    finally:
        session.execute(text("SET lock_timeout = 0"))
        session.commit()


@pytest.fixture(scope="module")
def module_client(module_db: Session) -> Iterator[TestClient]:
    """The app over `module_db`'s database, started once for the module."""
    from api.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def shared_db(module_db: Session) -> Iterator[Session]:
    """`module_db`, with nothing pending from the previous test."""
    module_db.rollback()
    module_db.expire_all()
    yield module_db
    module_db.rollback()


@pytest.fixture
def shared_client(module_client: TestClient) -> TestClient:
    """`module_client` with no cookie left over."""
    module_client.cookies.clear()
    return module_client
