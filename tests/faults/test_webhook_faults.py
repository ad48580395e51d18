"""Stripe webhooks delivered twice each and out of order (a payment_failed event after the
succeeded one, or before it): one charge, the order processing, the payment succeeded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import PaymentStatus, StatusEvent, StripeEvent
from tests.faults.conftest import check_order_money, stripe_intents
from tests.lifecycle_support import (
    build_town,
    order_row,
    payment_of,
    place_order,
    send_webhook,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)
from tests.stripe_support import confirm_card

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("live_platform")]
DECLINED = "Votre carte a été refusée."


@pytest.mark.parametrize("failed_first", [False, True], ids=["failed-after", "failed-before"])
def test_webhooks_twice_and_out_of_order_charge_once(
    client: TestClient, db: Session, localstripe: str, failed_first: bool
) -> None:
    town = build_town(db, client)
    initial = {p.id: p.stock for p in town.products}
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    page = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers)
    assert page.status_code == 200, page.text
    intent_id = page.json()["client_secret"].split("_secret_")[0]
    assert confirm_card(intent_id).status == "succeeded"
    ok, failed = f"evt_ok_{order_id}", f"evt_failed_{order_id}"
    deliveries = [("payment_intent.succeeded", ok, None)] * 2
    deliveries += [("payment_intent.payment_failed", failed, DECLINED)] * 2
    if failed_first:
        deliveries.reverse()
    answers = []
    for event_type, event_id, message in deliveries:
        answer = send_webhook(client, event_type, intent_id, event_id=event_id,
                              failure_message=message)  # fmt: skip
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())
    assert [a.get("duplicate", False) for a in answers] == [False, True, False, True]
    wait_paid_and_dispatched(db, order_id)
    # The late (or early) failure never undoes the success, even once everything settled.
    payment = wait_for(lambda: payment_of(db, order_id), what="the payment row")
    assert payment.status == PaymentStatus.succeeded and payment.failure_message == ""
    assert payment.stripe_payment_intent_id == intent_id
    assert [pi.status for pi in stripe_intents(localstripe, order_id)] == ["succeeded"]
    assert order_row(db, order_id).status.value == "processing"
    db.rollback()
    events = db.scalars(select(StripeEvent).where(StripeEvent.id.in_([ok, failed]))).all()
    assert sorted(e.id for e in events) == sorted([ok, failed])
    assert all(e.processed_at is not None for e in events)
    processing = db.scalars(select(StatusEvent).where(
        StatusEvent.order_id == order_id, StatusEvent.vendor_order_id.is_(None),
        StatusEvent.to_status == "processing")).all()  # fmt: skip
    assert len(processing) == 1
    assert not db.scalars(select(StatusEvent).where(
        StatusEvent.order_id == order_id, StatusEvent.to_status == "payment_failed")).all()  # fmt: skip
    check_order_money(db, localstripe, order_id, initial)


def test_the_same_webhook_delivered_many_times_at_once_pays_once(
    client: TestClient, db: Session, localstripe: str
) -> None:
    """Deliveries race each other: none holds a lock while Temporal answers, so several may
    forward the event, and the order's workflow takes its id once."""
    town = build_town(db, client)
    initial = {p.id: p.stock for p in town.products}
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    page = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers)
    intent_id = page.json()["client_secret"].split("_secret_")[0]
    assert confirm_card(intent_id).status == "succeeded"
    event_id = f"evt_burst_{order_id}"

    def deliver(_: int) -> int:
        answer = send_webhook(client, "payment_intent.succeeded", intent_id, event_id=event_id)
        return answer.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(deliver, range(6))) == [200] * 6
    wait_paid_and_dispatched(db, order_id)
    db.rollback()
    event = db.get(StripeEvent, event_id)
    assert event is not None and event.processed_at is not None
    processing = db.scalars(select(StatusEvent).where(
        StatusEvent.order_id == order_id, StatusEvent.vendor_order_id.is_(None),
        StatusEvent.to_status == "processing")).all()  # fmt: skip
    assert len(processing) == 1
    assert [pi.status for pi in stripe_intents(localstripe, order_id)] == ["succeeded"]
    check_order_money(db, localstripe, order_id, initial)
