"""Issue #6: concurrent shoppers from search to a completed order, with the merchants' steps.

Same stack as bench/orders.py (bench/stack.py). C concurrent shoppers each run orders:
search (French full-text, one query per shop they buy from) → cart across 2–3 shops →
checkout with a delivery choice per shop (pickup with or without slot, local delivery,
shipping) → payment (localstripe + signed webhook) → each shop's merchant advances its
part (pickup: prepare, ready, complete with the shopper's pickup code; delivery: ship,
complete) → the order is `completed`. Prints orders/s, p50/p95/p99 of checkout and of
payment-to-processing (and of the other steps), CPU and RSS of the worker, the Temporal
server, the API and localstripe, then bare workflows with as many no-op activities as an
order ran (its workflow and its shops' workflows) on the same server, and the ratio.

`--think S`: shoppers and merchants pause before each of their actions (a search, the
checkout, the payment, a merchant's step), S seconds on average (exponential distribution,
seeded), as people read a page before they click. Without it, every action follows the
last one's answer at once.

Run:  .venv/bin/python bench/e2e.py [--concurrency 50] [--orders 50] [--think 0]
      (worker variants: the same flags as bench/orders.py)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from stack import (  # noqa: E402
    BENCH_PASSWORD,
    DEMO_PASSWORD,
    ENGINE,
    SLOT_RETRIES,
    STALE_READS,
    HttpError,
    OrderState,
    OrderWatcher,
    ProcessMonitor,
    ShopInfo,
    Stack,
    StackOptions,
    activity_cpu_lines,
    add_worker_options,
    check,
    describe_ms,
    dispatched,
    hand_over_step,
    machine_line,
    place_order,
    read_activity_cpu,
    run_baseline,
    started_with,
    tuning_of,
)

CUTS = (50, 95, 99)


@dataclass
class Timings:
    """Latencies of every step, in seconds, across all orders."""

    search: list[float] = field(default_factory=list)
    merchant_steps: list[float] = field(default_factory=list)
    pickup_code_read: list[float] = field(default_factory=list)


@dataclass
class E2eRun:
    """One order's wall-clock marks."""

    order_id: int
    started: float  # first search request
    checkout_started: float
    checkout_seconds: float
    paid_sent: float
    kinds: list[str]


