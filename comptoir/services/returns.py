"""Return rules checked before a return reaches the vendor-order workflow."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import Unprocessable
from comptoir.models import OrderLine


def refuse_non_returnable(db: Session, vendor_order_id: int, line_ids: Iterable[int]) -> None:
    """422 when a line asked back is one the shop does not take back (perishables…)."""
    wanted = set(line_ids)
    if not wanted:
        return
    kept = db.scalars(
        select(OrderLine.product_name)
        .where(
            OrderLine.vendor_order_id == vendor_order_id,
            OrderLine.id.in_(wanted),
            OrderLine.returnable.is_(False),
        )
        .order_by(OrderLine.id)
    ).all()
    if kept:
        names = ", ".join(f"« {name} »" for name in kept)
        raise Unprocessable(
            f"{names} : non repris par la boutique (produit périssable ou exclu des retours). "
            "Retirez-les de votre demande.",
            code="not_returnable",
        )
