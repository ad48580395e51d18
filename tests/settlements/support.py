"""Paid orders across shops, with their ledger, for settlement tests (rows, no workflow), and
firing a schedule for real."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from temporalio.client import Client, ScheduleActionExecutionStartWorkflow

from comptoir.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Shop,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services import ledger
from tests.factories import create_order, create_product, create_user

_keys = itertools.count(1)


def paid_order(db: Session, prices: dict[Shop, int]) -> tuple[Order, dict[int, VendorOrder]]:
    """An order paid by card across `prices`' shops, its sale and fee shares in the ledger."""
    shopper = create_user(db)
    items = [(create_product(db, shop, price_cents=cents, stock=10), 1) for shop, cents in prices.items()]
    order = create_order(db, shopper, items, status=OrderStatus.processing)
    db.add(
        Payment(
            order_id=order.id,
            stripe_payment_intent_id=f"pi_settle_{order.id}_{next(_keys)}",
            amount_cents=order.total_cents,
            status=PaymentStatus.succeeded,
            succeeded_at=datetime.now(UTC),
        )
    )
    db.flush()
    ledger.record_sale(db, order.id)
    db.commit()
    parts = db.query(VendorOrder).filter(VendorOrder.order_id == order.id).all()
    return order, {part.shop_id: part for part in parts}


def close(db: Session, part: VendorOrder) -> None:
    """The part's return window is over (what the workflow projects)."""
    part.status = VendorOrderStatus.closed
    part.completed_at = datetime.now(UTC) - timedelta(days=20)
    part.return_deadline = datetime.now(UTC) - timedelta(days=1)
    db.commit()


def refund_in_ledger(db: Session, part: VendorOrder, cents: int) -> None:
    """A refund Stripe accepted, as payments.refund projects it on the part and the ledger."""
    part.refunded_cents += cents
    part.net_cents = part.total_cents - part.fee_cents - part.refunded_cents
    order = db.get(Order, part.order_id)
    assert order is not None
    order.refunded_cents += cents
    db.execute(
        insert(LedgerEntry).values(
            entry_key=f"refund:test-{next(_keys)}",
            shop_id=part.shop_id,
            order_id=part.order_id,
            vendor_order_id=part.id,
            kind=LedgerKind.refund,
            amount_cents=-cents,
        )
    )
    db.commit()


async def fire_and_wait(client: Client, schedule_id: str, firings: int) -> list[Any]:
    """Fire the schedule `firings` times, one after the other, each run awaited to its end
    (so that the later ones really run, never skipped as overlapping); the runs' results."""
    handle = client.get_schedule_handle(schedule_id)
    results: list[Any] = []
    for fired in range(1, firings + 1):
        await handle.trigger()
        while True:
            actions = (await handle.describe()).info.recent_actions
            if len(actions) >= fired:
                break
            await asyncio.sleep(0.2)
        started = actions[-1].action
        assert isinstance(started, ScheduleActionExecutionStartWorkflow)
        results.append(await client.get_workflow_handle(started.workflow_id).result())
        await asyncio.sleep(1.1)  # the next run's id holds the firing time to the second
    return results
