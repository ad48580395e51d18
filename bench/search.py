"""Product search on a 100,000-product catalogue: latency percentiles through the API and in SQL.

Creates a scratch database on DATABASE_URL's server (dropped at the end), migrates it,
loads the demo town, then bulk-loads (COPY) variants of the demo products into extra
shops up to N products. Then it times typical French queries (typos, missing accents)
through the real API (uvicorn on a loopback port, one worker, called over HTTP) and
directly through the search's SQL (`catalogue.search_products`, in-process, no HTTP).
Goal: p95 < 50 ms through the API.

Run: DATABASE_URL=postgresql://… .venv/bin/python bench/search.py [--products N] [--rounds R]
     [--keep-database NAME]   (generate the catalogue once, reuse it on later runs)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

# What shoppers type: spelling mistakes, no accents, several words, one shop's vocabulary.
QUERIES: tuple[str, ...] = (
    "croissant",
    "croisant",
    "pain au chocolat",
    "baguete",
    "fromage de chèvre",
    "fromage de chevre",
    "comte 18 mois",
    "saumur champigny",
    "vin blanc sec",
    "biere ambree",
    "pate a tartiner",
    "chocolat noir",
    "bouquet de roses",
    "cafe ethiopie",
    "thé vert",
    "miel",
    "huitres",
    "rilettes",
    "confiture de fraises",
    "tomates",
    "tournevis",
    "jeu d'échecs",
    "livre jeunesse",
    "cahier grands carreaux",
    "chocolat",
    "savon",
)
# Appended to demo product names so the large catalogue holds many near-duplicates, as a
# real town's shops do (the same croissant sold by ten bakeries), which is the hard case.
QUALIFIERS: tuple[str, ...] = (
    "", "bio", "de Touraine", "fermier", "artisanal", "du Val de Loire", "maison",
    "label rouge", "de saison", "édition limitée", "format familial", "à l'ancienne",
    "sélection du mois", "d'Anjou", "du terroir", "premium", "recette originale",
    "du Saumurois", "petit producteur", "tradition",
)  # fmt: skip


def percentiles(samples_ms: list[float]) -> str:
    """'p50 … p95 … max …' of a list of durations in milliseconds."""
    cuts = statistics.quantiles(samples_ms, n=100)
    return (
        f"p50 {statistics.median(samples_ms):6.1f} ms  p95 {cuts[94]:6.1f} ms  "
        f"max {max(samples_ms):6.1f} ms  (n={len(samples_ms)})"
    )


def libpq(url: str) -> str:
    """The URL as libpq wants it (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_database(server_url: str, keep: str | None = None) -> Iterator[tuple[str, bool]]:
    """A database on the server and whether it already existed.

    Without `keep`: a new empty database, dropped (even if in use) when done. With `keep`:
    the database of that name, created if missing and left in place at the end, so that a
    large catalogue is generated once and reused by later runs.
    """
    name = keep or f"comptoir_bench_search_{uuid.uuid4().hex[:8]}"
    admin = libpq(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        existed = keep is not None and bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        )
        if not existed:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        yield url, existed
    finally:
        from comptoir.db import reset_engine

        reset_engine()
        if keep is None:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_catalogue(url: str, total_products: int, extra_shops: int) -> None:
    """Demo town, then `extra_shops` approved shops and COPY-loaded products up to the total."""
    from comptoir.db import session_scope
    from comptoir.migrate import upgrade
    from comptoir.models import Category, DeliveryKind, DeliveryMode, Shop, ShopStatus
    from demo.assortments import ASSORTMENTS
    from demo.catalogue import ProductDraft, generate_products
    from demo.load import load_demo
    from demo.town import SHOPS

    started = time.perf_counter()
    upgrade(url)
    with session_scope() as db:
        report = load_demo(db)
    drafts: list[ProductDraft] = [
        draft
        for shop in SHOPS
        for draft in generate_products(shop.sku_prefix, ASSORTMENTS[shop.assortment], shop.slug)
    ]
    rng = random.Random("comptoir-bench-search")
    with session_scope() as db:
        shop_ids = list(
            db.scalars(
                insert(Shop).returning(Shop.id),
                [
                    {"slug": f"bench-{n}", "name": f"Commerce de bench n°{n}", "trade": "Commerce",
                     "city": "Montlouvier-sur-Loire", "postal_code": "49350",
                     "status": ShopStatus.approved, "approved_at": datetime.now(UTC)}
                    for n in range(1, extra_shops + 1)
                ],
            )
        )  # fmt: skip
        db.execute(
            insert(DeliveryMode),
            [
                {"shop_id": shop_id, "kind": DeliveryKind.pickup, "label": "Retrait en boutique"}
                for shop_id in shop_ids
            ],
        )
        categories = {slug: category_id for slug, category_id in db.execute(
            select(Category.slug, Category.id)).tuples()}  # fmt: skip
    with psycopg.connect(libpq(url)) as conn:
        to_copy = max(0, total_products - report.products)
        with conn.cursor() as cursor, cursor.copy(
            "COPY products (shop_id, category_id, sku, name, brand, description, price_cents,"
            " promo_price_cents, vat_rate_bp, stock, active, requires_confirmation, unit_label)"
            " FROM STDIN"
        ) as copy:
            for i in range(to_copy):
                base = drafts[i % len(drafts)]
                qualifier = QUALIFIERS[(i // len(drafts)) % len(QUALIFIERS)]
                price = max(10, round(base.price_cents * rng.uniform(0.8, 1.3)))
                promo = round(price * 0.85) if rng.random() < 0.1 else None
                copy.write_row(
                    (
                        shop_ids[i % len(shop_ids)],
                        categories[base.category],
                        f"B{i:06d}",
                        f"{base.name} {qualifier}".strip(),
                        base.brand,
                        base.description,
                        price,
                        promo if promo is not None and promo < price else None,
                        base.vat_rate_bp,
                        rng.choice((0, 2, 5, 12, 30, 80)),
                        True,
                        base.requires_confirmation,
                        base.unit_label,
                    )
                )
        conn.commit()
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        # Steady state of a running platform: statistics and visibility map up to date.
        conn.execute("VACUUM ANALYZE")
        count = conn.execute("SELECT count(*) FROM products").fetchone()
        shops = conn.execute("SELECT count(*) FROM shops WHERE status = 'approved'").fetchone()
    elapsed = time.perf_counter() - started
    print(
        f"catalogue: {count[0] if count else 0} products in {shops[0] if shops else 0} approved "
        f"shops, loaded in {elapsed:.1f} s (migrations, demo town, COPY, VACUUM ANALYZE)"
    )


def reuse_catalogue(url: str) -> None:
    """A kept database from an earlier run: bring it to the latest schema, refresh statistics."""
    from comptoir.migrate import upgrade

    started = time.perf_counter()
    upgrade(url)
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        count = conn.execute("SELECT count(*) FROM products").fetchone()
        shops = conn.execute("SELECT count(*) FROM shops WHERE status = 'approved'").fetchone()
    print(
        f"catalogue: {count[0] if count else 0} products in {shops[0] if shops else 0} approved "
        f"shops, reused (kept database; migrations, VACUUM ANALYZE in "
        f"{time.perf_counter() - started:.1f} s)"
    )


Timings = tuple[list[float], dict[str, list[float]], dict[str, int]]


def time_calls(call: Callable[[str], int], rounds: int) -> Timings:
    """Every query `rounds` times after one warm-up round; all samples, per query, totals."""
    totals = {q: call(q) for q in QUERIES}  # warm-up: connections, plans, caches
    samples: list[float] = []
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    for _ in range(rounds):
        for q in QUERIES:
            t0 = time.perf_counter()
            call(q)
            elapsed_ms = (time.perf_counter() - t0) * 1000
            samples.append(elapsed_ms)
            per_query[q].append(elapsed_ms)
    return samples, per_query, totals


def bench_api(url: str, rounds: int) -> Timings:
    """Time GET /api/products/search on a real uvicorn (one worker) over loopback HTTP."""
    from devstack.services import HOST, free_port, spawn

    port = free_port()
    log_dir = Path(__file__).resolve().parent.parent / "var" / "log"
    api = spawn(
        "bench-search-api",
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", HOST, "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        log_dir=log_dir,
        env={"DATABASE_URL": url, "COMPTOIR_ENVIRONMENT": "development"},
        port=port,
    )  # fmt: skip
    try:
        api.wait_ready(60)
        with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=30) as client:

            def call(q: str) -> int:
                response = client.get("/api/products/search", params={"q": q})
                response.raise_for_status()
                return int(response.json()["total"])

            return time_calls(call, rounds)
    finally:
        api.stop()


def bench_sql(rounds: int) -> Timings:
    """Time the search's own SQL statements in-process (no HTTP, no JSON)."""
    from comptoir.db import get_sessionmaker
    from comptoir.services.catalogue import SearchParams, search_products

    with get_sessionmaker()() as db:

        def call(q: str) -> int:
            result = search_products(db, SearchParams(q=q))
            db.rollback()  # each search in its own transaction, as a request would be
            return result.total

        return time_calls(call, rounds)


def ranking_precision() -> tuple[float, int]:
    """Mean precision@5 of the ranking test set, and its number of queries."""
    from comptoir.db import get_sessionmaker
    from tests.search_ranking import mean_precision, rank_all

    with get_sessionmaker()() as db:
        ranked = rank_all(db)
        for r in ranked:
            if r.precision < 1:
                print(f"  precision@5 {r.precision:.1f} for {r.q!r}: {', '.join(r.top)}")
        return mean_precision(ranked), len(ranked)


def main() -> int:
    """Build the catalogue, time both paths, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--shops", type=int, default=85, help="extra shops besides the demo town")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--keep-database",
        metavar="NAME",
        help="use (or create and fill) this database and keep it at the end; an existing one"
        " is only migrated to the latest schema, not reloaded (its product count may differ"
        " from --products)",
    )
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL")
    if not server:
        print("Set DATABASE_URL to a PostgreSQL server this bench may create a database on.")
        return 2

    with scratch_database(server, args.keep_database) as (url, existed):
        os.environ["DATABASE_URL"] = url
        from comptoir.db import reset_engine
        from comptoir.settings import get_settings

        get_settings.cache_clear()
        reset_engine()
        if existed:
            reuse_catalogue(url)
        else:
            load_catalogue(url, args.products, args.shops)
        api_all, api_per_query, totals = bench_api(url, args.rounds)
        sql_all, sql_per_query, _ = bench_sql(args.rounds)
        precision, ranking_size = ranking_precision()

    print(f"queries: {len(QUERIES)} French queries × {args.rounds} rounds (after a warm-up round)")
    print(f"{'query':<24}{'results':>8}{'API p50':>10}{'SQL p50':>10}")
    for q in QUERIES:
        print(
            f"{q:<24}{totals[q]:>8}{statistics.median(api_per_query[q]):>8.1f}ms"
            f"{statistics.median(sql_per_query[q]):>8.1f}ms"
        )
    print(f"API  GET /api/products/search : {percentiles(api_all)}")
    print(f"SQL  catalogue.search_products: {percentiles(sql_all)}")
    print(
        f"ranking set (tests/data/search_ranking.json, {ranking_size} queries): "
        f"precision@5 = {precision:.3f} on this catalogue"
    )
    p95 = statistics.quantiles(api_all, n=100)[94]
    print(f"goal p95 < 50 ms through the API: {'met' if p95 < 50 else 'NOT met'} ({p95:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
