"""Helpers for tests that drive orders end to end through the API and the real workflows."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import (
    AttentionItem,
    DeliveryKind,
    DeliveryMode,
    Order,
    OrderLine,
    Payment,
    Product,
    Role,
    Shop,
    User,
    VendorOrder,
)
from comptoir.settings import get_settings
from tests.factories import create_product, create_shop, create_user, login_headers
from tests.stripe_support import confirm_card, event_payload, signature_header

T = TypeVar("T")
BILLING = {
    "name": "Camille Martin",
    "line1": "12 rue des Tanneurs",
    "postal_code": "49350",
    "city": "Montlouvier-sur-Loire",
}


@dataclass
class Town:
    """Two shops (one with pickup, one delivering), their merchants and a shopper."""

    shopper: User
    shopper_headers: dict[str, str]
    shops: list[Shop]
    merchants: list[User]
    merchant_headers: list[dict[str, str]]
    products: list[Product] = field(default_factory=list)


def build_town(
    db: Session, client: TestClient, *, reserved: bool = False, stock: int = 10
) -> Town:
    """A shopper, two shops with one product each (the first needing a reservation when asked)."""
    shopper = create_user(db, first_name="Camille")
    merchants = [create_user(db, Role.merchant) for _ in range(2)]
    shops = [create_shop(db, owner=m) for m in merchants]
    products = [
        create_product(db, shops[0], name="Tarte aux pommes", price_cents=1850,
                       requires_confirmation=reserved, stock=stock),
        create_product(db, shops[1], name="Comté 18 mois", price_cents=1290, vat_rate_bp=550,
                       stock=stock),
    ]  # fmt: skip
    db.commit()
    return Town(
        shopper=shopper,
        shopper_headers=login_headers(client, shopper),
        shops=shops,
        merchants=merchants,
        merchant_headers=[login_headers(client, m) for m in merchants],
        products=products,
    )


def mode_of(db: Session, shop: Shop, kind: DeliveryKind) -> int:
    """The id of a shop's delivery mode of that kind."""
    return db.scalars(
        select(DeliveryMode.id).where(DeliveryMode.shop_id == shop.id, DeliveryMode.kind == kind)
    ).one()


def place_order(
    client: TestClient,
    db: Session,
    town: Town,
    quantities: tuple[int, ...] = (2, 1),
    kinds: tuple[DeliveryKind, ...] = (DeliveryKind.pickup, DeliveryKind.local_delivery),
) -> int:
    """Fill the cart with both shops' products and check out; the order id."""
    for product, quantity in zip(town.products, quantities, strict=True):
        if quantity:
            added = client.post(
                "/api/cart/items",
                json={"product_id": product.id, "quantity": quantity},
                headers=town.shopper_headers,
            )
            assert added.status_code == 201, added.text
    shops = [
        {"shop_id": shop.id, "delivery_mode_id": mode_of(db, shop, kind)}
        for shop, kind, quantity in zip(town.shops, kinds, quantities, strict=True)
        if quantity
    ]
    placed = client.post(
        "/api/checkout",
        json={"billing_address": BILLING, "shops": shops, "phone": "06 12 34 56 78"},
        headers=town.shopper_headers,
    )
    assert placed.status_code == 201, placed.text
    assert placed.json()["workflow_started"] is True
    return int(placed.json()["order_id"])


def wait_for(check: Callable[[], T | None], timeout: float = 30.0, what: str = "condition") -> T:
    """Poll until `check` returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def order_row(db: Session, order_id: int) -> Order:
    """The order as PostgreSQL holds it now."""
    db.rollback()  # a fresh snapshot: the worker commits in other sessions
    return db.scalars(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    ).one()


def vendor_orders(db: Session, order_id: int) -> list[VendorOrder]:
    """The order's parts, fresh, in shop order."""
    db.rollback()
    return list(
        db.scalars(
            select(VendorOrder)
            .where(VendorOrder.order_id == order_id)
            .order_by(VendorOrder.shop_id)
            .execution_options(populate_existing=True)
        )
    )


def lines_of(db: Session, vendor_order_id: int) -> list[OrderLine]:
    """A part's lines, fresh."""
    db.rollback()
    return list(
        db.scalars(
            select(OrderLine)
            .where(OrderLine.vendor_order_id == vendor_order_id)
            .order_by(OrderLine.id)
            .execution_options(populate_existing=True)
        )
    )


