"""What each demo shop sells: `ASSORTMENTS[key]` is the list of product ranges of one trade.

Split by kind of shop to keep files readable; `comptoir.demo.catalogue` turns them into rows.
"""

from __future__ import annotations

from comptoir.demo.assortments.drinks import DRINKS
from comptoir.demo.assortments.food import FOOD
from comptoir.demo.assortments.goods import GOODS
from comptoir.demo.catalogue import ProductRange

ASSORTMENTS: dict[str, tuple[ProductRange, ...]] = {**FOOD, **DRINKS, **GOODS}
