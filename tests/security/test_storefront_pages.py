"""Storefront pages, more lightly than the API: every page route is classified public or
private; anonymous visitors of private pages are sent to the login page (or get 401) and
their forms do nothing; another tenant's order page is a 404."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import Role
from comptoir.services import sessions
from tests.factories import PASSWORD, create_user
from tests.security.routes import app_routes
from tests.security.world import World, build_world

pytestmark = pytest.mark.timeout(90)


# Each test builds its own tenants: one clean database serves the module.
@pytest.fixture
def db(shared_db: Session) -> Session:
    return shared_db


@pytest.fixture
def client(shared_client: TestClient) -> TestClient:
    return shared_client


PRIVATE_PREFIXES = ("/compte", "/commande", "/commandes", "/panier", "/vendeur", "/messages")
PUBLIC_PREFIXES = (
    "/connexion",
    "/deconnexion",
    "/inscription",
    "/mot-de-passe",
    "/cookies",
    "/recherche",
    "/boutiques",
    "/produits",
    "/contact",
    "/healthz",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/static",
    "/media",
    "/mentions-legales",
    "/cgu",
    "/confidentialite",
    "/mediation",
)


def _is_private(path: str) -> bool:
    return any(
        path == p or path.startswith(p + "/") or path.startswith(p + "s") for p in PRIVATE_PREFIXES
    )


def _is_public(path: str) -> bool:
    return path == "/" or any(path == p or path.startswith(p + "/") for p in PUBLIC_PREFIXES)


def _page_routes() -> set[tuple[str, str]]:
    return {(m, p) for m, p in app_routes("/") if not p.startswith("/api")}


def _fill(path: str, world: World) -> str:
    values = {
        "order_id": world.ids["order_id"],
        "vendor_order_id": world.ids["vendor_order_id"],
        "shopper_id": world.users["shopper"].id,
        "slug": world.ids["slug"],
        "product_id": world.ids["product_id"],
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)


def _sent_to_login(response: object) -> bool:
    status = response.status_code  # type: ignore[attr-defined]
    location = response.headers.get("location", "")  # type: ignore[attr-defined]
    return status == 401 or (300 <= status < 400 and location.startswith("/connexion"))


def test_every_page_route_is_classified() -> None:
    """A new page must be added to one of the two lists (private ones then get tested below)."""
    routes = _page_routes()
    assert routes, "no storefront route found"
    unclassified = sorted((m, p) for m, p in routes if _is_private(p) == _is_public(p))
    assert not unclassified, f"page routes neither public nor private (or both): {unclassified}"


def test_anonymous_private_pages_send_to_login(client: TestClient, db: Session) -> None:
    world = build_world(db)
    private_gets = sorted(p for m, p in _page_routes() if m == "GET" and _is_private(p))
    assert any("{" in p for p in private_gets), private_gets
    wrong = []
    for path in private_gets:
        client.cookies.clear()
        response = client.get(_fill(path, world), follow_redirects=False)
        if not _sent_to_login(response):
            wrong.append(f"GET {path}: {response.status_code} {response.headers.get('location')}")
    assert not wrong, "private pages open to anonymous visitors:\n" + "\n".join(wrong)


def test_anonymous_private_forms_do_nothing(client: TestClient, db: Session) -> None:
    """Anonymous form posts (with or without a CSRF field) are refused, never a 2xx or 5xx."""
    world = build_world(db)
    private_posts = sorted(p for m, p in _page_routes() if m == "POST" and _is_private(p))
    assert private_posts
    wrong = []
    for path in private_posts:
        client.cookies.clear()
        response = client.post(
            _fill(path, world),
            data={"csrf_token": "x" * 32, "quantity": "1"},
            follow_redirects=False,
        )
        status = response.status_code
        if not (_sent_to_login(response) or status == 403):
            wrong.append(f"POST {path}: {status} {response.headers.get('location')}")
    assert not wrong, "private forms answering anonymous visitors:\n" + "\n".join(wrong)


def test_other_tenants_order_pages_are_not_found(client: TestClient, db: Session) -> None:
    world = build_world(db)
    tokens = {}
    for role in ("shopper", "other_shopper", "merchant", "other_merchant"):
        tokens[role] = sessions.open_session(db, world.users[role]).token
    db.commit()

    def visit(role: str, path: str) -> int:
        client.cookies.clear()
        client.cookies.set("comptoir_session", tokens[role])
        status = client.get(_fill(path, world), follow_redirects=False).status_code
        client.cookies.clear()
        return status

    order_page = "/commandes/{order_id}"
    vendor_page = "/vendeur/commandes/{vendor_order_id}"
    served = {p for _m, p in _page_routes()}
    checked = 0
    if order_page in served:
        assert visit("shopper", order_page) == 200
        assert visit("other_shopper", order_page) == 404
        checked += 1
    if vendor_page in served:
        assert visit("merchant", vendor_page) == 200
        assert visit("other_merchant", vendor_page) == 404
        assert visit("shopper", vendor_page) in (303, 403, 404)
        checked += 1
    assert checked, "neither the order page nor the vendor order page is served any more"


def test_logged_in_forms_need_the_csrf_token(client: TestClient, db: Session) -> None:
    """Every storefront form posted with a live session cookie but no or a wrong `csrf_token`
    is refused with 403, and the session survives (a forged logout does nothing)."""
    world = build_world(db)
    issued = {
        role: sessions.open_session(db, world.users[role]) for role in ("shopper", "merchant")
    }
    db.commit()
    posts = sorted(p for m, p in _page_routes() if m == "POST")
    assert posts
    wrong = []
    for path in posts:
        role = "merchant" if path.startswith("/vendeur") else "shopper"
        for label, form in (("no token", {}), ("wrong token", {"csrf_token": "x" * 43})):
            client.cookies.clear()
            client.cookies.set("comptoir_session", issued[role].token)
            response = client.post(
                _fill(path, world), data={**form, "quantity": "1"}, follow_redirects=False
            )
            client.cookies.clear()
            if response.status_code != 403:
                wrong.append(f"POST {path} as {role}, {label}: {response.status_code}")
    assert not wrong, "forms accepted without the session's CSRF token:\n" + "\n".join(wrong)
    for session in issued.values():
        assert sessions.resolve_session(db, session.token) is not None


OFFSITE_NEXT = [
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "http:evil.example",
]


def _stays_on_site(location: str) -> bool:
    # What a browser would do with it: tabs and newlines dropped, backslashes read as slashes.
    seen = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    seen = seen.strip()
    parts = urlsplit(seen)
    return seen.startswith("/") and not seen.startswith("//") and not parts.netloc


@pytest.mark.parametrize("next_path", OFFSITE_NEXT, ids=repr)
def test_login_never_redirects_off_site(client: TestClient, db: Session, next_path: str) -> None:
    """`next` after login (form post, or a logged-in visit of the login page) stays local."""
    user = create_user(db, Role.shopper)
    db.commit()
    client.cookies.clear()
    page = client.get("/connexion")
    found = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    assert found, page.text[:300]
    response = client.post(
        "/connexion",
        data={
            "csrf_token": found.group(1),
            "email": user.email,
            "password": PASSWORD,
            "next": next_path,
        },
        follow_redirects=False,
    )
    assert 300 <= response.status_code < 400, response.text[:300]
    assert _stays_on_site(response.headers["location"]), response.headers["location"]
    # Logged in now: the login page sends the visitor straight to `next`, if local.
    again = client.get("/connexion", params={"next": next_path}, follow_redirects=False)
    assert 300 <= again.status_code < 400
    assert _stays_on_site(again.headers["location"]), again.headers["location"]
    client.cookies.clear()
