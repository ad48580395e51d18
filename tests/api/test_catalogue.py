"""Public catalogue routes: search, product and shop pages, categories (anonymous allowed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from comptoir.db import get_engine
from comptoir.models import OpeningHours, Role, Shop, ShopStatus
from tests.factories import (
    create_category,
    create_product,
    create_shop,
    create_user,
    login_headers,
)


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the block runs."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def shops(db: Session) -> dict[str, Shop]:
    """An approved cheese shop with three products, a pending shop with one."""
    cheese = create_category(db, "fromagerie", "Fromagerie")
    approved = create_shop(db, slug="fromagerie", name="Fromagerie du Marché")
    pending = create_shop(db, slug="pas-encore", status=ShopStatus.pending)
    create_product(db, approved, name="Fromage de chèvre", category_id=cheese.id, price_cents=650)
    create_product(db, approved, name="Comté 18 mois", category_id=cheese.id, price_cents=2890)
    create_product(db, approved, name="Beurre demi-sel", price_cents=390, stock=0)
    create_product(db, pending, name="Fromage secret", category_id=cheese.id)
    db.commit()
    return {"approved": approved, "pending": pending}


def test_search_is_public_and_complete(client: TestClient, shops: dict[str, Shop]) -> None:
    response = client.get("/api/products/search", params={"q": "fromages"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1 and body["page"] == 1 and body["page_size"] == 24
    hit = body["items"][0]
    assert hit["name"] == "Fromage de chèvre"
    assert hit["shop"] == {"slug": "fromagerie", "name": "Fromagerie du Marché"}
    assert hit["category"] == {"slug": "fromagerie", "name": "Fromagerie"}
    assert hit["effective_price_cents"] == 650 and hit["in_stock"] is True
    assert "stock" not in hit
    assert body["facets"]["shops"] == [
        {"slug": "fromagerie", "name": "Fromagerie du Marché", "count": 1}
    ]
    assert body["facets"]["price"] == {"min_cents": 650, "max_cents": 650}


def test_search_with_filters_and_sort(client: TestClient, shops: dict[str, Shop]) -> None:
    params = {"shop": "fromagerie", "in_stock": "true", "sort": "price_desc", "pickup": "true"}
    body = client.get("/api/products/search", params=params).json()
    assert [h["name"] for h in body["items"]] == ["Comté 18 mois", "Fromage de chèvre"]
    typo = client.get("/api/products/search", params={"q": "fromge"}).json()
    assert [h["name"] for h in typo["items"]] == ["Fromage de chèvre"]


def test_logged_in_merchant_sees_the_same_public_catalogue(
    client: TestClient, db: Session, shops: dict[str, Shop]
) -> None:
    merchant = create_user(db, Role.merchant)
    db.commit()
    headers = login_headers(client, merchant)
    body = client.get("/api/products/search", params={"q": "fromage"}, headers=headers).json()
    assert [h["name"] for h in body["items"]] == ["Fromage de chèvre"]


def test_search_sends_a_fixed_number_of_statements(
    client: TestClient, db: Session, shops: dict[str, Shop]
) -> None:
    for n in range(30):  # enough rows that an N+1 would show
        create_product(db, shops["approved"], name=f"Fromage affiné n°{n}")
    db.commit()
    with counting_statements() as statements:
        response = client.get("/api/products/search", params={"q": "fromage", "page_size": 50})
    assert response.status_code == 200 and len(response.json()["items"]) == 31
    # Settings + fallback check, the page's ids with the count and facets, the page's cards.
    assert len(statements) == 3, statements
    with counting_statements() as statements:
        assert client.get("/api/products/search").status_code == 200
    assert len(statements) == 2, statements  # no text query: the page, the count with facets
    with counting_statements() as statements:
        assert client.get("/api/shops/fromagerie").status_code == 200
    # The shop, its hours, closures, slot rules, delivery modes (no slot rules: no bookings).
    assert len(statements) == 5, statements


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"page_size": 101}, "entre 1 et 100"),
        ({"page_size": 0}, "entre 1 et 100"),
        ({"page": 0}, "commence à 1"),
        ({"min_price": 500, "max_price": 100}, "supérieur au prix maximum"),
        ({"q": "é" * 201}, "trop longue"),
        ({"sort": "cheapest"}, "sort"),
        ({"page_size": "beaucoup"}, "page_size"),
        ({"max_price": 10**12}, "trop grand"),
    ],
)
def test_bad_search_parameters_are_422(
    client: TestClient, db: Session, params: dict[str, object], fragment: str
) -> None:
    response = client.get("/api/products/search", params=params)
    assert response.status_code == 422
    assert fragment in response.json()["message"]


def test_page_beyond_the_end_is_empty(client: TestClient, shops: dict[str, Shop]) -> None:
    body = client.get("/api/products/search", params={"page": 50}).json()
    assert body["items"] == [] and body["total"] == 3 and body["pages"] == 1


def test_injection_attempts_are_plain_text(client: TestClient, shops: dict[str, Shop]) -> None:
    for q in ["' OR 1=1 --", "fromage'; DELETE FROM products; --", "\x00", "%' AND '%'='"]:
        response = client.get("/api/products/search", params={"q": q})
        assert response.status_code == 200, (q, response.text)
    assert client.get("/api/products/search").json()["total"] == 3


def test_product_page(client: TestClient, db: Session, shops: dict[str, Shop]) -> None:
    product = create_product(db, shops["approved"], name="Reblochon", brand="Ferme Martin")
    hidden = create_product(db, shops["approved"], name="Retiré", active=False)
    secret = create_product(db, shops["pending"], name="Caché")
    db.commit()
    response = client.get(f"/api/products/{product.id}")
    assert response.status_code == 200
    assert response.json()["brand"] == "Ferme Martin"
    for product_id in (hidden.id, secret.id, 999_999, 2**40):
        missing = client.get(f"/api/products/{product_id}")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_shop_list_and_open_now(client: TestClient, db: Session) -> None:
    always = create_shop(db, slug="toujours", name="Toujours ouverte", trade="boulangerie")
    never = create_shop(db, slug="jamais", name="Jamais ouverte")
    create_shop(db, slug="suspendue", status=ShopStatus.suspended)
    db.execute(delete(OpeningHours).where(OpeningHours.shop_id.in_([always.id, never.id])))
    # Open from midnight to the last microsecond of every day: open at any instant.
    for weekday in range(7):
        db.add(
            OpeningHours(
                shop_id=always.id, weekday=weekday, opens=time(0), closes=time(23, 59, 59, 999999)
            )
        )
    db.commit()
    body = client.get("/api/shops").json()
    assert [(s["slug"], s["open_now"]) for s in body] == [("jamais", False), ("toujours", True)]
    assert body[1]["trade"] == "boulangerie" and body[1]["city"] == "Lyon"
    page = client.get("/api/shops/toujours").json()
    assert page["open_now"] is True and page["next_opening"] is not None
    closed = client.get("/api/shops/jamais").json()
    assert closed["open_now"] is False and closed["next_opening"] is None
    assert [d["hours"] for d in closed["opening_hours"]] == ["fermé"] * 7


def test_shop_page_shows_slots_and_delivery(client: TestClient, db: Session) -> None:
    create_shop(db, slug="avec-creneaux", with_slots=True, description="Pain au levain.")
    db.commit()
    page = client.get("/api/shops/avec-creneaux").json()
    assert page["description"] == "Pain au levain." and page["return_policy"]
    assert page["pickup_slots"] and page["pickup_slots"][0]["remaining"] == 3
    assert page["pickup_slots"][0]["start"].endswith(("+01:00", "+02:00"))  # Paris time
    kinds = [m["kind"] for m in page["delivery_modes"]]
    assert kinds == ["pickup", "local_delivery", "shipping"]
    assert page["delivery_modes"][1]["free_above_cents"] == 5000
    assert [d["day"] for d in page["opening_hours"]][0] == "lundi"


def test_unknown_or_unapproved_shop_is_404(client: TestClient, shops: dict[str, Shop]) -> None:
    for slug in ("pas-encore", "inconnue"):
        response = client.get(f"/api/shops/{slug}")
        assert response.status_code == 404
        assert "boutique" in response.json()["message"]


def test_categories(client: TestClient, db: Session, shops: dict[str, Shop]) -> None:
    create_category(db, "caviste", "Caviste")
    db.commit()
    body = client.get("/api/categories").json()
    assert body == [
        {"slug": "caviste", "name": "Caviste", "product_count": 0},
        {"slug": "fromagerie", "name": "Fromagerie", "product_count": 2},
    ]
