"""The monthly commission invoices on the real Temporal dev server and the real worker: the
schedule is created or updated at start-up, and firing it twice issues each shop's invoice of
last month once and e-mails it once, its Factur-X PDF attached."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from facturx import facturx as fx
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session
from temporalio.client import Client, WorkflowExecutionStatus

from comptoir.domain.paris_time import PARIS
from comptoir.models import CommissionInvoice, LedgerEntry, Role
from comptoir.services import commission
from comptoir.settings import get_settings
from comptoir.settlements.contracts import (
    COMMISSION_RUN_WORKFLOW,
    CommissionRunInput,
    CommissionRunResult,
    commission_workflow_id,
)
from comptoir.settlements.gateway import ensure_commission_schedule
from comptoir.settlements.notices import commission_email_key
from comptoir.settlements.periods import previous_month
from comptoir.temporal import connect
from tests.conftest import MailSink, WorkerThread, restore_env, set_env
from tests.factories import create_shop, create_user
from tests.settlements.support import fire_and_wait, paid_order

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("live_platform")]


def _run(work):  # type: ignore[no-untyped-def]
    async def with_client():  # type: ignore[no-untyped-def]
        return await work(await connect())

    return asyncio.run(with_client())


def _schedule_id() -> str:
    return f"commission-{uuid.uuid4().hex[:10]}"


def test_schedule_is_created_once_and_follows_the_settings(order_worker: WorkerThread) -> None:
    schedule_id = _schedule_id()
    previous = set_env({"COMPTOIR_COMMISSION_SCHEDULE_ID": schedule_id})
    try:

        async def twice(client: Client) -> tuple[bool, bool, tuple[int, int, int, str], str]:
            first = await ensure_commission_schedule(client, get_settings())
            second = await ensure_commission_schedule(client, get_settings())
            handle = client.get_schedule_handle(schedule_id)
            # The server keeps a cron as a calendar: the 1st of the month at 04:00, Paris time.
            spec = (await handle.describe()).schedule.spec
            calendar = spec.calendars[0]
            monthly = (
                calendar.day_of_month[0].start,
                calendar.hour[0].start,
                calendar.minute[0].start,
                spec.time_zone_name,
            )
            set_env({"COMPTOIR_COMMISSION_CRON": "30 5 2 * *"})
            await ensure_commission_schedule(client, get_settings())
            moved = (await handle.describe()).schedule.spec.calendars[0]
            await handle.delete()
            return first, second, monthly, f"{moved.day_of_month[0].start} {moved.hour[0].start}"

        first, second, monthly, moved = _run(twice)
    finally:
        restore_env({**previous, "COMPTOIR_COMMISSION_CRON": None})
    assert first and second
    assert monthly == (1, 4, 0, "Europe/Paris")
    assert moved == "2 5"


def _fees_last_month(db: Session, prices: dict[int, int], when: datetime) -> None:
    """Paid orders of these shops (shop id → price) whose ledger entries date from `when`."""
    for shop_id, price in prices.items():
        order, _ = paid_order(db, {db.get_one(commission.Shop, shop_id): price})
        db.execute(
            update(LedgerEntry).where(LedgerEntry.order_id == order.id).values(created_at=when)
        )
    db.commit()


def _pdf_of(message: EmailMessage) -> tuple[str, bytes]:
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    part = attachments[0]
    assert part.get_content_type() == "application/pdf"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(part.get_filename()), payload


def test_firing_twice_invoices_and_mails_each_shop_once(
    order_worker: WorkerThread, db: Session, mail_sink: MailSink
) -> None:
    # Shop ids of their own: the dev server keeps this run's workflow ids across tests.
    db.execute(text("SELECT setval(pg_get_serial_sequence('shops', 'id'), 700000)"))
    db.commit()
    now = datetime.now(PARIS)
    month = previous_month(now.date())
    in_month = datetime(month.year, month.month, 15, 12, tzinfo=PARIS)
    shops = [
        create_shop(db, owner=create_user(db, Role.merchant), email=f"compta{n}@boutique.test")
        for n in range(3)
    ]
    db.commit()
    _fees_last_month(db, {shops[0].id: 4200, shops[1].id: 1999}, in_month)
    _fees_last_month(db, {shops[2].id: 3000}, now.astimezone(UTC))  # this month: not yet
    schedule_id = _schedule_id()
    previous = set_env({"COMPTOIR_COMMISSION_SCHEDULE_ID": schedule_id})
    try:

        async def fire_twice(client: Client) -> list[dict[str, Any]]:
            assert await ensure_commission_schedule(client, get_settings())
            return await fire_and_wait(client, schedule_id, 2)

        first, second = _run(fire_twice)
        # The second firing, for the same month, finds both shops' workflows (by id) done.
        assert sorted(first["started"]) == [shops[0].id, shops[1].id]
        assert second["started"] == [] and sorted(second["already"]) == sorted(first["started"])
        mails = [m for m in mail_sink.messages() if "commission" in str(m["Subject"])]
        assert len(mails) == 2

        async def again_then_clean_up(client: Client) -> tuple[CommissionRunResult, list[str]]:
            # The schedule firing once more for the same month: nothing new.
            result = await client.execute_workflow(
                COMMISSION_RUN_WORKFLOW,
                CommissionRunInput(month=month.isoformat()),
                id=f"commission-run-again-{uuid.uuid4().hex[:6]}",
                task_queue=get_settings().task_queue,
                result_type=CommissionRunResult,
            )
            statuses = []
            for shop in shops[:2]:
                described = await client.get_workflow_handle(
                    commission_workflow_id(shop.id, month.isoformat())
                ).describe()
                statuses.append(str(described.status))
            await client.get_schedule_handle(schedule_id).delete()
            return result, statuses

        again, statuses = _run(again_then_clean_up)
    finally:
        restore_env(previous)
    assert sorted(again.already) == [shops[0].id, shops[1].id] and again.started == []
    assert statuses == [str(WorkflowExecutionStatus.COMPLETED)] * 2
    assert commission_workflow_id(shops[0].id, month.isoformat()).endswith(f"{month:%Y-%m}")
    db.rollback()
    invoices = db.scalars(select(CommissionInvoice).order_by(CommissionInvoice.shop_id)).all()
    assert [(i.shop_id, i.month) for i in invoices] == [(shops[0].id, month), (shops[1].id, month)]
    assert sorted(i.number for i in invoices) == ["C-000001", "C-000002"]
    # Two firings and one more run: still one e-mail per invoice.
    mails = [m for m in mail_sink.messages() if "commission" in str(m["Subject"])]
    assert len(mails) == 2
    for invoice in invoices:
        shop = next(s for s in shops if s.id == invoice.shop_id)
        (mail,) = [m for m in mails if shop.email in str(m["To"])]
        assert invoice.number in str(mail["Subject"])
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None and "rien à payer" in body.get_content()
        filename, pdf = _pdf_of(mail)
        assert filename == f"{invoice.number}.pdf"
        stored = commission.get_commission_invoice(db, invoice.id, with_pdf=True)
        assert pdf == bytes(stored.pdf)
        _, xml = fx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
        assert fx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        assert invoice.number.encode() in xml
    sent_keys = set(db.scalars(text("SELECT email_key FROM sent_emails")))
    assert {commission_email_key(i.id) for i in invoices} <= sent_keys
