"""Fixtures of the console tests: the app under AppTest, logged in as a real operator."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from comptoir.models import Role, User
from devstack.services import SmtpSink, free_port, start_smtp_sink
from tests.factories import create_user

if TYPE_CHECKING:
    from tests.admin_ui.temporal_harness import TemporalHarness


@pytest.fixture
def operator(db: Session) -> User:
    """A committed operator account."""
    user = create_user(db, Role.operator, first_name="Odile", last_name="Opératrice")
    db.commit()
    return user


@pytest.fixture
def admin_mail_sink(tmp_path: Path) -> Iterator[SmtpSink]:
    """A real SMTP sink the platform's settings point at during the test."""
    from comptoir.settings import get_settings

    port = free_port()
    sink = start_smtp_sink(port, tmp_path / "mail", log_dir=tmp_path)
    previous = os.environ.get("COMPTOIR_SMTP_PORT")
    os.environ["COMPTOIR_SMTP_PORT"] = str(port)
    get_settings.cache_clear()
    try:
        yield sink
    finally:
        sink.stop()
        if previous is None:
            os.environ.pop("COMPTOIR_SMTP_PORT", None)
        else:
            os.environ["COMPTOIR_SMTP_PORT"] = previous
        get_settings.cache_clear()


@pytest.fixture(autouse=True)
def temporal_down() -> Iterator[str]:
    """Temporal unreachable (a closed port) unless a test points the settings at a server.

    Whatever a developer runs on 7233 must never leak into these tests.
    """
    from comptoir.settings import get_settings

    address = f"127.0.0.1:{free_port()}"
    previous = os.environ.get("COMPTOIR_TEMPORAL_ADDRESS")
    os.environ["COMPTOIR_TEMPORAL_ADDRESS"] = address
    get_settings.cache_clear()
    try:
        yield address
    finally:
        if previous is None:
            os.environ.pop("COMPTOIR_TEMPORAL_ADDRESS", None)
        else:
            os.environ["COMPTOIR_TEMPORAL_ADDRESS"] = previous
        get_settings.cache_clear()


@pytest.fixture(scope="module")
def temporal_harness() -> Iterator[TemporalHarness]:
    """A real Temporal dev server (and a stand-in order workflow) for one test module."""
    from tests.admin_ui.temporal_harness import TemporalHarness

    harness = TemporalHarness()
    try:
        yield harness
    finally:
        harness.close()


_id_blocks = itertools.count(1)


@pytest.fixture
def temporal(
    temporal_harness: TemporalHarness, temporal_down: str, db: Session
) -> Iterator[TemporalHarness]:
    """The console pointed at the module's Temporal server.

    Order and vendor-order ids start at a fresh block in each test: workflow ids derive
    from them and the server outlives the test's truncated tables.
    """
    from comptoir.settings import get_settings
    from tests.admin_ui.temporal_harness import TASK_QUEUE

    start = next(_id_blocks) * 1000
    for sequence in ("orders_id_seq", "vendor_orders_id_seq"):
        db.execute(text(f"SELECT setval('{sequence}', {start})"))
    db.commit()
    previous_queue = os.environ.get("COMPTOIR_TASK_QUEUE")
    os.environ["COMPTOIR_TEMPORAL_ADDRESS"] = temporal_harness.address
    os.environ["COMPTOIR_TASK_QUEUE"] = TASK_QUEUE
    get_settings.cache_clear()
    try:
        yield temporal_harness
    finally:
        # Put back the run's queue: the real worker of the lifecycle tests polls it.
        if previous_queue is None:
            os.environ.pop("COMPTOIR_TASK_QUEUE", None)
        else:
            os.environ["COMPTOIR_TASK_QUEUE"] = previous_queue
        get_settings.cache_clear()
