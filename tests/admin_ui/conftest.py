"""Fixtures of the console tests: the app under AppTest, logged in as a real operator."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from comptoir.devstack.services import SmtpSink, free_port, start_smtp_sink
from comptoir.models import Role, User
from tests.factories import create_user


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
