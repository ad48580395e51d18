"""Issue #12: merchants' steps while a burst of invoices is rendered, against a quiet platform.

Same stack as bench/orders.py (bench/stack.py), with the invoice PDFs on their own task queue
and worker process (`python -m workflows.worker --documents`). The run:

1. M orders, each with one product from two of a few merchants' shops, are placed, paid and
   dispatched (their invoices rendered): their shops' parts wait in `confirmed`;
2. B more orders (any two shops) are placed and their cards confirmed on localstripe, but
   Stripe's webhook is held back: nothing runs for them yet;
3. (a) quiet: the merchants take half of the parts through the API at a steady pace
   (`prepare`, then `ready` or `ship`), nothing else going on;
4. (b) burst: the B webhooks are sent at once (B orders paid together: 2 invoices each to
   render) while the merchants take the other half of the parts at the same pace.

Prints p50/p95 of the merchants' step latency in (a) and (b), the invoices rendered during
the burst and how long it lasted, and the CPU of every process in each phase (the documents
worker's among them).

Run:  .venv/bin/python bench/burst.py [--orders 22] [--burst 50] [--merchants 3] [--pace 2]
      (--temporal-address / --database-url: existing services, as the other benches)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import random
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from stack import (  # noqa: E402
    BENCH_PASSWORD,
    DEMO_PASSWORD,
    HttpError,
    OrderWatcher,
    ProcessMonitor,
    ShopInfo,
    Stack,
    StackOptions,
    WorkerTuning,
    add_service_options,
    check,
    describe_ms,
    dispatched,
    hand_over_step,
    machine_line,
    percentile,
    place_order,
    started_with,
)

FAILURES = (HttpError, TimeoutError, httpx.HTTPError)
T = TypeVar("T")


@dataclass(frozen=True)
class Part:
    """A shop's part of a paid order, waiting for its merchant."""

    vendor_order_id: int
    shop: ShopInfo
    kind: str  # pickup, local_delivery, shipping


@dataclass
class Steps:
    """The merchants' steps of one phase: when each left and how long it took (seconds)."""

    sent: list[float]
    seconds: list[float]
    errors: list[str]

    def during(self, start: float, end: float) -> list[float]:
        """Latencies of the steps sent between two wall-clock times."""
        return [s for at, s in zip(self.sent, self.seconds, strict=True) if start <= at <= end]


@dataclass
class Unpaid:
    """A burst order: card confirmed on localstripe, webhook not sent yet."""

    order_id: int
    intent_id: str
    amount: int


async def bounded(limit: int, jobs: list[Coroutine[Any, Any, T]]) -> list[T | BaseException]:
    """Run coroutines `limit` at a time; their results (or exceptions) in order."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Coroutine[Any, Any, T]) -> T:
        async with gate:
            return await job

    return await asyncio.gather(*(one(job) for job in jobs), return_exceptions=True)


def interleaved(parts: list[Part]) -> list[Part]:
    """One part of each shop in turn, so consecutive steps are different merchants'."""
    by_shop: dict[int, list[Part]] = {}
    for part in parts:
        by_shop.setdefault(part.shop.shop_id, []).append(part)
    rounds = itertools.zip_longest(*by_shop.values())
    return [part for row in rounds for part in row if part is not None]


