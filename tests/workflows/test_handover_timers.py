"""Parts that are never handed over: pickup reminders and no-shows, automatic receipt of a
shipped part, the shopper's receipt, and an operator's cancel while the parts are under way.

Days run in seconds on Temporal's time-skipping test server, with the real worker, PostgreSQL,
localstripe and SMTP sink (fixtures and helpers of test_long_timers).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import Conflict
from comptoir.models import AttentionItem, DeliveryKind, Product
from comptoir.orders import gateway
from comptoir.orders.contracts import (
    STATE_QUERY,
    VendorOrderState,
    order_workflow_id,
    vendor_order_workflow_id,
)
from tests.conftest import MailSink, text_of
from tests.lifecycle_support import order_row, vendor_orders
from tests.stripe_support import refunds_of_intent
from tests.workflows.test_long_timers import (
    SkippingServer,
    email_keys,
    eventually,
    new_order,
    pay,
    record_history,
    skipping,  # noqa: F401  (the module's own time-skipping server)
    start,
)

pytestmark = [pytest.mark.timeout(180), pytest.mark.asyncio(loop_scope="session")]


def _item(db: Session, order_id: int, kind: str) -> AttentionItem | None:
    db.rollback()
    return db.scalar(
        select(AttentionItem).where(AttentionItem.order_id == order_id, AttentionItem.kind == kind)
    )


async def _part_state(server: SkippingServer, vendor_order_id: int) -> VendorOrderState:
    handle = server.client.get_workflow_handle(vendor_order_workflow_id(vendor_order_id))
    return await handle.query(STATE_QUERY, result_type=VendorOrderState)


async def test_uncollected_pickup_reminds_the_shopper_flags_a_no_show_then_is_cancelled(
    skipping: SkippingServer, db: Session, mail_sink: MailSink  # noqa: F811
) -> None:
    mail_sink.clear()
    order_id, shopper, merchant, product_id = new_order(db, reserved=False)
    handle = await start(skipping, order_id)
    part, intent_id = await pay(skipping, db, order_id)
    client, vid = skipping.client, part.id
    await gateway.ready_for_pickup(client, vendor_order_id=vid, actor_id=merchant.id)
    code = vendor_orders(db, order_id)[0].pickup_code
    with pytest.raises(Conflict, match="encore le temps"):
        await gateway.cancel_no_show(client, vendor_order_id=vid, actor_id=merchant.id)
    assert (await _part_state(skipping, vid)).next_deadline_kind == "merchant_reminder"

    # The merchant is reminded after a day, as for any part waiting on it...
    await skipping.env.sleep(timedelta(hours=25))
    await eventually(
        lambda: any(
            k.startswith(f"vendor-order:{vid}:reminder:ready_for_pickup")
            for k in email_keys(db, order_id)
        ),
        "the merchant's reminder",
    )
    assert (await _part_state(skipping, vid)).next_deadline_kind == "pickup_reminder"
    # ...the shopper after two days, with where and when to come.
    await skipping.env.sleep(timedelta(hours=24))
    reminders = await eventually(
        lambda: [m for m in mail_sink.to(shopper.email) if m["Subject"].startswith("Rappel")],
        "the shopper's pickup reminder",
    )
    body = text_of(reminders[0])
    assert "rue de la République" in body and "Lyon" in body
    assert "Lundi : 9\u00a0h\u00a000 – 19\u00a0h\u00a000" in body
    assert code in body
    assert _item(db, order_id, "pickup_no_show") is None
    assert _item(db, order_id, "merchant_late") is None

    # Four days after it was ready: a no-show, flagged for the merchant and operators.
    await skipping.env.sleep(timedelta(days=2))
    item = await eventually(lambda: _item(db, order_id, "pickup_no_show"), "the no-show flag")
    assert item.vendor_order_id == vid and "n'est pas venu" in item.error
    assert vendor_orders(db, order_id)[0].needs_attention
    assert order_row(db, order_id).needs_attention
    await eventually(lambda: f"vendor-order:{vid}:no-show" in email_keys(db, order_id), "merchant told")

    await gateway.cancel_no_show(client, vendor_order_id=vid, actor_id=merchant.id)
    refunds = await eventually(lambda: refunds_of_intent(intent_id), "the refund")
    assert [r.amount for r in refunds] == [8400]
    assert await handle.result() == "finished"
    assert vendor_orders(db, order_id)[0].status.value == "cancelled"
    assert db.scalar(select(Product.stock).where(Product.id == product_id)) == 3  # back on sale
    resolved = _item(db, order_id, "pickup_no_show")
    assert resolved is not None and resolved.resolved_at is not None
    assert any("annulée faute de retrait" in m["Subject"] for m in mail_sink.to(shopper.email))
    await record_history(client, vendor_order_workflow_id(vid), "vendor_order_pickup_no_show")


async def test_shipped_part_nobody_confirms_completes_after_seven_days(
    skipping: SkippingServer, db: Session, mail_sink: MailSink  # noqa: F811
) -> None:
    mail_sink.clear()
    order_id, shopper, merchant, _ = new_order(db, reserved=False, kind=DeliveryKind.shipping)
    await start(skipping, order_id)
    part, _ = await pay(skipping, db, order_id)
    client, vid = skipping.client, part.id
    await gateway.ship(
        client, vendor_order_id=vid, carrier="La Poste", tracking_number="6A1", actor_id=merchant.id
    )
    received_by = (await _part_state(skipping, vid)).next_deadline
    with pytest.raises(Conflict, match="Impossible d'annuler la commande non retirée"):
        await gateway.cancel_no_show(client, vendor_order_id=vid, actor_id=merchant.id)

    # A merchant that does not record the delivery is reminded, then flagged, as before.
    await skipping.env.sleep(timedelta(hours=73))
    late = await eventually(lambda: _item(db, order_id, "merchant_late"), "the merchant flag")
    assert late.step == "shipped"
    assert any(k.startswith(f"vendor-order:{vid}:reminder:shipped") for k in email_keys(db, order_id))

    await skipping.env.sleep(timedelta(days=4, hours=1))
    done = await eventually(
        lambda: (p := vendor_orders(db, order_id)[0]).status.value == "completed" and p,
        "the automatic receipt",
    )
    assert received_by is not None and done.completed_at is not None
    assert done.completed_at >= received_by  # the window opens at receipt, not at shipping
    assert done.return_deadline is not None
    assert done.return_deadline - done.completed_at > timedelta(days=14)
    late = _item(db, order_id, "merchant_late")
    assert late is not None and late.resolved_at is not None
    await record_history(client, vendor_order_workflow_id(vid), "vendor_order_auto_received")


async def test_the_shopper_confirms_receipt_and_the_return_window_opens_then(
    skipping: SkippingServer, db: Session, mail_sink: MailSink  # noqa: F811
) -> None:
    mail_sink.clear()
    order_id, shopper, merchant, _ = new_order(db, reserved=False, kind=DeliveryKind.local_delivery)
    await start(skipping, order_id)
    part, _ = await pay(skipping, db, order_id)
    client, vid = skipping.client, part.id
    with pytest.raises(Conflict, match="Impossible de confirmer la réception : .*« Confirmée »"):
        await gateway.confirm_receipt(client, vendor_order_id=vid, actor_id=shopper.id)
    await gateway.ship(client, vendor_order_id=vid, carrier="Vélo", tracking_number="", actor_id=None)
    await skipping.env.sleep(timedelta(days=2))
    await gateway.confirm_receipt(client, vendor_order_id=vid, actor_id=shopper.id)
    done = vendor_orders(db, order_id)[0]
    assert done.status.value == "completed" and done.completed_at is not None
    assert done.return_deadline is not None
    state = await _part_state(skipping, vid)
    assert state.return_deadline == done.return_deadline
    with pytest.raises(Conflict, match="« Terminée »"):
        await gateway.confirm_receipt(client, vendor_order_id=vid, actor_id=shopper.id)
    await eventually(
        lambda: f"vendor-order:{vid}:receipt-confirmed" in email_keys(db, order_id),
        "the merchant's e-mail",
    )


async def test_pickup_part_cannot_be_confirmed_received_by_the_shopper(
    skipping: SkippingServer, db: Session  # noqa: F811
) -> None:
    order_id, shopper, merchant, _ = new_order(db, reserved=False)
    await start(skipping, order_id)
    part, _ = await pay(skipping, db, order_id)
    await gateway.ready_for_pickup(skipping.client, vendor_order_id=part.id, actor_id=merchant.id)
    with pytest.raises(Conflict, match="« Prête à retirer »"):
        await gateway.confirm_receipt(skipping.client, vendor_order_id=part.id, actor_id=shopper.id)


async def test_operator_cancel_during_fulfilment_reaches_the_parts_and_tells_everyone(
    skipping: SkippingServer, db: Session, mail_sink: MailSink  # noqa: F811
) -> None:
    mail_sink.clear()
    order_id, shopper, merchant, product_id = new_order(db, reserved=False)
    handle = await start(skipping, order_id)
    part, intent_id = await pay(skipping, db, order_id)
    await gateway.start_preparing(skipping.client, vendor_order_id=part.id, actor_id=merchant.id)
    await gateway.operator_action(
        skipping.client, order_workflow_id(order_id), "cancel", "Boutique fermée", operator_id=None
    )
    assert await handle.result() == "finished"
    assert vendor_orders(db, order_id)[0].status.value == "cancelled"
    assert [r.amount for r in refunds_of_intent(intent_id)] == [8400]
    assert db.scalar(select(Product.stock).where(Product.id == product_id)) == 3
    keys = email_keys(db, order_id)
    assert f"order:{order_id}:operator-cancel" in keys
    assert f"vendor-order:{part.id}:operator-cancel" in keys
    to_shopper = await eventually(
        lambda: [m for m in mail_sink.to(shopper.email) if "annulée" in m["Subject"]], "e-mail"
    )
    assert "Boutique fermée" in text_of(to_shopper[0])
    assert any("annulée" in m["Subject"] for m in mail_sink.to(merchant.email))
    await record_history(skipping.client, handle.id, "order_cancelled_during_fulfilment")
