"""Deadlines of days, run in seconds on Temporal's time-skipping test server.

The workflows and activities are the real ones, against the real PostgreSQL, localstripe
and SMTP sink; only the clock of the Temporal server jumps ahead.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sysconfig
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from comptoir.domain.labels import format_datetime_fr
from comptoir.errors import Conflict
from comptoir.models import (
    AttentionItem,
    DeliveryKind,
    Product,
    Role,
    SentEmail,
    User,
    VendorOrder,
)
from comptoir.orders import gateway
from comptoir.orders.contracts import (
    ORDER_WORKFLOW,
    STATE_QUERY,
    OrderWorkflowInput,
    PaymentEvent,
    Timing,
    VendorOrderState,
    order_workflow_id,
    vendor_order_workflow_id,
)
from comptoir.services import payments
from comptoir.services.cart import add_item
from comptoir.services.checkout import BillingAddress, CheckoutRequest, ShopChoice, checkout
from comptoir.temporal import DATA_CONVERTER
from tests.conftest import MailSink, text_of
from tests.factories import create_product, create_shop, create_user
from tests.lifecycle_support import lines_of, mode_of, order_row, vendor_orders
from tests.stripe_support import confirm_card, refunds_of_intent
from workflows.worker import ACTIVITIES, DOCUMENT_ACTIVITIES, WORKFLOWS

pytestmark = [pytest.mark.timeout(180), pytest.mark.asyncio(loop_scope="session")]
TIMING = Timing(
    activity_max_attempts=3,
    activity_initial_interval_seconds=0.2,
    activity_maximum_interval_seconds=0.5,
    activity_timeout_seconds=20,
    documents_task_queue="skipping-documents",
)


@dataclass
class SkippingServer:
    env: WorkflowEnvironment
    task_queue: str

    @property
    def client(self) -> Client:
        return self.env.client


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def skipping(
    database_url: str, mail_sink: MailSink, stripe_server: str
) -> AsyncIterator[SkippingServer]:
    """A time-skipping Temporal test server with the real worker on a queue of its own."""
    binary = Path(sysconfig.get_path("scripts")) / "temporal-test-server"
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(binary), data_converter=DATA_CONVERTER
    )
    # The test server knows no custom search attribute until told (else tasks fail forever).
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                "OrderId": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
                "OrderStage": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            },
        )
    )
    queue = f"skipping-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with Worker(
            env.client, task_queue=queue, workflows=WORKFLOWS, activities=ACTIVITIES,
            activity_executor=executor,
        ), Worker(  # the invoices' own queue, as in production
            env.client, task_queue=TIMING.documents_task_queue,
            activities=DOCUMENT_ACTIVITIES, activity_executor=executor,
        ):  # fmt: skip
            yield SkippingServer(env, queue)
    await env.shutdown()


_ID_BLOCKS = itertools.count(1)


def new_order(
    db: Session, *, reserved: bool, kind: DeliveryKind = DeliveryKind.pickup, price: int = 4200
) -> tuple[int, User, User, int]:
    """A committed order of one line of 2 (needing a reservation when asked).

    Its id starts a fresh block: the module's server outlives each test's truncated tables,
    and an earlier test's workflow may still be running under a low id."""
    block = next(_ID_BLOCKS) * 1000
    for table in ("orders", "vendor_orders"):
        db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {block})"))
    shopper = create_user(db, first_name="Léa")
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, owner=merchant)
    product = create_product(db, shop, name="Pièce montée", price_cents=price, stock=3,
                             requires_confirmation=reserved)  # fmt: skip
    db.commit()
    add_item(db, shopper, product.id, 2)
    order = checkout(
        db,
        shopper,
        CheckoutRequest(
            billing=BillingAddress("Léa Roux", "3 quai Voltaire", "49350", "Montlouvier"),
            shops=[ShopChoice(shop.id, mode_of(db, shop, kind))],
            phone="06 12 34 56 78",
        ),
    )
    db.commit()
    return order.id, shopper, merchant, product.id


async def start(server: SkippingServer, order_id: int) -> WorkflowHandle[object, str]:
    return await server.client.start_workflow(
        ORDER_WORKFLOW,
        OrderWorkflowInput(order_id=order_id, timing=TIMING),
        id=order_workflow_id(order_id),
        task_queue=server.task_queue,
        result_type=str,
    )


