"""The Temporal workers: order, settlement and commission workflows and their activities on
one task queue; documents (invoice PDFs) apart.

`python -m workflows.worker` connects to the configured Temporal server and polls
`COMPTOIR_TASK_QUEUE`. It also sweeps orders whose workflow could not be started at
checkout (Temporal was unreachable): at start-up and every minute; and puts back the search
lexicon's words a race between two catalogue changes removed: at start-up and daily.

`python -m workflows.worker --documents` polls `COMPTOIR_DOCUMENTS_TASK_QUEUE` only: the
invoice PDFs (CPU-bound), rendered a few at a time in their own process so that a burst of
them never takes the orders worker's CPU (one GIL) from the merchants' steps.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities.commission import COMMISSION_ACTIVITIES
from activities.orders import ALL_ACTIVITIES, DOCUMENT_ACTIVITIES
from activities.settlements import SETTLEMENT_ACTIVITIES
from comptoir.db import session_scope
from comptoir.orders import gateway
from comptoir.services import catalogue
from comptoir.services.checkout import orders_waiting_for_start
from comptoir.settings import Settings, get_settings
from comptoir.settlements.gateway import ensure_commission_schedule, ensure_settlement_schedule
from comptoir.temporal import connect
from workflows.commission import CommissionInvoiceWorkflow, CommissionRunWorkflow
from workflows.operator_refund import OperatorRefundWorkflow
from workflows.order import OrderWorkflow
from workflows.settlement import SettlementRunWorkflow, SettlementWorkflow
from workflows.vendor_order import VendorOrderWorkflow

log = logging.getLogger("comptoir.worker")
WORKFLOWS = [
    OrderWorkflow,
    VendorOrderWorkflow,
    OperatorRefundWorkflow,
    SettlementWorkflow,
    SettlementRunWorkflow,
    CommissionInvoiceWorkflow,
    CommissionRunWorkflow,
]
ACTIVITIES: list[Callable[..., Any]] = [
    *ALL_ACTIVITIES,
    *SETTLEMENT_ACTIVITIES,
    *COMMISSION_ACTIVITIES,
]
SWEEP_SECONDS = 60
LEXICON_SECONDS = 24 * 3600
# Activities are synchronous (SQLAlchemy sessions, Stripe SDK, smtplib, WeasyPrint): they
# run in threads. 16 is enough to keep 2 cores busy while most threads wait on I/O.
ACTIVITY_THREADS = 16
# A PDF is pure CPU under the GIL: more than two at once only makes each one slower.
DOCUMENT_THREADS = 2
# Workflow tasks in hand at once. They are CPU under one GIL: taking a hundred (the SDK's
# default) in a burst only makes each slower, and keeps them out of the server's priority
# order (a merchant's step, priority 1, is then stuck behind tasks already taken). A few at
# a time leaves the backlog on the server, which hands out the highest priority first.
WORKFLOW_TASK_SLOTS = 8


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    """The worker of the order workflows on the configured task queue."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=ACTIVITIES,
        activity_executor=executor,
        max_concurrent_activities=ACTIVITY_THREADS,
        max_concurrent_workflow_tasks=WORKFLOW_TASK_SLOTS,
    )


def build_documents_worker(
    client: Client, settings: Settings, executor: ThreadPoolExecutor
) -> Worker:
    """The worker of the documents queue: invoice PDFs, no workflow."""
    return Worker(
        client,
        task_queue=settings.documents_task_queue,
        activities=DOCUMENT_ACTIVITIES,
        activity_executor=executor,
        max_concurrent_activities=DOCUMENT_THREADS,
    )


async def sweep_unstarted_orders(client: Client) -> int:
    """Start the workflows of orders committed while Temporal was unreachable."""
    with session_scope() as db:
        order_ids = orders_waiting_for_start(db)
    if not order_ids:
        return 0
    started = await gateway.start_pending_orders(client, order_ids)
    if started:
        log.info("started %d workflow(s) left pending at checkout", started)
    return started


async def _sweep_forever(client: Client) -> None:
    while True:
        try:
            await sweep_unstarted_orders(client)
        except Exception:  # the database or Temporal is down: the next sweep tries again
            log.warning("sweep of unstarted orders failed", exc_info=True)
        await asyncio.sleep(SWEEP_SECONDS)


def restore_lexicon() -> int:
    """The search lexicon's words lost to a race between two catalogue changes in the last
    two days, put back (a daily run: each product changed since is looked at twice)."""
    since = datetime.now(UTC) - 2 * timedelta(seconds=LEXICON_SECONDS)
    with session_scope() as db:
        return catalogue.restore_search_words(db, since=since)


async def _restore_lexicon_daily() -> None:
    while True:
        try:
            restored = await asyncio.to_thread(restore_lexicon)
            if restored:
                log.info("search lexicon: %d word(s) put back", restored)
        except Exception:  # the database is down: tomorrow's run tries again
            log.warning("search lexicon check failed", exc_info=True)
        await asyncio.sleep(LEXICON_SECONDS)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def run_documents_worker() -> None:
    """Serve the documents queue until SIGINT/SIGTERM."""
    settings = get_settings()
    client = await connect(settings)
    stop = _stop_on_signals()
    with ThreadPoolExecutor(max_workers=DOCUMENT_THREADS) as executor:
        async with build_documents_worker(client, settings, executor):
            log.info(
                "documents worker polling task queue %s on %s",
                settings.documents_task_queue,
                settings.temporal_address,
            )
            await stop.wait()


async def run_worker() -> None:
    """Run until SIGINT/SIGTERM, then finish the tasks in hand and stop."""
    settings = get_settings()
    client = await connect(settings)
    await ensure_settlement_schedule(client, settings)
    await ensure_commission_schedule(client, settings)
    stop = _stop_on_signals()
    with ThreadPoolExecutor(max_workers=ACTIVITY_THREADS) as executor:
        worker = build_worker(client, settings, executor)
        sweeper = asyncio.create_task(_sweep_forever(client))
        lexicon = asyncio.create_task(_restore_lexicon_daily())
        async with worker:
            log.info("worker polling task queue %s on %s", settings.task_queue, settings.temporal_address)
            await stop.wait()
        sweeper.cancel()
        lexicon.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description="Comptoir's Temporal worker")
    parser.add_argument(
        "--documents", action="store_true", help="serve the documents queue (invoice PDFs) only"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for chatty in ("weasyprint", "fontTools"):  # a line per PDF layout step otherwise
        logging.getLogger(chatty).setLevel(logging.WARNING)
    asyncio.run(run_documents_worker() if args.documents else run_worker())
    gc.collect()  # avoids a known crash of short-lived SDK processes at exit (sdk-python#300)


if __name__ == "__main__":
    main()
