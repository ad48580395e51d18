"""The worker process killed (SIGKILL) mid-order and started again: the order completes,
charged once, invoiced once, with its ledger written once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import Invoice, LedgerEntry, SentEmail
from tests.conftest import ROOT, restore_env, set_env
from tests.lifecycle_support import (
    build_town,
    merchant_step,
    pay,
    place_order,
    vendor_orders,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)
from tests.stripe_support import intents_of_order, refunds_of_intent

pytestmark = [pytest.mark.timeout(180), pytest.mark.usefixtures("live_platform")]


class WorkerProcess:
    """`python -m workflows.worker` as a separate process on this test's task queue."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "workflows.worker"], cwd=ROOT, env=dict(os.environ),
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for(lambda: "worker polling" in self.log.read_text(errors="replace"),
                 timeout=60, what="the worker process to poll")  # fmt: skip

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        with self.log.open("a") as out:
            out.write("\n--- killed ---\n")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


@pytest.fixture
def worker_process(tmp_path: Path) -> Iterator[WorkerProcess]:
    previous = set_env({"COMPTOIR_TASK_QUEUE": f"crash-{uuid.uuid4().hex[:8]}"})
    worker = WorkerProcess(tmp_path / "worker.log")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        restore_env(previous)


def test_killed_worker_restarts_and_the_order_completes_once(
    client: TestClient, db: Session, worker_process: WorkerProcess
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id)
    worker_process.kill()  # while the payment's consequences are being written
    worker_process.start()
    pickup, delivery = wait_paid_and_dispatched(db, order_id)
    assert merchant_step(client, town, 0, pickup.id, "ready").status_code == 200
    worker_process.kill()  # again, between two merchant steps
    worker_process.start()
    code = vendor_orders(db, order_id)[0].pickup_code
    done = wait_for(
        lambda: (r := merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": code}))
        .status_code == 200 and r,
        timeout=60, what="the hand-over to be accepted after the restart",
    )  # fmt: skip
    assert done.json()["status"] == "completed"
    merchant_step(client, town, 1, delivery.id, "ship", {"carrier": "Vélo", "tracking_number": "1"})
    assert merchant_step(client, town, 1, delivery.id, "complete").status_code == 200
    wait_status(db, order_id, "completed", timeout=60)
    assert [pi.status for pi in intents_of_order(order_id)] == ["succeeded"]
    assert refunds_of_intent(intent_id) == []
    def invoices() -> int:  # written while the shops prepare, maybe after the hand-over
        db.rollback()
        return int(db.scalar(select(func.count()).select_from(Invoice).where(
            Invoice.vendor_order_id.in_([pickup.id, delivery.id]))) or 0)  # fmt: skip

    wait_for(lambda: invoices() == 2, what="both invoices")
    assert invoices() == 2
    ledger = db.scalars(select(LedgerEntry.entry_key).where(LedgerEntry.order_id == order_id)).all()
    assert sorted(ledger) == sorted(
        [f"sale:{pickup.id}", f"fee:{pickup.id}", f"sale:{delivery.id}", f"fee:{delivery.id}"]
    )
    def paid_mails() -> int:
        db.rollback()
        return int(db.scalar(select(func.count()).select_from(SentEmail).where(
            SentEmail.email_key == f"order:{order_id}:paid")) or 0)  # fmt: skip

    wait_for(lambda: paid_mails() >= 1, what="the payment confirmation e-mail")
    assert paid_mails() == 1