async def eventually(check, what: str, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


HISTORIES = Path(__file__).parent / "histories"


async def record_history(client: Client, workflow_id: str, name: str) -> None:
    """With COMPTOIR_RECORD_HISTORIES=1, keep the workflow's history for the replay tests."""
    if os.environ.get("COMPTOIR_RECORD_HISTORIES") != "1":
        return
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(history.to_json())


def email_keys(db: Session, order_id: int) -> list[str]:
    db.rollback()
    return list(db.scalars(select(SentEmail.email_key).where(SentEmail.order_id == order_id)))


async def test_unconfirmed_reservation_reminds_then_expires_after_48_hours(
    skipping: SkippingServer, db: Session, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    order_id, shopper, merchant, product_id = new_order(db, reserved=True)
    assert db.scalar(select(Product.stock).where(Product.id == product_id)) == 1
    handle = await start(skipping, order_id)
    started = datetime.now(UTC)
    assert await handle.result() == "cancelled"  # 48 h pass in moments
    assert datetime.now(UTC) - started < timedelta(minutes=2)
    order = order_row(db, order_id)
    assert order.status.value == "cancelled"
    assert db.scalar(select(Product.stock).where(Product.id == product_id)) == 3  # released
    keys = email_keys(db, order_id)
    part = vendor_orders(db, order_id)[0]
    assert f"vendor-order:{part.id}:reservation" in keys
    assert f"vendor-order:{part.id}:reservation-reminder" in keys
    assert f"order:{order_id}:cancelled" in keys
    await record_history(skipping.client, handle.id, "order_reservation_expired")
    assert any("délai de confirmation" in text_of(m) or "annulée" in m["Subject"]
               for m in mail_sink.to(shopper.email))  # fmt: skip


async def pay(server: SkippingServer, db: Session, order_id: int) -> tuple[VendorOrder, str]:
    """Pay through localstripe (signalled as the webhook would); the part reached its shop."""
    handle = server.client.get_workflow_handle(order_workflow_id(order_id))
    await eventually(lambda: order_row(db, order_id).stage == "awaiting_payment", "payment stage")
    payment = payments.ensure_payment_intent(db, order_id)
    db.commit()
    intent_id = payment.stripe_payment_intent_id
    assert intent_id is not None
    assert confirm_card(intent_id).status == "succeeded"
    await handle.signal("payment_event", PaymentEvent(f"evt_{uuid.uuid4().hex}", intent_id, True))
    part = await eventually(
        lambda: (p := vendor_orders(db, order_id)) and p[0].status.value == "confirmed" and p[0],
        "the part to reach its shop",
    )
    return part, intent_id


async def _pay_and_hand_over(server: SkippingServer, db: Session, order_id: int) -> tuple[int, str]:
    """Pay, then prepare and hand over."""
    part, intent_id = await pay(server, db, order_id)
    client, vid = server.client, part.id
    if part.delivery_kind == DeliveryKind.pickup:
        await gateway.ready_for_pickup(client, vendor_order_id=vid, actor_id=None)
    else:
        await gateway.ship(
            client, vendor_order_id=vid, carrier="Vélo", tracking_number="V-1", actor_id=None
        )
    code = vendor_orders(db, order_id)[0].pickup_code
    await gateway.complete(client, vendor_order_id=vid, pickup_code=code, actor_id=None)
    return vid, intent_id


async def test_return_within_the_window_is_refunded_then_the_window_closes(
    skipping: SkippingServer, db: Session, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    order_id, shopper, merchant, _ = new_order(db, reserved=False)
    handle = await start(skipping, order_id)
    vid, intent_id = await _pay_and_hand_over(skipping, db, order_id)
    part = vendor_orders(db, order_id)[0]
    assert part.return_deadline is not None
    assert part.return_deadline - part.completed_at > timedelta(days=14)  # working days
    line = lines_of(db, vid)[0]
    client = skipping.client
    with pytest.raises(Conflict, match="entre 1 et 2"):
        await gateway.request_return(
            client, vendor_order_id=vid, lines=[(line.id, 3)], reason="trop", actor_id=shopper.id
        )
    await skipping.env.sleep(timedelta(days=5))
    return_id = await gateway.request_return(
        client, vendor_order_id=vid, lines=[(line.id, 1)], reason="Abîmée", actor_id=shopper.id
    )
    with pytest.raises(Conflict, match="déjà en cours"):
        await gateway.request_return(
            client, vendor_order_id=vid, lines=[(line.id, 1)], reason="Encore", actor_id=shopper.id
        )
    await gateway.accept_return(
        client, vendor_order_id=vid, return_id=return_id, actor_id=merchant.id
    )
    refunds = await eventually(lambda: refunds_of_intent(intent_id), "the refund")
    assert [r.amount for r in refunds] == [4200]
    final = await eventually(
        lambda: (o := order_row(db, order_id)).status.value == "partially_refunded" and o,
        "partially refunded",
    )
    assert final.refunded_cents == 4200
    # Past the window: the part closes by itself and a request is refused.
    await skipping.env.sleep(timedelta(days=30))
    assert await handle.result() == "finished"
    with pytest.raises(Conflict):
        await gateway.request_return(
            client, vendor_order_id=vid, lines=[(line.id, 1)], reason="Tard", actor_id=shopper.id
        )
    assert len(refunds_of_intent(intent_id)) == 1
    await record_history(client, handle.id, "order_with_return_refunded")
    await record_history(client, f"vendor-order-{vid}", "vendor_order_return_refunded")


async def test_refused_return_then_window_end_closes_the_part(
    skipping: SkippingServer, db: Session, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    order_id, shopper, merchant, _ = new_order(db, reserved=False)
    handle = await start(skipping, order_id)
    vid, intent_id = await _pay_and_hand_over(skipping, db, order_id)
    line = lines_of(db, vid)[0]
    client = skipping.client
    return_id = await gateway.request_return(
        client, vendor_order_id=vid, lines=[(line.id, 2)], reason="Plus envie", actor_id=shopper.id
    )
    with pytest.raises(Conflict, match="pourquoi"):
        await gateway.refuse_return(
            client, vendor_order_id=vid, return_id=return_id, reason=" ", actor_id=merchant.id
        )
    await gateway.refuse_return(
        client, vendor_order_id=vid, return_id=return_id, reason="Pâtisserie périssable",
        actor_id=merchant.id,
    )  # fmt: skip
    assert vendor_orders(db, order_id)[0].status.value == "completed"
    assert await handle.result() == "finished"
    assert vendor_orders(db, order_id)[0].status.value == "closed"
    assert order_row(db, order_id).status.value == "completed"
    assert refunds_of_intent(intent_id) == []
    await record_history(client, f"vendor-order-{vid}", "vendor_order_return_refused")
    refusal = [m for m in mail_sink.to(shopper.email) if "refusée" in m["Subject"]]
    assert refusal and "Pâtisserie périssable" in text_of(refusal[0])


async def test_idle_merchant_is_reminded_then_flagged_until_it_acts(
    skipping: SkippingServer, db: Session, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    order_id, shopper, merchant, _ = new_order(db, reserved=False)
    await start(skipping, order_id)
    handle = skipping.client.get_workflow_handle(order_workflow_id(order_id))
    await eventually(lambda: order_row(db, order_id).stage == "awaiting_payment", "payment stage")
    payment = payments.ensure_payment_intent(db, order_id)
    db.commit()
    assert payment.stripe_payment_intent_id and confirm_card(payment.stripe_payment_intent_id)
    await handle.signal(
        "payment_event", PaymentEvent(f"evt_{uuid.uuid4().hex}", payment.stripe_payment_intent_id, True)
    )
    part = await eventually(
        lambda: (p := vendor_orders(db, order_id)) and p[0].status.value == "confirmed" and p[0],
        "the part to reach its shop",
    )
    await skipping.env.sleep(timedelta(hours=25))  # past the 24 h reminder
    await eventually(
        lambda: f"vendor-order:{part.id}:reminder:confirmed:0" in email_keys(db, order_id),
        "the reminder e-mail",
    )
    assert not order_row(db, order_id).needs_attention
    await skipping.env.sleep(timedelta(hours=48))  # past the 72 h escalation

    def late_item() -> AttentionItem | None:
        db.rollback()
        return db.scalar(select(AttentionItem).where(AttentionItem.order_id == order_id))

    item = await eventually(late_item, "the part to be flagged for operators")
    assert item.kind == "merchant_late" and item.vendor_order_id == part.id
    assert order_row(db, order_id).needs_attention
    await gateway.start_preparing(skipping.client, vendor_order_id=part.id, actor_id=merchant.id)
    await eventually(
        lambda: (i := late_item()) is not None and i.resolved_at is not None, "the flag to clear"
    )
    assert not order_row(db, order_id).needs_attention
    assert vendor_orders(db, order_id)[0].status.value == "preparing"


async def _return_closed_in_workflow(client: Client, vendor_order_id: int) -> None:
    handle = client.get_workflow_handle(vendor_order_workflow_id(vendor_order_id))
    deadline = asyncio.get_running_loop().time() + 30
    while (
        await handle.query(STATE_QUERY, result_type=VendorOrderState)
    ).open_return_id is not None:
        assert asyncio.get_running_loop().time() < deadline, "the return never closed"
        await asyncio.sleep(0.1)


async def test_a_full_withdrawal_refunds_the_delivery_too(
    skipping: SkippingServer, db: Session, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    # 2 × 12,00 € delivered by bike for 4,90 € (free only above 50 €).
    order_id, shopper, merchant, _ = new_order(
        db, reserved=False, kind=DeliveryKind.local_delivery, price=1200
    )
    await start(skipping, order_id)
    vid, intent_id = await _pay_and_hand_over(skipping, db, order_id)
    assert vendor_orders(db, order_id)[0].delivery_cents == 490
    line = lines_of(db, vid)[0]
    client = skipping.client
    # A partial return keeps the delivery fee...
    first = await gateway.request_return(
        client, vendor_order_id=vid, lines=[(line.id, 1)], reason="Une de trop", actor_id=shopper.id
    )
    await gateway.accept_return(client, vendor_order_id=vid, return_id=first, actor_id=None)
    await eventually(lambda: len(refunds_of_intent(intent_id)) == 1, "the first refund")
    # ...taking back what is left refunds it with the last item.
    await eventually(
        lambda: vendor_orders(db, order_id)[0].status.value == "refunded", "the first return"
    )
    await _return_closed_in_workflow(client, vid)  # it writes PostgreSQL first, then closes it
    last = await gateway.request_return(
        client, vendor_order_id=vid, lines=[(line.id, 1)], reason="Finalement non",
        actor_id=shopper.id,
    )  # fmt: skip
    await gateway.accept_return(client, vendor_order_id=vid, return_id=last, actor_id=None)
    refunds = await eventually(
        lambda: (r := refunds_of_intent(intent_id)) and len(r) == 2 and r, "the second refund"
    )
    assert sorted(r.amount for r in refunds) == [1200, 1200 + 490]
    final = await eventually(
        lambda: (o := order_row(db, order_id)).status.value == "refunded" and o, "fully refunded"
    )
    assert final.refunded_cents == final.total_cents == 2 * 1200 + 490


async def test_confirmed_reservation_leaves_a_day_to_pay_then_expires(
    skipping: SkippingServer, db: Session, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    order_id, shopper, merchant, _ = new_order(db, reserved=True)
    handle = await start(skipping, order_id)
    await eventually(lambda: order_row(db, order_id).stage == "awaiting_confirmation", "confirmation")
    await skipping.env.sleep(timedelta(hours=40))  # the shop answers late, within its 48 h
    part = vendor_orders(db, order_id)[0]
    await gateway.confirm_lines(
        skipping.client, order_id=order_id, vendor_order_id=part.id,
        confirmed=[line.id for line in lines_of(db, part.id)], declined=[], actor_id=merchant.id,
    )  # fmt: skip
    order = await eventually(
        lambda: (o := order_row(db, order_id)).status.value == "awaiting_payment" and o, "payable"
    )
    assert order.payment_deadline is not None
    left = order.payment_deadline - await skipping.env.get_current_time()
    assert timedelta(hours=23, minutes=55) < left <= timedelta(hours=24)  # not 30 minutes
    payable = await eventually(
        lambda: [m for m in mail_sink.to(shopper.email) if "vous pouvez payer" in m["Subject"]],
        "the e-mail saying the order is payable",
    )
    assert format_datetime_fr(order.payment_deadline) in text_of(payable[0])  # Paris time
    await skipping.env.sleep(timedelta(hours=23))
    assert order_row(db, order_id).status.value == "awaiting_payment"
    assert await handle.result() == "payment_failed"
