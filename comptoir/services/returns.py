"""Returns outside the workflow: which goods may go back (checked before a return reaches
the vendor-order workflow) and putting returned goods back on sale."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.domain.labels import format_datetime_fr
from comptoir.errors import Conflict, NotFound, Unprocessable
from comptoir.models import OrderLine, ReturnRequest, ReturnStatus, User
from comptoir.services import audit, scoping, stock

RESTOCKABLE = (ReturnStatus.accepted, ReturnStatus.refunded)


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


@dataclass(frozen=True)
class Restocked:
    line_id: int
    product_id: int | None  # None: the product was deleted since, nothing went back
    product_name: str
    quantity: int


def restock_return(
    db: Session, merchant: User, vendor_order_id: int, return_id: int, line_ids: Iterable[int]
) -> list[Restocked]:
    """Put the chosen lines of an accepted return back on sale, once per return (audited)."""
    part = scoping.get_readable_vendor_order(db, merchant, vendor_order_id)
    request = db.scalar(
        select(ReturnRequest)
        .where(ReturnRequest.id == return_id, ReturnRequest.vendor_order_id == part.id)
        .with_for_update()
    )
    if request is None:
        raise NotFound("Cette demande de retour n'existe pas.", code="return_not_found")
    if request.restocked_at is not None:
        raise Conflict(
            "Les produits de ce retour ont déjà été remis en stock le "
            f"{format_datetime_fr(request.restocked_at)}.",
            code="already_restocked",
        )
    if request.status not in RESTOCKABLE:
        raise Conflict(
            "Remettez les produits en stock une fois le retour accepté.", code="return_not_accepted"
        )
    chosen = sorted(set(line_ids))
    if not chosen:
        raise Unprocessable("Choisissez au moins un produit à remettre en stock.")
    returned = {int(line_id): quantity for line_id, quantity in request.lines.items()}
    if any(line_id not in returned for line_id in chosen):
        raise Unprocessable("Un produit choisi ne fait pas partie de ce retour.")
    lines = db.scalars(select(OrderLine).where(OrderLine.id.in_(chosen)).order_by(OrderLine.id))
    done: list[Restocked] = []
    for line in lines:
        quantity = returned[line.id]
        if line.product_id is not None:
            stock.adjust(db, line.product_id, delta=quantity)
        done.append(Restocked(line.id, line.product_id, line.product_name, quantity))
    request.restocked_at = datetime.now(UTC)
    request.restocked_lines = {str(r.line_id): r.quantity for r in done}
    audit.record(
        db,
        merchant.id,
        "return.restock",
        audit.order_target(part.order_id),
        "Produits retournés remis en stock",
        {"return_id": request.id, "lines": request.restocked_lines},
    )
    return done
