"""Operator refunds outside the return flow: after the order's workflow ended, split over the
shops or charged to one, exactly once, audited, e-mailed. Real worker, Temporal, localstripe."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from comptoir.models import AuditLog, CreditNote, Invoice, LedgerEntry, Refund, Role
from comptoir.orders.contracts import (
    operator_refund_workflow_id,
    order_workflow_id,
    vendor_order_workflow_id,
)
from tests.conftest import MailSink, WorkerThread, text_of
from tests.factories import create_user, login_headers
from tests.lifecycle_support import (
    Town,
    build_town,
    merchant_step,
    order_row,
    pay,
    place_order,
    vendor_orders,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)
from tests.stripe_support import refunds_of_intent

pytestmark = [pytest.mark.timeout(180), pytest.mark.usefixtures("live_platform")]


def _finished_order(
    client: TestClient, db: Session, worker: WorkerThread
) -> tuple[Town, int, str]:
    """An order paid and handed over by both shops, with no workflow of it running any more
    (its return windows would last days here: its workflows are ended by the test)."""
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id)
    pickup, delivery = wait_paid_and_dispatched(db, order_id)
    merchant_step(client, town, 0, pickup.id, "ready")
    code = vendor_orders(db, order_id)[0].pickup_code
    assert merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": code}).status_code == 200
    shipped = merchant_step(client, town, 1, delivery.id, "ship", {"carrier": "Vélo", "tracking_number": "7"})
    assert shipped.status_code == 200, shipped.text
    assert merchant_step(client, town, 1, delivery.id, "complete").status_code == 200
    wait_status(db, order_id, "completed")
    _end_workflows(worker, [order_workflow_id(order_id)] + [vendor_order_workflow_id(p.id) for p in (pickup, delivery)])
    return town, order_id, intent_id


def _end_workflows(worker: WorkerThread, workflow_ids: list[str]) -> None:
    """End the order's workflows still running, by id (visibility listings lag behind), and
    check that none of them runs any more."""
    assert worker.client is not None
    client = worker.client

    async def end_all() -> list[WorkflowExecutionStatus | None]:
        for workflow_id in workflow_ids:
            handle = client.get_workflow_handle(workflow_id)
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                try:
                    await handle.terminate("the test ends the order's life")
                except RPCError:  # it ended on its own meanwhile (a short return window)
                    pass
        return [(await client.get_workflow_handle(w).describe()).status for w in workflow_ids]

    statuses = asyncio.run_coroutine_threadsafe(end_all(), worker.loop).result(60)
    assert WorkflowExecutionStatus.RUNNING not in statuses


HISTORIES = Path(__file__).parent / "histories"


def _record_history(worker: WorkerThread, refund_id: int, name: str) -> None:
    """With COMPTOIR_RECORD_HISTORIES=1, keep the refund workflow's history for the replay tests."""
    if os.environ.get("COMPTOIR_RECORD_HISTORIES") != "1":
        return
    assert worker.client is not None
    handle = worker.client.get_workflow_handle(operator_refund_workflow_id(refund_id))
    history = asyncio.run_coroutine_threadsafe(handle.fetch_history(), worker.loop).result(30)
    (HISTORIES / f"{name}.json").write_text(history.to_json())


def _refund(client: TestClient, order_id: int, headers: dict[str, str] | None, **body: object) -> object:
    return client.post(f"/api/operator/orders/{order_id}/refunds", json=body, headers=headers or {})


