"""The whole platform on free loopback ports for the benchmarks, and what they share.

`Stack` starts a scratch database (created on DATABASE_URL's server, or on the embedded
PostgreSQL under var/pg, dropped at the end), a Temporal dev server (SQLite WAL file in a
temporary folder), localstripe, the SMTP sink, the order worker (`python -m workflows.worker`,
or a tuned copy of it, see below) and the API (uvicorn), each as a child process whose log
goes to the temporary folder. It seeds the demo town plus benchmark shoppers, and gives the
drivers: logged-in HTTP clients, the PaymentIntent confirmation on localstripe, signed
webhooks, a watcher that follows order statuses in PostgreSQL, CPU/RSS monitoring and the
bare-workflow baseline (a tiny workflow with no-op activities on the same server).

Run as a script, this file is a worker process:
  python bench/stack.py worker       the order workflows and activities, with the tuning
                                     read from BENCH_WORKER_* (see `WorkerTuning`)
  python bench/stack.py bare-worker  the bare workflow and its no-op activity
Both read COMPTOIR_TEMPORAL_ADDRESS / COMPTOIR_TASK_QUEUE like the real worker.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import hashlib
import hmac
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

from temporalio import activity, workflow

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The bare workflow below lives in this module, which the worker's sandbox may import:
# everything that is not standard library or temporalio is passed through.
with workflow.unsafe.imports_passed_through():
    import httpx
    import psutil
    import psycopg
    from sqlalchemy.engine import make_url

    from devstack.services import (
        HOST,
        ServiceProcess,
        SmtpSink,
        TemporalServer,
        free_port,
        spawn,
        start_localstripe,
        start_postgres,
        start_smtp_sink,
        start_temporal,
    )

PYTHON = sys.executable
BENCH_PASSWORD = "Banc-d-essai-solide-2026"
DEMO_PASSWORD = "montlouvier-demo"
BILLING = {
    "name": "Camille Martin",
    "line1": "12 rue des Tanneurs",
    "postal_code": "49350",
    "city": "Montlouvier-sur-Loire",
}
# The order worker's own figures (workflows/worker.py) unless a variant says otherwise.
DEFAULT_ACTIVITY_THREADS = 16
DEFAULT_WORKFLOW_TASK_SLOTS = 8


# --- small figures helpers --------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def describe_ms(name: str, seconds: Sequence[float], cuts: Sequence[int] = (50, 95)) -> str:
    """`name: p50 x ms  p95 y ms  max z ms (n)` from durations in seconds."""
    if not seconds:
        return f"{name}: no sample"
    parts = [f"p{c} {percentile(seconds, c) * 1000:.0f} ms" for c in cuts]
    return f"{name}: " + "  ".join(parts) + f"  max {max(seconds) * 1000:.0f} ms  (n={len(seconds)})"


def machine_line() -> str:
    """CPU count, load average and memory, to print next to every figure."""
    load = os.getloadavg()
    memory = psutil.virtual_memory()
    return (
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"{memory.total / 2**30:.1f} GiB RAM, Python {sys.version.split()[0]}"
    )


# --- worker tuning (read by `python bench/stack.py worker`) -------------------------------


@dataclass(frozen=True)
class WorkerTuning:
    """Settings of a tuned order worker; None keeps the SDK's or build_worker's default."""

    max_concurrent_activities: int | None = None
    activity_threads: int | None = None
    workflow_task_pollers: int | None = None
    activity_task_pollers: int | None = None
    max_cached_workflows: int | None = None
    max_concurrent_workflow_tasks: int | None = None
    # 1: pass the project's own modules (workflows, activities, comptoir) through the
    # sandbox instead of importing them again for every workflow run (an experiment to
    # measure that cost; workflows/worker.py keeps the SDK's default sandbox).
    sandbox_passthrough: int | None = None
    # 1: measure each activity's thread CPU time and write the totals, every second, to
    # `<COMPTOIR_VAR_DIR>/activity-cpu-<pid>.json` (see `ActivityCpu`).
    activity_cpu: int | None = None

    ENV_PREFIX = "BENCH_WORKER_"

    def env(self) -> dict[str, str]:
        """The BENCH_WORKER_* variables that carry these settings to the worker process."""
        return {
            self.ENV_PREFIX + name.upper(): str(value)
            for name, value in self.__dict__.items()
            if value is not None
        }

    @classmethod
    def from_env(cls) -> WorkerTuning:
        """The settings given to this process by BENCH_WORKER_* variables."""
        values: dict[str, int] = {}
        for name in cls.__dataclass_fields__:
            raw = os.environ.get(cls.ENV_PREFIX + name.upper())
            if raw:
                values[name] = int(raw)
        return cls(**values)

    def label(self) -> str:
        """Short description for the printed figures."""
        given = [f"{k}={v}" for k, v in self.__dict__.items() if v is not None]
        return ", ".join(given) or "defaults of workflows/worker.py"

    def is_default(self) -> bool:
        """Whether nothing is changed (the real `python -m workflows.worker` is then used)."""
        return all(value is None for value in self.__dict__.values())


ACTIVITY_CPU_GLOB = "activity-cpu-*.json"  # one file per worker process: -<pid>.json


class ActivityCpu:
    """Thread CPU time spent in each activity, by activity name (calls, seconds)."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """The same activity (name, signature, type hints), timed."""
        name = activity._Definition.must_from_callable(function).name or function.__name__

        @functools.wraps(function)
        def timed(*args: Any) -> Any:
            started = time.thread_time()
            try:
                return function(*args)
            finally:
                spent = time.thread_time() - started
                with self.lock:
                    calls_seconds = self.totals.setdefault(name, [0.0, 0.0])
                    calls_seconds[0] += 1
                    calls_seconds[1] += spent

        timed.__dict__.pop("__temporal_activity_definition", None)  # copied by wraps
        return activity.defn(name=name)(timed)

    async def write_forever(self, path: Path) -> None:
        """Rewrite the totals every second (the benchmark reads them while the worker runs)."""
        while True:
            with self.lock:
                payload = json.dumps(self.totals)
            path.write_text(payload)
            await asyncio.sleep(1)


def read_activity_cpu(folder: Path) -> dict[str, list[float]]:
    """The totals the workers with `activity_cpu` wrote last, summed (empty when none)."""
    totals: dict[str, list[float]] = {}
    for path in folder.glob(ACTIVITY_CPU_GLOB):
        try:
            data: dict[str, list[float]] = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for name, (calls, seconds) in data.items():
            summed = totals.setdefault(name, [0.0, 0.0])
            summed[0] += calls
            summed[1] += seconds
    return totals


def activity_cpu_lines(
    before: dict[str, list[float]], after: dict[str, list[float]], orders: int,
    worker_cpu_per_order: float,
) -> list[str]:
    """Each activity's CPU per order over a window, and what is left for workflow tasks."""
    rows: list[tuple[float, str]] = []
    total = 0.0
    for name, (calls, seconds) in after.items():
        calls -= before.get(name, [0.0, 0.0])[0]
        seconds -= before.get(name, [0.0, 0.0])[1]
        if calls <= 0 or not orders:
            continue
        total += seconds / orders
        rows.append((seconds / orders, f"  {name:<24} {seconds / orders * 1000:6.1f} ms per order"
                                       f"  ({calls / orders:.1f} calls, {seconds / calls * 1000:.1f} ms each)"))  # fmt: skip
    lines = ["activity CPU (thread time) per order:"] + [row for _, row in sorted(rows, reverse=True)]
    lines.append(
        f"  activities {total * 1000:.0f} ms of the worker's {worker_cpu_per_order * 1000:.0f} ms "
        f"per order; the rest ({(worker_cpu_per_order - total) * 1000:.0f} ms) is workflow tasks "
        f"(sandbox, replay), the SDK, gRPC and Python's thread switching"
    )
    return lines


