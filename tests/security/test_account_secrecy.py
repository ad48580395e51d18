"""Nobody learns who has an account from login or password-reset answers, the session
cookie is out of scripts' reach (HttpOnly, SameSite=Lax, Secure over HTTPS), and the
personal data export carries no secret."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import PasswordResetToken, Role, User
from comptoir.security import token_digest
from tests.conftest import restore_env, set_env
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.timeout(60)


# Each test makes its own user: one clean database serves the module (2 failed logins in all).
@pytest.fixture
def db(shared_db: Session) -> Session:
    return shared_db


@pytest.fixture
def client(shared_client: TestClient) -> TestClient:
    return shared_client


def test_login_answers_alike_for_unknown_address_and_wrong_password(
    client: TestClient, db: Session
) -> None:
    user = create_user(db, Role.shopper)
    db.commit()
    wrong = client.post("/api/auth/login", json={"email": user.email, "password": "Faux-123456"})
    unknown = client.post(
        "/api/auth/login", json={"email": "personne@example.test", "password": "Faux-123456"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_password_reset_answers_alike_whether_the_account_exists(
    client: TestClient, db: Session
) -> None:
    user = create_user(db, Role.shopper)
    db.commit()
    known = client.post("/api/accounts/password-reset", json={"email": user.email})
    unknown = client.post("/api/accounts/password-reset", json={"email": "personne@example.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


@pytest.mark.parametrize("public_url", ["http://127.0.0.1:8000", "https://comptoir.example"])
def test_session_cookie_flags(client: TestClient, db: Session, public_url: str) -> None:
    user = create_user(db, Role.shopper)
    db.commit()
    previous = set_env({"COMPTOIR_PUBLIC_URL": public_url})
    try:
        response = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    finally:
        restore_env(previous)
    assert response.status_code == 200
    cookie = next(
        value
        for name, value in response.headers.multi_items()
        if name == "set-cookie" and value.startswith("comptoir_session=")
    )
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite", "path"} <= attributes, cookie
    assert "samesite=lax" in cookie.lower()
    assert ("secure" in attributes) == public_url.startswith("https://"), cookie
    token = response.json()["token"]
    assert len(token) >= 32 and token not in response.json()["csrf_token"]


def test_personal_data_export_holds_no_secret(client: TestClient, db: Session) -> None:
    """The export (GDPR portability) has the person's data, never hashes or session tokens."""
    user = create_user(db, Role.shopper)
    db.commit()
    login = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 200
    token, csrf = login.json()["token"], login.json()["csrf_token"]
    client.cookies.clear()
    assert (
        client.post("/api/accounts/password-reset", json={"email": user.email}).status_code == 202
    )
    export = client.get("/api/accounts/me/export", headers={"Authorization": f"Bearer {token}"})
    assert export.status_code == 200
    text = export.text
    assert user.email in text and len(export.json()["sessions"]) == 1
    db.expire_all()
    secrets = {
        "password": PASSWORD,
        "password hash": db.get_one(User, user.id).password_hash,
        "session token": token,
        "session token digest": token_digest(token),
        "csrf token": csrf,
    }
    for digest in db.scalars(select(PasswordResetToken.token_hash)):
        secrets[f"reset token digest {digest[:6]}"] = digest
    leaked = sorted(name for name, value in secrets.items() if value in text)
    assert not leaked, f"secrets in the export: {leaked}"
