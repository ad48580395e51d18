"""API under load: checkout and the order list, bounded in count and in time, loopback only.

Same stack as bench/orders.py (bench/stack.py). A bounded loop generator (httpx async: no
`wrk` on these machines) runs each scenario with C concurrent clients until N requests are
done or the time limit is hit, and prints requests/s, p50/p95/p99 and the error count:
  checkout          a shopper adds a product, reads the cart, POST /api/checkout (timed);
                    every checkout also starts its order's workflow on the real worker
  orders (shopper)  GET /api/orders (the shopper's own orders, 50 newest)
  orders (operator) GET /api/orders as an operator (every order, 50 newest)
  read-your-writes  POST /api/cart/items then GET /api/cart at once: how often the read
                    misses the line the 201 just confirmed

`--think S`: each client pauses between its requests, for S seconds on average (drawn from an
exponential distribution, seeded), as a shopper reads a page before the next click; each
client starts after a first pause drawn the same way. Without it (S = 0), each client sends
its next request as soon as the last is answered: the machine runs at its throughput and
the latencies are its queue (Little's law), whatever the number of shoppers means.

Run:  .venv/bin/python bench/api_load.py [--requests 300] [--concurrency 20] [--seconds 60]
      [--think 0]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from stack import (  # noqa: E402
    BENCH_PASSWORD,
    DEMO_PASSWORD,
    STALE_READS,
    HttpError,
    ProcessMonitor,
    Stack,
    StackOptions,
    check,
    describe_ms,
    machine_line,
    place_order,
)

OPERATOR = "operateur@comptoir.test"
CUTS = (50, 95, 99)
# One call: its latency in seconds when it succeeded, else an error label.
Outcome = tuple[float | None, str]
# A call gets its client's number (each client is one shopper) and the request's number.
Call = Callable[[int, int], Awaitable[Outcome]]


@dataclass
class LoadResult:
    """What one scenario measured."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    stopped_by_time: bool = False

    def lines(self) -> list[str]:
        """Rate, percentiles and errors."""
        done = len(self.latencies) + sum(self.errors.values())
        rate = done / self.seconds if self.seconds else 0.0
        limit = " (time limit reached)" if self.stopped_by_time else ""
        errors = ", ".join(f"{label} x{n}" for label, n in self.errors.most_common()) or "none"
        return [
            f"{self.name}: {done} requests in {self.seconds:.1f} s -> {rate:.1f} req/s{limit}; "
            f"errors: {sum(self.errors.values())} ({errors})",
            "  " + describe_ms("latency", self.latencies, CUTS),
        ]


async def load(
    name: str, call: Call, total: int, concurrency: int, max_seconds: float,
    think: float = 0.0, seed: int = 0,
) -> LoadResult:
    """Run `call(client, i)` for i < total by `concurrency` clients, stopping at `max_seconds`;
    each client pauses `think` seconds on average before each call (0: no pause)."""
    result = LoadResult(name)
    counter = iter(range(total))
    deadline = time.monotonic() + max_seconds

    async def client(number: int) -> None:
        pauses = random.Random(seed * 1000 + number)
        for i in counter:
            if think > 0:
                await asyncio.sleep(pauses.expovariate(1 / think))
            if time.monotonic() > deadline:
                result.stopped_by_time = True
                return
            try:
                latency, label = await call(number, i)
            except httpx.HTTPError as error:
                latency, label = None, type(error).__name__
            if latency is None:
                result.errors[label] += 1
            else:
                result.latencies.append(latency)

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    result.seconds = time.monotonic() - started
    return result


def error_label(message: str) -> str:
    """`HTTP 409 empty_cart` from an HttpError's message (its text when it has no status)."""
    found = re.search(r'HTTP (\d+) \{"error":"([^"]+)"', message) or re.search(r"HTTP (\d+)()", message)
    return f"HTTP {found.group(1)} {found.group(2)}".strip() if found else message[:60]


def timed_get(http: httpx.AsyncClient, path: str, sessions: list[dict[str, str]]) -> Call:
    """A GET (as the client's own session) whose 200 counts as success."""

    async def call(client: int, i: int) -> Outcome:
        t0 = time.perf_counter()
        response = await http.get(path, headers=sessions[client % len(sessions)])
        if response.status_code != 200:
            return None, f"HTTP {response.status_code}"
        return time.perf_counter() - t0, ""

    return call