async def run_tuned_worker(tuning: WorkerTuning) -> None:
    """The order worker with `tuning` applied, until SIGTERM/SIGINT."""
    from temporalio.worker import PollerBehaviorSimpleMaximum, Worker

    from activities.orders import ALL_ACTIVITIES
    from comptoir.settings import get_settings
    from comptoir.temporal import connect
    from workflows.worker import WORKFLOWS

    settings = get_settings()
    client = await connect(settings)
    activities = cast("list[Callable[..., Any]]", ALL_ACTIVITIES)
    writer: asyncio.Task[None] | None = None
    if tuning.activity_cpu:
        meter = ActivityCpu()
        activities = [meter.wrap(a) for a in activities]
        target = settings.var_dir / ACTIVITY_CPU_GLOB.replace("*", str(os.getpid()))
        writer = asyncio.create_task(meter.write_forever(target))
    threads = tuning.activity_threads or tuning.max_concurrent_activities or DEFAULT_ACTIVITY_THREADS
    options: dict[str, Any] = {
        "max_concurrent_activities": tuning.max_concurrent_activities or DEFAULT_ACTIVITY_THREADS
    }
    if tuning.workflow_task_pollers:
        options["workflow_task_poller_behavior"] = PollerBehaviorSimpleMaximum(
            tuning.workflow_task_pollers
        )
    if tuning.activity_task_pollers:
        options["activity_task_poller_behavior"] = PollerBehaviorSimpleMaximum(
            tuning.activity_task_pollers
        )
    if tuning.max_cached_workflows is not None:
        options["max_cached_workflows"] = tuning.max_cached_workflows
    options["max_concurrent_workflow_tasks"] = (
        tuning.max_concurrent_workflow_tasks or DEFAULT_WORKFLOW_TASK_SLOTS
    )
    if tuning.sandbox_passthrough:
        from temporalio.worker.workflow_sandbox import (
            SandboxedWorkflowRunner,
            SandboxRestrictions,
        )

        restrictions = SandboxRestrictions.default.with_passthrough_modules(
            "workflows", "activities", "comptoir"
        )
        options["workflow_runner"] = SandboxedWorkflowRunner(restrictions=restrictions)
    await _serve(
        lambda executor: Worker(
            client,
            task_queue=settings.task_queue,
            workflows=WORKFLOWS,
            activities=activities,
            activity_executor=executor,
            **options,
        ),
        threads,
        f"tuned order worker ({tuning.label()}) polling {settings.task_queue}",
    )
    if writer is not None:
        writer.cancel()


async def _serve(build: Callable[[ThreadPoolExecutor], Any], threads: int, banner: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    with ThreadPoolExecutor(max_workers=threads) as executor:
        async with build(executor):
            print(f"worker polling: {banner}", flush=True)
            await stop.wait()


# --- the bare baseline: a workflow of no-op activities -------------------------------------


@activity.defn(name="bench_noop")
def noop_activity(step: int) -> int:
    """Does nothing (synchronous, in the thread pool, like the platform's activities)."""
    return step


@workflow.defn(name="BenchBareWorkflow")
class BareWorkflow:
    """`local` no-op local activities, then `activities` no-op activities, one after the
    other, as an order runs its steps (its short writes are local activities)."""

    @workflow.run
    async def run(self, activities: int, local: int = 0) -> int:
        for step in range(local):
            await workflow.execute_local_activity(
                noop_activity, step, start_to_close_timeout=timedelta(seconds=60)
            )
        for step in range(activities):
            await workflow.execute_activity(
                noop_activity, step, start_to_close_timeout=timedelta(seconds=60)
            )
        return activities + local


async def run_bare_worker() -> None:
    """The bare workflow's worker, shaped like the order worker (16 threads, 16 activities)."""
    from temporalio.worker import Worker
    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

    from comptoir.settings import get_settings
    from comptoir.temporal import connect

    settings = get_settings()
    client = await connect(settings)
    # This module is already loaded: the sandbox uses it as is instead of importing it again.
    runner = SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(__name__)
    )
    await _serve(
        lambda executor: Worker(
            client,
            task_queue=settings.task_queue,
            workflows=[BareWorkflow],
            activities=[noop_activity],
            activity_executor=executor,
            max_concurrent_activities=DEFAULT_ACTIVITY_THREADS,
            workflow_runner=runner,
        ),
        DEFAULT_ACTIVITY_THREADS,
        f"bare workflows polling {settings.task_queue}",
    )