class Driver:
    """The shoppers and merchants of one run."""

    def __init__(self, stack: Stack, http: httpx.AsyncClient, stripe: httpx.AsyncClient,
                 watcher: OrderWatcher, merchants: dict[str, dict[str, str]],
                 think: float = 0.0, seed: int = 0) -> None:
        self.think_seconds = think
        self.pauses = random.Random(seed)
        self.stack = stack
        self.http = http
        self.stripe = stripe
        self.watcher = watcher
        self.merchants = merchants
        self.timings = Timings()
        assert stack.seed is not None
        self.shops = stack.seed.shops
        self.shop_by_slug = {shop.slug: shop for shop in self.shops}

    async def think(self) -> None:
        """A person's pause before an action (`--think`), none by default."""
        if self.think_seconds > 0:
            await asyncio.sleep(self.pauses.expovariate(1 / self.think_seconds))

    async def timed(self, bucket: list[float], request: Awaitable[httpx.Response]) -> httpx.Response:
        """Await a request and record its latency."""
        t0 = time.perf_counter()
        response = await request
        bucket.append(time.perf_counter() - t0)
        return response

    async def find(self, shop: ShopInfo, rng: random.Random) -> int:
        """A product of `shop` found by searching one of its words, as a shopper would."""
        term = rng.choice(shop.search_terms) if shop.search_terms else ""
        await self.think()
        for params in ({"q": term, "in_stock": "true", "page_size": "24"},
                       {"q": term, "shop": shop.slug, "in_stock": "true", "page_size": "24"}):  # fmt: skip
            found = check(
                await self.timed(self.timings.search, self.http.get("/api/products/search", params=params))
            )
            hits = [
                item["id"] for item in found["items"]
                if item["shop"]["slug"] == shop.slug and not item["requires_confirmation"]
                and item["id"] in shop.product_ids
            ]  # fmt: skip
            if hits:
                return int(rng.choice(hits))
        return rng.choice(shop.product_ids)  # nothing found for that word: browse the shop

    async def step(self, shop: ShopInfo, vendor_order_id: int, name: str, body: dict[str, str]) -> None:
        """One merchant step (a workflow update behind the API)."""
        headers = self.merchants[shop.merchant_email]
        await self.think()
        check(
            await self.timed(
                self.timings.merchant_steps,
                self.http.post(f"/api/merchant/vendor-orders/{vendor_order_id}/{name}",
                               json=body, headers=headers),
            )
        )  # fmt: skip

    async def hand_over(self, shopper: dict[str, str], order_id: int, part: tuple[int, int, str, str]) -> None:
        """The shop's merchant moves its part to `completed`."""
        vendor_order_id, shop_id, _, kind = part
        shop = next(s for s in self.shops if s.shop_id == shop_id)
        if kind == "pickup":
            await self.step(shop, vendor_order_id, "prepare", {})
            await self.step(shop, vendor_order_id, "ready", {})
            detail = check(
                await self.timed(self.timings.pickup_code_read,
                                 self.http.get(f"/api/orders/{order_id}", headers=shopper))
            )  # fmt: skip
            code = next(
                p["pickup_code"] for p in detail["vendor_orders"] if p["id"] == vendor_order_id
            )
            await self.step(shop, vendor_order_id, "complete", {"pickup_code": code})
        else:
            await self.step(shop, vendor_order_id, *hand_over_step(kind, vendor_order_id))
            await self.step(shop, vendor_order_id, "complete", {})

    async def order(self, shopper: dict[str, str], rng: random.Random) -> E2eRun:
        """Search → cart → checkout → pay → merchants → completed."""
        started = time.time()
        shops = rng.sample(self.shops, rng.choice((2, 3)))
        products = [await self.find(shop, rng) for shop in shops]
        await self.think()
        placed = await place_order(self.http, shopper, products, rng, mix=True)
        order_id = placed.order_id
        await self.watcher.wait(order_id, started_with("awaiting_payment"), what="awaiting_payment")
        await self.think()
        paid_sent = await self.stack.pay(self.http, self.stripe, shopper, order_id)
        state = await self.watcher.wait(order_id, dispatched, what="dispatched", timeout=300)
        live = [p for p in state.parts if p[2] != "cancelled"]
        await asyncio.gather(*(self.hand_over(shopper, order_id, p) for p in live))
        await self.watcher.wait(order_id, completed, what="completed", timeout=300)
        return E2eRun(order_id, started, placed.started, placed.checkout_seconds, paid_sent, placed.kinds)


def completed(state: OrderState) -> bool:
    """Every part handed over: the order's projection says so."""
    return state.status == "completed"


