"""A refund after invoicing yields a credit note, on the real worker: the merchant declares
an invoiced line unavailable, the workflow refunds it through localstripe, the refund
activity issues the Factur-X credit note, and the shopper downloads it from the order page."""

from __future__ import annotations

import asyncio

import pytest
from facturx import facturx as fx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from comptoir.models import CreditNote, Invoice
from comptoir.orders.contracts import vendor_order_workflow_id
from comptoir.settings import get_settings
from comptoir.temporal import connect
from tests.lifecycle_support import (
    build_town,
    lines_of,
    merchant_step,
    pay,
    place_order,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)
from tests.storefront.formtools import browser_login
from tests.stripe_support import refunds_of_intent

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("live_platform")]


def test_unavailable_invoiced_line_is_refunded_with_a_credit_note(
    client: TestClient, db: Session
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id)
    _pickup, delivery = wait_paid_and_dispatched(db, order_id)

    def invoiced() -> Invoice | None:
        db.rollback()
        return db.scalar(select(Invoice).where(Invoice.vendor_order_id == delivery.id))

    invoice = wait_for(invoiced, what="the delivering shop's invoice")
    line = lines_of(db, delivery.id)[0]
    answer = merchant_step(client, town, 1, delivery.id, "unavailable", {"line_ids": [line.id]})
    assert answer.status_code == 200, answer.text
    wait_for(lambda: refunds_of_intent(intent_id), what="the refund at Stripe")

    def credited() -> CreditNote | None:
        db.rollback()
        return db.scalar(select(CreditNote).where(CreditNote.vendor_order_id == delivery.id))

    note = wait_for(credited, what="the credit note")
    # Nothing left to deliver: the delivery paid is refunded, and credited, too.
    assert delivery.delivery_cents > 0
    assert note.invoice_id == invoice.id
    assert note.total_ttc_cents == 1290 + delivery.delivery_cents == invoice.total_ttc_cents
    assert note.credited == {str(line.id): 1290, "delivery": delivery.delivery_cents}
    assert note.number == f"A-{delivery.shop_id:04d}-000001"

    # Its PDF is not rendered in the refund's transaction but by the documents worker, after.
    def rendered() -> bool:
        db.rollback()
        return bool(
            db.scalar(select(CreditNote.pdf.is_not(None)).where(CreditNote.id == note.id))
        )

    wait_for(rendered, what="the credit note's PDF from the documents worker")
    history = asyncio.run(_history(vendor_order_workflow_id(delivery.id)))
    queues = {
        e.activity_task_scheduled_event_attributes.activity_type.name: (
            e.activity_task_scheduled_event_attributes.task_queue.name
        )
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    }
    documents = get_settings().documents_task_queue
    assert queues["render_credit_notes"] == documents != queues["refund"]
    browser_login(client, town.shopper)
    page = client.get(f"/commandes/{order_id}")
    assert f'href="/api/credit-notes/{note.id}.pdf"' in page.text
    pdf = client.get(f"/api/credit-notes/{note.id}.pdf", headers=town.shopper_headers)
    assert pdf.status_code == 200
    _, xml = fx.get_facturx_xml_from_pdf(pdf.content, check_xsd=True)
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml and invoice.number.encode() in xml
    assert len(db.scalars(select(CreditNote)).all()) == 1


async def _history(workflow_id: str) -> WorkflowHistory:
    client = await connect(get_settings())
    return await client.get_workflow_handle(workflow_id).fetch_history()