@dataclass
class HistoryCounts:
    """Per order, from its histories (its workflow and its shops' workflows), means."""

    activities: float
    local: float  # local activities (their markers)
    tasks: float
    events: float

    def line(self, until: str) -> str:
        """The counts as printed by the order benchmarks."""
        return (
            f"per order (its workflow + its shops' workflows, {until}): {self.activities:.1f} "
            f"activities, {self.local:.1f} local activities, {self.tasks:.1f} workflow tasks, "
            f"{self.events:.0f} history events"
        )


@dataclass
class BareResult:
    """Figures of one bare run."""

    workflows: int
    activities: int
    seconds: float
    latencies: list[float]
    local: int = 0

    @property
    def rate(self) -> float:
        """Workflows per second."""
        return self.workflows / self.seconds if self.seconds else float("nan")


def add_service_options(parser: argparse.ArgumentParser) -> None:
    """--temporal-address / --database-url: measure existing services instead of our own."""
    parser.add_argument(
        "--temporal-address", default="",
        help="an existing Temporal frontend (host:port) instead of a dev server of our own",
    )  # fmt: skip
    parser.add_argument(
        "--database-url", default="",
        help="an existing PostgreSQL server (SQLAlchemy URL) for the scratch database",
    )  # fmt: skip


def add_worker_options(parser: argparse.ArgumentParser) -> None:
    """The worker tuning flags shared by the order benchmarks."""
    group = parser.add_argument_group("worker variant (default: python -m workflows.worker)")
    group.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    add_service_options(parser)
    group.add_argument("--max-activities", type=int, help="max_concurrent_activities")
    group.add_argument("--activity-threads", type=int, help="activity thread pool size")
    group.add_argument("--wf-pollers", type=int, help="workflow task pollers (SDK default 5)")
    group.add_argument("--act-pollers", type=int, help="activity task pollers (SDK default 5)")
    group.add_argument("--cache", type=int, help="max_cached_workflows (sticky cache, default 1000)")
    group.add_argument("--max-wf-tasks", type=int, help="max_concurrent_workflow_tasks")
    group.add_argument(
        "--activity-cpu", action="store_const", const=1,
        help="measure each activity's CPU time in the worker (printed per order)",
    )  # fmt: skip
    group.add_argument(
        "--sandbox-passthrough", action="store_const", const=1,
        help="pass workflows/, activities/, comptoir/ through the sandbox (no re-import per run)",
    )  # fmt: skip


def tuning_of(args: argparse.Namespace) -> WorkerTuning:
    """The worker variant asked for on the command line."""
    return WorkerTuning(
        max_concurrent_activities=args.max_activities,
        activity_threads=args.activity_threads,
        workflow_task_pollers=args.wf_pollers,
        activity_task_pollers=args.act_pollers,
        max_cached_workflows=args.cache,
        max_concurrent_workflow_tasks=args.max_wf_tasks,
        sandbox_passthrough=args.sandbox_passthrough,
        activity_cpu=args.activity_cpu,
    )


# --- process monitoring -------------------------------------------------------------------