async def drive(stack: Stack, args: argparse.Namespace) -> list[str]:
    """Every scenario one after the other; the lines to print."""
    assert stack.seed is not None
    seed = stack.seed
    lines = [machine_line(), f"API: uvicorn, {args.api_workers} process(es); worker running"]
    if args.think > 0:
        lines.append(f"clients pause {args.think:g} s on average before each request (--think)")
    async with stack.http(args.concurrency) as http:
        shoppers = list((await stack.login_all(http, seed.shopper_emails, BENCH_PASSWORD)).values())
        operator = (await stack.login_all(http, [OPERATOR], DEMO_PASSWORD))[OPERATOR]

        # Checkout: each client is one shopper (a cart is per shopper).
        rngs = [random.Random(args.seed + i) for i in range(len(shoppers))]

        async def checkout(who: int, i: int) -> Outcome:
            rng = rngs[who]
            shop = rng.choice(seed.shops)
            try:
                placed = await place_order(http, shoppers[who], [rng.choice(shop.product_ids)], rng)
            except HttpError as error:
                return None, error_label(str(error))
            return placed.checkout_seconds, ""

        # A shopper's checkouts must not overlap (one cart each): one client per shopper.
        scenarios: list[tuple[str, Call, int, int]] = [
            ("POST /api/checkout", checkout, args.requests, len(shoppers)),
            ("GET /api/orders (shopper)", timed_get(http, "/api/orders", shoppers),
             args.requests * 3, args.concurrency),
            ("GET /api/orders (operator, every order)", timed_get(http, "/api/orders", [operator]),
             args.requests, args.concurrency),
        ]  # fmt: skip
        for name, call, total, concurrency in scenarios:
            monitor = ProcessMonitor(stack.pids())
            monitor.start()
            result = await load(name, call, total, concurrency, args.seconds, args.think, args.seed)
            await monitor.stop()
            lines += result.lines()
            done = len(result.latencies) + sum(result.errors.values())
            unit = "checkout (3 requests: add, cart, checkout)" if call is checkout else "request"
            lines.append("  " + monitor.per_unit_line(done, unit))
            lines += [line for line in monitor.lines() if line.strip().startswith(("api", "worker", "temporal"))]
        stale = await read_your_writes(http, shoppers, seed.shops[0].product_ids, args.probes)

    lines += [
        f"cart reads in checkout that missed the line just added: {STALE_READS[0]}",
        f"read-your-writes probe (POST /api/cart/items 201, then GET /api/cart at once): "
        f"{stale}/{args.probes} reads missed the line",
    ]
    return lines


async def read_your_writes(
    http: httpx.AsyncClient, shoppers: list[dict[str, str]], product_ids: list[int], probes: int
) -> int:
    """How many immediate reads miss a write the API has just confirmed."""
    missed = 0
    gate = asyncio.Semaphore(len(shoppers))

    async def probe(i: int) -> bool:
        headers = shoppers[i % len(shoppers)]
        product_id = product_ids[i % len(product_ids)]
        async with gate:
            await http.delete("/api/cart", headers=headers)
            check(await http.post("/api/cart/items", json={"product_id": product_id, "quantity": 1},
                                  headers=headers), 201)  # fmt: skip
            cart = check(await http.get("/api/cart", headers=headers))
        return not any(line["product_id"] == product_id for s in cart["shops"] for line in s["lines"])

    # Rounds of one probe per shopper: a shopper's own requests never overlap.
    for start in range(0, probes, len(shoppers)):
        batch = range(start, min(start + len(shoppers), probes))
        missed += sum(await asyncio.gather(*(probe(i) for i in batch)))
    return missed


def parse(argv: list[str]) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="checkouts (order lists: 3x)")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="time limit per scenario")
    parser.add_argument("--probes", type=int, default=200, help="read-your-writes probes")
    parser.add_argument("--api-workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--keep-temp", action="store_true")
    parser.add_argument(
        "--think", type=float, default=0.0,
        help="mean pause in seconds of each client before each request (default 0: none)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.think < 0:
        parser.error("--think must be 0 or more seconds")
    return args


def main(argv: list[str]) -> int:
    """Start the stack, run, print, stop."""
    args = parse(argv)
    options = StackOptions(
        shoppers=args.concurrency, api_workers=args.api_workers, keep_temp=args.keep_temp
    )
    with Stack(options) as stack:
        lines = asyncio.run(drive(stack, args))
    gc.collect()  # avoids the SDK's crash at interpreter exit (sdk-python#300)
    print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
