"""Stripe failing behind a fault proxy (HTTP 500, a hang, a lost answer) while the real
workflows refund and take payments: the step retries, then waits for an operator in
needs_attention with the reason; once Stripe is back an operator's retry refunds exactly
once; the payment page answers a clear 503 meanwhile. Real worker, Temporal, localstripe."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import AttentionItem, Refund, RefundStatus
from tests.faults.conftest import (
    check_order_money,
    operator_action,
    operator_headers,
    stripe_intents,
    stripe_refunds,
)
from tests.faults.fault_proxy import FaultProxy
from tests.lifecycle_support import (
    Town,
    attention_settled,
    build_town,
    lines_of,
    merchant_step,
    order_row,
    pay,
    place_order,
    vendor_orders,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)

pytestmark = [pytest.mark.timeout(90), pytest.mark.usefixtures("live_platform")]


def _paid_order(client: TestClient, db: Session) -> tuple[Town, int, str, dict[int, int]]:
    town = build_town(db, client)
    initial = {p.id: p.stock for p in town.products}
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id)
    wait_paid_and_dispatched(db, order_id)
    return town, order_id, intent_id, initial


def _flagged(db: Session, order_id: int) -> AttentionItem:
    def open_item() -> AttentionItem | None:
        db.rollback()
        return db.scalar(
            select(AttentionItem).where(
                AttentionItem.order_id == order_id, AttentionItem.resolved_at.is_(None)
            )
        )

    return wait_for(open_item, timeout=60, what=f"order {order_id} to reach operators")


def _finish(client: TestClient, db: Session, town: Town, order_id: int) -> None:
    """Hand the pickup part over: the order then ends (partially refunded)."""
    pickup = vendor_orders(db, order_id)[0]
    assert merchant_step(client, town, 0, pickup.id, "ready").status_code == 200
    code = vendor_orders(db, order_id)[0].pickup_code
    done = merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": code})
    assert done.status_code == 200, done.text


def test_refund_while_stripe_answers_500_waits_for_operator_then_refunds_once(
    client: TestClient, db: Session, stripe_proxy: FaultProxy, localstripe: str
) -> None:
    town, order_id, intent_id, initial = _paid_order(client, db)
    delivery = vendor_orders(db, order_id)[1]
    line = lines_of(db, delivery.id)[0]
    stripe_proxy.set("error500")
    answer = merchant_step(client, town, 1, delivery.id, "unavailable", {"line_ids": [line.id]})
    assert answer.status_code == 200, answer.text
    item = _flagged(db, order_id)
    # Retried (3 activity attempts, each with the SDK's own retry), then handed to people.
    assert stripe_proxy.count("error500") >= 3
    assert item.kind == "activity_failed" and item.step.startswith("refund:")
    assert item.vendor_order_id == delivery.id and item.error.strip()
    assert order_row(db, order_id).needs_attention is True
    assert vendor_orders(db, order_id)[1].needs_attention is True
    assert stripe_refunds(localstripe, intent_id) == []  # nothing reached Stripe
    assert order_row(db, order_id).refunded_cents == 0
    stripe_proxy.set("pass")
    operator = operator_headers(client, db)
    retried = operator_action(client, operator, order_id, "retry", delivery.id)
    assert retried.status_code == 202, retried.text
    refunds = wait_for(lambda: stripe_refunds(localstripe, intent_id), what="the refund")
    wait_for(lambda: attention_settled(db, order_id), what="the attention item to be resolved")
    assert [r.amount for r in refunds] == [1290 + 490]
    # Stripe answers before the refund activity commits its row: wait for our books too.
    wait_for(
        lambda: order_row(db, order_id).refunded_cents == 1780, what="the refund to be recorded"
    )
    _finish(client, db, town, order_id)
    final = wait_status(db, order_id, "partially_refunded")
    assert final.needs_attention is False
    assert [r.amount for r in stripe_refunds(localstripe, intent_id)] == [1780]  # still once
    check_order_money(db, localstripe, order_id, initial)


def test_refund_while_stripe_hangs_ends_in_needs_attention_then_refunds_once(
    client: TestClient, db: Session, stripe_proxy: FaultProxy, localstripe: str
) -> None:
    town, order_id, intent_id, initial = _paid_order(client, db)
    delivery = vendor_orders(db, order_id)[1]
    line = lines_of(db, delivery.id)[0]
    # Each Stripe call hangs 2 s then loses its connection (the SDK's 15 s read timeout
    # would take minutes over every retry; a dropped connection is the same failure, faster).
    stripe_proxy.hang_seconds = 2.0
    stripe_proxy.set("hang")
    answer = merchant_step(client, town, 1, delivery.id, "unavailable", {"line_ids": [line.id]})
    assert answer.status_code == 200, answer.text
    item = _flagged(db, order_id)
    assert stripe_proxy.count("hang") >= 3
    assert item.step.startswith("refund:") and item.error.strip()
    assert order_row(db, order_id).needs_attention is True
    assert stripe_refunds(localstripe, intent_id) == []
    stripe_proxy.set("pass")
    retried = operator_action(client, operator_headers(client, db), order_id, "retry", delivery.id)
    assert retried.status_code == 202, retried.text
    wait_for(lambda: attention_settled(db, order_id), what="the attention item to be resolved")
    # The item is resolved when the operator's retry arrives, before the refund runs again.
    refunds = wait_for(lambda: stripe_refunds(localstripe, intent_id), what="the refund")
    assert [r.amount for r in refunds] == [1780]
    _finish(client, db, town, order_id)
    wait_status(db, order_id, "partially_refunded")
    assert [r.amount for r in stripe_refunds(localstripe, intent_id)] == [1780]  # still once
    check_order_money(db, localstripe, order_id, initial)


def test_refund_whose_answer_is_lost_is_made_once(
    client: TestClient, db: Session, stripe_proxy: FaultProxy, localstripe: str
) -> None:
    """Stripe makes the refund but both answers (the SDK retries once) are lost: the next
    attempt must find the refund Stripe made instead of making another one."""
    town, order_id, intent_id, initial = _paid_order(client, db)
    delivery = vendor_orders(db, order_id)[1]
    line = lines_of(db, delivery.id)[0]
    stripe_proxy.set("forward_then_drop", only=("POST /v1/refunds",), times=2)
    answer = merchant_step(client, town, 1, delivery.id, "unavailable", {"line_ids": [line.id]})
    assert answer.status_code == 200, answer.text

    def refunded() -> bool:
        db.rollback()
        row = db.scalar(select(Refund).where(Refund.order_id == order_id))
        return row is not None and row.status == RefundStatus.succeeded

    wait_for(refunded, timeout=60, what="the refund to be recorded")
    assert stripe_proxy.count("forward_then_drop") == 2  # the fault did happen
    assert [r.amount for r in stripe_refunds(localstripe, intent_id)] == [1780]
    assert order_row(db, order_id).refunded_cents == 1780
    assert db.scalar(select(AttentionItem).where(AttentionItem.order_id == order_id)) is None
    _finish(client, db, town, order_id)
    wait_status(db, order_id, "partially_refunded")
    check_order_money(db, localstripe, order_id, initial)


@pytest.mark.parametrize("mode", ["error500", "hang"])
def test_payment_page_while_stripe_is_down_answers_503_then_works(
    client: TestClient, db: Session, stripe_proxy: FaultProxy, localstripe: str, mode: str
) -> None:
    town = build_town(db, client)
    initial = {p.id: p.stock for p in town.products}
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    stripe_proxy.hang_seconds = 1.0
    stripe_proxy.set(mode)
    down = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers)
    assert down.status_code == 503, down.text
    body = down.json()
    assert body["error"] == "service_unavailable"
    assert "paiement" in body["message"] and "indisponible" in body["message"]
    assert stripe_proxy.count(mode) >= 1
    stripe_proxy.set("pass")
    pay(client, town, order_id)  # the page works again; the order is paid once
    wait_paid_and_dispatched(db, order_id)
    succeeded = [pi for pi in stripe_intents(localstripe, order_id) if pi.status == "succeeded"]
    assert len(succeeded) == 1
    check_order_money(db, localstripe, order_id, initial)

