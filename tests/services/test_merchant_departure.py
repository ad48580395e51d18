"""Erasing a merchant's account takes its shop off the platform without losing an order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import (
    AttentionItem,
    AuditLog,
    Order,
    OrderStatus,
    Role,
    Shop,
    ShopStatus,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services.accounts import request_deletion
from comptoir.services.erasure import erase_account
from comptoir.services.merchant_departure import suspend_shops_of_departed_merchant
from tests.factories import create_order, create_product, create_shop, create_user


def test_erasing_a_merchant_suspends_its_shop_out_of_search_and_pages(
    client: TestClient, db: Session
) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Savonnerie de la Levée", slug="savonnerie")
    soap = create_product(db, shop, name="Savon au lait d'ânesse")
    # An old order, handed over and past its return window: nothing blocks the erasure.
    old = create_order(db, create_user(db), [(soap, 1)], status=OrderStatus.completed)
    part = db.scalars(select(VendorOrder).where(VendorOrder.order_id == old.id)).one()
    part.status = VendorOrderStatus.completed
    part.return_deadline = datetime.now(UTC) - timedelta(days=1)
    db.commit()
    assert "Savon au lait" in client.get("/api/products/search", params={"q": "savon"}).text
    assert client.get("/boutiques/savonnerie").status_code == 200
    request, _ = request_deletion(db, merchant)
    operator = create_user(db, Role.operator)
    erase_account(db, request.id, operator.id, "RGPD")
    db.commit()
    db.refresh(shop)
    assert shop.status == ShopStatus.suspended and "effacé" in shop.status_reason
    found = client.get("/api/products/search", params={"q": "savon"})
    assert found.status_code == 200 and "Savon au lait" not in found.text
    assert client.get("/boutiques/savonnerie").status_code == 404
    assert client.get(f"/produits/{soap.id}").status_code == 404
    assert client.get("/api/shops/savonnerie").status_code == 404
    audit = db.scalars(select(AuditLog).where(AuditLog.action == "shop.suspend")).one()
    assert audit.target == f"shop:{shop.id}" and audit.actor_id == operator.id


def test_open_parts_of_a_departing_shop_are_flagged_for_operators(db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant)
    order = create_order(db, create_user(db), [(create_product(db, shop), 1)],
                         status=OrderStatus.processing)  # fmt: skip
    part = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)).one()
    operator = create_user(db, Role.operator)
    db.commit()
    # An order that slipped in while the account was being erased (erase_account refuses
    # open orders, so this is the last line of defence).
    now = datetime.now(UTC)
    for _ in range(2):  # idempotent
        flagged = suspend_shops_of_departed_merchant(db, [shop], operator.id, now)
    db.commit()
    assert flagged == [part.id]
    (item,) = db.scalars(select(AttentionItem).where(AttentionItem.order_id == order.id)).all()
    assert item.kind == "merchant_erased" and item.vendor_order_id == part.id
    assert "quitté la plateforme" in item.error
    assert db.get_one(Order, order.id).needs_attention and db.get_one(VendorOrder, part.id).needs_attention
    assert db.get_one(Shop, shop.id).status == ShopStatus.suspended
