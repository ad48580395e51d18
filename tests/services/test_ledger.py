"""The merchants' ledger: sale and fee entries exact to the cent, balances per shop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.domain.money import payment_fee_cents
from comptoir.errors import Conflict
from comptoir.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    Payment,
    PaymentStatus,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services import ledger, payments
from tests.factories import create_order, create_product, create_shop, create_user
from tests.stripe_support import pay_order

# Prices chosen so that no share of the fee is a round number.
AWKWARD_PRICES = [333, 1999, 7, 12_345, 101]


def _mark_paid(db: Session, order: Order) -> Payment:
    """A succeeded Payment row (the ledger reads our database, not Stripe)."""
    payment = Payment(
        order_id=order.id,
        stripe_payment_intent_id=f"pi_ledger_{order.id}",
        amount_cents=order.total_cents,
        status=PaymentStatus.succeeded,
        succeeded_at=datetime.now(UTC),
    )
    db.add(payment)
    db.commit()
    return payment


def _order_across(db: Session, shops: int) -> Order:
    shopper = create_user(db)
    items, delivery = [], {}
    for i in range(shops):
        shop = create_shop(db)
        items.append((create_product(db, shop, price_cents=AWKWARD_PRICES[i]), i + 1))
        if i % 2:
            delivery[shop.id] = 490
    order = create_order(db, shopper, items, delivery_cents=delivery)
    db.commit()
    return order


@pytest.mark.parametrize("shops", [1, 2, 3, 4, 5])
def test_fee_shares_add_up_to_the_fee_of_the_payment(db: Session, shops: int) -> None:
    order = _order_across(db, shops)
    payment = _mark_paid(db, order)
    entries = ledger.record_sale(db, order.id)
    db.commit()
    fee = payment_fee_cents(order.total_cents, 140, 25)
    vendor_orders = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)).all()
    assert sum(vo.fee_cents for vo in vendor_orders) == fee
    assert db.get_one(Payment, payment.id).fee_cents == fee
    for vo in vendor_orders:
        exact = fee * vo.total_cents / order.total_cents
        assert abs(vo.fee_cents - exact) < 1  # each share is the exact one rounded
        assert vo.net_cents == vo.total_cents - vo.fee_cents
    by_key = {e.entry_key: e.amount_cents for e in entries}
    assert len(entries) == 2 * shops
    assert sum(v for k, v in by_key.items() if k.startswith("sale:")) == order.total_cents
    assert sum(v for k, v in by_key.items() if k.startswith("fee:")) == -fee


def test_record_sale_twice_writes_each_entry_once(db: Session) -> None:
    order = _order_across(db, 3)
    _mark_paid(db, order)
    first = ledger.record_sale(db, order.id)
    db.commit()
    second = ledger.record_sale(db, order.id)
    db.commit()
    assert [e.id for e in first] == [e.id for e in second]
    assert len(db.scalars(select(LedgerEntry)).all()) == 6


def test_cancelled_vendor_order_bears_no_fee(db: Session) -> None:
    order = _order_across(db, 3)
    cancelled = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)).first()
    assert cancelled is not None
    cancelled.status = VendorOrderStatus.cancelled
    # Checkout's totals lose that shop's part before payment.
    order.items_cents -= cancelled.items_cents
    order.delivery_cents -= cancelled.delivery_cents
    order.total_cents -= cancelled.total_cents
    db.commit()
    _mark_paid(db, order)
    entries = ledger.record_sale(db, order.id)
    assert cancelled.id not in {e.vendor_order_id for e in entries}
    assert sum(e.amount_cents for e in entries if e.kind == LedgerKind.fee) == -payment_fee_cents(
        order.total_cents
    )


def test_no_sale_before_payment(db: Session) -> None:
    order = _order_across(db, 1)
    with pytest.raises(Conflict):
        ledger.record_sale(db, order.id)


@pytest.mark.usefixtures("localstripe")
def test_shop_balance_counts_sales_fees_and_refunds(db: Session) -> None:
    shopper = create_user(db)
    shop, other = create_shop(db), create_shop(db)
    order = create_order(
        db, shopper, [(create_product(db, shop, price_cents=2000), 1), (create_product(db, other), 1)]
    )
    db.commit()
    pay_order(db, order.id)
    ledger.record_sale(db, order.id)
    db.commit()
    vendor_order = db.scalars(
        select(VendorOrder).where(VendorOrder.order_id == order.id, VendorOrder.shop_id == shop.id)
    ).one()
    payments.refund(
        db, order_id=order.id, vendor_order_id=vendor_order.id, amount_cents=500,
        refund_key="balance", reason="Retour",
    )  # fmt: skip
    db.commit()
    db.refresh(vendor_order)
    balance = ledger.shop_balance(db, shop.id)
    assert balance == ledger.ShopBalance(
        sales_cents=2000,
        fees_cents=vendor_order.fee_cents,
        refunds_cents=500,
        net_cents=2000 - vendor_order.fee_cents - 500,
    )
    assert balance.net_cents == vendor_order.net_cents
    everyone = ledger.shop_balance(db, None)
    assert everyone.sales_cents == order.total_cents
    assert everyone.fees_cents == payment_fee_cents(order.total_cents)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert ledger.shop_balance(db, shop.id, since=tomorrow) == ledger.ShopBalance(0, 0, 0, 0)
    assert ledger.shop_balance(db, shop.id, until=tomorrow) == balance