def _tree(pid: int) -> list[psutil.Process]:
    # The driver is the parent of every service: count only itself, not its children.
    try:
        root = psutil.Process(pid)
        return [root] if pid == os.getpid() else [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _cpu_seconds(pid: int) -> float:
    total = 0.0
    for process in _tree(pid):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


def _rss(pid: int) -> int:
    total = 0
    for process in _tree(pid):
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


class ProcessMonitor:
    """CPU time and peak RSS of named process trees over a measured window."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.cpu_start: dict[str, float] = {}
        self.cpu_used: dict[str, float] = {}
        self.peak_rss: dict[str, int] = dict.fromkeys(pids, 0)
        self.started = 0.0
        self.seconds = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            for name, pid in self.pids.items():
                self.peak_rss[name] = max(self.peak_rss[name], _rss(pid))
            await asyncio.sleep(0.5)

    def start(self) -> None:
        """Begin the window."""
        self.started = time.monotonic()
        self.cpu_start = {name: _cpu_seconds(pid) for name, pid in self.pids.items()}
        self._task = asyncio.create_task(self._sample())

    async def stop(self) -> None:
        """End the window."""
        self.seconds = time.monotonic() - self.started
        self.cpu_used = {
            name: _cpu_seconds(pid) - self.cpu_start[name] for name, pid in self.pids.items()
        }
        for name, pid in self.pids.items():
            self.peak_rss[name] = max(self.peak_rss[name], _rss(pid))
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    def lines(self) -> list[str]:
        """One line per process: CPU seconds, cores used on average, peak RSS."""
        rows = []
        for name in self.pids:
            cpu = self.cpu_used.get(name, 0.0)
            cores = cpu / self.seconds if self.seconds else 0.0
            rows.append(
                f"  {name:<12} CPU {cpu:6.1f} s = {cores:4.2f} core(s) over {self.seconds:.1f} s"
                f"   peak RSS {self.peak_rss[name] / 2**20:6.0f} MiB"
            )
        return rows

    def cpu_per(self, count: int, names: Sequence[str]) -> float:
        """CPU seconds of the named processes per unit of work (order, workflow)."""
        # "worker" also counts "worker-2", "worker-3", ... (several worker processes).
        used = sum(
            seconds
            for process, seconds in self.cpu_used.items()
            if any(process == name or process.startswith(name + "-") for name in names)
        )
        return used / count if count else 0.0

    def per_unit_line(self, count: int, unit: str) -> str:
        """`CPU per <unit>: worker 418 ms, temporal 160 ms, ...`."""
        parts = [
            f"{name} {self.cpu_used.get(name, 0.0) / count * 1000:.0f} ms" if count else name
            for name in self.pids
        ]
        return f"CPU per {unit}: " + ", ".join(parts)


# The processes that run the workflows: the workers (orders, documents) and the Temporal server.
ENGINE = ("worker", "documents", "temporal")


# --- the order watcher (reads the projections the activities write) ----------------------


@dataclass
class OrderState:
    """An order's projection: status, stage and each shop's part."""

    order_id: int
    status: str
    stage: str
    parts: list[tuple[int, int, str, str]]  # vendor order id, shop id, status, delivery kind


Predicate = Callable[[OrderState], bool]


class OrderWatcher:
    """One query every `interval` s for every order someone waits on (cheap at any concurrency)."""

    def __init__(self, database_url: str, interval: float = 0.05) -> None:
        self.database_url = database_url
        self.interval = interval
        self.waiters: list[tuple[int, Predicate, asyncio.Future[OrderState]]] = []
        self._task: asyncio.Task[None] | None = None
        self._conn: psycopg.AsyncConnection[Any] | None = None

    async def __aenter__(self) -> Self:
        self._conn = await psycopg.AsyncConnection.connect(self.database_url, autocommit=True)
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self._conn is not None:
            await self._conn.close()

    async def _loop(self) -> None:
        assert self._conn is not None
        while True:
            await asyncio.sleep(self.interval)
            if not self.waiters:
                continue
            ids = sorted({order_id for order_id, _, _ in self.waiters})
            cursor = await self._conn.execute(
                """
                SELECT o.id, o.status::text, o.stage,
                       coalesce(json_agg(json_build_array(v.id, v.shop_id, v.status::text,
                                                          v.delivery_kind::text) ORDER BY v.id)
                                FILTER (WHERE v.id IS NOT NULL), '[]')
                FROM orders o LEFT JOIN vendor_orders v ON v.order_id = o.id
                WHERE o.id = ANY(%s) GROUP BY o.id
                """,
                (ids,),
            )
            states = {
                row[0]: OrderState(row[0], row[1], row[2], [tuple(p) for p in row[3]])  # type: ignore[misc]
                for row in await cursor.fetchall()
            }
            kept = []
            for order_id, predicate, future in self.waiters:
                state = states.get(order_id)
                if future.done():
                    continue
                if state is not None and predicate(state):
                    future.set_result(state)
                else:
                    kept.append((order_id, predicate, future))
            self.waiters = kept

    async def wait(
        self, order_id: int, predicate: Predicate, timeout: float = 120.0, what: str = ""
    ) -> OrderState:
        """The order's state once `predicate` holds; TimeoutError after `timeout` s."""
        future: asyncio.Future[OrderState] = asyncio.get_running_loop().create_future()
        self.waiters.append((order_id, predicate, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(f"order {order_id}: {what or 'condition'} not reached in {timeout} s") from None


def started_with(status: str) -> Predicate:
    """The workflow projected `status` (not merely the row checkout wrote)."""
    return lambda s: s.status == status and s.stage not in ("start_pending", "created")


def dispatched(state: OrderState) -> bool:
    """Paid, and every live shop's part is with its shop (its workflow is running)."""
    live = [p for p in state.parts if p[2] != "cancelled"]
    return state.status == "processing" and bool(live) and all(p[2] == "confirmed" for p in live)


# --- Stripe: payment on localstripe and signed webhooks -------------------------------------


def signed_event(intent_id: str, amount_cents: int, secret: str) -> tuple[bytes, str]:
    """A `payment_intent.succeeded` event and its Stripe-Signature header, as Stripe sends them."""
    event = {
        "id": f"evt_bench_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2017-08-15",
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount_cents,
                "currency": "eur",
                "status": "succeeded",
                "last_payment_error": None,
                "metadata": {},
            }
        },
    }
    payload = json.dumps(event).encode()
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={stamp},v1={digest}"


# --- catalogue and accounts seeded for the benchmarks ---------------------------------------


@dataclass
class ShopInfo:
    """A demo shop the benchmarks may order from."""

    shop_id: int
    slug: str
    merchant_email: str
    product_ids: list[int]
    search_terms: list[str]


@dataclass
class Seed:
    """What the drivers need: shops with orderable products, shopper and merchant e-mails."""

    shops: list[ShopInfo]
    shopper_emails: list[str]


def seed_town(shoppers: int, stock: int = 1_000_000) -> Seed:
    """The demo town, `shoppers` benchmark shoppers, and enough stock for any run."""
    from sqlalchemy import select, update

    from comptoir.db import session_scope
    from comptoir.models import Product, Role, Shop, ShopStatus, User
    from comptoir.security import hash_password
    from demo.load import load_demo

    password_hash = hash_password(BENCH_PASSWORD)
    with session_scope() as db:
        load_demo(db)
        emails = [f"banc{i:04d}@bench.test" for i in range(shoppers)]
        for n, email in enumerate(emails):
            db.add(
                User(
                    email=email,
                    password_hash=password_hash,
                    role=Role.shopper,
                    first_name="Banc",
                    last_name=f"Essai {n}",
                )
            )
        orderable = (Product.active.is_(True)) & (Product.requires_confirmation.is_(False))
        db.execute(update(Product).where(orderable).values(stock=stock))
        db.flush()
        rows = db.execute(
            select(Shop.id, Shop.slug, User.email, Product.id, Product.name)
            .join(User, User.id == Shop.owner_id)
            .join(Product, Product.shop_id == Shop.id)
            .where(Shop.status == ShopStatus.approved, orderable)
            .order_by(Shop.id, Product.id)
        ).all()
    shops: dict[int, ShopInfo] = {}
    for shop_id, slug, email, product_id, name in rows:
        info = shops.setdefault(shop_id, ShopInfo(shop_id, slug, email, [], []))
        info.product_ids.append(product_id)
        word = next((w for w in name.split() if len(w) >= 5 and w.isalpha()), "")
        if word and word.lower() not in info.search_terms and len(info.search_terms) < 8:
            info.search_terms.append(word.lower())
    return Seed(shops=[s for s in shops.values() if s.product_ids], shopper_emails=emails)


# --- HTTP helpers ---------------------------------------------------------------------------


class HttpError(RuntimeError):
    """An unexpected HTTP answer (the benchmark counts it and goes on)."""


def check(response: httpx.Response, expected: int = 200) -> Any:
    """The JSON body of an expected answer; HttpError otherwise."""
    if response.status_code != expected:
        raise HttpError(
            f"{response.request.method} {response.request.url.path}: HTTP {response.status_code} "
            f"{response.text[:300]}"
        )
    return response.json() if response.content else None


def choose_delivery(shop: dict[str, Any], rng: random.Random, mix: bool) -> dict[str, Any]:
    """A delivery choice for one shop of the cart (GET /api/cart), valid for checkout.

    `mix` False: pickup without slots, else a delivery mode, else a pickup slot (slot
    capacity involved only when nothing else is offered); True: any offered option, slots
    included, drawn at random.
    """
    modes = shop["delivery_modes"]
    pickup = [m for m in modes if m["kind"] == "pickup"]
    others = [m for m in modes if m["kind"] != "pickup"]
    slots = [s for s in shop["pickup_slots"] if s["remaining"] > 0]
    options: list[dict[str, Any]] = []
    for mode in pickup:
        if not shop["has_pickup_slots"]:
            options.append({"shop_id": shop["shop_id"], "delivery_mode_id": mode["id"]})
        elif slots and mix:
            slot = rng.choice(slots[:20])
            options.append(
                {"shop_id": shop["shop_id"], "delivery_mode_id": mode["id"],
                 "pickup_slot_start": slot["start"]}
            )  # fmt: skip
    options += [{"shop_id": shop["shop_id"], "delivery_mode_id": m["id"]} for m in others]
    if not options and pickup and slots:  # pickup in slots only: take one with room left
        slot = rng.choice(slots[:20])
        options.append(
            {"shop_id": shop["shop_id"], "delivery_mode_id": pickup[0]["id"],
             "pickup_slot_start": slot["start"]}
        )  # fmt: skip
    if not options:
        raise HttpError(f"shop {shop['shop_id']} offers no usable delivery option")
    return rng.choice(options) if mix else options[0]


def hand_over_step(kind: str, vendor_order_id: int) -> tuple[str, dict[str, str]]:
    """The merchant's step after `prepare` for a delivery kind: its route name and body."""
    if kind == "pickup":
        return "ready", {}
    return "ship", {"carrier": "Vélo", "tracking_number": f"B-{vendor_order_id}"}


@dataclass
class Placed:
    """An order just placed through POST /api/checkout."""

    order_id: int
    started: float  # wall clock when the checkout request left
    checkout_seconds: float  # the checkout request's own latency
    kinds: list[str] = field(default_factory=list)


# Requests that read the cart before the previous write was visible (see `place_order`).
STALE_READS: list[int] = [0]
# Checkouts refused because the chosen pickup slot filled up meanwhile (chosen again).
SLOT_RETRIES: list[int] = [0]


async def place_order(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    product_ids: Sequence[int],
    rng: random.Random,
    mix: bool = False,
) -> Placed:
    """Cart (one of each product), a delivery choice per shop, checkout; as a shopper would.

    The API commits after sending its answer (comptoir/web/deps.py: `get_db` is a yield dependency
    whose exit runs once the response is sent), so a 201 on POST /api/cart/items does not
    mean the next request sees the line: the cart is read again until it holds every
    product, and each extra read is counted in STALE_READS.
    """
    try:
        for product_id in product_ids:
            check(
                await http.post(
                    "/api/cart/items", json={"product_id": product_id, "quantity": 1},
                    headers=headers,
                ),
                201,
            )  # fmt: skip
        for _ in range(100):
            cart = check(await http.get("/api/cart", headers=headers))
            held = {line["product_id"] for shop in cart["shops"] for line in shop["lines"]}
            if held >= set(product_ids):
                break
            STALE_READS[0] += 1
            await asyncio.sleep(0.01)
        for attempt in range(3):
            choices = [choose_delivery(shop, rng, mix) for shop in cart["shops"]]
            kinds = [
                next(m["kind"] for m in shop["delivery_modes"] if m["id"] == c["delivery_mode_id"])
                for shop, c in zip(cart["shops"], choices, strict=True)
            ]
            started, t0 = time.time(), time.perf_counter()
            answer = await http.post(
                "/api/checkout",
                # The phone is asked whenever a shop delivers with its own courier.
                json={"billing_address": BILLING, "shops": choices, "phone": "06 12 34 56 78"},
                headers=headers,
            )  # fmt: skip
            if answer.status_code == 409 and "slot_full" in answer.text and attempt < 2:
                SLOT_RETRIES[0] += 1  # another shopper took the last place: choose again
                cart = check(await http.get("/api/cart", headers=headers))
                continue
            body = check(answer, 201)
            break
        seconds = time.perf_counter() - t0
    except HttpError:
        await http.delete("/api/cart", headers=headers)  # the next order starts clean
        raise
    if not body["workflow_started"]:
        raise HttpError(f"order {body['order_id']}: workflow not started at checkout")
    return Placed(int(body["order_id"]), started, seconds, kinds)


# --- the stack ------------------------------------------------------------------------------


@dataclass
class StackOptions:
    """How to start the stack."""

    shoppers: int = 50
    worker: WorkerTuning = field(default_factory=WorkerTuning)
    api_workers: int = 1
    keep_temp: bool = False
    workers: int = 1  # order worker processes on the same task queue
    # Existing services to measure instead of starting our own: a Temporal frontend
    # (host:port; its namespace must know the OrderId and OrderStage search attributes) and a
    # PostgreSQL server (the scratch database is created there and dropped at the end).
    temporal_address: str = ""
    database_url: str = ""


class Stack:
    """Every service of the platform as child processes on free loopback ports."""

    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.temp = Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
        self.log_dir = self.temp / "log"
        self.services: list[ServiceProcess] = []
        self.closers: list[Callable[[], None]] = []
        self.admin_url = ""
        self.database_url = ""
        self.env: dict[str, str] = {}
        self.api_url = ""
        self.stripe_url = ""
        self.temporal: TemporalServer | None = None
        self.smtp: SmtpSink | None = None
        self.worker: ServiceProcess | None = None
        self.documents: ServiceProcess | None = None
        self.workers: list[ServiceProcess] = []
        self.bare_worker: ServiceProcess | None = None
        self.api: ServiceProcess | None = None
        self.localstripe: ServiceProcess | None = None
        self.seed: Seed | None = None
        self.task_queue = f"bench-orders-{uuid.uuid4().hex[:8]}"
        self.bare_queue = f"bench-bare-{uuid.uuid4().hex[:8]}"
        self.webhook_secret = ""
        self.stripe_key = ""

    # --- start / stop -----------------------------------------------------------------------

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def say(self, message: str) -> None:
        """A progress line on stderr (figures go to stdout)."""
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    def start(self) -> None:
        """Database, Temporal, localstripe, SMTP sink, seed, worker, API."""
        started = time.monotonic()
        if self.options.database_url:
            os.environ["DATABASE_URL"] = self.options.database_url
        server_url, close_pg = start_postgres(ROOT / "var")
        self.closers.append(close_pg)
        name = f"comptoir_bench_{uuid.uuid4().hex[:10]}"
        self.admin_url = _libpq(server_url)
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.closers.append(lambda: self._drop_database(name))
        self.database_url = make_url(server_url).set(database=name).render_as_string(
            hide_password=False
        )
        temporal_port, stripe_port, smtp_port, api_port = (free_port() for _ in range(4))
        self.api_url = f"http://{HOST}:{api_port}"
        self.stripe_url = f"http://{HOST}:{stripe_port}"
        self.env = {
            "DATABASE_URL": self.database_url,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(
                os.pathsep
            ),
            "COMPTOIR_ENVIRONMENT": "development",
            "COMPTOIR_VAR_DIR": str(self.temp),
            "COMPTOIR_TEMPORAL_ADDRESS": self.options.temporal_address or f"{HOST}:{temporal_port}",
            "COMPTOIR_TASK_QUEUE": self.task_queue,
            "COMPTOIR_DOCUMENTS_TASK_QUEUE": f"{self.task_queue}-documents",
            "COMPTOIR_STRIPE_API_BASE": self.stripe_url,
            "COMPTOIR_STRIPE_JS_URL": f"{self.stripe_url}/js.stripe.com/v3/",
            "COMPTOIR_SMTP_HOST": HOST,
            "COMPTOIR_SMTP_PORT": str(smtp_port),
            "COMPTOIR_PUBLIC_URL": self.api_url,
            "PYTHONUNBUFFERED": "1",
        }
        os.environ.update(self.env)  # this process seeds and reads with the same settings
        from comptoir.db import reset_engine
        from comptoir.settings import get_settings

        get_settings.cache_clear()
        reset_engine()
        settings = get_settings()
        self.webhook_secret = settings.stripe_webhook_secret
        self.stripe_key = settings.stripe_api_key

        self.say(f"scratch database {name}; starting Temporal, localstripe, SMTP sink in {self.temp}")
        if not self.options.temporal_address:
            self.temporal = start_temporal(
                self.temp, port=temporal_port, headless=True, db_file=self.temp / "temporal.db",
                log_dir=self.log_dir, wait=False,
            )  # fmt: skip
            self.services.append(self.temporal)
        self.localstripe = start_localstripe(stripe_port, log_dir=self.log_dir, wait=False)
        self.services.append(self.localstripe)
        self.smtp = start_smtp_sink(
            smtp_port, self.temp / "mail", log_dir=self.log_dir, wait=False
        )
        self.services.append(self.smtp)

        from comptoir.migrate import upgrade

        upgrade(self.database_url)
        self.seed = seed_town(self.options.shoppers)
        self.say(
            f"seeded {len(self.seed.shops)} shops, "
            f"{sum(len(s.product_ids) for s in self.seed.shops)} orderable products, "
            f"{len(self.seed.shopper_emails)} shoppers"
        )
        for service in (self.temporal, self.localstripe, self.smtp):
            if service is not None:
                service.wait_ready()

        self.workers = [
            self.start_order_worker(self.options.worker, n) for n in range(self.options.workers)
        ]
        self.worker = self.workers[0]
        # The invoice PDFs' own worker process, as `make run` starts it.
        self.documents = spawn(
            "documents", [PYTHON, "-m", "workflows.worker", "--documents"],
            log_dir=self.log_dir, env=self.env,
            ready_check=lambda: "documents worker polling" in _read(self.log_dir / "documents.log"),
            startup_timeout=60,
        )  # fmt: skip
        self.services.append(self.documents)
        self.api = spawn(
            "api",
            [PYTHON, "-m", "uvicorn", "api.main:app", "--host", HOST, "--port", str(api_port),
             "--workers", str(self.options.api_workers), "--no-access-log",
             "--log-level", "warning"],
            log_dir=self.log_dir, env=self.env, port=api_port,
            ready_check=lambda: _http_ok(f"{self.api_url}/healthz"), startup_timeout=60,
        )  # fmt: skip
        self.services.append(self.api)
        self.api.wait_ready()
        for worker in [*self.workers, self.documents]:
            worker.wait_ready(60)
        self.say(f"stack ready in {time.monotonic() - started:.1f} s (logs: {self.log_dir})")

    def start_order_worker(self, tuning: WorkerTuning, index: int = 0) -> ServiceProcess:
        """`python -m workflows.worker`, or this file's tuned worker when tuning changes something.

        Process `index` > 0 is named `worker-<index + 1>` (its log and its CPU line).
        """
        name = "worker" if index == 0 else f"worker-{index + 1}"
        if tuning.is_default():
            argv = [PYTHON, "-m", "workflows.worker"]
            marker = "worker polling task queue"
        else:
            argv = [PYTHON, str(Path(__file__).resolve()), "worker"]
            marker = "worker polling:"
        worker = spawn(
            name, argv, log_dir=self.log_dir, env={**self.env, **tuning.env()},
            ready_check=lambda: marker in _read(self.log_dir / f"{name}.log"), startup_timeout=60,
        )  # fmt: skip
        self.services.append(worker)
        return worker

    def start_bare_worker(self) -> ServiceProcess:
        """The worker of the bare workflows, on its own task queue of the same server."""
        worker = spawn(
            "bare-worker", [PYTHON, str(Path(__file__).resolve()), "bare-worker"],
            log_dir=self.log_dir, env={**self.env, "COMPTOIR_TASK_QUEUE": self.bare_queue},
            ready_check=lambda: "worker polling:" in _read(self.log_dir / "bare-worker.log"),
            startup_timeout=60,
        )  # fmt: skip
        self.services.append(worker)
        self.bare_worker = worker.wait_ready()
        return worker

    def stop(self) -> None:
        """Every child in reverse order, then the scratch database and the temporary folder."""
        for service in reversed(self.services):
            service.stop(timeout=10)
        self.services.clear()
        for close in reversed(self.closers):
            try:
                close()
            except Exception as error:  # keep releasing the rest
                self.say(f"clean-up step failed: {error!r}")
        self.closers.clear()
        from comptoir.db import reset_engine

        reset_engine()
        if self.options.keep_temp:
            self.say(f"kept {self.temp}")
        else:
            shutil.rmtree(self.temp, ignore_errors=True)

    def _drop_database(self, name: str) -> None:
        from comptoir.db import reset_engine

        reset_engine()
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def pids(self) -> dict[str, int]:
        """The processes worth watching, by role."""
        named = {
            **{service.name: service for service in self.workers},
            "documents": self.documents,
            "temporal": self.temporal,
            "api": self.api,
            "localstripe": self.localstripe,
        }
        pids = {name: s.pid for name, s in named.items() if s is not None}
        pids["driver"] = os.getpid()
        return pids

    @property
    def libpq_url(self) -> str:
        """The scratch database's URL for psycopg."""
        return _libpq(self.database_url)

    # --- driving ----------------------------------------------------------------------------

    def http(self, concurrency: int) -> httpx.AsyncClient:
        """An HTTP client to the API, sized for `concurrency` simultaneous requests."""
        # An idle connection is dropped before uvicorn's own keep-alive (5 s) closes it: reused
        # just as the server closes it, a request would fail with ReadError (clients that
        # pause between requests, `--think`, meet it).
        limits = httpx.Limits(
            max_connections=concurrency + 8, max_keepalive_connections=concurrency + 8,
            keepalive_expiry=2.0,
        )  # fmt: skip
        return httpx.AsyncClient(base_url=self.api_url, timeout=60, limits=limits)

    def stripe_http(self, concurrency: int) -> httpx.AsyncClient:
        """An HTTP client to localstripe (what Stripe.js does in the browser)."""
        limits = httpx.Limits(
            max_connections=concurrency + 4, max_keepalive_connections=concurrency + 4,
            keepalive_expiry=2.0,
        )  # fmt: skip
        return httpx.AsyncClient(
            base_url=self.stripe_url, timeout=60, limits=limits,
            headers={"Authorization": f"Bearer {self.stripe_key}"},
        )  # fmt: skip

    async def login_all(
        self, http: httpx.AsyncClient, emails: Sequence[str], password: str, parallel: int = 4
    ) -> dict[str, dict[str, str]]:
        """Bearer headers per e-mail (logins hash with Argon2id: a few at a time)."""
        gate = asyncio.Semaphore(parallel)

        async def one(email: str) -> tuple[str, dict[str, str]]:
            async with gate:
                body = check(
                    await http.post("/api/auth/login", json={"email": email, "password": password})
                )
            return email, {"Authorization": f"Bearer {body['token']}"}

        return dict(await asyncio.gather(*(one(e) for e in emails)))

    async def pay(
        self, http: httpx.AsyncClient, stripe: httpx.AsyncClient, headers: dict[str, str],
        order_id: int,
    ) -> float:
        """The shopper pays: intent from the API, card confirmed on localstripe, webhook.

        Returns the wall-clock time at which the webhook was sent.
        """
        intent_id, amount = await self.confirm_card(http, stripe, headers, order_id)
        return await self.payment_succeeded(http, order_id, intent_id, amount)

    async def confirm_card(
        self, http: httpx.AsyncClient, stripe: httpx.AsyncClient, headers: dict[str, str],
        order_id: int,
    ) -> tuple[str, int]:
        """The shopper's card confirmed on localstripe (the order does not know it yet).

        Returns the PaymentIntent's id and amount, for `payment_succeeded`.
        """
        payment = check(await http.get(f"/api/orders/{order_id}/payment", headers=headers))
        intent_id = payment["client_secret"].split("_secret_")[0]
        check(await stripe.post(f"/v1/payment_intents/{intent_id}",
                                data={"payment_method": "pm_card_visa"}))  # fmt: skip
        intent = check(await stripe.post(f"/v1/payment_intents/{intent_id}/confirm"))
        if intent.get("status") != "succeeded":
            raise HttpError(f"PaymentIntent {intent_id} is {intent.get('status')}")
        return intent_id, int(intent["amount"])

    async def payment_succeeded(
        self, http: httpx.AsyncClient, order_id: int, intent_id: str, amount: int
    ) -> float:
        """Stripe's signed `payment_intent.succeeded` webhook to the API; when it was sent."""
        payload, signature = signed_event(intent_id, amount, self.webhook_secret)
        sent = time.time()
        answer = check(
            await http.post(
                "/api/webhooks/stripe", content=payload,
                headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
            )
        )  # fmt: skip
        if not answer.get("forwarded"):
            raise HttpError(f"webhook for order {order_id} not forwarded: {answer}")
        return sent

    async def status_times(self, to_status: str, order_ids: Sequence[int]) -> dict[int, float]:
        """When each order's projection reached `to_status` (status_events, epoch seconds)."""
        async with await psycopg.AsyncConnection.connect(self.libpq_url, autocommit=True) as conn:
            cursor = await conn.execute(
                "SELECT order_id, min(extract(epoch FROM at))::float8 FROM status_events "
                "WHERE vendor_order_id IS NULL AND to_status = %s AND order_id = ANY(%s) "
                "GROUP BY order_id",
                (to_status, list(order_ids)),
            )
            return {int(row[0]): float(row[1]) for row in await cursor.fetchall()}

    async def activities_per_order(self, order_ids: Sequence[int]) -> HistoryCounts:
        """Mean activities scheduled, local activities, workflow tasks and history events per
        order (its workflow + its shops' workflows), read from the Temporal histories."""
        from temporalio.api.enums.v1 import EventType

        from comptoir.orders.contracts import order_workflow_id, vendor_order_workflow_id
        from comptoir.settings import get_settings
        from comptoir.temporal import connect

        client = await connect(get_settings())
        async with await psycopg.AsyncConnection.connect(self.libpq_url, autocommit=True) as conn:
            cursor = await conn.execute(
                "SELECT order_id, id FROM vendor_orders WHERE order_id = ANY(%s)", (list(order_ids),)
            )
            parts = await cursor.fetchall()
        ids = [order_workflow_id(o) for o in order_ids] + [vendor_order_workflow_id(v) for _, v in parts]
        activities = local = tasks = events = 0
        for workflow_id in ids:
            try:
                history = await client.get_workflow_handle(workflow_id).fetch_history()
            except Exception:  # a shop's part whose workflow never started
                continue
            events += len(history.events)
            for event in history.events:
                if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                    activities += 1
                elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                    tasks += 1
                elif (
                    event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
                    and event.marker_recorded_event_attributes.marker_name == "core_local_activity"
                ):
                    local += 1
        count = len(order_ids)
        return HistoryCounts(activities / count, local / count, tasks / count, events / count)

    async def run_bare(
        self, workflows: int, activities: int, concurrency: int, local: int = 0
    ) -> BareResult:
        """`workflows` bare workflows of `activities` no-op activities (and `local` no-op local
        activities), `concurrency` at a time."""
        from comptoir.settings import get_settings
        from comptoir.temporal import connect

        if self.bare_worker is None:
            self.start_bare_worker()
        client = await connect(get_settings())
        gate = asyncio.Semaphore(concurrency)
        latencies: list[float] = []
        prefix = uuid.uuid4().hex[:8]

        async def one(n: int) -> None:
            async with gate:
                t0 = time.perf_counter()
                await client.execute_workflow(
                    BareWorkflow.run, args=[activities, local], id=f"bare-{prefix}-{n}",
                    task_queue=self.bare_queue,
                )  # fmt: skip
                latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(workflows)))
        return BareResult(workflows, activities, time.perf_counter() - started, latencies, local)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def bare_lines(bare: BareResult, ours_rate: float, ours_label: str) -> list[str]:
    """The baseline's figures and the overhead ratio."""
    ratio = bare.rate / ours_rate if ours_rate else float("nan")
    local = f" + {bare.local} no-op local activities" if bare.local else ""
    return [
        f"bare workflows: {bare.workflows} x {bare.activities} no-op activities{local} in "
        f"{bare.seconds:.2f} s -> {bare.rate:.2f} workflows/s "
        f"({bare.rate * bare.activities:.0f} activities/s)",
        describe_ms("  bare workflow latency", bare.latencies),
        f"overhead ratio (bare rate / {ours_label}): {ratio:.2f}x",
    ]


