"""The other paths of an order: reservations, declined cards, deadlines, duplicates,
cancelling, and a Stripe outage an operator resolves. Real worker, Temporal, localstripe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import AuditLog, Product, Role, StatusEvent
from tests.conftest import MailSink, restore_env, set_env
from tests.factories import create_user, login_headers
from tests.lifecycle_support import (
    attention_settled,
    build_town,
    lines_of,
    merchant_step,
    order_row,
    pay,
    payment_of,
    place_order,
    send_webhook,
    stuck_refund,
    vendor_orders,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)
from tests.stripe_support import confirm_card, intents_of_order, refunds_of_intent

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("live_platform")]


def _stock(db: Session, product: Product) -> int:
    db.rollback()
    return int(db.scalar(select(Product.stock).where(Product.id == product.id)) or 0)


def test_reservation_partly_declined_then_paid(client: TestClient, db: Session) -> None:
    town = build_town(db, client, reserved=True)
    order_id = place_order(client, db, town, quantities=(2, 1))
    order = wait_status(db, order_id, "awaiting_confirmation")
    assert order.confirmation_deadline is not None
    reserved_part = vendor_orders(db, order_id)[0]
    line = lines_of(db, reserved_part.id)[0]
    # Payment is not offered while the reservation waits.
    early = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers)
    assert early.status_code == 409 and "confirmation" in early.json()["message"]
    # The other shop cannot answer for this part; a line of another part is refused.
    other = merchant_step(client, town, 1, reserved_part.id, "confirm", {"confirmed": [line.id]})
    assert other.status_code == 404
    empty = merchant_step(client, town, 0, reserved_part.id, "confirm", {})
    assert empty.status_code == 409 and "au moins une ligne" in empty.json()["message"]
    declined = merchant_step(client, town, 0, reserved_part.id, "confirm", {"declined": [line.id]})
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "cancelled"
    order = wait_status(db, order_id, "awaiting_payment")
    assert order.total_cents == 1290 + 490  # only the other shop's part is left to pay
    assert _stock(db, town.products[0]) == 10  # the declined reservation went back on the shelf
    again = merchant_step(client, town, 0, reserved_part.id, "confirm", {"confirmed": [line.id]})
    assert again.status_code == 409
    pay(client, town, order_id)
    parts = wait_paid_and_dispatched(db, order_id)
    assert [p.status.value for p in parts] == ["cancelled", "confirmed"]
    assert payment_of(db, order_id).amount_cents == 1290 + 490  # type: ignore[union-attr]


def test_reservation_entirely_declined_cancels_the_order(client: TestClient, db: Session) -> None:
    town = build_town(db, client, reserved=True)
    order_id = place_order(client, db, town, quantities=(1, 0), kinds=("pickup", "pickup"))  # type: ignore[arg-type]
    wait_status(db, order_id, "awaiting_confirmation")
    part = vendor_orders(db, order_id)[0]
    line = lines_of(db, part.id)[0]
    answer = merchant_step(client, town, 0, part.id, "confirm", {"declined": [line.id]})
    assert answer.status_code == 200, answer.text
    wait_status(db, order_id, "cancelled")
    assert _stock(db, town.products[0]) == 10


def test_declined_card_leaves_the_order_payable_then_paid_once(
    client: TestClient, db: Session, live_platform: MailSink
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id, card="pm_card_chargeCustomerFail")
    failed = wait_for(
        lambda: (p := payment_of(db, order_id)) is not None and p.status.value == "failed" and p,
        what="the failed attempt to be recorded",
    )
    assert failed.failure_message
    # The payment page offers a fresh attempt and says why the last one failed.
    page = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers).json()
    assert page["status"] == "pending" and page["last_failure_message"]
    assert not page["client_secret"].startswith(intent_id)
    assert order_row(db, order_id).status.value == "awaiting_payment"
    paid_intent = pay(client, town, order_id)
    wait_paid_and_dispatched(db, order_id)
    intents = {pi.id: pi.status for pi in intents_of_order(order_id)}
    assert intents == {intent_id: "canceled", paid_intent: "succeeded"}  # charged once


def test_duplicate_and_forged_webhooks_change_nothing(client: TestClient, db: Session) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    answer = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers).json()
    intent_id = answer["client_secret"].split("_secret_")[0]
    forged = client.post(
        "/api/webhooks/stripe",
        content=b'{"id": "evt_forged", "type": "payment_intent.succeeded"}',
        headers={"Stripe-Signature": "t=1,v1=deadbeef", "Content-Type": "application/json"},
    )
    assert forged.status_code == 400
    assert order_row(db, order_id).status.value == "awaiting_payment"
    assert confirm_card(intent_id).status == "succeeded"
    first = send_webhook(client, "payment_intent.succeeded", intent_id, event_id="evt_once")
    second = send_webhook(client, "payment_intent.succeeded", intent_id, event_id="evt_once")
    assert first.json().get("forwarded") is True
    assert second.json().get("duplicate") is True
    wait_paid_and_dispatched(db, order_id)
    processing = db.scalars(
        select(StatusEvent).where(
            StatusEvent.order_id == order_id,
            StatusEvent.vendor_order_id.is_(None),
            StatusEvent.to_status == "processing",
        )
    ).all()
    assert len(processing) == 1


@pytest.fixture
def short_payment_deadline() -> Iterator[None]:
    previous = set_env({"COMPTOIR_PAYMENT_DEADLINE_MINUTES": "0.05"})  # 3 seconds
    yield
    restore_env(previous)


@pytest.mark.usefixtures("short_payment_deadline")
def test_unpaid_order_fails_at_its_deadline_and_releases_stock(
    client: TestClient, db: Session, live_platform: MailSink
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    assert _stock(db, town.products[0]) == 8
    wait_status(db, order_id, "payment_failed", timeout=40)
    assert _stock(db, town.products[0]) == 10 and _stock(db, town.products[1]) == 10
    assert {p.status.value for p in vendor_orders(db, order_id)} == {"cancelled"}
    late = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers)
    assert late.status_code == 409 and "délai" in late.json()["message"]
    assert wait_for(lambda: [m for m in live_platform.to(town.shopper.email) if "annulée" in m["Subject"]])


def test_shopper_cancels_an_unpaid_order_not_a_paid_one(client: TestClient, db: Session) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    stranger = create_user(db)
    db.commit()
    assert client.post(f"/api/orders/{order_id}/cancel", json={}).status_code == 401
    other = client.post(
        f"/api/orders/{order_id}/cancel", json={}, headers=login_headers(client, stranger)
    )
    assert other.status_code == 404
    answer = client.post(
        f"/api/orders/{order_id}/cancel", json={"reason": "erreur"}, headers=town.shopper_headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "cancelled"
    assert _stock(db, town.products[0]) == 10

    paid_id = place_order(client, db, town)
    wait_status(db, paid_id, "awaiting_payment")
    pay(client, town, paid_id)
    wait_paid_and_dispatched(db, paid_id)
    refused = client.post(f"/api/orders/{paid_id}/cancel", json={}, headers=town.shopper_headers)
    assert refused.status_code == 409 and "remboursement" in refused.json()["message"]


def _operator_headers(client: TestClient, db: Session) -> dict[str, str]:
    operator = create_user(db, Role.operator)
    db.commit()
    return login_headers(client, operator)


def test_stripe_outage_needs_attention_then_operator_retry_refunds_once(
    client: TestClient, db: Session
) -> None:
    stuck = stuck_refund(client, db)
    order_id, delivery = stuck.order_id, stuck.delivery
    assert stuck.item.kind == "activity_failed" and stuck.item.step.startswith("refund")
    assert stuck.item.vendor_order_id == delivery.id
    assert order_row(db, order_id).needs_attention is True
    operator = _operator_headers(client, db)
    shopper_try = client.post(
        f"/api/operator/orders/{order_id}/actions",
        json={"action": "retry", "reason": "Stripe est revenu"},
        headers=stuck.town.shopper_headers,
    )
    assert shopper_try.status_code == 403
    retried = client.post(
        f"/api/operator/orders/{order_id}/actions",
        json={"action": "retry", "reason": "Stripe est revenu", "vendor_order_id": delivery.id},
        headers=operator,
    )
    assert retried.status_code == 202, retried.text
    refunds = wait_for(lambda: refunds_of_intent(stuck.intent_id), what="the refund after the retry")
    assert [r.amount for r in refunds] == [1290 + 490]
    wait_for(lambda: attention_settled(db, order_id), what="the attention item to be resolved")
    assert db.scalar(select(AuditLog.action).where(AuditLog.target == f"order:{order_id}")) == "order.retry"
    wait_for(
        lambda: order_row(db, order_id).refunded_cents == 1780, what="the refund to be recorded"
    )


def test_operator_cancels_a_paid_shop_part_and_it_is_refunded(client: TestClient, db: Session) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id)
    pickup, delivery = wait_paid_and_dispatched(db, order_id)
    operator = _operator_headers(client, db)
    missing_reason = client.post(
        f"/api/operator/orders/{order_id}/actions",
        json={"action": "cancel", "reason": "", "vendor_order_id": pickup.id},
        headers=operator,
    )
    assert missing_reason.status_code == 422
    answer = client.post(
        f"/api/operator/orders/{order_id}/actions",
        json={"action": "cancel", "reason": "Boutique fermée", "vendor_order_id": pickup.id},
        headers=operator,
    )
    assert answer.status_code == 202, answer.text
    refunds = wait_for(lambda: refunds_of_intent(intent_id), what="the refund of the part")
    assert [r.amount for r in refunds] == [2 * 1850]
    wait_for(lambda: vendor_orders(db, order_id)[0].status.value == "cancelled", what="cancelled")
    assert _stock(db, town.products[0]) == 10  # never handed over: back on the shelf
    late = merchant_step(client, town, 0, pickup.id, "ready")
    assert late.status_code == 409
    merchant_step(client, town, 1, delivery.id, "ship", {"carrier": "Vélo", "tracking_number": "7"})
    merchant_step(client, town, 1, delivery.id, "complete")
    final = wait_status(db, order_id, "partially_refunded")
    assert final.refunded_cents == 3700
