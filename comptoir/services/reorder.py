""""Remettre dans mon panier": the products of an order that did not go through (expired,
cancelled, payment failed) put back in the shopper's cart, as far as they are still sold."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import Conflict
from comptoir.models import (
    CartItem,
    OrderLine,
    OrderStatus,
    Product,
    Shop,
    ShopStatus,
    User,
    VendorOrder,
)
from comptoir.services import scoping
from comptoir.services.cart import MAX_QUANTITY, put_in_cart

REFILLABLE = (OrderStatus.cancelled, OrderStatus.payment_failed)


@dataclass(frozen=True)
class RefilledLine:
    product_id: int
    name: str
    quantity: int  # what went into the cart
    wanted: int  # what the order held


@dataclass
class Refill:
    added: list[RefilledLine] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)  # names no longer sold or in stock


def refill_cart(db: Session, shopper: User, order_id: int) -> Refill:
    """Add the order's products to the cart (within stock); say which could not be."""
    order = scoping.get_readable_order(db, shopper, order_id)
    if order.status not in REFILLABLE:
        raise Conflict(
            "Seule une commande annulée, expirée ou dont le paiement a échoué peut être remise "
            "dans le panier.",
            code="order_not_refillable",
        )
    lines = db.scalars(
        select(OrderLine)
        .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
        .where(VendorOrder.order_id == order.id)
        .order_by(OrderLine.id)
    ).all()
    wanted: dict[int, int] = {}
    names: dict[int, str] = {}
    result = Refill()
    for line in lines:
        if line.product_id is None:
            result.unavailable.append(line.product_name)
            continue
        wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
        names[line.product_id] = line.product_name
    sellable = {
        product.id: product
        for product in db.scalars(
            select(Product)
            .join(Shop, Shop.id == Product.shop_id)
            .where(
                Product.id.in_(wanted), Product.active, Shop.status == ShopStatus.approved
            )
        )
    }
    in_cart = {
        product_id: quantity
        for product_id, quantity in db.execute(
            select(CartItem.product_id, CartItem.quantity).where(
                CartItem.user_id == shopper.id, CartItem.product_id.in_(wanted)
            )
        ).tuples()
    }
    for product_id, quantity in wanted.items():
        product = sellable.get(product_id)
        already = in_cart.get(product_id, 0)
        room = min(MAX_QUANTITY, product.stock if product else 0) - already
        adding = min(quantity, room)
        if product is None or adding <= 0:
            if product is None or already == 0:
                result.unavailable.append(names[product_id])
            continue
        put_in_cart(db, shopper, product_id, adding)
        result.added.append(RefilledLine(product_id, product.name, adding, quantity))
    db.flush()
    return result
