"""People first (patch `people-first`): a merchant's step is answered by a local activity and
the shops' parts run ahead of the orders' own work in Temporal's task queue priorities. Lean
histories (patch `lean-history`): one marker for every patch, the order's own bookkeeping local.

The real worker, PostgreSQL, localstripe and SMTP sink on the time-skipping test server
(fixtures and helpers of test_long_timers); the histories are Temporal's own.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowHistory

from comptoir.orders import gateway
from comptoir.orders.contracts import vendor_order_workflow_id
from tests.conftest import MailSink
from tests.lifecycle_support import vendor_orders
from tests.workflows.test_long_timers import (
    SkippingServer,
    new_order,
    pay,
    skipping,  # noqa: F401  (the module's own time-skipping server)
    start,
)
from workflows.steps import LEAN_HISTORY, SHOP_PART_PRIORITY

pytestmark = [pytest.mark.timeout(180), pytest.mark.asyncio(loop_scope="session")]


def _scheduled_activities(history: WorkflowHistory) -> list[str]:
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


def _markers(history: WorkflowHistory) -> list[str]:
    return [
        e.marker_recorded_event_attributes.marker_name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
    ]


async def _paid_then_ready(
    skipping: SkippingServer, db: Session  # noqa: F811
) -> tuple[WorkflowHandle[Any, Any], WorkflowHistory, WorkflowHistory]:
    """A paid order whose one part its merchant marks ready: the order's handle and the
    part's history before and after the step."""
    order_id, _shopper, merchant, _product_id = new_order(db, reserved=False)
    order = await start(skipping, order_id)
    part, _intent_id = await pay(skipping, db, order_id)
    handle = skipping.client.get_workflow_handle(vendor_order_workflow_id(part.id))
    before = await handle.fetch_history()
    await gateway.ready_for_pickup(skipping.client, vendor_order_id=part.id, actor_id=merchant.id)
    assert vendor_orders(db, order_id)[0].status.value == "ready_for_pickup"  # written before the answer
    return order, before, await handle.fetch_history()


async def test_a_merchant_step_is_a_local_write_and_the_part_runs_at_the_shops_priority(
    skipping: SkippingServer, db: Session, mail_sink: MailSink  # noqa: F811
) -> None:
    order, before, after = await _paid_then_ready(skipping, db)

    # The step's write left no activity task on the server: a local activity's marker instead
    # (the shopper's e-mail that follows is an ordinary activity).
    new_events = after.events[len(before.events) :]
    assert "core_local_activity" in [
        e.marker_recorded_event_attributes.marker_name
        for e in new_events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
    ]
    assert "project_vendor_order" not in _scheduled_activities(after)

    # The part was started by the order at the shops' priority, above the default (3).
    started = after.events[0].workflow_execution_started_event_attributes
    assert started.priority.priority_key == SHOP_PART_PRIORITY.priority_key == 2
    order_history = await order.fetch_history()
    child_starts = [
        e.start_child_workflow_execution_initiated_event_attributes
        for e in order_history.events
        if e.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
    ]
    assert [c.priority.priority_key for c in child_starts] == [2]
    assert "core_patch" in _markers(order_history)


def _patches(history: WorkflowHistory) -> list[bytes]:
    return [
        e.marker_recorded_event_attributes.details["patch-data"].payloads[0].data
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        and e.marker_recorded_event_attributes.marker_name == "core_patch"
    ]


def _upserts(history: WorkflowHistory) -> int:
    return sum(
        e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES for e in history.events
    )


async def test_an_order_since_lean_history_records_one_patch_and_its_bookkeeping_locally(
    skipping: SkippingServer, db: Session, mail_sink: MailSink  # noqa: F811
) -> None:
    order, _before, part_history = await _paid_then_ready(skipping, db)
    order_history = await order.fetch_history()
    # One marker (and one TemporalChangeVersion update) per run, for all the patches it met:
    # the order met local-projections, dispatch-before-paperwork, people-first and
    # documents-queue on its way, the part people-first.
    for history in (order_history, part_history):
        patches = _patches(history)
        assert len(patches) == 1 and LEAN_HISTORY.encode() in patches[0], patches
    # Loading the order, recording its payment and its sale left no activity task.
    scheduled = _scheduled_activities(order_history)
    assert "issue_invoice" in scheduled  # the documents worker's, still a task of its own
    for local in ("load_order", "record_payment_outcome", "record_sale", "project_order"):
        assert local not in scheduled, scheduled
    # Search attributes: OrderId/OrderStage at start, then one update per stage change
    # (awaiting_payment, processing, fulfilment) plus the patch's own.
    assert _upserts(order_history) == 4, _upserts(order_history)
