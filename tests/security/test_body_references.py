"""Ids inside request bodies cannot reach another tenant's objects (IDOR through the body):
a shop outside the order, another order's shop part, another shop's delivery mode, a product
nobody may buy. Each is refused (404/409/422) and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import (
    AuditLog,
    CartItem,
    DeliveryMode,
    Message,
    Order,
    Product,
    Role,
    ShopStatus,
    VendorOrder,
)
from tests.factories import create_order, create_product, create_shop, create_user
from tests.security.world import World, build_world

pytestmark = pytest.mark.timeout(60)

REFUSED = (404, 409, 422)


@pytest.fixture
def world(shared_db: Session) -> World:
    return build_world(shared_db)


def _count(db: Session, model: type[Any], *where: Any) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_message_to_a_shop_outside_the_order(
    shared_client: TestClient, shared_db: Session, world: World
) -> None:
    before = _count(shared_db, Message)
    response = shared_client.post(
        world.path("/api/orders/{order_id}/messages"),
        json={"shop_id": world.ids["other_shop_id"], "body": "Bonjour l'autre boutique"},
        headers=world.headers["shopper"],
    )
    assert response.status_code in REFUSED, response.text
    assert _count(shared_db, Message) == before


def test_operator_action_on_a_shop_part_of_another_order(
    shared_client: TestClient, shared_db: Session, world: World
) -> None:
    """The shop part named in the body must belong to the order of the path (else 404)."""
    stranger = create_user(shared_db, Role.shopper)
    other_order = create_order(
        shared_db, stranger, [(create_product(shared_db, create_shop(shared_db)), 1)]
    )
    shared_db.commit()
    other_part = shared_db.scalar(select(VendorOrder).where(VendorOrder.order_id == other_order.id))
    assert other_part is not None
    before = _count(shared_db, AuditLog)
    response = shared_client.post(
        world.path("/api/operator/orders/{order_id}/actions"),
        json={"action": "cancel", "reason": "Essai", "vendor_order_id": other_part.id},
        headers=world.headers["operator"],
    )
    assert response.status_code == 404, response.text
    assert _count(shared_db, AuditLog) == before


@pytest.mark.parametrize("mode_of", ["other shop", "inactive"])
def test_checkout_with_a_delivery_mode_not_offered(
    shared_client: TestClient, shared_db: Session, world: World, mode_of: str
) -> None:
    db = shared_db
    if mode_of == "other shop":
        mode_id = world.ids["other_pickup_mode_id"]
    else:
        mode = db.get_one(DeliveryMode, world.ids["mode_id"])
        mode.active = False
        db.commit()
        mode_id = mode.id
    shopper = world.users["shopper"]
    product = db.get_one(Product, world.ids["product_id"])
    stock = product.stock
    orders = _count(db, Order, Order.shopper_id == shopper.id)
    response = shared_client.post(
        "/api/checkout",
        json={
            "billing_address": {
                "name": "Camille Test",
                "line1": "3 rue des Lilas",
                "postal_code": "69003",
                "city": "Lyon",
            },
            "shops": [{"shop_id": world.ids["shop_id"], "delivery_mode_id": mode_id}],
        },
        headers=world.headers["shopper"],
    )
    assert response.status_code in REFUSED, response.text
    assert _count(db, Order, Order.shopper_id == shopper.id) == orders
    assert db.get_one(Product, product.id).stock == stock


@pytest.mark.parametrize("which", ["pending shop", "suspended shop", "withdrawn product"])
def test_cart_refuses_products_nobody_may_buy(
    shared_client: TestClient, shared_db: Session, world: World, which: str
) -> None:
    db = shared_db
    if which == "withdrawn product":
        product = create_product(db, create_shop(db), active=False)
    else:
        status = ShopStatus.pending if which == "pending shop" else ShopStatus.suspended
        product = create_product(db, create_shop(db, status=status))
    db.commit()
    shopper = world.users["shopper"]
    before = _count(db, CartItem, CartItem.user_id == shopper.id)
    response = shared_client.post(
        "/api/cart/items",
        json={"product_id": product.id, "quantity": 1},
        headers=world.headers["shopper"],
    )
    assert response.status_code in REFUSED, response.text
    assert _count(db, CartItem, CartItem.user_id == shopper.id) == before
    # Nor can its public page be read.
    assert shared_client.get(f"/api/products/{product.id}").status_code == 404