async def drive(stack: Stack, args: argparse.Namespace) -> list[str]:
    """The measured run and the bare baseline; the lines to print."""
    assert stack.seed is not None
    lines = [machine_line()]
    async with (
        stack.http(args.concurrency * 2) as http,
        stack.stripe_http(args.concurrency) as stripe,
        OrderWatcher(stack.libpq_url) as watcher,
    ):
        shoppers = list((await stack.login_all(http, stack.seed.shopper_emails, BENCH_PASSWORD)).values())
        merchant_emails = sorted({shop.merchant_email for shop in stack.seed.shops})
        merchants = await stack.login_all(http, merchant_emails, DEMO_PASSWORD)
        driver = Driver(stack, http, stripe, watcher, merchants, seed=args.seed)
        for n in range(args.warmup):  # first sandbox loads and connections: not measured
            await driver.order(shoppers[0], random.Random(-n - 1))
        driver.timings = Timings()
        driver.think_seconds = args.think  # warm-up orders do not pause
        if args.think > 0:
            lines.append(f"shoppers and merchants pause {args.think:g} s on average before each action (--think)")
        STALE_READS[0] = SLOT_RETRIES[0] = 0

        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(args.orders):
            queue.put_nowait(n)
        runs: list[E2eRun] = []
        errors: list[str] = []

        async def shopper(headers: dict[str, str], rng: random.Random) -> None:
            while not queue.empty():
                queue.get_nowait()
                try:
                    runs.append(await driver.order(headers, rng))
                except (HttpError, TimeoutError, httpx.HTTPError) as error:
                    errors.append(f"{type(error).__name__}: {error}")

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
        timings = driver.timings

    ids = [r.order_id for r in runs]
    processing = await stack.status_times("processing", ids)
    completed_at = await stack.status_times("completed", ids)
    pay_to_processing = [processing[r.order_id] - r.paid_sent for r in runs if r.order_id in processing]
    whole = [completed_at[r.order_id] - r.started for r in runs if r.order_id in completed_at]
    done = len(runs)
    last = max(completed_at.values(), default=began)
    rate = done / (last - began) if done else 0.0
    kinds = [k for r in runs for k in r.kinds]
    shops_per_order = len(kinds) / done if done else 0.0
    lines += [
        f"worker: {args.workers} process(es), {args.tuning.label()}; "
        f"API: uvicorn, {args.api_workers} process(es)",
        f"orders: {done} completed, {len(errors)} failed, {args.concurrency} concurrent shoppers, "
        f"{shops_per_order:.2f} shops per order (pickup {kinds.count('pickup')}, local delivery "
        f"{kinds.count('local_delivery')}, shipping {kinds.count('shipping')}); "
        f"{args.warmup} warm-up order(s) not counted",
        f"throughput: {rate:.2f} orders/s completed ({last - began:.1f} s from the first search "
        f"to the last completion)",
        describe_ms("POST /api/checkout", [r.checkout_seconds for r in runs], CUTS),
        describe_ms("payment webhook -> processing", pay_to_processing, CUTS),
        describe_ms("search request", timings.search, CUTS),
        describe_ms("merchant step (update)", timings.merchant_steps, CUTS),
        describe_ms("GET /api/orders/{id} (pickup code)", timings.pickup_code_read, CUTS),
        describe_ms("whole order, search -> completed", whole, CUTS),
        f"cart reads that missed the line just added (API commits after answering): {STALE_READS[0]}"
        f"; checkouts chosen again because the pickup slot filled up: {SLOT_RETRIES[0]}",
        "processes during the run (CPU, peak RSS; PostgreSQL is shared and not counted):",
        *monitor.lines(),
        monitor.per_unit_line(done, "order"),
    ]
    if args.tuning.activity_cpu:
        lines += activity_cpu_lines(cpu_before, cpu_after, done, monitor.cpu_per(done, ["worker"]))
    for error in errors[:5]:
        lines.append(f"  error: {error[:300]}")

    if done and not args.no_bare:
        counts = await stack.activities_per_order(ids)
        lines.append(counts.line("to completion"))
        lines += await run_baseline(
            stack, done, counts, args.concurrency, rate, "orders/s completed",
            monitor.cpu_per(done, ENGINE),
        )
    return lines


def parse(argv: list[str]) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent shoppers")
    parser.add_argument("--orders", type=int, default=0, help="orders in all (default: one per shopper)")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--api-workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-workflow baseline")
    parser.add_argument("--keep-temp", action="store_true", help="keep logs and Temporal db")
    parser.add_argument(
        "--think", type=float, default=0.0,
        help="mean pause in seconds of shoppers and merchants before each action (default 0)",
    )  # fmt: skip
    add_worker_options(parser)
    args = parser.parse_args(argv)
    if args.think < 0:
        parser.error("--think must be 0 or more seconds")
    args.orders = args.orders or args.concurrency
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
