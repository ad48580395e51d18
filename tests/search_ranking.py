"""The search ranking test set (tests/data/search_ranking.json) and its precision@5, shared
by tests/services/test_search_ranking.py and bench/search.py."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import Product, Shop
from comptoir.services.catalogue import SearchParams, public_product_conditions, search_products

RANKING_FILE = Path(__file__).parent / "data" / "search_ranking.json"
TOP = 5


def fold(text: str) -> str:
    """Lowercase without accents (and with plain apostrophes)."""
    plain = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in plain if not unicodedata.combining(c))


@dataclass(frozen=True)
class RankedQuery:
    q: str
    relevant: tuple[str, ...]
    top: tuple[str, ...]
    precision: float


def _relevant(name: str, patterns: tuple[str, ...]) -> bool:
    folded = fold(name)
    return any(fold(p) in folded for p in patterns)


def rank_all(db: Session) -> list[RankedQuery]:
    """Run every query of the set; each one's precision@5 (capped by how many exist)."""
    data = json.loads(RANKING_FILE.read_text(encoding="utf-8"))
    # Only what the public catalogue shows (the shop awaiting approval sells soaps too).
    names = list(
        db.scalars(
            select(Product.name)
            .join(Shop, Shop.id == Product.shop_id)
            .where(*public_product_conditions())
        )
    )
    ranked = []
    for item in data["queries"]:
        patterns = tuple(item["relevant"])
        exist = sum(_relevant(n, patterns) for n in names)
        found = search_products(db, SearchParams(q=item["q"], page_size=TOP))
        top = tuple(hit.name for hit in found.items)
        hits = sum(_relevant(n, patterns) for n in top)
        ranked.append(RankedQuery(item["q"], patterns, top, hits / max(1, min(TOP, exist))))
    return ranked


def mean_precision(ranked: list[RankedQuery]) -> float:
    """The mean precision@5 over the set."""
    return sum(r.precision for r in ranked) / len(ranked)
