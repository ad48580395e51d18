"""Brute force on login: after 5 failures in the window, even the right password gets 429."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import LoginSession, Role
from comptoir.settings import get_settings
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.timeout(60)


def _login(client: TestClient, email: str, password: str) -> int:
    client.cookies.clear()
    return client.post("/api/auth/login", json={"email": email, "password": password}).status_code


def _sessions_of(db: Session, user_id: int) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).where(LoginSession.user_id == user_id)) or 0


def test_five_failures_on_an_account_lock_its_login(client: TestClient, db: Session) -> None:
    victim = create_user(db, Role.shopper)
    db.commit()
    assert get_settings().login_max_failures == 5
    statuses = [_login(client, victim.email, f"devine-{n}") for n in range(5)]
    assert statuses == [401] * 5
    # The right password no longer opens a session, in any spelling of the address.
    assert _login(client, victim.email, PASSWORD) == 429
    assert _login(client, victim.email.upper(), PASSWORD) == 429
    response = client.post("/api/auth/login", json={"email": victim.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"] == "too_many_requests"
    assert "token" not in response.json()
    assert _sessions_of(db, victim.id) == 0


def test_failures_from_one_address_across_accounts_are_limited(
    client: TestClient, db: Session
) -> None:
    """Spraying one password over many accounts from one address is stopped too."""
    accounts = [create_user(db, Role.shopper) for _ in range(6)]
    db.commit()
    statuses = [_login(client, user.email, "Motdepasse123!") for user in accounts[:5]]
    assert statuses == [401] * 5
    fresh = accounts[5]
    assert _login(client, fresh.email, PASSWORD) == 429
    assert _sessions_of(db, fresh.id) == 0


def test_unknown_accounts_count_as_failures(client: TestClient, db: Session) -> None:
    """Guessing addresses costs attempts as well (no free enumeration)."""
    user = create_user(db, Role.shopper)
    db.commit()
    for n in range(5):
        assert _login(client, f"inconnu{n}@example.test", "x") == 401
    assert _login(client, user.email, PASSWORD) == 429


def test_four_failures_still_let_the_owner_in(client: TestClient, db: Session) -> None:
    """The limit is 5, not fewer: a clumsy owner is not locked out early."""
    user = create_user(db, Role.shopper)
    db.commit()
    for n in range(4):
        assert _login(client, user.email, f"faux-{n}") == 401
    assert _login(client, user.email, PASSWORD) == 200
    assert _sessions_of(db, user.id) == 1
