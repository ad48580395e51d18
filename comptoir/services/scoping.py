"""What a caller may read: the one place that scopes orders, vendor orders and shops.

`readable_orders` and `readable_vendor_orders` are the scoping statements: a shopper reads
their own orders, a merchant their own shop's vendor orders, an operator everything.
Anything outside the caller's scope is `NotFound` (never reveal that it exists). Every read
model (order_reads, messages, merchant_dashboard) and every order write route goes through here.
"""

from __future__ import annotations

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from comptoir.errors import NotFound
from comptoir.models import Order, Role, Shop, User, VendorOrder

ORDER_NOT_FOUND = "Cette commande n'existe pas ou n'est pas la vôtre."
VENDOR_ORDER_NOT_FOUND = "Cette commande boutique n'existe pas ou ne concerne pas votre boutique."


def owned_shop_ids(user: User) -> Select[tuple[int]]:
    """The ids of the shops `user` owns (a sub-select)."""
    return select(Shop.id).where(Shop.owner_id == user.id)


def first_owned_shop(db: Session, user: User) -> Shop | None:
    """The merchant's shop (the first one, by id), or None."""
    return db.scalar(select(Shop).where(Shop.owner_id == user.id).order_by(Shop.id).limit(1))


def readable_orders(user: User) -> Select[tuple[Order]]:
    """Orders `user` may read: their own (shopper), every one (operator), none (merchant)."""
    query = select(Order)
    if user.role == Role.operator:
        return query
    if user.role == Role.shopper:
        return query.where(Order.shopper_id == user.id)
    return query.where(false())  # a merchant reads vendor orders, never a whole order


def readable_vendor_orders(user: User) -> Select[tuple[VendorOrder]]:
    """Vendor orders `user` may read: their shop's (merchant), their orders' (shopper), all."""
    query = select(VendorOrder)
    if user.role == Role.operator:
        return query
    if user.role == Role.merchant:
        return query.where(VendorOrder.shop_id.in_(owned_shop_ids(user)))
    return query.where(
        VendorOrder.order_id.in_(select(Order.id).where(Order.shopper_id == user.id))
    )


def get_readable_order(
    db: Session, user: User, order_id: int, *, code: str = "order_not_found"
) -> Order:
    """The order row when `user` may read it; NotFound (with `code`) otherwise."""
    order = db.scalar(readable_orders(user).where(Order.id == order_id))
    if order is None:
        raise NotFound(ORDER_NOT_FOUND, code=code)
    return order


def get_readable_vendor_order(db: Session, user: User, vendor_order_id: int) -> VendorOrder:
    """The vendor order row when `user` may read it; NotFound otherwise."""
    part = db.scalar(readable_vendor_orders(user).where(VendorOrder.id == vendor_order_id))
    if part is None:
        raise NotFound(VENDOR_ORDER_NOT_FOUND, code="vendor_order_not_found")
    return part
