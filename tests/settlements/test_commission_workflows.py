"""The monthly commission run on the real worker and Temporal's time-skipping server: last
month's fees invoiced once per shop, e-mailed once, a second run changing nothing."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from comptoir.domain.paris_time import PARIS
from comptoir.models import CommissionInvoice, LedgerEntry, SentEmail, Shop
from comptoir.settlements.contracts import (
    COMMISSION_RUN_WORKFLOW,
    CommissionRunInput,
    CommissionRunResult,
    commission_workflow_id,
)
from comptoir.settlements.notices import commission_email_key
from comptoir.settlements.periods import month_before
from tests.conftest import MailSink
from tests.factories import create_shop
from tests.settlements.support import paid_order
from tests.workflows import test_long_timers
from tests.workflows.test_long_timers import SkippingServer, record_history

skipping = test_long_timers.skipping

pytestmark = [pytest.mark.timeout(180), pytest.mark.asyncio(loop_scope="session")]


async def test_the_run_invoices_last_month_once_per_shop(
    skipping: SkippingServer, db: Session, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    # The module's server outlives each test's truncated tables: workflow ids must not repeat.
    db.execute(text("SELECT setval(pg_get_serial_sequence('shops', 'id'), 800000)"))
    db.commit()
    month = month_before(await skipping.env.get_current_time())
    shops = [create_shop(db), create_shop(db), create_shop(db)]
    db.commit()
    for shop, price in zip(shops[:2], (4200, 990), strict=True):
        order, _ = paid_order(db, {shop: price})
        db.execute(
            update(LedgerEntry)
            .where(LedgerEntry.order_id == order.id)
            .values(created_at=datetime(month.year, month.month, 28, 9, tzinfo=PARIS))
        )
    paid_order(db, {shops[2]: 1500})  # fees of this month: invoiced next month
    db.commit()
    first_id = f"commission-run-{uuid.uuid4().hex[:6]}"
    first = await skipping.client.execute_workflow(
        COMMISSION_RUN_WORKFLOW, CommissionRunInput(), id=first_id,
        task_queue=skipping.task_queue, result_type=CommissionRunResult,
    )  # fmt: skip
    assert first.month == month.isoformat()
    assert sorted(first.started) == [shops[0].id, shops[1].id] and first.already == []
    # The schedule firing again for that month (named: the test server's clock may have jumped
    # ahead once nothing was left to run).
    second = await skipping.client.execute_workflow(
        COMMISSION_RUN_WORKFLOW, CommissionRunInput(month=first.month), id=f"commission-run-{uuid.uuid4().hex[:6]}",
        task_queue=skipping.task_queue, result_type=CommissionRunResult,
    )  # fmt: skip
    assert second.started == [] and sorted(second.already) == [shops[0].id, shops[1].id]
    await record_history(skipping.client, first_id, "commission_run_two_shops")
    await record_history(
        skipping.client,
        commission_workflow_id(shops[0].id, month.isoformat()),
        "commission_invoice_mailed",
    )
    db.rollback()
    invoices = db.scalars(select(CommissionInvoice).order_by(CommissionInvoice.shop_id)).all()
    assert [(i.shop_id, i.month) for i in invoices] == [(s.id, month) for s in shops[:2]]
    # 1.4 % + 0.25 € of 42,00 € is 84 cents, VAT 20 % included.
    assert invoices[0].total_ttc_cents == 84 and invoices[0].total_vat_cents == 14
    keys = set(db.scalars(select(SentEmail.email_key)))
    assert {commission_email_key(i.id) for i in invoices} <= keys
    mails = [m for m in mail_sink.messages() if "commission" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in mails) == sorted(
        str(db.get_one(Shop, s.id).email) for s in shops[:2]
    )
    assert all(len(list(m.iter_attachments())) == 1 for m in mails)
