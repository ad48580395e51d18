"""Login, logout, sessions, CSRF on cookie sessions and login rate limiting."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import Role
from tests.factories import PASSWORD, create_user, login_headers


def test_login_returns_token_and_cookie_and_me_works(client: TestClient, db: Session) -> None:
    user = create_user(db, Role.shopper, email="Alice@Example.test")
    db.commit()
    response = client.post("/api/auth/login", json={"email": "alice@example.test", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == user.id and body["token"] and body["csrf_token"]
    assert "comptoir_session" in response.cookies
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["email"] == "Alice@Example.test"


def test_wrong_password_is_401_with_readable_message(client: TestClient, db: Session) -> None:
    create_user(db, Role.shopper, email="bob@example.test")
    db.commit()
    response = client.post("/api/auth/login", json={"email": "bob@example.test", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["message"] == "Adresse e-mail ou mot de passe incorrect."


def test_anonymous_me_is_401(client: TestClient, db: Session) -> None:
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_logout_ends_session(client: TestClient, db: Session) -> None:
    user = create_user(db)
    db.commit()
    headers = login_headers(client, user)
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_cookie_session_needs_csrf_on_writes(client: TestClient, db: Session) -> None:
    user = create_user(db)
    db.commit()
    body = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}).json()
    assert client.get("/api/auth/me").status_code == 200  # reads need no CSRF token
    refused = client.post("/api/auth/logout")
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    accepted = client.post("/api/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]})
    assert accepted.status_code == 204


def test_login_is_rate_limited_after_repeated_failures(client: TestClient, db: Session) -> None:
    user = create_user(db)
    db.commit()
    for _ in range(5):
        client.post("/api/auth/login", json={"email": user.email, "password": "mauvais"})
    blocked = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.json()["message"]


def test_unknown_fields_are_rejected(client: TestClient, db: Session) -> None:
    response = client.post(
        "/api/auth/login", json={"email": "a@b.test", "password": "x", "role": "operator"}
    )
    assert response.status_code == 422
    assert "role" in response.json()["message"]
