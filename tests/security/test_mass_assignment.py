"""Mass assignment: fields a caller may not set (status, shop_id, totals, role, owner) are
refused with 422 on every write body, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import CartItem, Order, Product, Role, Shop, ShopStatus, User
from comptoir.services import cart
from tests.factories import PASSWORD, create_product, create_shop, create_user
from tests.security.world import bearer

pytestmark = pytest.mark.timeout(60)


# Each test makes users and objects of its own: one clean database serves the whole module.
@pytest.fixture
def db(shared_db: Session) -> Session:
    return shared_db


@pytest.fixture
def client(shared_client: TestClient) -> TestClient:
    return shared_client


def _count(db: Session, model: type[Any], *where: Any) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid"
    assert any(p["field"].split(".")[-1] == field for p in body["problems"]), body


SIGNUP = {
    "email": "nouvelle@example.test",
    "password": PASSWORD,
    "first_name": "Nina",
    "last_name": "Nouvelle",
    "role": "shopper",
    "accept_terms": True,
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "approved"),
        ("is_active", True),
        ("id", 1),
        ("owner_id", 1),
        ("password_hash", "$argon2id$forged"),
        ("erased_at", None),
    ],
)
def test_signup_refuses_extra_fields(
    client: TestClient, db: Session, field: str, value: Any
) -> None:
    before = _count(db, User)
    _refused(client.post("/api/accounts", json={**SIGNUP, field: value}), field)
    assert _count(db, User) == before


def test_signup_cannot_choose_operator_role(client: TestClient, db: Session) -> None:
    response = client.post("/api/accounts", json={**SIGNUP, "role": "operator"})
    assert response.status_code == 422
    db.expire_all()
    assert db.scalar(select(User).where(User.role == Role.operator)) is None


def test_signup_shop_cannot_be_preapproved(client: TestClient, db: Session) -> None:
    shop = {
        "name": "Boutique pressée",
        "trade": "epicerie",
        "legal_name": "Pressée SARL",
        "siret": "12345678901234",
        "address_line": "1 rue Haute",
        "postal_code": "69001",
        "city": "Lyon",
        "phone": "0478000000",
        "email": "pressee@example.test",
        "status": "approved",
    }
    before = _count(db, Shop)
    response = client.post("/api/accounts", json={**SIGNUP, "role": "merchant", "shop": shop})
    _refused(response, "status")
    assert _count(db, Shop) == before


def test_profile_cannot_change_role_or_activity(client: TestClient, db: Session) -> None:
    user = create_user(db, Role.shopper)
    headers = bearer(db, user)
    db.commit()
    for field, value in (("role", "operator"), ("is_active", True), ("id", 999)):
        response = client.patch("/api/accounts/me", json={field: value}, headers=headers)
        _refused(response, field)
    db.expire_all()
    assert db.get_one(User, user.id).role == Role.shopper


@pytest.fixture
def merchants(db: Session) -> dict[str, Any]:
    merchant, rival = create_user(db, Role.merchant), create_user(db, Role.merchant)
    shop, rival_shop = create_shop(db, owner=merchant), create_shop(db, owner=rival)
    product = create_product(db, shop, price_cents=450, stock=10)
    headers = bearer(db, merchant)
    db.commit()
    return {"shop": shop, "rival_shop": rival_shop, "product": product, "headers": headers}


@pytest.mark.parametrize(
    ("field", "value"),
    [("shop_id", "rival"), ("id", 1), ("created_at", "2020-01-01T00:00:00Z"), ("owner_id", 1)],
)
def test_product_create_refuses_extra_fields(
    client: TestClient, db: Session, merchants: dict[str, Any], field: str, value: Any
) -> None:
    if value == "rival":
        value = merchants["rival_shop"].id
    before = _count(db, Product)
    body = {"name": "Pain", "price_cents": 300, field: value}
    response = client.post("/api/merchant/products", json=body, headers=merchants["headers"])
    _refused(response, field)
    assert _count(db, Product) == before


@pytest.mark.parametrize(
    ("field", "value"), [("shop_id", "rival"), ("id", 424242), ("status", "x")]
)
def test_product_update_refuses_extra_fields(
    client: TestClient, db: Session, merchants: dict[str, Any], field: str, value: Any
) -> None:
    if value == "rival":
        value = merchants["rival_shop"].id
    product = merchants["product"]
    response = client.patch(
        f"/api/merchant/products/{product.id}",
        json={"price_cents": 1, field: value},
        headers=merchants["headers"],
    )
    _refused(response, field)
    db.expire_all()
    after = db.get_one(Product, product.id)
    assert (after.shop_id, after.price_cents) == (merchants["shop"].id, 450)


@pytest.mark.parametrize(("field", "value"), [("status", "approved"), ("owner_id", 1), ("id", 7)])
def test_shop_update_refuses_extra_fields(
    client: TestClient, db: Session, merchants: dict[str, Any], field: str, value: Any
) -> None:
    shop = merchants["shop"]
    shop_row = db.get_one(Shop, shop.id)
    shop_row.status = ShopStatus.suspended
    db.commit()
    response = client.patch(
        "/api/merchant/shop", json={"name": "Renommée", field: value}, headers=merchants["headers"]
    )
    _refused(response, field)
    db.expire_all()
    after = db.get_one(Shop, shop.id)
    assert (after.status, after.name, after.owner_id) == (
        ShopStatus.suspended,
        shop.name,
        shop_row.owner_id,
    )


@pytest.fixture
def shopper_with_cart(db: Session) -> dict[str, Any]:
    shopper = create_user(db, Role.shopper)
    shop = create_shop(db)
    product = create_product(db, shop, price_cents=450, stock=10)
    cart.add_item(db, shopper, product.id, 1)
    headers = bearer(db, shopper)
    db.commit()
    pickup = next(m for m in _modes(db, shop.id) if m.kind == "pickup")
    return {
        "shopper": shopper,
        "shop": shop,
        "product": product,
        "headers": headers,
        "pickup_id": pickup.id,
    }


def _modes(db: Session, shop_id: int) -> list[Any]:
    from comptoir.models import DeliveryMode

    return list(db.scalars(select(DeliveryMode).where(DeliveryMode.shop_id == shop_id)))


@pytest.mark.parametrize(
    ("where", "field", "value"),
    [
        ("top", "total_cents", 1),
        ("top", "status", "processing"),
        ("top", "shopper_id", 1),
        ("top", "items_cents", 0),
        ("shop", "delivery_cents", 0),
        ("shop", "price_cents", 0),
        ("billing", "shopper_id", 1),
    ],
)
def test_checkout_refuses_extra_fields(
    client: TestClient,
    db: Session,
    shopper_with_cart: dict[str, Any],
    where: str,
    field: str,
    value: Any,
) -> None:
    data = shopper_with_cart
    billing = {
        "name": "Camille",
        "line1": "3 rue des Lilas",
        "postal_code": "69003",
        "city": "Lyon",
    }
    choice: dict[str, Any] = {"shop_id": data["shop"].id, "delivery_mode_id": data["pickup_id"]}
    body: dict[str, Any] = {"billing_address": billing, "shops": [choice]}
    target = {"top": body, "shop": choice, "billing": billing}[where]
    target[field] = value
    response = client.post("/api/checkout", json=body, headers=data["headers"])
    _refused(response, field)
    assert _count(db, Order, Order.shopper_id == data["shopper"].id) == 0
    assert db.get_one(Product, data["product"].id).stock == 10
    assert _count(db, CartItem, CartItem.user_id == data["shopper"].id) == 1


@pytest.mark.parametrize(
    ("method", "field", "value"),
    [
        ("post", "unit_price_cents", 1),
        ("post", "price_cents", 1),
        ("post", "user_id", 1),
        ("patch", "unit_price_cents", 1),
        ("patch", "user_id", 1),
    ],
)
def test_cart_refuses_extra_fields(
    client: TestClient,
    db: Session,
    shopper_with_cart: dict[str, Any],
    method: str,
    field: str,
    value: Any,
) -> None:
    data = shopper_with_cart
    product_id = data["product"].id
    if method == "post":
        response = client.post(
            "/api/cart/items",
            json={"product_id": product_id, "quantity": 1, field: value},
            headers=data["headers"],
        )
    else:
        response = client.patch(
            f"/api/cart/items/{product_id}",
            json={"quantity": 3, field: value},
            headers=data["headers"],
        )
    _refused(response, field)
    db.expire_all()
    items = list(db.scalars(select(CartItem).where(CartItem.user_id == data["shopper"].id)))
    assert [(i.user_id, i.product_id, i.quantity) for i in items] == [
        (data["shopper"].id, product_id, 1)
    ]
