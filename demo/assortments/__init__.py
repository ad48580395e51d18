"""What each demo shop sells: `ASSORTMENTS[key]` is the list of product ranges of one trade.

Split by kind of shop to keep files readable; `demo.catalogue` turns them into rows.
"""

from __future__ import annotations

from demo.assortments.drinks import DRINKS
from demo.assortments.food import FOOD
from demo.assortments.goods import GOODS
from demo.catalogue import ProductRange

ASSORTMENTS: dict[str, tuple[ProductRange, ...]] = {**FOOD, **DRINKS, **GOODS}
