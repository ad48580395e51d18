"""Cookie sessions need the CSRF token on every write; dead sessions open nothing.

Every unsafe `/api` route of the matrix, called by its owner with the session cookie but
without (or with a wrong) `X-CSRF-Token`, answers 403 `csrf` and changes nothing. A session
that expired, was logged out, belongs to a deactivated account or ended with a password
change is anonymous (401), as is a forged or truncated token.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import AuditLog, Message, Product, ShopClosure, User
from comptoir.security import token_digest
from comptoir.services import sessions
from tests.factories import PASSWORD
from tests.security.matrix import ROUTES, Access, owners_of
from tests.security.world import build_world

pytestmark = pytest.mark.timeout(90)

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# Writes with a login: the logout and the contact form read an optional session as well.
COOKIE_WRITES = sorted(
    (method, path)
    for (method, path), access in ROUTES.items()
    if method in UNSAFE and (not access.public or path in ("/api/auth/logout", "/api/contact"))
)


def _caller(access: Access) -> str:
    owner = owners_of(access)[0]
    return owner or "shopper"


def _footprint(db: Session) -> tuple[int, ...]:
    db.expire_all()
    return tuple(
        db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Product, ShopClosure, Message, AuditLog)
    )


def test_cookie_writes_without_csrf_are_refused(
    shared_client: TestClient, shared_db: Session
) -> None:
    client, db = shared_client, shared_db
    world = build_world(db)
    tokens = {}
    for role in world.users:
        issued = sessions.open_session(db, world.users[role])
        tokens[role] = (issued.token, issued.csrf_token)
    db.commit()
    before = _footprint(db)
    problems = []
    for method, path in COOKIE_WRITES:
        access = ROUTES[(method, path)]
        role = _caller(access)
        token, csrf = tokens[role]
        world.caller = role
        for label, header in (("no token", {}), ("wrong token", {"X-CSRF-Token": csrf[::-1]})):
            client.cookies.clear()
            client.cookies.set("comptoir_session", token)
            kwargs: dict[str, object] = {"headers": header}
            if access.body is not None:
                kwargs["json"] = access.body(world)
            if access.files is not None:
                kwargs["files"] = access.files(world)
            response = client.request(method, world.path(path), **kwargs)  # type: ignore[arg-type]
            client.cookies.clear()
            if response.status_code != 403 or response.json().get("error") != "csrf":
                problems.append(f"{method} {path} as {role}, {label}: {response.status_code}")
    assert not problems, "cookie writes accepted without a valid CSRF token:\n" + "\n".join(
        problems
    )
    assert _footprint(db) == before
    # The sessions are still alive (a refused logout logged nobody out).
    for token, _csrf in tokens.values():
        assert sessions.resolve_session(db, token) is not None


def test_cookie_write_with_the_right_csrf_token_goes_through(
    shared_client: TestClient, shared_db: Session
) -> None:
    """The control case: the same cookie with its own CSRF token is accepted."""
    client, db = shared_client, shared_db
    world = build_world(db)
    issued = sessions.open_session(db, world.users["shopper"])
    db.commit()
    client.cookies.set("comptoir_session", issued.token)
    response = client.patch(
        "/api/accounts/me",
        json={"phone": "0600000000"},
        headers={"X-CSRF-Token": issued.csrf_token},
    )
    client.cookies.clear()
    assert response.status_code == 200, response.text


def _me(client: TestClient, token: str) -> int:
    client.cookies.clear()
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_dead_or_forged_sessions_are_anonymous(
    shared_client: TestClient, shared_db: Session
) -> None:
    client, db = shared_client, shared_db
    world = build_world(db)
    user = world.users["shopper"]
    alive = sessions.open_session(db, user).token
    expired = sessions.open_session(db, user).token
    db.commit()
    assert _me(client, alive) == 200
    assert _me(client, expired) == 200
    from comptoir.models import LoginSession

    row = db.scalar(select(LoginSession).where(LoginSession.token_hash == token_digest(expired)))
    assert row is not None
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.commit()
    assert _me(client, expired) == 401
    for forged in (alive[:-1], alive + "x", alive.upper(), token_digest(alive), "", "null"):
        assert _me(client, forged) == 401, forged

    # Logout ends that session only.
    other = sessions.open_session(db, user).token
    db.commit()
    client.cookies.clear()
    out = client.post("/api/auth/logout", headers={"Authorization": f"Bearer {other}"})
    assert out.status_code == 204
    assert _me(client, other) == 401
    assert _me(client, alive) == 200

    # A password change ends the other sessions; the one that changed it stays.
    second = sessions.open_session(db, user).token
    db.commit()
    changed = client.post(
        "/api/accounts/me/password",
        json={"current_password": PASSWORD, "new_password": "Encore-Un-Autre-Mot-2026"},
        headers={"Authorization": f"Bearer {alive}"},
    )
    assert changed.status_code == 200, changed.text
    assert _me(client, second) == 401
    assert _me(client, alive) == 200

    # A deactivated account's live session opens nothing.
    merchant = world.users["merchant"]
    token = sessions.open_session(db, merchant).token
    db.commit()
    assert _me(client, token) == 200
    db.get_one(User, merchant.id).is_active = False
    db.commit()
    assert _me(client, token) == 401
    client.cookies.clear()
    assert (
        client.get("/api/merchant/shop", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