def windows(steps: Steps, start: float, width: float = 5.0) -> str:
    """`0-5 s 812 ms (10), 5-10 s ...`: the p95 of the steps sent in each window."""
    buckets: dict[int, list[float]] = {}
    for at, seconds in zip(steps.sent, steps.seconds, strict=True):
        buckets.setdefault(int((at - start) // width), []).append(seconds)
    return ", ".join(
        f"{n * width:g}-{(n + 1) * width:g} s {percentile(values, 95) * 1000:.0f} ms ({len(values)})"
        for n, values in sorted(buckets.items())
    )


class Burst:
    """The run's orders, merchants and phases."""

    def __init__(self, stack: Stack, args: argparse.Namespace) -> None:
        assert stack.seed is not None
        self.stack = stack
        self.args = args
        self.rng = random.Random(args.seed)
        by_merchant = {shop.merchant_email: shop for shop in stack.seed.shops}
        self.shops = self.rng.sample(sorted(by_merchant.values(), key=lambda s: s.shop_id),
                                     min(args.merchants, len(by_merchant)))  # fmt: skip
        self.errors: list[str] = []

    async def paid_parts(
        self, http: httpx.AsyncClient, stripe: httpx.AsyncClient, watcher: OrderWatcher,
        shopper: dict[str, str],
    ) -> list[Part]:
        """One order from two of the merchants' shops, paid; its parts once dispatched."""
        shops = self.rng.sample(self.shops, min(2, len(self.shops)))
        products = [self.rng.choice(shop.product_ids) for shop in shops]
        placed = await place_order(http, shopper, products, self.rng)
        await watcher.wait(placed.order_id, started_with("awaiting_payment"), what="awaiting_payment")
        await self.stack.pay(http, stripe, shopper, placed.order_id)
        state = await watcher.wait(placed.order_id, dispatched, what="dispatched", timeout=300)
        by_id = {shop.shop_id: shop for shop in self.shops}
        return [Part(vo, by_id[shop_id], kind) for vo, shop_id, status, kind in state.parts
                if status == "confirmed"]  # fmt: skip

    async def unpaid(
        self, http: httpx.AsyncClient, stripe: httpx.AsyncClient, watcher: OrderWatcher,
        shopper: dict[str, str], rng: random.Random,
    ) -> Unpaid:
        """A burst order from any two shops, its card confirmed, Stripe's webhook held back."""
        assert self.stack.seed is not None
        shops = rng.sample(self.stack.seed.shops, 2)
        placed = await place_order(http, shopper, [rng.choice(s.product_ids) for s in shops], rng)
        await watcher.wait(placed.order_id, started_with("awaiting_payment"), what="awaiting_payment")
        intent_id, amount = await self.stack.confirm_card(http, stripe, shopper, placed.order_id)
        return Unpaid(placed.order_id, intent_id, amount)

    async def steps(
        self, http: httpx.AsyncClient, merchants: dict[str, dict[str, str]], parts: list[Part]
    ) -> Steps:
        """`prepare` on every part, then `ready`/`ship`, one step every 1/pace s (open loop:
        a slow answer does not delay the next step, only the same part's next one)."""
        result = Steps([], [], [])

        async def one(part: Part, name: str, body: dict[str, str], after: asyncio.Task[bool] | None) -> bool:
            if after is not None and not await after:
                return False
            sent, t0 = time.time(), time.perf_counter()
            try:
                check(await http.post(f"/api/merchant/vendor-orders/{part.vendor_order_id}/{name}",
                                      json=body, headers=merchants[part.shop.merchant_email]))  # fmt: skip
            except FAILURES as error:
                result.errors.append(f"{name} {part.vendor_order_id}: {type(error).__name__}: {error}")
                return False
            result.sent.append(sent)
            result.seconds.append(time.perf_counter() - t0)
            return True

        plan: list[tuple[Part, str, dict[str, str]]] = [(part, "prepare", {}) for part in parts]
        plan += [(part, *hand_over_step(part.kind, part.vendor_order_id)) for part in parts]
        prepared: dict[int, asyncio.Task[bool]] = {}
        tasks = []
        began = time.monotonic()
        for n, (part, name, body) in enumerate(plan):
            await asyncio.sleep(max(0.0, began + n / self.args.pace - time.monotonic()))
            task = asyncio.create_task(one(part, name, body, prepared.get(part.vendor_order_id)))
            prepared.setdefault(part.vendor_order_id, task)
            tasks.append(task)
        await asyncio.gather(*tasks)
        return result

    async def invoices(self, order_ids: list[int]) -> tuple[int, int]:
        """Invoices rendered for these orders, and their live shop parts (one invoice each)."""
        async with await psycopg.AsyncConnection.connect(self.stack.libpq_url, autocommit=True) as conn:
            cursor = await conn.execute(
                "SELECT count(i.id), count(v.id) FROM vendor_orders v "
                "LEFT JOIN invoices i ON i.vendor_order_id = v.id "
                "WHERE v.order_id = ANY(%s) AND v.status::text <> 'cancelled'",
                (order_ids,),
            )
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0]), int(row[1])

    async def all_invoiced(self, order_ids: list[int], timeout: float = 300) -> float:
        """Wall-clock time at which every live part of these orders had its invoice."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rendered, parts = await self.invoices(order_ids)
            if rendered >= parts:
                return time.time()
            await asyncio.sleep(0.1)
        raise TimeoutError(f"invoices of {len(order_ids)} orders not all rendered in {timeout} s")

    async def run(self) -> list[str]:
        """Prepare, then the quiet phase and the burst phase; the lines to print."""
        stack, args = self.stack, self.args
        assert stack.seed is not None
        lines = [machine_line()]
        async with (
            stack.http(args.burst + 16) as http,
            stack.stripe_http(args.concurrency) as stripe,
            OrderWatcher(stack.libpq_url) as watcher,
        ):
            shoppers = list((await stack.login_all(http, stack.seed.shopper_emails, BENCH_PASSWORD)).values())
            merchants = await stack.login_all(http, sorted({s.merchant_email for s in self.shops}), DEMO_PASSWORD)

            stack.say(f"{args.orders} orders for {len(self.shops)} merchants, paid and dispatched")
            queue = list(range(args.orders))
            parts: list[Part] = []

            async def shopper(headers: dict[str, str]) -> None:
                while queue:
                    queue.pop()
                    try:
                        parts.extend(await self.paid_parts(http, stripe, watcher, headers))
                    except FAILURES as error:
                        self.errors.append(f"preparing: {type(error).__name__}: {error}")

            await asyncio.gather(*(shopper(shoppers[i]) for i in range(min(args.concurrency, len(shoppers)))))
            stack.say(f"{args.burst} burst orders placed, cards confirmed, webhooks held back")
            placed = await bounded(args.concurrency, [
                self.unpaid(http, stripe, watcher, shoppers[i], random.Random(args.seed + i))
                for i in range(args.burst)
            ])  # fmt: skip
            burst = [p for p in placed if isinstance(p, Unpaid)]
            self.errors += [f"burst order: {e!r}" for e in placed if not isinstance(e, Unpaid)]
            async with await psycopg.AsyncConnection.connect(stack.libpq_url, autocommit=True) as conn:
                cursor = await conn.execute(
                    "SELECT DISTINCT v.order_id FROM vendor_orders v WHERE v.id = ANY(%s)",
                    ([p.vendor_order_id for p in parts],),
                )
                prepared_ids = [int(row[0]) for row in await cursor.fetchall()]
            await self.all_invoiced(prepared_ids)  # the quiet phase is quiet
            await asyncio.sleep(2)

            parts = interleaved(parts)
            warm, rest = parts[: args.warmup], parts[args.warmup :]
            quiet_parts, burst_parts = rest[: len(rest) // 2], rest[len(rest) // 2 :]
            stack.say(f"warm-up: {len(warm)} parts stepped, not counted")
            self.errors += (await self.steps(http, merchants, warm)).errors

            stack.say(f"(a) quiet: {len(quiet_parts) * 2} merchant steps at {args.pace}/s")
            lines_a = [machine_line()]
            monitor_a = ProcessMonitor(stack.pids())
            monitor_a.start()
            quiet = await self.steps(http, merchants, quiet_parts)
            await monitor_a.stop()

            stack.say(f"(b) burst: {len(burst)} webhooks at once, {len(burst_parts) * 2} merchant steps")
            lines_b = [machine_line()]
            monitor_b = ProcessMonitor(stack.pids())
            monitor_b.start()
            began = time.time()
            stepping = asyncio.create_task(self.steps(http, merchants, burst_parts))
            sent = await asyncio.gather(
                *(stack.payment_succeeded(http, u.order_id, u.intent_id, u.amount) for u in burst),
                return_exceptions=True,
            )
            webhooks_done = time.time()
            burst_ids = [u.order_id for u, s in zip(burst, sent, strict=True) if isinstance(s, float)]
            self.errors += [f"webhook: {s!r}" for s in sent if not isinstance(s, float)]
            try:
                await asyncio.gather(*(watcher.wait(o, dispatched, what="dispatched", timeout=300)
                                       for o in burst_ids))  # fmt: skip
            except TimeoutError as error:
                self.errors.append(str(error))
            dispatched_at = time.time()
            try:
                invoiced_at = await self.all_invoiced(burst_ids)
            except TimeoutError as error:
                self.errors.append(str(error))
                invoiced_at = time.time()
            during_steps = await stepping
            await monitor_b.stop()
            rendered, burst_part_count = await self.invoices(burst_ids)

        docs_b = monitor_b.cpu_used.get("documents", 0.0)
        lines += [
            f"merchants: {len(self.shops)} shops ({', '.join(s.slug for s in self.shops)}); "
            f"{args.orders} orders paid beforehand, {len(parts)} parts "
            f"({sum(p.kind == 'pickup' for p in parts)} pickup); steps `prepare` then `ready`/`ship`, "
            f"{args.pace:g} per second; {len(warm)} warm-up parts not counted",
            f"(a) quiet, {len(quiet_parts)} parts — {lines_a[0]}",
            "  " + describe_ms("merchant step", quiet.seconds),
            "  processes (CPU, peak RSS):",
            *("  " + line for line in monitor_a.lines()),
            f"(b) burst: {len(burst_ids)} orders paid at once (webhooks answered in "
            f"{webhooks_done - began:.1f} s), {len(burst_parts)} parts stepped — {lines_b[0]}",
            f"  invoices rendered during the burst: {rendered} of {burst_part_count} in "
            f"{invoiced_at - began:.1f} s (first webhook -> last invoice); every order dispatched "
            f"to its shops {dispatched_at - began:.1f} s after the first webhook",
            "  " + describe_ms("merchant step, whole phase", during_steps.seconds),
            "  " + describe_ms("  sent while the orders were dispatched",
                               during_steps.during(began, dispatched_at)),  # fmt: skip
            "  " + describe_ms("  sent after, invoices still rendering",
                               during_steps.during(dispatched_at, invoiced_at)),  # fmt: skip
            "  " + describe_ms("  sent after the last invoice",
                               during_steps.during(invoiced_at, float("inf"))),  # fmt: skip
            "  merchant step p95 by 5 s since the first webhook: " + windows(during_steps, began),
            "  processes (CPU, peak RSS):",
            *("  " + line for line in monitor_b.lines()),
            f"  documents worker: {docs_b:.1f} s of CPU = {docs_b / rendered * 1000 if rendered else 0:.0f} ms "
            f"per invoice (database work included)",
            f"merchant step p95: quiet {percentile(quiet.seconds, 95) * 1000:.0f} ms, during the "
            f"burst {percentile(during_steps.seconds, 95) * 1000:.0f} ms",
        ]
        errors = self.errors + quiet.errors + during_steps.errors
        lines.append(f"errors: {len(errors)}")
        lines += [f"  {error[:300]}" for error in errors[:5]]
        return lines


def parse(argv: list[str]) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=22, help="orders paid beforehand (2 parts each)")
    parser.add_argument("--burst", type=int, default=50, help="orders paid at once in (b)")
    parser.add_argument("--merchants", type=int, default=3, help="merchants (shops) taking steps")
    parser.add_argument("--pace", type=float, default=2.0, help="merchant steps per second")
    parser.add_argument("--warmup", type=int, default=4, help="parts stepped first, not counted")
    parser.add_argument("--concurrency", type=int, default=10, help="shoppers placing orders at once")
    parser.add_argument("--api-workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep-temp", action="store_true", help="keep logs and Temporal db")
    add_service_options(parser)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Start the stack, run, print, stop."""
    args = parse(argv)
    options = StackOptions(
        shoppers=max(args.burst, args.concurrency), worker=WorkerTuning(),
        api_workers=args.api_workers, keep_temp=args.keep_temp,
        temporal_address=args.temporal_address, database_url=args.database_url,
    )  # fmt: skip
    with Stack(options) as stack:
        lines = asyncio.run(Burst(stack, args).run())
    gc.collect()  # avoids the SDK's crash at interpreter exit (sdk-python#300)
    print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
