"""Refunds through localstripe: exactly once per key, never more than paid, projected everywhere."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import stripe
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.db import get_sessionmaker
from comptoir.errors import Conflict
from comptoir.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderLine,
    Refund,
    RefundStatus,
    VendorOrder,
)
from comptoir.services import payments
from comptoir.settings import get_settings
from devstack.services import free_port
from tests.factories import create_order, create_product, create_shop, create_user
from tests.stripe_support import pay_order, refunds_of_intent

pytestmark = [pytest.mark.usefixtures("localstripe"), pytest.mark.timeout(60)]


def _paid_order(db: Session) -> tuple[Order, str]:
    shopper = create_user(db)
    first, second = create_shop(db), create_shop(db)
    order = create_order(
        db,
        shopper,
        [(create_product(db, first, price_cents=1250), 2), (create_product(db, second, price_cents=999), 1)],
        delivery_cents={second.id: 490},
    )
    db.commit()
    payment = pay_order(db, order.id)
    assert payment.stripe_payment_intent_id
    return order, payment.stripe_payment_intent_id


def _vendor_orders(db: Session, order_id: int) -> list[VendorOrder]:
    return list(
        db.scalars(
            select(VendorOrder)
            .where(VendorOrder.order_id == order_id)
            .order_by(VendorOrder.id)
            .execution_options(populate_existing=True)
        )
    )


def test_a_retried_refund_is_made_once(db: Session) -> None:
    order, intent_id = _paid_order(db)
    first_vo = _vendor_orders(db, order.id)[0]
    made = [
        payments.refund(
            db,
            order_id=order.id,
            vendor_order_id=first_vo.id,
            amount_cents=1250,
            refund_key=f"line-cancelled:{order.id}:1",
            reason="Rupture de stock",
        )
        for _ in range(3)
    ]
    db.commit()
    assert len({r.id for r in made}) == 1 and made[0].status == RefundStatus.succeeded
    [at_stripe] = refunds_of_intent(intent_id)
    assert at_stripe.id == made[0].stripe_refund_id and at_stripe.amount == 1250
    assert db.get_one(Order, order.id, populate_existing=True).refunded_cents == 1250
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.refund)).all()
    assert [(e.entry_key, e.amount_cents, e.shop_id) for e in entries] == [
        (f"refund:line-cancelled:{order.id}:1", -1250, first_vo.shop_id)
    ]


def test_concurrent_retries_of_one_refund_make_one_stripe_refund(db: Session) -> None:
    order, intent_id = _paid_order(db)

    def attempt() -> int:
        with get_sessionmaker()() as session:
            row = payments.refund(
                session, order_id=order.id, vendor_order_id=None, amount_cents=700,
                refund_key="goodwill-1", reason="Geste commercial",
            )  # fmt: skip
            session.commit()
            return row.id

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda _: attempt(), range(4)))
    assert len(set(ids)) == 1
    assert [r.amount for r in refunds_of_intent(intent_id)] == [700]
    assert db.get_one(Order, order.id, populate_existing=True).refunded_cents == 700


def test_refund_made_before_a_crash_is_found_by_its_key(db: Session) -> None:
    order, intent_id = _paid_order(db)
    # The earlier attempt reached Stripe, then died before committing: only Stripe knows.
    payments.stripe_client().v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 500, "metadata": {"refund_key": "crashed"}}
    )
    row = payments.refund(
        db, order_id=order.id, vendor_order_id=None, amount_cents=500,
        refund_key="crashed", reason="Retour",
    )  # fmt: skip
    db.commit()
    [at_stripe] = refunds_of_intent(intent_id)
    assert row.stripe_refund_id == at_stripe.id
    assert db.get_one(Order, order.id, populate_existing=True).refunded_cents == 500


def test_over_refund_is_refused_with_a_clear_message(db: Session) -> None:
    order, intent_id = _paid_order(db)
    assert order.total_cents == 2 * 1250 + 999 + 490
    payments.refund(
        db, order_id=order.id, vendor_order_id=None, amount_cents=order.total_cents - 100,
        refund_key="most", reason="Retour",
    )  # fmt: skip
    db.commit()
    with pytest.raises(Conflict) as refused:
        payments.refund(
            db, order_id=order.id, vendor_order_id=None, amount_cents=200,
            refund_key="too-much", reason="Retour",
        )  # fmt: skip
    db.rollback()
    assert refused.value.code == "over_refund"
    assert refused.value.message == (
        "Remboursement refusé : il reste 1,00\u00a0€ remboursables sur cette commande, "
        "2,00\u00a0€ demandés."
    )
    assert len(refunds_of_intent(intent_id)) == 1
    assert db.scalar(select(func.count()).select_from(Refund)) == 1


def test_a_shop_cannot_refund_more_than_its_part(db: Session) -> None:
    order, intent_id = _paid_order(db)
    second_vo = _vendor_orders(db, order.id)[1]
    with pytest.raises(Conflict) as refused:
        payments.refund(
            db, order_id=order.id, vendor_order_id=second_vo.id, amount_cents=second_vo.total_cents + 1,
            refund_key="shop-too-much", reason="Retour",
        )  # fmt: skip
    db.rollback()
    assert "pour cette boutique" in refused.value.message
    assert refunds_of_intent(intent_id) == []


def test_concurrent_refunds_never_exceed_what_was_paid(db: Session) -> None:
    order, intent_id = _paid_order(db)
    amount = order.total_cents // 2 + 1  # two of them would exceed the payment

    def attempt(key: str) -> str:
        with get_sessionmaker()() as session:
            try:
                payments.refund(
                    session, order_id=order.id, vendor_order_id=None, amount_cents=amount,
                    refund_key=key, reason="Retour",
                )  # fmt: skip
                session.commit()
                return "ok"
            except Conflict:
                session.rollback()
                return "refused"

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = sorted(pool.map(attempt, ["a", "b", "c"]))
    assert outcomes == ["ok", "refused", "refused"]
    assert [r.amount for r in refunds_of_intent(intent_id)] == [amount]


def test_line_refund_updates_line_vendor_order_net_and_ledger(db: Session) -> None:
    order, _ = _paid_order(db)
    first_vo = _vendor_orders(db, order.id)[0]
    line = db.scalars(select(OrderLine).where(OrderLine.vendor_order_id == first_vo.id)).one()
    payments.refund(
        db, order_id=order.id, vendor_order_id=first_vo.id, amount_cents=1250,
        refund_key="line", reason="Rupture", lines={line.id: 1250},
    )  # fmt: skip
    db.commit()
    db.refresh(line)
    db.refresh(first_vo)
    assert line.refunded_cents == 1250
    assert first_vo.refunded_cents == 1250
    assert first_vo.net_cents == first_vo.total_cents - first_vo.fee_cents - 1250
    with pytest.raises(Conflict):  # the line's 2 × 12,50 € cannot give back 13,00 € more
        payments.refund(
            db, order_id=order.id, vendor_order_id=first_vo.id, amount_cents=1300,
            refund_key="line-2", reason="Rupture", lines={line.id: 1300},
        )  # fmt: skip
    db.rollback()


def test_order_wide_refund_is_split_across_shops_to_the_cent(db: Session) -> None:
    order, _ = _paid_order(db)
    vendor_orders = _vendor_orders(db, order.id)
    payments.refund(
        db, order_id=order.id, vendor_order_id=None, amount_cents=1001,
        refund_key="split", reason="Geste commercial",
    )  # fmt: skip
    db.commit()
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.refund)).all()
    assert sum(e.amount_cents for e in entries) == -1001
    assert {e.vendor_order_id for e in entries} == {vo.id for vo in vendor_orders}
    refreshed = _vendor_orders(db, order.id)
    assert sum(vo.refunded_cents for vo in refreshed) == 1001


def test_refund_of_an_unpaid_order_is_refused(db: Session) -> None:
    shopper = create_user(db)
    order = create_order(db, shopper, [(create_product(db, create_shop(db)), 1)])
    db.commit()
    with pytest.raises(Conflict) as refused:
        payments.refund(
            db, order_id=order.id, vendor_order_id=None, amount_cents=100,
            refund_key="unpaid", reason="Retour",
        )  # fmt: skip
    assert "pas été payée" in refused.value.message


def test_stripe_unreachable_raises_for_a_retry_and_records_nothing(db: Session) -> None:
    order, intent_id = _paid_order(db)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPTOIR_STRIPE_API_BASE", f"http://127.0.0.1:{free_port()}")
        get_settings.cache_clear()
        with pytest.raises(stripe.APIConnectionError):
            payments.refund(
                db, order_id=order.id, vendor_order_id=None, amount_cents=300,
                refund_key="while-down", reason="Retour",
            )  # fmt: skip
        db.rollback()
    get_settings.cache_clear()
    assert db.scalar(select(func.count()).select_from(Refund)) == 0
    # The activity's retry, once Stripe answers again, refunds once.
    payments.refund(
        db, order_id=order.id, vendor_order_id=None, amount_cents=300,
        refund_key="while-down", reason="Retour",
    )  # fmt: skip
    db.commit()
    assert [r.amount for r in refunds_of_intent(intent_id)] == [300]


def test_an_order_wide_refund_the_shops_cannot_bear_is_refused_before_stripe(db: Session) -> None:
    from comptoir.orders.contracts import CancelVendorLines
    from comptoir.services import lifecycle

    order, intent_id = _paid_order(db)
    first, second = _vendor_orders(db, order.id)
    # The second shop's part is cancelled without its money going back (yet).
    lifecycle.cancel_paid_vendor_order(db, CancelVendorLines(second.id, "cancel-second"))
    db.commit()
    with pytest.raises(Conflict, match="dépasse"):
        payments.refund(
            db, order_id=order.id, vendor_order_id=None, amount_cents=first.total_cents + 1,
            refund_key="too-much", reason="test",
        )  # fmt: skip
    db.rollback()
    assert refunds_of_intent(intent_id) == []  # Stripe was never asked
    assert payments.refunded_total(db, order.id) == 0
