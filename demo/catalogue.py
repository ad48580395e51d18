"""Demo products, generated as varieties × formats with a seeded random (same data every run).

A shop's assortment is a list of `ProductRange`s: every variety of a range comes in every
format of it ("Comté AOP 18 mois" × "250 g" / "500 g"). Stock levels and online promotions
are drawn from a random generator seeded by the shop, so each run gives the same rows.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

# The platform's shared category list (slug, name); products point at them by slug.
CATEGORIES: tuple[tuple[str, str], ...] = tuple(
    (item["slug"], item["name"])
    for item in json.loads(
        (Path(__file__).resolve().parent / "data" / "categories.json").read_text("utf-8")
    )
)
CATEGORY_SLUGS = frozenset(slug for slug, _ in CATEGORIES)

# French VAT in basis points: 5.5 % food and books, 10 % flowers, plants and food eaten
# straight away, 20 % alcohol, confectionery and everything that is not food.
VAT_FOOD = 550
VAT_INTERMEDIATE = 1000
VAT_STANDARD = 2000

OUT_OF_STOCK_SHARE = 0.07
LOW_STOCK_SHARE = 0.10
PROMO_SHARE = 0.12
PROMO_DISCOUNTS = (0.10, 0.15, 0.20)
MIN_PROMO_PRICE_CENTS = 300  # a few cents off a baguette is not a promotion


@dataclass(frozen=True)
class Format:
    """How a variety is sold: "250 g", "75 cl", "pour 4"; its price is the variety's × `factor`."""

    label: str = ""
    factor: float = 1.0
    unit: str | None = None  # overrides the range's unit label
    note: str = ""  # sentence added to the description
    on_order: bool = False  # made or ordered for the shopper: needs the merchant's confirmation


@dataclass(frozen=True)
class Variety:
    name: str
    price_cents: int  # for the format whose factor is 1
    description: str
    brand: str = ""
    vat_rate_bp: int | None = None  # when it differs from the range's
    on_order: bool = False


@dataclass(frozen=True)
class ProductRange:
    """Varieties sold in the same formats, in one category, at one VAT rate."""

    category: str
    vat_rate_bp: int
    varieties: tuple[Variety, ...]
    formats: tuple[Format, ...] = (Format(),)
    unit: str = "pièce"
    stock: tuple[int, int] = (6, 40)  # usual stock, drawn between these bounds
    returnable: bool = True  # False for perishables the shop does not take back


@dataclass(frozen=True)
class ProductDraft:
    """One product to insert; `category` is a slug of CATEGORIES."""

    sku: str
    name: str
    brand: str
    description: str
    category: str
    price_cents: int
    promo_price_cents: int | None
    vat_rate_bp: int
    stock: int
    requires_confirmation: bool
    unit_label: str
    returnable: bool = True


def retail_price(cents: float) -> int:
    """A shop-like price near `cents`: 10-cent steps under 10 €, then prices ending in ,40/,90."""
    if cents < 1000:
        return max(10, round(cents / 10) * 10)
    if cents < 10_000:
        return round(cents / 50) * 50 - 10
    return round(cents / 100) * 100 - 10


def _sku(prefix: str, range_no: int, variety_no: int, format_no: int, formats: int) -> str:
    base = f"{prefix}-{range_no:02d}{variety_no:02d}"
    return f"{base}-{format_no}" if formats > 1 else base


def _stock(rng: random.Random, bounds: tuple[int, int], on_order: bool) -> int:
    if on_order:
        return rng.randint(2, 8)  # made to order: what the workshop can take on
    draw = rng.random()
    if draw < OUT_OF_STOCK_SHARE:
        return 0
    if draw < OUT_OF_STOCK_SHARE + LOW_STOCK_SHARE:
        return rng.randint(1, 3)
    return rng.randint(*bounds)


def _promo(rng: random.Random, price_cents: int) -> int | None:
    if price_cents < MIN_PROMO_PRICE_CENTS or rng.random() >= PROMO_SHARE:
        return None
    return _discounted(price_cents, rng.choice(PROMO_DISCOUNTS))


def _discounted(price_cents: int, discount: float) -> int | None:
    promo = retail_price(price_cents * (1 - discount))
    return promo if 0 < promo < price_cents else None


def generate_products(
    sku_prefix: str, ranges: Sequence[ProductRange], seed: str
) -> list[ProductDraft]:
    """Every variety × format of `ranges`, with seeded stock and promotions.

    Each shop gets at least one product out of stock, one with low stock and one online
    promotion, so every screen of the demo has something to show.
    """
    rng = random.Random(f"comptoir-demo:{seed}")
    drafts: list[ProductDraft] = []
    for range_no, product_range in enumerate(ranges, start=1):
        if product_range.category not in CATEGORY_SLUGS:
            raise ValueError(f"unknown demo category {product_range.category!r}")
        for variety_no, variety in enumerate(product_range.varieties, start=1):
            for format_no, fmt in enumerate(product_range.formats, start=1):
                on_order = variety.on_order or fmt.on_order
                price = (
                    variety.price_cents
                    if fmt.factor == 1
                    else retail_price(variety.price_cents * fmt.factor)
                )
                description = f"{variety.description} {fmt.note}".strip()
                drafts.append(
                    ProductDraft(
                        sku=_sku(
                            sku_prefix, range_no, variety_no, format_no, len(product_range.formats)
                        ),
                        name=f"{variety.name} – {fmt.label}" if fmt.label else variety.name,
                        brand=variety.brand,
                        description=description,
                        category=product_range.category,
                        price_cents=price,
                        promo_price_cents=None if on_order else _promo(rng, price),
                        vat_rate_bp=variety.vat_rate_bp or product_range.vat_rate_bp,
                        stock=_stock(rng, product_range.stock, on_order),
                        requires_confirmation=on_order,
                        unit_label=fmt.unit or product_range.unit,
                        returnable=product_range.returnable,
                    )
                )
    return _with_showcases(drafts, rng)


def _with_showcases(drafts: list[ProductDraft], rng: random.Random) -> list[ProductDraft]:
    """Make sure the shop shows an out-of-stock, a low-stock and a promoted product."""
    candidates = [
        i
        for i, d in enumerate(drafts)
        if not d.requires_confirmation and d.price_cents >= MIN_PROMO_PRICE_CENTS
    ]
    if not candidates:
        return drafts
    picks = rng.sample(candidates, k=min(3, len(candidates)))
    if not any(d.stock == 0 for d in drafts):
        drafts[picks[0]] = replace(drafts[picks[0]], stock=0, promo_price_cents=None)
    if len(picks) > 1 and not any(0 < d.stock <= 3 for d in drafts):
        drafts[picks[1]] = replace(drafts[picks[1]], stock=rng.randint(1, 3))
    if len(picks) > 2 and not any(d.promo_price_cents for d in drafts):
        target = drafts[picks[2]]
        drafts[picks[2]] = replace(
            target, promo_price_cents=_discounted(target.price_cents, PROMO_DISCOUNTS[1])
        )
    return drafts
