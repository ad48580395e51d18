"""Settlements on the real worker and Temporal's time-skipping server: an order across two
shops is handed over, both return windows close (30 days skipped in moments), then the
settlement run pays each shop once with a Transfer on the extended localstripe."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from temporalio.client import WorkflowFailureError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from comptoir.models import DeliveryKind, Role, SentEmail, Shop
from comptoir.models.settlements import Settlement, SettlementState
from comptoir.orders import gateway
from comptoir.orders.contracts import (
    ORDER_WORKFLOW,
    OrderWorkflowInput,
    PaymentEvent,
    order_workflow_id,
)
from comptoir.services import payments
from comptoir.services.cart import add_item
from comptoir.services.checkout import BillingAddress, CheckoutRequest, ShopChoice, checkout
from comptoir.services.payments import stripe_client
from comptoir.settlements import service
from comptoir.settlements.contracts import (
    SETTLEMENT_RUN_WORKFLOW,
    SETTLEMENT_WORKFLOW,
    SettlementInput,
    SettlementRef,
    SettlementRunInput,
    SettlementRunResult,
    settlement_workflow_id,
)
from comptoir.settlements.notices import statement_email_key
from comptoir.settlements.payout_details import set_payout_account
from comptoir.settlements.periods import period_containing
from tests.conftest import MailSink, text_of
from tests.factories import create_product, create_shop, create_user
from tests.lifecycle_support import mode_of, order_row, vendor_orders
from tests.settlements.support import close, paid_order
from tests.stripe_support import confirm_card
from tests.workflows import test_long_timers
from tests.workflows.test_long_timers import TIMING, SkippingServer, eventually, record_history

# The time-skipping server of the long-timer tests, with the worker's workflows and activities.
skipping = test_long_timers.skipping

pytestmark = [pytest.mark.timeout(180), pytest.mark.asyncio(loop_scope="session")]
def _account() -> str:
    return str(stripe_client().v1.accounts.create(params={"type": "express"}).id)


def _transfers_to(account: str) -> list[Any]:
    return list(stripe_client().v1.transfers.list(params={"destination": account}).data)


def _fresh_ids(db: Session, block: int) -> None:
    # The module's server outlives each test's truncated tables: workflow ids must not repeat.
    for table in ("orders", "vendor_orders", "shops", "settlements"):
        db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {block})"))
    db.commit()


async def _order_across_two_shops(server: SkippingServer, db: Session) -> tuple[int, dict[int, str]]:
    """A paid order across two Connect shops, both parts handed over; shop id → account."""
    shopper = create_user(db, first_name="Léa")
    accounts: dict[int, str] = {}
    for price in (1999, 12_345):
        shop = create_shop(db, owner=create_user(db, Role.merchant))
        accounts[shop.id] = _account()
        set_payout_account(db, shop.id, stripe_account_id=accounts[shop.id])
        product = create_product(db, shop, price_cents=price, stock=5)
        db.commit()
        add_item(db, shopper, product.id, 1)
    order = checkout(
        db,
        shopper,
        CheckoutRequest(
            billing=BillingAddress("Léa Roux", "3 quai Voltaire", "49350", "Montlouvier"),
            shops=[ShopChoice(s, mode_of(db, db.get_one(Shop, s), DeliveryKind.pickup))
                   for s in accounts],
        ),
    )  # fmt: skip
    db.commit()
    handle = await server.client.start_workflow(
        ORDER_WORKFLOW, OrderWorkflowInput(order_id=order.id, timing=TIMING),
        id=order_workflow_id(order.id), task_queue=server.task_queue, result_type=str,
    )  # fmt: skip
    await eventually(lambda: order_row(db, order.id).stage == "awaiting_payment", "payment stage")
    payment = payments.ensure_payment_intent(db, order.id)
    db.commit()
    intent = payment.stripe_payment_intent_id
    assert intent is not None and confirm_card(intent).status == "succeeded"
    await handle.signal("payment_event", PaymentEvent(f"evt_{uuid.uuid4().hex}", intent, True))
    parts = await eventually(
        lambda: (p := vendor_orders(db, order.id))
        and all(x.status.value == "confirmed" for x in p) and p,
        "both parts at their shops",
    )
    for part in parts:
        await gateway.ready_for_pickup(server.client, vendor_order_id=part.id, actor_id=None)
        code = next(p for p in vendor_orders(db, order.id) if p.id == part.id).pickup_code
        await gateway.complete(
            server.client, vendor_order_id=part.id, pickup_code=code, actor_id=None
        )
    return order.id, accounts


async def test_return_windows_close_then_each_shop_is_paid_once(
    skipping: SkippingServer, db: Session, localstripe: str, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    _fresh_ids(db, 100_000)
    order_id, accounts = await _order_across_two_shops(skipping, db)
    client = skipping.client
    # Handed over: nothing is final while the return windows are open.
    assert service.shops_to_settle(db, datetime.now(UTC)) == []
    await skipping.env.sleep(timedelta(days=30))
    assert await client.get_workflow_handle(order_workflow_id(order_id)).result() == "finished"
    assert {p.status.value for p in vendor_orders(db, order_id)} == {"closed"}

    first_id = f"settlement-run-{uuid.uuid4().hex[:6]}"
    first = await client.execute_workflow(
        SETTLEMENT_RUN_WORKFLOW, SettlementRunInput(), id=first_id,
        task_queue=skipping.task_queue, result_type=SettlementRunResult,
    )  # fmt: skip
    assert sorted(first.started) == sorted(accounts)
    # The period is the Paris week before the run (the server's clock is 30 days ahead).
    period = period_containing(date.fromisoformat(first.period_start))
    assert period.start.weekday() == 0 and first.period_end == period.end.isoformat()
    assert period.start > (datetime.now(UTC) + timedelta(days=20)).date()
    # The schedule firing again: nothing left to settle, nothing paid twice.
    second = await client.execute_workflow(
        SETTLEMENT_RUN_WORKFLOW, SettlementRunInput(), id=f"settlement-run-{uuid.uuid4().hex[:6]}",
        task_queue=skipping.task_queue, result_type=SettlementRunResult,
    )  # fmt: skip
    assert second.started == [] and second.already == []
    await record_history(client, first_id, "settlement_run_two_shops")
    db.rollback()
    settlements = db.scalars(select(Settlement).order_by(Settlement.shop_id)).all()
    assert [s.shop_id for s in settlements] == sorted(accounts)
    for settlement in settlements:
        assert settlement.state == SettlementState.paid
        transfers = _transfers_to(accounts[settlement.shop_id])
        assert [t.amount for t in transfers] == [settlement.net_cents]
        assert transfers[0].id == settlement.stripe_transfer_id
        position = service.money_position_of_shop(db, settlement.shop_id)
        assert position.balanced and position.paid_cents == settlement.net_cents
    assert sum(s.fee_cents for s in settlements) == 226  # 1.4 % + 0.25 € of 143,44 €
    paid_id = settlement_workflow_id(settlements[0].shop_id, first.period_start)
    await record_history(client, paid_id, "settlement_paid_by_transfer")
    keys = set(db.scalars(select(SentEmail.email_key)))
    assert {statement_email_key(s.id) for s in settlements} <= keys
    statement = await eventually(
        lambda: [m for m in mail_sink.messages() if "relevé" in str(m["Subject"])], "statements"
    )
    assert len(statement) == 2
    body = text_of(statement[0])
    assert "Payé" in body and "Frais de paiement" in body
    # Starting a shop's settlement of the period again: refused by its id under the run's
    # policy, and even when allowed it finds the statement written and pays nothing more.
    again = SettlementInput(settlements[0].shop_id, period.start.isoformat(), period.end.isoformat())
    workflow_id = settlement_workflow_id(settlements[0].shop_id, period.start.isoformat())
    with pytest.raises(WorkflowAlreadyStartedError):
        await client.start_workflow(
            SETTLEMENT_WORKFLOW, again, id=workflow_id, task_queue=skipping.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )  # fmt: skip
    rerun = await client.execute_workflow(
        SETTLEMENT_WORKFLOW, again, id=workflow_id, task_queue=skipping.task_queue,
        result_type=SettlementRef,
    )  # fmt: skip
    assert (rerun.settlement_id, rerun.state) == (settlements[0].id, "paid")
    assert len(_transfers_to(accounts[settlements[0].shop_id])) == 1


async def test_a_second_firing_for_the_same_period_starts_no_second_settlement(
    skipping: SkippingServer, db: Session, localstripe: str, mail_sink: MailSink
) -> None:
    _fresh_ids(db, 200_000)
    shop = create_shop(db)
    account = _account()
    set_payout_account(db, shop.id, stripe_account_id=account)
    _, parts = paid_order(db, {shop: 4200})
    close(db, parts[shop.id])
    run = SettlementRunInput(period_start="2026-11-23")
    first = await skipping.client.execute_workflow(
        SETTLEMENT_RUN_WORKFLOW, run, id=f"settlement-run-{uuid.uuid4().hex[:6]}",
        task_queue=skipping.task_queue, result_type=SettlementRunResult,
    )  # fmt: skip
    assert first.started == [shop.id]
    # Another part of the shop becomes final during the same period; the run fires again.
    _, more = paid_order(db, {shop: 1500})
    close(db, more[shop.id])
    second = await skipping.client.execute_workflow(
        SETTLEMENT_RUN_WORKFLOW, run, id=f"settlement-run-{uuid.uuid4().hex[:6]}",
        task_queue=skipping.task_queue, result_type=SettlementRunResult,
    )  # fmt: skip
    assert second.started == [] and second.already == [shop.id]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Settlement)) == 1
    assert len(_transfers_to(account)) == 1
    # The part left over is settled by the next period's run.
    third = await skipping.client.execute_workflow(
        SETTLEMENT_RUN_WORKFLOW, SettlementRunInput(period_start="2026-11-30"),
        id=f"settlement-run-{uuid.uuid4().hex[:6]}", task_queue=skipping.task_queue,
        result_type=SettlementRunResult,
    )  # fmt: skip
    assert third.started == [shop.id]
    assert sorted(t.amount for t in _transfers_to(account)) == sorted(
        s.net_cents for s in db.scalars(select(Settlement))
    )
    assert service.money_position_of_shop(db, shop.id).balanced


async def test_a_payout_refused_by_stripe_ends_failed_not_stuck(
    skipping: SkippingServer, db: Session, localstripe: str, mail_sink: MailSink
) -> None:
    _fresh_ids(db, 300_000)
    shop = create_shop(db)
    set_payout_account(db, shop.id, stripe_account_id="acct_disparu")
    _, parts = paid_order(db, {shop: 2000})
    close(db, parts[shop.id])
    try:
        ref = await skipping.client.execute_workflow(
            SETTLEMENT_WORKFLOW, SettlementInput(shop.id, "2026-11-23", "2026-11-29"),
            id=settlement_workflow_id(shop.id, "2026-11-23"), task_queue=skipping.task_queue,
            result_type=SettlementRef,
        )  # fmt: skip
    except WorkflowFailureError as exc:  # pragma: no cover - the assertion explains
        raise AssertionError("a refusal must end the settlement as failed, not fail it") from exc
    assert ref.state == "failed"
    db.rollback()
    settlement = db.scalars(select(Settlement)).one()
    assert settlement.state == SettlementState.failed
    assert "destination" in settlement.failure_message or "refusé" in settlement.failure_message
