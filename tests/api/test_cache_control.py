"""Answers with personal data are never stored by a browser, proxy or shared cache."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import Order, User
from tests.factories import (
    PASSWORD,
    create_order,
    create_product,
    create_shop,
    create_user,
    login_headers,
)
from tests.storefront.formtools import browser_login


def _order(db: Session) -> Order:
    shopper = create_user(db)
    order = create_order(db, shopper, [(create_product(db, create_shop(db), price_cents=990), 1)])
    db.commit()
    return order


@pytest.mark.usefixtures("localstripe")
def test_authenticated_json_answers_are_no_store(client: TestClient, db: Session) -> None:
    order = _order(db)
    shopper = db.get_one(User, order.shopper_id)
    login = client.post("/api/auth/login", json={"email": shopper.email, "password": PASSWORD})
    assert login.status_code == 200 and login.headers["Cache-Control"] == "no-store"
    client.cookies.clear()
    headers = login_headers(client, shopper)
    client.cookies.clear()  # the bearer token alone is enough to make an answer personal
    for path in ("/api/accounts/me", "/api/orders", f"/api/orders/{order.id}",
                 f"/api/orders/{order.id}/payment", "/api/cart", "/api/accounts/me/export"):  # fmt: skip
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers.get("Cache-Control") == "no-store", path
    # A refusal about someone's order is personal too.
    assert client.get("/api/orders/999999", headers=headers).headers["Cache-Control"] == "no-store"
    # Public catalogue answers stay cacheable.
    public = client.get("/api/products/search", params={"q": "pain"})
    assert public.status_code == 200 and "no-store" not in public.headers.get("Cache-Control", "")


def test_storefront_pages_of_signed_in_visitors_are_private(client: TestClient, db: Session) -> None:
    order = _order(db)
    anonymous = client.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    browser_login(client, db.get_one(User, order.shopper_id))
    for path in ("/", "/commandes", f"/commandes/{order.id}", "/compte", "/panier"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "no-store" in page.headers.get("Cache-Control", ""), path
    static = client.get("/static/js/payment.js")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
