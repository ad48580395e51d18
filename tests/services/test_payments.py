"""The order's one PaymentIntent against localstripe: created once, paid, declined, resized."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.db import get_sessionmaker
from comptoir.errors import Conflict
from comptoir.models import (
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    VendorOrder,
)
from comptoir.services import payments
from tests.factories import create_order, create_product, create_shop, create_user
from tests.stripe_support import confirm_card, intents_of_order

pytestmark = [pytest.mark.usefixtures("localstripe"), pytest.mark.timeout(60)]


def _order(db: Session, status: OrderStatus = OrderStatus.awaiting_payment) -> Order:
    shopper = create_user(db)
    first, second = create_shop(db), create_shop(db)
    order = create_order(
        db,
        shopper,
        [(create_product(db, first, price_cents=1299), 2), (create_product(db, second), 3)],
        status=status,
        delivery_cents={second.id: 490},
    )
    db.commit()
    return order


def test_payment_intent_is_created_once_and_reused_on_retry(db: Session) -> None:
    order = _order(db)
    first = payments.ensure_payment_intent(db, order.id)
    db.commit()
    again = payments.ensure_payment_intent(db, order.id)
    db.commit()
    assert again.id == first.id
    assert again.stripe_payment_intent_id == first.stripe_payment_intent_id
    assert first.client_secret.startswith(f"{first.stripe_payment_intent_id}_secret_")
    [intent] = intents_of_order(order.id)
    assert intent.id == first.stripe_payment_intent_id
    assert intent.amount == order.total_cents == 2 * 1299 + 3 * 450 + 490
    assert intent.currency == "eur"


def test_concurrent_calls_create_a_single_payment_intent(db: Session) -> None:
    order = _order(db)

    def ask() -> str | None:
        with get_sessionmaker()() as session:
            payment = payments.ensure_payment_intent(session, order.id)
            session.commit()
            return payment.stripe_payment_intent_id

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(pool.map(lambda _: ask(), range(6)))
    assert len(set(ids)) == 1 and ids[0] is not None
    assert [pi.id for pi in intents_of_order(order.id)] == ids[:1]
    assert db.scalar(select(Payment.stripe_payment_intent_id).where(Payment.order_id == order.id)) == ids[0]


def test_intent_created_before_a_crash_is_found_again(db: Session) -> None:
    order = _order(db)
    # An earlier attempt committed its marker, created the intent at Stripe, then died
    # before committing the intent's id.
    marker = Payment(order_id=order.id, amount_cents=order.total_cents, status=PaymentStatus.pending)
    db.add(marker)
    db.commit()
    orphan = payments.stripe_client().v1.payment_intents.create(
        params={  # type: ignore[typeddict-unknown-key]
            "amount": order.total_cents,
            "currency": "eur",
            "payment_method_types": ["card"],
            "metadata": {"order_id": str(order.id), "payment_id": str(marker.id)},
        }
    )
    payment = payments.ensure_payment_intent(db, order.id)
    db.commit()
    assert payment.id == marker.id
    assert payment.stripe_payment_intent_id == orphan.id
    assert payment.client_secret == orphan.client_secret
    assert [pi.id for pi in intents_of_order(order.id)] == [orphan.id]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (OrderStatus.awaiting_confirmation, "Cette commande attend encore la confirmation du vendeur."),
        (OrderStatus.processing, "Cette commande est déjà payée."),
        (OrderStatus.completed, "Cette commande est déjà payée."),
        (OrderStatus.cancelled, "Cette commande est annulée : elle ne peut plus être payée."),
    ],
)
def test_an_order_not_awaiting_payment_cannot_be_paid(
    db: Session, status: OrderStatus, message: str
) -> None:
    order = _order(db, status)
    with pytest.raises(Conflict) as refused:
        payments.ensure_payment_intent(db, order.id)
    assert refused.value.message == message
    db.rollback()
    assert intents_of_order(order.id) == []


def test_amount_follows_the_total_when_a_line_is_declined_before_payment(db: Session) -> None:
    order = _order(db)
    payment = payments.ensure_payment_intent(db, order.id)
    db.commit()
    # The merchant declines the 2 × 12,99 € line: checkout's totals shrink before payment.
    line = db.scalars(select(OrderLine).where(OrderLine.unit_price_cents == 1299)).one()
    vendor_order = db.get_one(VendorOrder, line.vendor_order_id)
    line.status = LineStatus.declined
    vendor_order.status = vendor_order.status.cancelled
    for row in (vendor_order, db.get_one(Order, order.id)):
        row.items_cents -= 2 * 1299
        row.total_cents -= 2 * 1299
    db.commit()
    resized = payments.ensure_payment_intent(db, order.id)
    db.commit()
    assert resized.stripe_payment_intent_id == payment.stripe_payment_intent_id
    assert resized.amount_cents == 3 * 450 + 490
    [intent] = intents_of_order(order.id)
    assert int(intent.amount) == 3 * 450 + 490  # localstripe keeps an updated amount as text
    assert resized.stripe_payment_intent_id
    paid = confirm_card(resized.stripe_payment_intent_id)
    assert paid.status == "succeeded" and paid.latest_charge.amount == 3 * 450 + 490


def test_visa_payment_succeeds_and_is_recorded_once(db: Session) -> None:
    order = _order(db)
    payment = payments.ensure_payment_intent(db, order.id)
    db.commit()
    assert payment.stripe_payment_intent_id
    intent = confirm_card(payment.stripe_payment_intent_id, "pm_card_visa")
    assert intent.status == "succeeded"
    done = payments.mark_payment_succeeded(db, order.id, payment.stripe_payment_intent_id)
    db.commit()
    first_time = done.succeeded_at
    again = payments.mark_payment_succeeded(db, order.id, payment.stripe_payment_intent_id)
    db.commit()
    assert again.status == PaymentStatus.succeeded and again.succeeded_at == first_time
    assert db.get_one(Order, order.id).paid_at == first_time


def test_declined_card_leaves_the_order_payable_with_a_fresh_intent(db: Session) -> None:
    order = _order(db)
    payment = payments.ensure_payment_intent(db, order.id)
    db.commit()
    intent_id = payment.stripe_payment_intent_id
    assert intent_id
    intent = confirm_card(intent_id, "pm_card_chargeCustomerFail")
    assert intent.status == "requires_payment_method"
    message = intent.last_payment_error.message
    assert message
    for _ in range(2):  # a redelivered event changes nothing more
        failed = payments.mark_payment_failed(db, order.id, intent_id, message, "card_declined")
        db.commit()
    # Stripe's English text stays out: the shopper reads a French sentence of the code.
    assert failed.status == PaymentStatus.failed and failed.failure_code == "card_declined"
    assert failed.failure_message.startswith("Votre carte a été refusée")
    retry = payments.ensure_payment_intent(db, order.id)
    db.commit()
    fresh_id = retry.stripe_payment_intent_id
    assert fresh_id and fresh_id != intent_id and retry.status == PaymentStatus.pending
    again = payments.ensure_payment_intent(db, order.id)  # no new attempt without a new failure
    assert again.stripe_payment_intent_id == fresh_id
    assert {pi.id: pi.status for pi in intents_of_order(order.id)} == {
        intent_id: "canceled",
        fresh_id: "requires_payment_method",
    }
    assert confirm_card(fresh_id).status == "succeeded"
    payments.mark_payment_succeeded(db, order.id, fresh_id)
    # Failures reported after the success (events out of order, or about the spent intent)
    # never undo it.
    late = payments.mark_payment_failed(db, order.id, fresh_id, "trop tard")
    stale = payments.mark_payment_failed(db, order.id, intent_id, "ancienne tentative")
    db.commit()
    assert late.status == stale.status == PaymentStatus.succeeded and late.failure_message == ""


def test_marking_another_intent_is_refused(db: Session) -> None:
    order = _order(db)
    payments.ensure_payment_intent(db, order.id)
    db.commit()
    with pytest.raises(Conflict):
        payments.mark_payment_succeeded(db, order.id, "pi_not_this_one")
