"""A product's stock: checked when filling a cart, reserved at checkout, released when a line
is cancelled, adjusted by the merchant.

Every change is one atomic `UPDATE … SET stock = stock ± n` moving from the row's value (never
from a value read before), so concurrent checkouts and adjustments never lose a unit.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from comptoir.errors import Conflict, Unprocessable
from comptoir.models import OrderLine, Product

MAX_STOCK = 1_000_000


def check_available(product: Product, quantity: int) -> None:
    """Conflict (a French sentence) when the cart asks for more than the stock holds now."""
    if quantity > product.stock:
        if product.stock == 0:
            raise Conflict(f"« {product.name} » est en rupture de stock.", code="out_of_stock")
        raise Conflict(
            f"Il ne reste que {product.stock} « {product.name} » en stock.", code="out_of_stock"
        )


def reserve(db: Session, product: Product, quantity: int) -> None:
    """Take `quantity` out of an active product's stock; Conflict when there is not enough."""
    reserved = db.execute(
        update(Product)
        .where(Product.id == product.id, Product.active, Product.stock >= quantity)
        .values(stock=Product.stock - quantity)
        .returning(Product.id)
    ).first()
    if reserved is None:
        left = db.scalar(select(Product.stock).where(Product.id == product.id)) or 0
        if left == 0:
            message = f"« {product.name} » vient d'être épuisé ; retirez-le de votre panier."
        else:
            message = (
                f"Stock insuffisant pour « {product.name} » : il n'en reste que {left}, "
                f"vous en demandez {quantity}."
            )
        raise Conflict(message, code="out_of_stock")


def release(db: Session, line: OrderLine) -> None:
    """Put a cancelled line's quantity back in stock (nothing when the product was deleted)."""
    if line.product_id is not None:
        db.execute(
            update(Product)
            .where(Product.id == line.product_id)
            .values(stock=Product.stock + line.quantity)
        )


def adjust(
    db: Session, product_id: int, *, delta: int | None = None, set_to: int | None = None
) -> None:
    """Add `delta` to the stock, or set it to `set_to`, in one atomic statement."""
    if (delta is None) == (set_to is None):
        raise Unprocessable("Indiquez soit une variation (delta), soit un nouveau stock (set).")
    if set_to is not None:
        if not 0 <= set_to <= MAX_STOCK:
            raise Unprocessable(f"Le stock doit être un entier entre 0 et {MAX_STOCK}.")
        statement = update(Product).where(Product.id == product_id).values(stock=set_to)
    elif abs(delta or 0) > MAX_STOCK:
        raise Unprocessable(f"La variation de stock doit rester entre -{MAX_STOCK} et {MAX_STOCK}.")
    else:
        # Checkouts reserve stock concurrently: move from the row's value, not from ours.
        moved = Product.stock + (delta or 0)
        statement = (
            update(Product)
            .where(Product.id == product_id, moved >= 0, moved <= MAX_STOCK)
            .values(stock=moved)
        )
    result = db.execute(statement.returning(Product.stock)).first()
    if result is None:
        current = db.scalar(select(Product.stock).where(Product.id == product_id))
        raise Conflict(
            f"Impossible : le stock deviendrait négatif ou dépasserait {MAX_STOCK} "
            f"(stock actuel : {current}).",
            code="stock_out_of_range",
        )
