"""Issue #3: orders per second from checkout to `processing`, against bare Temporal workflows.

Starts its own stack (bench/stack.py: scratch database, Temporal dev server with a WAL
SQLite file, localstripe, SMTP sink, the worker and the API as subprocesses on free loopback
ports), seeds the demo town and one shopper per concurrent client, then drives N orders
through the HTTP API: cart (two shops) → checkout → payment (PaymentIntent confirmed on
localstripe, signed webhook to the API) → wait until the order is `processing` and its shops
have their parts. Prints orders/s, p50/p95 latency from checkout to `processing`, CPU and
RSS per process; then runs the same number of bare workflows with as many no-op activities
per workflow as an order ran, on the same server, and prints their rate and the ratio.

Run:  .venv/bin/python bench/orders.py [--orders 50] [--concurrency 10]
Worker variants (item 4 of the issue; the real worker is used when none is given):
      --max-activities N --activity-threads N --wf-pollers N --act-pollers N
      --cache N --max-wf-tasks N
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import (  # noqa: E402
    BENCH_PASSWORD,
    ENGINE,
    STALE_READS,
    HttpError,
    OrderWatcher,
    Placed,
    ProcessMonitor,
    Stack,
    StackOptions,
    activity_cpu_lines,
    add_worker_options,
    describe_ms,
    dispatched,
    machine_line,
    place_order,
    read_activity_cpu,
    run_baseline,
    started_with,
    tuning_of,
)


@dataclass
class OrderRun:
    """One order's timings (wall clock, seconds)."""

    placed: Placed
    paid_sent: float
    dispatched_seen: float


async def one_order(
    stack: Stack,
    watcher: OrderWatcher,
    http_clients: tuple[object, object],
    headers: dict[str, str],
    rng: random.Random,
) -> OrderRun:
    """Two shops' products → checkout → pay → processing with every part at its shop."""
    import httpx

    http, stripe = http_clients
    assert isinstance(http, httpx.AsyncClient) and isinstance(stripe, httpx.AsyncClient)
    assert stack.seed is not None
    shops = rng.sample(stack.seed.shops, 2)
    products = [rng.choice(shop.product_ids) for shop in shops]
    placed = await place_order(http, headers, products, rng)
    await watcher.wait(placed.order_id, started_with("awaiting_payment"), what="awaiting_payment")
    paid_sent = await stack.pay(http, stripe, headers, placed.order_id)
    await watcher.wait(placed.order_id, dispatched, what="dispatched to its shops")
    return OrderRun(placed, paid_sent, time.time())


async def drive(stack: Stack, args: argparse.Namespace) -> list[str]:
    """The measured run and the bare baseline; the lines to print."""
    assert stack.seed is not None
    rng = random.Random(args.seed)
    lines = [machine_line()]
    async with (
        stack.http(args.concurrency) as http,
        stack.stripe_http(args.concurrency) as stripe,
        OrderWatcher(stack.libpq_url) as watcher,
    ):
        sessions = await stack.login_all(http, stack.seed.shopper_emails, BENCH_PASSWORD)
        shoppers = list(sessions.values())
        for _ in range(args.warmup):  # first sandbox loads and connections: not measured
            await one_order(stack, watcher, (http, stripe), shoppers[0], rng)

        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(args.orders):
            queue.put_nowait(n)
        runs: list[OrderRun] = []
        errors: list[str] = []

        async def shopper(headers: dict[str, str], own_rng: random.Random) -> None:
            while not queue.empty():
                queue.get_nowait()
                try:
                    runs.append(await one_order(stack, watcher, (http, stripe), headers, own_rng))
                except (HttpError, TimeoutError) as error:
                    errors.append(str(error))

        await asyncio.sleep(1.2 if args.tuning.activity_cpu else 0)
        cpu_before = read_activity_cpu(stack.temp)
        monitor = ProcessMonitor(stack.pids())
        monitor.start()
        began = time.time()
        await asyncio.gather(
            *(shopper(shoppers[i], random.Random(args.seed + i)) for i in range(args.concurrency))
        )
        await monitor.stop()
        await asyncio.sleep(1.2 if args.tuning.activity_cpu else 0)
        cpu_after = read_activity_cpu(stack.temp)

    order_ids = [r.placed.order_id for r in runs]
    processing = await stack.status_times("processing", order_ids)
    to_processing = [processing[r.placed.order_id] - r.placed.started for r in runs if r.placed.order_id in processing]
    pay_to_processing = [processing[r.placed.order_id] - r.paid_sent for r in runs if r.placed.order_id in processing]
    done = len(runs)
    last_processing = max(processing.values(), default=began)
    last_dispatch = max((r.dispatched_seen for r in runs), default=began)
    processing_rate = done / (last_processing - began) if done else 0.0
    dispatch_rate = done / (last_dispatch - began) if done else 0.0
    lines += [
        f"worker: {args.workers} process(es), {args.tuning.label()}; "
        f"API: uvicorn, {args.api_workers} process(es)",
        f"orders: {done} ok, {len(errors)} failed, {args.concurrency} concurrent shoppers, "
        f"2 shops per order ({args.warmup} warm-up orders not counted)",
        f"throughput to processing: {processing_rate:.2f} orders/s "
        f"(last order processing {last_processing - began:.1f} s after the first checkout)",
        f"throughput to dispatched (ledger, invoices, e-mails, shop workflows done): "
        f"{dispatch_rate:.2f} orders/s ({last_dispatch - began:.1f} s)",
        describe_ms("checkout -> processing", to_processing),
        describe_ms("payment webhook -> processing", pay_to_processing),
        describe_ms("POST /api/checkout", [r.placed.checkout_seconds for r in runs]),
        "processes during the orders (CPU, peak RSS):",
        *monitor.lines(),
        monitor.per_unit_line(done, "order"),
    ]
    if args.tuning.activity_cpu:
        lines += activity_cpu_lines(cpu_before, cpu_after, done, monitor.cpu_per(done, ["worker"]))
    lines.append(
        f"cart reads that missed the line just added (API commits after answering): {STALE_READS[0]}"
    )
    for error in errors[:5]:
        lines.append(f"  error: {error}")

    if done and not args.no_bare:
        counts = await stack.activities_per_order(order_ids)
        lines.append(counts.line("up to dispatch"))
        lines += await run_baseline(
            stack, done, counts, args.concurrency, dispatch_rate, "orders/s to dispatched",
            monitor.cpu_per(done, ENGINE),
        )
    return lines


def parse(argv: list[str]) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--api-workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-workflow baseline")
    parser.add_argument("--keep-temp", action="store_true", help="keep logs and Temporal db")
    add_worker_options(parser)
    args = parser.parse_args(argv)
    args.tuning = tuning_of(args)
    return args


def main(argv: list[str]) -> int:
    """Start the stack, run, print, stop."""
    args = parse(argv)
    options = StackOptions(
        shoppers=args.concurrency, worker=args.tuning, api_workers=args.api_workers,
        keep_temp=args.keep_temp, workers=args.workers,
        temporal_address=args.temporal_address, database_url=args.database_url,
    )  # fmt: skip
    with Stack(options) as stack:
        lines = asyncio.run(drive(stack, args))
    gc.collect()  # avoids the SDK's crash at interpreter exit (sdk-python#300)
    print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