def test_operator_refunds_after_the_order_ended_split_then_charged_to_one_shop(
    client: TestClient, db: Session, live_platform: MailSink, order_worker: WorkerThread
) -> None:
    town, order_id, intent_id = _finished_order(client, db, order_worker)
    assert order_row(db, order_id).status.value == "completed"
    operator = create_user(db, Role.operator)
    db.commit()
    headers = login_headers(client, operator)

    assert _refund(client, order_id, None, amount_cents=100, reason="x").status_code == 401  # type: ignore[attr-defined]
    assert _refund(client, order_id, town.shopper_headers, amount_cents=100, reason="x").status_code == 403  # type: ignore[attr-defined]
    assert _refund(client, order_id, town.merchant_headers[0], amount_cents=100, reason="x").status_code == 403  # type: ignore[attr-defined]
    assert _refund(client, 999_999_999, headers, amount_cents=100, reason="x").status_code == 404  # type: ignore[attr-defined]
    no_reason = _refund(client, order_id, headers, amount_cents=100, reason="")
    assert no_reason.status_code == 422  # type: ignore[attr-defined]
    too_much = _refund(client, order_id, headers, amount_cents=5481, reason="Geste")
    assert too_much.status_code == 409 and "54,80" in too_much.json()["message"]  # type: ignore[attr-defined]

    # Goodwill over the whole order: borne by both shops pro rata (3 700 and 1 780 cents).
    answer = _refund(client, order_id, headers, amount_cents=1000, reason="Geste commercial")
    assert answer.status_code == 202, answer.text  # type: ignore[attr-defined]
    first = answer.json()  # type: ignore[attr-defined]
    assert first["workflow_id"] == f"operator-refund-{first['refund_id']}"
    wait_for(lambda: [r.amount for r in refunds_of_intent(intent_id)] == [1000], what="the refund")
    order = wait_status(db, order_id, "partially_refunded")
    assert order.refunded_cents == 1000
    pickup, delivery = vendor_orders(db, order_id)
    assert (pickup.refunded_cents, delivery.refunded_cents) == (675, 325)
    ledger = db.scalars(
        select(LedgerEntry).where(LedgerEntry.order_id == order_id, LedgerEntry.kind == "refund")
    ).all()
    assert sorted(e.amount_cents for e in ledger) == [-675, -325]
    mail = wait_for(
        lambda: [m for m in live_platform.to(town.shopper.email) if "remboursement" in m["Subject"]],
        what="the shopper's refund e-mail",
    )
    assert "10,00" in mail[0]["Subject"] and "Geste commercial" in text_of(mail[0])
    audit = db.scalars(select(AuditLog).where(AuditLog.action == "order.refund")).one()
    assert audit.actor_id == operator.id and audit.details["amount_cents"] == 1000

    # Legal guarantee on the delivered cheese: charged to that shop only, up to what it has left.
    over_part = _refund(client, order_id, headers, amount_cents=1456, reason="Garantie", vendor_order_id=delivery.id)
    assert over_part.status_code == 409  # type: ignore[attr-defined]
    part = _refund(client, order_id, headers, amount_cents=1455, reason="Garantie", vendor_order_id=delivery.id)
    assert part.status_code == 202, part.text  # type: ignore[attr-defined]
    wait_for(lambda: vendor_orders(db, order_id)[1].refunded_cents == 1780, what="the shop's refund")
    assert vendor_orders(db, order_id)[0].refunded_cents == 675
    assert len(refunds_of_intent(intent_id)) == 2
    _record_history(order_worker, part.json()["refund_id"], "operator_refund_made")  # type: ignore[attr-defined]

    # The rest: the order reads refunded, and nothing more can go back.
    rest = _refund(client, order_id, headers, amount_cents=5480 - 1000 - 1455, reason="Litige")
    assert rest.status_code == 202, rest.text  # type: ignore[attr-defined]
    final = wait_status(db, order_id, "refunded")
    assert final.refunded_cents == 5480
    statuses = db.scalars(select(Refund.status).where(Refund.order_id == order_id)).all()
    assert [s.value for s in statuses] == ["succeeded"] * 3
    nothing_left = _refund(client, order_id, headers, amount_cents=1, reason="Encore")
    assert nothing_left.status_code == 409  # type: ignore[attr-defined]
    # Both parts were invoiced: every refund left a credit note per part bearing it, citing
    # its invoice, numbered without gaps, and together they cancel exactly what was billed.
    for part in vendor_orders(db, order_id):
        invoice = db.scalars(select(Invoice).where(Invoice.vendor_order_id == part.id)).one()
        notes = db.scalars(
            select(CreditNote).where(CreditNote.vendor_order_id == part.id).order_by(CreditNote.sequence)
        ).all()
        assert {n.invoice_id for n in notes} == {invoice.id}
        assert [n.sequence for n in notes] == list(range(1, len(notes) + 1))
        assert sum(n.total_ttc_cents for n in notes) == invoice.total_ttc_cents == part.total_cents


def test_unpaid_order_cannot_be_refunded(client: TestClient, db: Session) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    operator = create_user(db, Role.operator)
    db.commit()
    answer = _refund(client, order_id, login_headers(client, operator), amount_cents=100, reason="Geste")
    assert answer.status_code == 409 and "pas été payée" in answer.json()["message"]  # type: ignore[attr-defined]
