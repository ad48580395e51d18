"""What each demo shop sells: `ASSORTMENTS[key]` is the list of product ranges of one trade.

Read from `demo/data/assortments/<key>.json`; `demo.catalogue` turns them into rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from demo.catalogue import Format, ProductRange, Variety

DATA_DIR = Path(__file__).resolve().parent / "data" / "assortments"


def product_range(data: dict[str, Any]) -> ProductRange:
    """One range of a data file; absent fields keep the dataclass defaults."""
    fields: dict[str, Any] = {key: data[key] for key in ("unit", "returnable") if key in data}
    if "stock" in data:
        fields["stock"] = tuple(data["stock"])
    if "formats" in data:
        fields["formats"] = tuple(Format(**fmt) for fmt in data["formats"])
    return ProductRange(
        data["category"],
        data["vat_rate_bp"],
        tuple(Variety(**variety) for variety in data["varieties"]),
        **fields,
    )


def load_assortments(directory: Path = DATA_DIR) -> dict[str, tuple[ProductRange, ...]]:
    """Every assortment file of `directory`, keyed by its file name."""
    return {
        path.stem: tuple(product_range(item) for item in json.loads(path.read_text("utf-8")))
        for path in sorted(directory.glob("*.json"))
    }


ASSORTMENTS: dict[str, tuple[ProductRange, ...]] = load_assortments()
