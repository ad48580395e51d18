"""The settlement schedule on the real Temporal dev server and the real worker: created or
updated idempotently at start-up, and firing twice still pays each shop once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import Client

from comptoir.models.settlements import Settlement, SettlementState
from comptoir.services.payments import stripe_client
from comptoir.settings import get_settings
from comptoir.settlements import service
from comptoir.settlements.gateway import ensure_settlement_schedule
from comptoir.settlements.payout_details import set_payout_account
from comptoir.temporal import connect
from tests.conftest import WorkerThread, restore_env, set_env
from tests.factories import create_shop
from tests.settlements.support import close, fire_and_wait, paid_order

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("live_platform")]


async def _with_client(work):  # type: ignore[no-untyped-def]
    client = await connect()
    return await work(client)


def _run(work):  # type: ignore[no-untyped-def]
    return asyncio.run(_with_client(work))


def test_schedule_is_created_once_and_follows_the_settings(order_worker: WorkerThread) -> None:
    schedule_id = f"settlements-{datetime.now(UTC):%H%M%S%f}"
    previous = set_env({"COMPTOIR_SETTLEMENT_SCHEDULE_ID": schedule_id})
    try:
        async def twice(client: Client) -> tuple[bool, bool, tuple[int, int, str], float]:
            first = await ensure_settlement_schedule(client, get_settings())
            second = await ensure_settlement_schedule(client, get_settings())
            handle = client.get_schedule_handle(schedule_id)
            # The server keeps a cron as a calendar: Mondays at 03:00, Paris time.
            spec = (await handle.describe()).schedule.spec
            calendar = spec.calendars[0]
            weekly = (calendar.day_of_week[0].start, calendar.hour[0].start, spec.time_zone_name)
            set_env({"COMPTOIR_SETTLEMENT_INTERVAL_MINUTES": "90"})
            await ensure_settlement_schedule(client, get_settings())
            intervals = (await handle.describe()).schedule.spec.intervals
            await handle.delete()
            return first, second, weekly, intervals[0].every.total_seconds()

        first, second, weekly, every = _run(twice)
    finally:
        restore_env({**previous, "COMPTOIR_SETTLEMENT_INTERVAL_MINUTES": None})
    assert first and second
    assert weekly == (1, 3, "Europe/Paris")
    assert every == 90 * 60


def test_schedule_firing_twice_pays_each_shop_once(
    order_worker: WorkerThread, db: Session
) -> None:
    accounts: dict[int, str] = {}
    for price in (4200, 1999):
        shop = create_shop(db)
        accounts[shop.id] = str(stripe_client().v1.accounts.create(params={}).id)
        set_payout_account(db, shop.id, stripe_account_id=accounts[shop.id])
        _, parts = paid_order(db, {shop: price})
        close(db, parts[shop.id])
    schedule_id = f"settlements-{datetime.now(UTC):%H%M%S%f}"
    previous = set_env(
        {"COMPTOIR_SETTLEMENT_SCHEDULE_ID": schedule_id,
         "COMPTOIR_SETTLEMENT_INTERVAL_MINUTES": str(24 * 60)}
    )  # fmt: skip
    try:
        async def fire_twice(client: Client) -> list[dict[str, Any]]:
            assert await ensure_settlement_schedule(client, get_settings())
            try:
                return await fire_and_wait(client, schedule_id, 2)
            finally:
                await client.get_schedule_handle(schedule_id).delete()

        first, second = _run(fire_twice)
    finally:
        restore_env(previous)
    # The second firing, for the same week, has nothing left to settle and starts nothing.
    assert sorted(first["started"]) == sorted(accounts) and first["already"] == []
    assert second["started"] == [] and second["period_start"] == first["period_start"]
    db.rollback()
    settlements = db.scalars(select(Settlement).order_by(Settlement.shop_id)).all()
    assert [s.state for s in settlements] == [SettlementState.paid] * 2
    for settlement in settlements:
        transfers = stripe_client().v1.transfers.list(
            params={"destination": accounts[settlement.shop_id]}
        ).data
        assert [t.amount for t in transfers] == [settlement.net_cents]
        assert service.money_position_of_shop(db, settlement.shop_id).balanced
    assert settlements[0].period_end < datetime.now(UTC).date()
    assert settlements[0].period_end >= (datetime.now(UTC) - timedelta(days=8)).date()
