"""Render N invoices (PDF) one after the other; print throughput, latency and CPU per PDF.

Run: .venv/bin/python bench/invoices.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comptoir.domain.paris_time import PARIS  # noqa: E402
from comptoir.invoices.render import (  # noqa: E402
    InvoiceBuyer,
    InvoiceData,
    InvoiceLine,
    InvoiceSeller,
    render_invoice_pdf,
)


def sample_invoice(i: int) -> InvoiceData:
    """A typical shop invoice: a handful of lines at two VAT rates plus delivery."""
    seller = InvoiceSeller(
        "Boulangerie Martin SARL", "Au Bon Pain", "123 456 789 00012", "FR32123456789",
        "12 rue de la République", "69001", "Lyon", "contact@aubonpain.fr", "04 78 00 00 00",
    )  # fmt: skip
    buyer = InvoiceBuyer(
        "Camille Durand", "5 place Bellecour", "", "69002", "Lyon", "France", "c@example.org"
    )
    lines = [
        InvoiceLine(f"Produit {i}-{n}", 1 + n % 3, 250 + 37 * n, 550 if n % 2 else 2000)
        for n in range(6)
    ]
    return InvoiceData(
        number=f"AUBONPAIN-2026-{i:06d}",
        issued_at=datetime(2026, 12, 3, 14, 30, tzinfo=PARIS),
        order_reference=f"CMD-{i:06d}",
        seller=seller,
        buyer=buyer,
        lines=lines,
        delivery_label="Livraison locale",
        delivery_cents=490,
        paid_at=datetime(2026, 12, 3, 14, 25, tzinfo=PARIS),
    )


def main(n: int) -> None:
    """Render n invoices after one warm-up (font and template loading) and print figures."""
    render_invoice_pdf(sample_invoice(0))
    durations_ms: list[float] = []
    cpu_ms: list[float] = []
    sizes: list[int] = []
    started = time.perf_counter()
    for i in range(1, n + 1):
        t0, c0 = time.perf_counter(), time.thread_time()
        sizes.append(len(render_invoice_pdf(sample_invoice(i))))
        cpu_ms.append((time.thread_time() - c0) * 1000)
        durations_ms.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(durations_ms, n=100)
    print(f"invoices: {n} in {elapsed:.2f} s -> {n / elapsed:.1f} invoices/s (one process)")
    print(
        f"ms/invoice: p50 {statistics.median(durations_ms):.1f}  p95 {cuts[94]:.1f}  "
        f"max {max(durations_ms):.1f}  |  PDF size: {statistics.median(sizes) / 1024:.0f} KiB"
    )
    # CPU time of the rendering thread: what a worker pays per PDF, whatever else runs.
    print(f"CPU ms/invoice: mean {statistics.fmean(cpu_ms):.1f}  p50 {statistics.median(cpu_ms):.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