def wait_status(db: Session, order_id: int, status: str, timeout: float = 30.0) -> Order:
    """Wait until the workflow projected the order's status `status` (and its stage)."""

    def reached() -> Order | None:
        order = order_row(db, order_id)
        started = order.stage not in ("start_pending", "created")
        return order if order.status.value == status and started else None

    try:
        return wait_for(reached, timeout, f"order {order_id} to be {status}")
    except AssertionError as exc:
        order = order_row(db, order_id)
        raise AssertionError(f"{exc}; it is {order.status.value} at stage {order.stage}") from None


def send_webhook(
    client: TestClient, event_type: str, payment_intent_id: str, *, event_id: str | None = None,
    failure_message: str | None = None,
) -> Any:
    """Deliver a signed Stripe event about the intent, as Stripe would."""
    payload = event_payload(
        event_id or f"evt_{uuid.uuid4().hex[:16]}", event_type, payment_intent_id,
        failure_message=failure_message,
    )  # fmt: skip
    header = signature_header(payload, get_settings().stripe_webhook_secret)
    return client.post(
        "/api/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def pay(client: TestClient, town: Town, order_id: int, card: str = "pm_card_visa") -> str:
    """Pay the order with a test card through the real flow; the PaymentIntent id."""
    answer = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers)
    assert answer.status_code == 200, answer.text
    intent_id = answer.json()["client_secret"].split("_secret_")[0]
    intent = confirm_card(intent_id, card)
    if intent.status == "succeeded":
        delivered = send_webhook(client, "payment_intent.succeeded", intent_id)
    else:
        delivered = send_webhook(
            client, "payment_intent.payment_failed", intent_id,
            failure_message="Votre carte a été refusée.",
        )  # fmt: skip
    assert delivered.status_code == 200, delivered.text
    return intent_id


def merchant_step(
    client: TestClient, town: Town, index: int, vendor_order_id: int, step: str,
    body: dict[str, Any] | None = None,
) -> Any:
    """POST a merchant step (prepare, ready, ship, complete, ...) for shop `index`."""
    return client.post(
        f"/api/merchant/vendor-orders/{vendor_order_id}/{step}",
        json=body or {},
        headers=town.merchant_headers[index],
    )


def payment_of(db: Session, order_id: int) -> Payment | None:
    """The order's payment row, fresh."""
    db.rollback()
    return db.scalars(
        select(Payment).where(Payment.order_id == order_id).execution_options(populate_existing=True)
    ).one_or_none()


def wait_paid_and_dispatched(db: Session, order_id: int) -> list[VendorOrder]:
    """Wait until the order is processing and every live part is with its shop (confirmed)."""
    wait_status(db, order_id, "processing")

    def dispatched() -> list[VendorOrder] | None:
        parts = vendor_orders(db, order_id)
        live = [p for p in parts if p.status.value != "cancelled"]
        return parts if live and all(p.status.value == "confirmed" for p in live) else None

    return wait_for(dispatched, what=f"order {order_id}'s parts to reach their shops")


@dataclass
class StuckRefund:
    """A paid order whose delivering shop's refund failed while Stripe was unreachable."""

    town: Town
    order_id: int
    pickup: VendorOrder
    delivery: VendorOrder
    intent_id: str
    item: AttentionItem


def stuck_refund(client: TestClient, db: Session) -> StuckRefund:
    """Pay an order, then mark the delivering shop's line unavailable while Stripe is down:
    the refund exhausts its retries and the part waits for an operator."""
    from tests.conftest import restore_env, set_env

    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id)
    pickup, delivery = wait_paid_and_dispatched(db, order_id)
    line = lines_of(db, delivery.id)[0]
    outage = set_env({"COMPTOIR_STRIPE_API_BASE": "http://127.0.0.1:9"})  # nothing listens
    try:
        answer = merchant_step(client, town, 1, delivery.id, "unavailable", {"line_ids": [line.id]})
        assert answer.status_code == 200, answer.text

        def flagged() -> AttentionItem | None:
            db.rollback()
            return db.scalar(
                select(AttentionItem).where(
                    AttentionItem.order_id == order_id, AttentionItem.step.startswith("refund")
                )
            )

        item = wait_for(flagged, timeout=60, what="the failed refund to reach operators")
    finally:
        restore_env(outage)
    return StuckRefund(town, order_id, pickup, delivery, intent_id, item)


def attention_settled(db: Session, order_id: int) -> bool:
    """Every attention item of the order is resolved and the order no longer needs attention."""
    db.rollback()
    items = db.scalars(select(AttentionItem).where(AttentionItem.order_id == order_id)).all()
    return bool(items) and all(i.resolved_at is not None for i in items) and not order_row(
        db, order_id
    ).needs_attention