async def run_baseline(
    stack: Stack, workflows: int, counts: HistoryCounts, concurrency: int, ours_rate: float,
    ours_label: str, ours_engine_cpu: float,
) -> list[str]:
    """The bare workflows on the same server, with their CPU figures and both ratios: as many
    no-op activities and no-op local activities as an order ran (rounded, at least one).

    `ours_engine_cpu`: CPU seconds of the order worker + Temporal server per order. Unlike
    rates, CPU per unit of work hardly depends on what else runs on the machine.
    """
    activities, local = max(1, round(counts.activities)), round(counts.local)
    bare_worker = stack.start_bare_worker()
    await asyncio.sleep(2)  # let the order worker finish the tail of its tasks
    await stack.run_bare(4, activities, 4, local)  # warm-up: first sandbox load, connections
    watched = {"worker": bare_worker.pid}
    if stack.temporal is not None:  # an existing cluster's CPU is not ours to read
        watched["temporal"] = stack.temporal.pid
    monitor = ProcessMonitor(watched)
    monitor.start()
    bare = await stack.run_bare(workflows, activities, concurrency, local)
    await monitor.stop()
    bare_cpu = monitor.cpu_per(workflows, ENGINE)
    cpu_ratio = ours_engine_cpu / bare_cpu if bare_cpu else float("nan")
    return [
        *bare_lines(bare, ours_rate, ours_label),
        "processes during the bare run (worker = the bare workflows' worker):",
        *monitor.lines(),
        monitor.per_unit_line(workflows, "bare workflow"),
        f"CPU ratio (worker + Temporal CPU per order / per bare workflow): "
        f"{ours_engine_cpu * 1000:.0f} ms / {bare_cpu * 1000:.0f} ms = {cpu_ratio:.2f}x",
    ]


def main(argv: list[str]) -> int:
    """Worker entry points (see the module docstring)."""
    if argv[:1] == ["worker"]:
        asyncio.run(run_tuned_worker(WorkerTuning.from_env()))
    elif argv[:1] == ["bare-worker"]:
        asyncio.run(run_bare_worker())
    else:
        print(__doc__)
        return 2
    gc.collect()  # avoids the SDK's crash at interpreter exit (sdk-python#300)
    return 0


if __name__ == "__main__":
    # Run through the importable module `stack`, so the sandbox can find BareWorkflow there.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import stack

    sys.exit(stack.main(sys.argv[1:]))
