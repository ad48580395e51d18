"""Settlement payouts while Stripe loses answers and while the worker is SIGKILLed mid-transfer:
each shop is still paid exactly once per settlement (our attempt row, found again by its
transfer group and metadata, since localstripe ignores idempotency keys)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import stripe
from sqlalchemy.orm import Session

from comptoir.models.settlements import PayoutAttempt, Settlement, SettlementState
from comptoir.settings import get_settings
from comptoir.settlements import payouts, service
from comptoir.settlements.contracts import (
    SETTLEMENT_WORKFLOW,
    SettlementInput,
    settlement_workflow_id,
)
from comptoir.settlements.payout_details import set_payout_account
from comptoir.settlements.periods import period_containing
from comptoir.temporal import connect
from tests.conftest import restore_env, set_env
from tests.factories import create_shop
from tests.faults.conftest import direct_stripe
from tests.faults.fault_proxy import FaultProxy
from tests.lifecycle_support import wait_for
from tests.settlements.support import close, paid_order
from tests.workflows.test_worker_crash import WorkerProcess

pytestmark = [pytest.mark.timeout(150), pytest.mark.usefixtures("live_platform")]
WEEK = period_containing(date(2026, 11, 23))


def _connect_settlement(db: Session, localstripe: str, price: int) -> tuple[Settlement, str]:
    shop = create_shop(db)
    account = str(direct_stripe(localstripe).accounts.create(params={}).id)
    set_payout_account(db, shop.id, stripe_account_id=account)
    _, parts = paid_order(db, {shop: price})
    close(db, parts[shop.id])
    settlement = service.create_settlement(db, shop.id, WEEK, datetime.now(UTC))
    db.commit()
    assert settlement is not None
    return settlement, account


def _transfers(localstripe: str, account: str) -> list[int]:
    listed = direct_stripe(localstripe).transfers.list(params={"destination": account})
    return [t.amount for t in listed.data]


def test_a_lost_transfer_answer_then_a_retry_pays_once(
    db: Session, localstripe: str, stripe_proxy: FaultProxy
) -> None:
    settlement, account = _connect_settlement(db, localstripe, 4200)
    # Stripe makes the transfer but the answer never arrives (and the SDK's own retry too).
    stripe_proxy.set("forward_then_drop", only=("POST /v1/transfers",), times=2)
    with pytest.raises(stripe.APIConnectionError):
        payouts.pay_settlement(db, settlement.id)
    db.rollback()
    assert _transfers(localstripe, account) == [settlement.net_cents]  # made, unknown to us
    stripe_proxy.set("pass")
    paid = payouts.pay_settlement(db, settlement.id)  # the activity's retry
    db.commit()
    assert paid.state == SettlementState.paid
    assert _transfers(localstripe, account) == [settlement.net_cents]
    assert db.query(PayoutAttempt).filter_by(settlement_id=settlement.id).count() == 1


@pytest.fixture
def worker_process(tmp_path: Path, stripe_proxy: FaultProxy) -> Iterator[WorkerProcess]:
    """The worker as its own process, on a queue of its own, reaching Stripe via the proxy."""
    previous = set_env({"COMPTOIR_TASK_QUEUE": f"settle-crash-{uuid.uuid4().hex[:8]}"})
    worker = WorkerProcess(tmp_path / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()
        restore_env(previous)


def test_worker_killed_during_the_transfer_pays_once_after_restart(
    db: Session, localstripe: str, stripe_proxy: FaultProxy, worker_process: WorkerProcess
) -> None:
    settlement, account = _connect_settlement(db, localstripe, 3100)
    stripe_proxy.set("hang", only=("POST /v1/transfers",), times=1)
    worker_process.start()

    async def start() -> None:
        client = await connect()
        await client.start_workflow(
            SETTLEMENT_WORKFLOW,
            # A killed worker's activity is retried elsewhere once this timeout passes.
            SettlementInput(settlement.shop_id, WEEK.start.isoformat(), WEEK.end.isoformat(),
                            activity_timeout_seconds=5),
            id=f"{settlement_workflow_id(settlement.shop_id, WEEK.start.isoformat())}-"
            f"{uuid.uuid4().hex[:6]}",
            task_queue=get_settings().task_queue,
        )  # fmt: skip

    asyncio.run(start())
    wait_for(lambda: stripe_proxy.count("hang") >= 1, timeout=30, what="the transfer request")
    worker_process.kill()  # mid-transfer: the attempt row is committed, Stripe has no answer
    worker_process.start()

    def paid() -> Settlement | None:
        db.expire_all()
        row = db.get_one(Settlement, settlement.id)
        return row if row.state == SettlementState.paid else None

    wait_for(paid, timeout=90, what="the settlement paid after the restart")
    assert _transfers(localstripe, account) == [settlement.net_cents]
    assert db.query(PayoutAttempt).filter_by(settlement_id=settlement.id).count() == 1
