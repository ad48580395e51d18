"""An operator fixes real stuck orders from the console: the real workflows, worker,
Temporal server, localstripe and PostgreSQL, the console driven under AppTest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import AuditLog, User
from tests.admin_ui.console import act, errors_of, open_order, open_page
from tests.conftest import MailSink, restore_env, set_env
from tests.lifecycle_support import (
    attention_settled,
    build_town,
    merchant_step,
    order_row,
    pay,
    place_order,
    stuck_refund,
    vendor_orders,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)
from tests.stripe_support import refunds_of_intent

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def real_temporal(temporal_down: str, temporal_server: str, live_platform: MailSink) -> Iterator[str]:
    """The console pointed at the run's Temporal server, where the real worker runs."""
    previous = set_env({"COMPTOIR_TEMPORAL_ADDRESS": temporal_server})
    yield temporal_server
    restore_env(previous)


@pytest.mark.usefixtures("real_temporal")
def test_operator_retries_a_failed_refund_from_the_console_and_the_order_completes(
    client: TestClient, db: Session, operator: User
) -> None:
    stuck = stuck_refund(client, db)
    stuck_page = open_page(db, operator, "stuck")
    shown = " ".join(str(t.value) for t in stuck_page.table) + " ".join(
        str(m.value) for m in stuck_page.markdown
    )
    assert str(stuck.order_id) in shown, "the stuck order is listed"
    app = open_order(db, operator, stuck.order_id, "retry")
    app = act(app, f"order_{stuck.order_id}_retry_{stuck.item.id}", "Stripe répond de nouveau.")
    assert not errors_of(app), errors_of(app)
    refunds = wait_for(lambda: refunds_of_intent(stuck.intent_id), what="the refund")
    assert [r.amount for r in refunds] == [1290 + 490]
    wait_for(lambda: attention_settled(db, stuck.order_id), what="the order to leave attention")
    town, pickup = stuck.town, stuck.pickup
    assert merchant_step(client, town, 0, pickup.id, "ready").status_code == 200
    code = vendor_orders(db, stuck.order_id)[0].pickup_code
    merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": code})
    final = wait_status(db, stuck.order_id, "partially_refunded")
    assert final.refunded_cents == 1780
    audit = db.scalars(select(AuditLog).where(AuditLog.actor_id == operator.id)).all()
    assert [a.action for a in audit] == ["order.retry"]
    assert audit[0].details["workflow_id"] == f"vendor-order-{stuck.delivery.id}"


@pytest.mark.usefixtures("real_temporal")
def test_operator_cancels_a_stuck_shop_part_from_the_console_with_refund(
    client: TestClient, db: Session, operator: User
) -> None:
    stuck = stuck_refund(client, db)
    app = open_order(db, operator, stuck.order_id, "cancel")
    app = act(app, f"order_{stuck.order_id}_cancel_{stuck.item.id}", "Le client renonce.")
    assert not errors_of(app), errors_of(app)
    # Cancelling the stuck part refunds what is left of it: the same 17,80 €, once.
    refunds = wait_for(lambda: refunds_of_intent(stuck.intent_id), what="the refund")
    assert [r.amount for r in refunds] == [1290 + 490]
    wait_for(lambda: attention_settled(db, stuck.order_id), what="the order to leave attention")
    wait_for(
        lambda: vendor_orders(db, stuck.order_id)[1].status.value == "cancelled",
        what="the part cancelled",
    )
    # Stripe's refund exists before the activity's transaction commits the order's projection.
    wait_for(
        lambda: order_row(db, stuck.order_id).refunded_cents == 1780,
        what="the refund recorded on the order",
    )


@pytest.mark.usefixtures("real_temporal")
def test_operator_refunds_a_goodwill_amount_charged_to_one_shop_from_the_console(
    client: TestClient, db: Session, operator: User
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id)
    pickup, delivery = wait_paid_and_dispatched(db, order_id)
    key = f"order_{order_id}_refund"
    app = open_order(
        db, operator, order_id, "refund", **{f"{key}_amount": 4.5, f"{key}_part": delivery.id}
    )
    app = act(app, f"{key}_{delivery.id}", "Fromage abîmé à la livraison.")
    assert not errors_of(app), errors_of(app)
    refunds = wait_for(lambda: refunds_of_intent(intent_id), what="the goodwill refund")
    assert [r.amount for r in refunds] == [450]
    wait_for(lambda: vendor_orders(db, order_id)[1].refunded_cents == 450, what="the shop to bear it")
    assert vendor_orders(db, order_id)[0].refunded_cents == 0
    audit = db.scalars(select(AuditLog).where(AuditLog.actor_id == operator.id)).one()
    assert audit.action == "order.refund" and audit.reason == "Fromage abîmé à la livraison."
