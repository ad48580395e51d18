"""Fixtures of the fault-injection tests: a fault proxy in front of localstripe, Stripe
read directly (around the proxy), operators, and the checks every fault test ends with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import (
    LedgerEntry,
    LineStatus,
    Order,
    OrderLine,
    Payment,
    PaymentStatus,
    Product,
    Refund,
    RefundStatus,
    Role,
    VendorOrder,
)
from comptoir.services import payments
from comptoir.settings import get_settings
from tests.conftest import restore_env, set_env
from tests.factories import create_user, login_headers
from tests.faults.fault_proxy import FaultProxy

STOCK_HOLDING = [LineStatus.confirmed, LineStatus.pending_confirmation, LineStatus.unavailable]


@pytest.fixture
def stripe_proxy(localstripe: str) -> Iterator[FaultProxy]:
    """A fault proxy in front of the run's localstripe; the platform talks to Stripe through it."""
    proxy = FaultProxy(localstripe).start()
    previous = set_env({"COMPTOIR_STRIPE_API_BASE": proxy.url})
    try:
        yield proxy
    finally:
        restore_env(previous)
        proxy.stop()


def direct_stripe(localstripe: str) -> Any:
    """A Stripe client talking to localstripe itself (the checks must not go through faults)."""
    return payments._client_for(get_settings().stripe_api_key, localstripe).v1


def stripe_refunds(localstripe: str, payment_intent_id: str) -> list[Any]:
    """Every refund localstripe holds for this PaymentIntent."""
    listed = direct_stripe(localstripe).refunds.list(
        params={"payment_intent": payment_intent_id, "limit": 100}
    )
    return list(listed.auto_paging_iter())


def stripe_intents(localstripe: str, order_id: int) -> list[Any]:
    """Every PaymentIntent localstripe holds for this order (by metadata)."""
    listed = direct_stripe(localstripe).payment_intents.list(params={"limit": 100})
    return [pi for pi in listed.auto_paging_iter() if pi.metadata.to_dict().get("order_id") == str(order_id)]


def operator_headers(client: TestClient, db: Session) -> dict[str, str]:
    """A fresh operator's login headers."""
    operator = create_user(db, Role.operator)
    db.commit()
    return login_headers(client, operator)


def operator_action(
    client: TestClient, headers: dict[str, str], order_id: int, action: str,
    vendor_order_id: int | None = None, reason: str = "incident réglé",
) -> Any:
    """POST an operator's decision (retry, skip, cancel) on an order or one shop's part."""
    body: dict[str, Any] = {"action": action, "reason": reason}
    if vendor_order_id is not None:
        body["vendor_order_id"] = vendor_order_id
    return client.post(f"/api/operator/orders/{order_id}/actions", json=body, headers=headers)


def check_order_money(
    db: Session, localstripe: str, order_id: int, initial_stock: dict[int, int]
) -> None:
    """After a fault: charged at most once, every refund made once and matching Stripe, the
    projections add up, and stock = initial − what the order's lines took off the shelf.

    Lines confirmed or waiting for confirmation hold their stock; so do lines marked
    unavailable after payment (the shop did not have them: nothing goes back on the shelf).
    Declined and cancelled lines gave theirs back."""
    db.rollback()
    order = db.get_one(Order, order_id, populate_existing=True)
    parts = list(db.scalars(select(VendorOrder).where(VendorOrder.order_id == order_id)
                            .execution_options(populate_existing=True)))  # fmt: skip
    succeeded = [pi for pi in stripe_intents(localstripe, order_id) if pi.status == "succeeded"]
    assert len(succeeded) <= 1, f"order {order_id} charged {len(succeeded)} times"
    payment = db.scalar(select(Payment).where(Payment.order_id == order_id))
    refunds = list(db.scalars(select(Refund).where(Refund.order_id == order_id)))
    if succeeded:
        assert payment is not None and payment.status == PaymentStatus.succeeded
        assert payment.stripe_payment_intent_id == succeeded[0].id
        at_stripe = stripe_refunds(localstripe, succeeded[0].id)
        made = sorted(r.amount for r in at_stripe)
        recorded = sorted(r.amount_cents for r in refunds if r.status == RefundStatus.succeeded)
        assert made == recorded, f"Stripe refunded {made}, the database says {recorded}"
        keys = [r.metadata.to_dict().get("refund_key") for r in at_stripe]
        assert len(keys) == len(set(keys)), f"a refund key was refunded twice at Stripe: {keys}"
        assert sum(made) == order.refunded_cents <= order.total_cents
    else:
        assert not [r for r in refunds if r.status == RefundStatus.succeeded]
    assert sum(p.refunded_cents for p in parts) == order.refunded_cents
    for part in parts:
        assert 0 <= part.refunded_cents <= part.total_cents
        lines = list(db.scalars(select(OrderLine).where(OrderLine.vendor_order_id == part.id)))
        assert all(0 <= line.refunded_cents <= line.total_cents for line in lines)
        ledger = db.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                           .where(LedgerEntry.vendor_order_id == part.id))  # fmt: skip
        if succeeded and part.fee_cents:
            assert ledger == part.net_cents == part.total_cents - part.fee_cents - part.refunded_cents
    for product_id, initial in initial_stock.items():
        held = db.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity), 0))
            .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
            .where(OrderLine.product_id == product_id, OrderLine.status.in_(STOCK_HOLDING))
        )  # fmt: skip
        stock = db.scalar(select(Product.stock).where(Product.id == product_id))
        assert stock == initial - int(held or 0) >= 0, f"product {product_id}: stock {stock}"
