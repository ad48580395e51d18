"""Paid orders across shops, with their ledger, for settlement tests (rows, no workflow)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Shop,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services import ledger
from tests.factories import create_order, create_product, create_user

_keys = itertools.count(1)


def paid_order(db: Session, prices: dict[Shop, int]) -> tuple[Order, dict[int, VendorOrder]]:
    """An order paid by card across `prices`' shops, its sale and fee shares in the ledger."""
    shopper = create_user(db)
    items = [(create_product(db, shop, price_cents=cents, stock=10), 1) for shop, cents in prices.items()]
    order = create_order(db, shopper, items, status=OrderStatus.processing)
    db.add(
        Payment(
            order_id=order.id,
            stripe_payment_intent_id=f"pi_settle_{order.id}_{next(_keys)}",
            amount_cents=order.total_cents,
            status=PaymentStatus.succeeded,
            succeeded_at=datetime.now(UTC),
        )
    )
    db.flush()
    ledger.record_sale(db, order.id)
    db.commit()
    parts = db.query(VendorOrder).filter(VendorOrder.order_id == order.id).all()
    return order, {part.shop_id: part for part in parts}


def close(db: Session, part: VendorOrder) -> None:
    """The part's return window is over (what the workflow projects)."""
    part.status = VendorOrderStatus.closed
    part.completed_at = datetime.now(UTC) - timedelta(days=20)
    part.return_deadline = datetime.now(UTC) - timedelta(days=1)
    db.commit()


def refund_in_ledger(db: Session, part: VendorOrder, cents: int) -> None:
    """A refund Stripe accepted, as payments.refund projects it on the part and the ledger."""
    part.refunded_cents += cents
    part.net_cents = part.total_cents - part.fee_cents - part.refunded_cents
    order = db.get(Order, part.order_id)
    assert order is not None
    order.refunded_cents += cents
    db.execute(
        insert(LedgerEntry).values(
            entry_key=f"refund:test-{next(_keys)}",
            shop_id=part.shop_id,
            order_id=part.order_id,
            vendor_order_id=part.id,
            kind=LedgerKind.refund,
            amount_cents=-cents,
        )
    )
    db.commit()
