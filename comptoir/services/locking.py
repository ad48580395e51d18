"""Row locks on orders and their vendor orders, taken in one order by every writer.

The rule: lock the order first, then its vendor orders (by id when several). Payments,
refunds, invoicing, the ledger and the lifecycle all lock through these helpers, so two
concurrent writers on the same order wait for each other instead of deadlocking. Locked rows
are re-read from the database (`populate_existing`), never served from the session.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import NotFound
from comptoir.models import Order, VendorOrder, VendorOrderStatus


def lock_order(db: Session, order_id: int) -> Order:
    """The order, locked until the caller's transaction ends (fresh from the database)."""
    order = db.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound("Commande introuvable.")
    return order


def find_locked_vendor_order(db: Session, vendor_order_id: int) -> VendorOrder | None:
    """The vendor order locked (fresh from the database), or None; the caller holds (or
    needs not hold) its order's lock."""
    return db.scalar(
        select(VendorOrder)
        .where(VendorOrder.id == vendor_order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def lock_vendor_order(db: Session, vendor_order_id: int) -> VendorOrder:
    """The vendor order locked (its order's lock already held by the caller); NotFound."""
    part = find_locked_vendor_order(db, vendor_order_id)
    if part is None:
        raise NotFound(f"Commande boutique {vendor_order_id} introuvable.")
    return part


def lock_part_and_order(db: Session, vendor_order_id: int) -> tuple[Order, VendorOrder]:
    """A vendor order and its order, both locked: the order first, like every writer, so
    that concurrent writers never deadlock."""
    order_id = db.scalar(select(VendorOrder.order_id).where(VendorOrder.id == vendor_order_id))
    if order_id is None:
        raise NotFound(f"Commande boutique {vendor_order_id} introuvable.")
    return lock_order(db, order_id), lock_vendor_order(db, vendor_order_id)


def lock_parts_of_order(
    db: Session, order_id: int, *, with_cancelled: bool = True
) -> list[VendorOrder]:
    """The order's vendor orders, locked by id (the order's lock already held by the caller)."""
    query = select(VendorOrder).where(VendorOrder.order_id == order_id)
    if not with_cancelled:
        query = query.where(VendorOrder.status != VendorOrderStatus.cancelled)
    return list(
        db.scalars(
            query.order_by(VendorOrder.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
