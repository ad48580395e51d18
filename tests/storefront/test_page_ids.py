"""Every storefront route with a numeric id answers 404 to anything but plain ASCII digits:
"²" and "١٢" are digits to Python, not to a French visitor; no such id ever reaches the
database (they used to answer 500)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import Role
from storefront.deps import ascii_integer
from tests.factories import create_shop, create_user
from tests.security.routes import app_routes
from tests.storefront.formtools import browser_login, page_csrf

BAD_IDS = ["%C2%B2", "%D9%A1%D9%A2", "-1", "0", "99999999999999999999", "4294967296", "1e3",
           "%EF%BC%91"]  # fmt: skip
ID_PARAM = re.compile(r"\{[a-z_]*_id\}")


def _id_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, path)
        for method, path in app_routes()
        if not path.startswith("/api") and ID_PARAM.search(path)
    )


def _as(client: TestClient, path: str) -> str:
    """Which page's token a form posted to `path` carries."""
    return "/vendeur" if path.startswith("/vendeur") else "/commandes"


def test_every_id_route_refuses_non_ascii_or_impossible_ids(
    client: TestClient, db: Session
) -> None:
    routes = _id_routes()
    assert len(routes) >= 20, routes  # the sweep really covers the id routes
    shopper = create_user(db)
    merchant = create_user(db, Role.merchant)
    create_shop(db, merchant)
    db.commit()
    anonymous = [
        (path, client.get(ID_PARAM.sub(bad, path), follow_redirects=False).status_code)
        for method, path in routes if method == "GET" for bad in BAD_IDS
    ]  # fmt: skip
    assert all(status != 500 for _, status in anonymous), anonymous
    assert client.get("/produits/%C2%B2").status_code == 404
    wrong = []
    for user, prefix in ((shopper, "/commandes"), (merchant, "/vendeur")):
        client.cookies.clear()
        browser_login(client, user)
        token = page_csrf(client, _as(client, prefix))
        for method, path in routes:
            if not path.startswith(prefix) and not path.startswith("/produits"):
                continue
            for bad in BAD_IDS:
                url = ID_PARAM.sub(bad, path)
                data = {"csrf_token": token} if method == "POST" else None
                answer = client.request(method, url, data=data, follow_redirects=False)
                if answer.status_code != 404:
                    wrong.append((method, url, answer.status_code))
    assert not wrong, wrong


def test_only_plain_ascii_digits_are_numbers() -> None:
    assert [ascii_integer(v) for v in ("12", "-3", "007", "2147483647")] == [12, -3, 7, 2**31 - 1]
    for value in ("²", "١٢", "１", "", "-", "+1", "1.0", " 1", "2147483648", "1" * 30):
        assert ascii_integer(value) is None, value
