"""Orders end to end through the API, the real worker, Temporal, PostgreSQL, localstripe, SMTP."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import (
    DeliveryKind,
    Invoice,
    LedgerEntry,
    Product,
    Refund,
    StatusEvent,
)
from comptoir.orders.contracts import order_workflow_id
from comptoir.settings import get_settings
from comptoir.temporal import connect
from tests.conftest import MailSink
from tests.factories import create_user, login_headers
from tests.lifecycle_support import (
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
from tests.stripe_support import intents_of_order, refunds_of_intent

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("live_platform")]


def invoice_task_queues(order_id: int) -> list[str]:
    """The task queue each of the order's invoice activities was scheduled on."""

    async def read() -> list[str]:
        client = await connect(get_settings())
        history = await client.get_workflow_handle(order_workflow_id(order_id)).fetch_history()
        return [
            event.activity_task_scheduled_event_attributes.task_queue.name
            for event in history.events
            if event.HasField("activity_task_scheduled_event_attributes")
            and event.activity_task_scheduled_event_attributes.activity_type.name
            == "issue_invoice"
        ]

    return asyncio.run(read())


def test_two_shops_one_payment_pickup_and_delivery_to_completed(
    client: TestClient, db: Session, live_platform: MailSink
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    order = wait_status(db, order_id, "awaiting_payment")
    assert order.total_cents == 2 * 1850 + 1290 + 490  # bike delivery below its free threshold

    intent_id = pay(client, town, order_id)
    assert order_row(db, order_id).status.value in ("awaiting_payment", "processing")
    pickup, delivery = wait_paid_and_dispatched(db, order_id)
    assert len(intents_of_order(order_id)) == 1

    # After payment: one invoice per shop, the ledger, the confirmation e-mail.
    def both_invoices() -> list[Invoice] | None:
        db.rollback()
        rows = db.scalars(
            select(Invoice).where(Invoice.vendor_order_id.in_([pickup.id, delivery.id]))
        ).all()
        return list(rows) if len(rows) == 2 else None

    invoices = wait_for(both_invoices, what="two invoices")
    assert sorted(i.total_ttc_cents for i in invoices) == sorted([3700, 1780])
    # Rendered by the documents worker, on its own queue, not the orders worker's.
    assert invoice_task_queues(order_id) == [get_settings().documents_task_queue] * 2
    confirmation = wait_for(
        lambda: [m for m in live_platform.to(town.shopper.email) if "confirmée" in m["Subject"]],
        what="the confirmation e-mail",
    )
    assert f"n° {order_id}" in confirmation[0]["Subject"]
    ledger = db.scalars(select(LedgerEntry).where(LedgerEntry.order_id == order_id)).all()
    fee = sum(-e.amount_cents for e in ledger if e.kind.value == "fee")
    assert fee == round(order.total_cents * 0.014) + 25

    # Shop 1: pickup. Preparing, ready (pickup code), handed over with the code.
    assert merchant_step(client, town, 0, pickup.id, "prepare").json()["status"] == "preparing"
    ready = merchant_step(client, town, 0, pickup.id, "ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready_for_pickup"
    code = vendor_orders(db, order_id)[0].pickup_code
    assert len(code) == 6 and code.isdigit()
    wrong = merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 409 and "Code de retrait incorrect" in wrong.json()["message"]
    done = merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": code})
    assert done.status_code == 200, done.text
    assert order_row(db, order_id).status.value == "processing"  # the other shop is not done

    # Shop 2: delivery. Ready-for-pickup is refused, shipped with tracking, delivered.
    refused = merchant_step(client, town, 1, delivery.id, "ready")
    assert refused.status_code == 409 and "à livrer" in refused.json()["message"]
    shipped = merchant_step(
        client, town, 1, delivery.id, "ship", {"carrier": "Vélo", "tracking_number": "V-42"}
    )
    assert shipped.json()["status"] == "shipped"
    assert merchant_step(client, town, 1, delivery.id, "complete").status_code == 200
    final = wait_status(db, order_id, "completed")
    assert final.completed_at is not None and final.refunded_cents == 0
    assert all(p.return_deadline is not None for p in vendor_orders(db, order_id))
    assert refunds_of_intent(intent_id) == []
    steps = db.scalars(
        select(StatusEvent.to_status).where(StatusEvent.vendor_order_id == pickup.id).order_by(StatusEvent.id)
    ).all()
    assert steps[-4:] == ["confirmed", "preparing", "ready_for_pickup", "completed"]
    def told_ready_and_shipped() -> bool:  # each e-mail follows its step by a moment
        mails = [m["Subject"] for m in live_platform.to(town.shopper.email)]
        return any("prête" in s for s in mails) and any("expédiée" in s for s in mails)

    assert wait_for(told_ready_and_shipped, what="the ready and shipped e-mails")


def test_out_of_stock_line_is_refunded_and_the_rest_goes_on(
    client: TestClient, db: Session, live_platform: MailSink
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id)
    pickup, delivery = wait_paid_and_dispatched(db, order_id)
    line = lines_of(db, delivery.id)[0]
    answer = merchant_step(
        client, town, 1, delivery.id, "unavailable", {"line_ids": [line.id], "reason": "rupture"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "cancelled"  # nothing left of that shop's part
    refunds = wait_for(lambda: refunds_of_intent(intent_id), what="the Stripe refund")
    assert [r.amount for r in refunds] == [1290 + 490]  # the line and its delivery
    again = merchant_step(client, town, 1, delivery.id, "unavailable", {"line_ids": [line.id]})
    assert again.status_code == 409
    code_step = merchant_step(client, town, 0, pickup.id, "ready")
    assert code_step.status_code == 200
    code = vendor_orders(db, order_id)[0].pickup_code
    merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": code})
    final = wait_status(db, order_id, "partially_refunded")
    assert final.refunded_cents == 1780
    assert db.scalar(select(func.count()).select_from(Refund).where(Refund.order_id == order_id)) == 1
    assert wait_for(
        lambda: [m for m in live_platform.to(town.shopper.email) if "indisponible" in m["Subject"]],
        what="the unavailable-line e-mail",
    )
    stock = db.scalar(select(Product.stock).where(Product.id == town.products[1].id))
    assert stock == 9  # sold out for real: not put back on the shelf


def test_kinds_are_delivery_modes() -> None:
    assert {k.value for k in DeliveryKind} == {"pickup", "local_delivery", "shipping"}


def test_local_delivery_ships_without_tracking_and_the_shopper_confirms_receipt(
    client: TestClient, db: Session, live_platform: MailSink
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    pay(client, town, order_id)
    _, delivery = wait_paid_and_dispatched(db, order_id)
    url = f"/api/orders/{order_id}/vendor-orders/{delivery.id}/receipt"
    early = client.post(url, headers=town.shopper_headers)
    assert early.status_code == 409
    assert early.json()["message"] == (
        "Impossible de confirmer la réception : la commande boutique est « Confirmée »."
    )
    # The shop delivers itself: neither carrier nor tracking number is needed.
    shipped = merchant_step(client, town, 1, delivery.id, "ship")
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["status"] == "shipped"

    assert client.post(url).status_code == 401
    assert client.post(url, headers=town.merchant_headers[1]).status_code == 403
    stranger = create_user(db, first_name="Inès")
    db.commit()
    assert client.post(url, headers=login_headers(client, stranger)).status_code == 404
    wrong_pair = f"/api/orders/{order_id}/vendor-orders/{delivery.id + 999}/receipt"
    assert client.post(wrong_pair, headers=town.shopper_headers).status_code == 404

    received = client.post(url, headers=town.shopper_headers)
    assert received.status_code == 200, received.text
    assert received.json()["status"] == "completed"
    part = vendor_orders(db, order_id)[1]
    assert part.completed_at is not None and part.return_deadline is not None
    assert received.json()["return_deadline"] is not None
    again = client.post(url, headers=town.shopper_headers)
    assert again.status_code == 409 and "« Terminée »" in again.json()["message"]
    events = db.scalars(
        select(StatusEvent.actor_kind).where(
            StatusEvent.vendor_order_id == delivery.id, StatusEvent.to_status == "completed"
        )
    ).all()
    assert list(events) == ["shopper"]


def test_a_parcel_still_needs_its_carrier_and_tracking_number(
    client: TestClient, db: Session, live_platform: MailSink
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town, kinds=(DeliveryKind.pickup, DeliveryKind.shipping))
    wait_status(db, order_id, "awaiting_payment")
    pay(client, town, order_id)
    _, parcel = wait_paid_and_dispatched(db, order_id)
    refused = merchant_step(client, town, 1, parcel.id, "ship", {"carrier": "La Poste"})
    assert refused.status_code == 409
    assert "numéro de suivi" in refused.json()["message"]
    shipped = merchant_step(
        client, town, 1, parcel.id, "ship", {"carrier": "La Poste", "tracking_number": "6A1"}
    )
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
