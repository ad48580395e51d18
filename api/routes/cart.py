"""The shopper's cart: one cart across shops, grouped by shop with delivery modes and totals."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import Field, computed_field

from api.deps import ShopperUser
from api.schemas import Public, Strict
from comptoir.domain.labels import delivery_kind_label
from comptoir.services import cart
from comptoir.services.cart import MAX_QUANTITY
from comptoir.web.deps import SessionDep

router = APIRouter(prefix="/api/cart", tags=["cart"])


class CartLineOut(Public):
    product_id: int
    name: str
    unit_price_cents: int
    quantity: int
    line_cents: int
    stock: int
    requires_confirmation: bool
    available: bool
    problem: str


class DeliveryModeOut(Public):
    id: int
    kind: str
    label: str
    price_cents: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return delivery_kind_label(self.kind)


class SlotOut(Public):
    start: datetime
    end: datetime
    remaining: int


class CartShopOut(Public):
    shop_id: int
    shop_name: str
    shop_open: bool
    lines: list[CartLineOut]
    items_cents: int
    delivery_modes: list[DeliveryModeOut]
    has_pickup_slots: bool
    pickup_slots: list[SlotOut]
    needs_confirmation: bool


class CartOut(Public):
    shops: list[CartShopOut]
    items_cents: int
    item_count: int


class AddItemIn(Strict):
    product_id: int
    quantity: int = Field(default=1, ge=1, le=MAX_QUANTITY)


class QuantityIn(Strict):
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


@router.get("", response_model=CartOut)
def show_cart(db: SessionDep, shopper: ShopperUser) -> CartOut:
    """The cart, grouped by shop, with delivery modes priced for it and free pickup slots."""
    return CartOut.model_validate(cart.get_cart(db, shopper))


@router.post("/items", response_model=CartOut, status_code=201)
def add_to_cart(body: AddItemIn, db: SessionDep, shopper: ShopperUser) -> CartOut:
    """Add a product (its quantity adds to what the cart already holds)."""
    return CartOut.model_validate(cart.add_item(db, shopper, body.product_id, body.quantity))


@router.patch("/items/{product_id}", response_model=CartOut)
def change_quantity(product_id: int, body: QuantityIn, db: SessionDep, shopper: ShopperUser) -> CartOut:
    """Set the quantity of a product already in the cart."""
    return CartOut.model_validate(cart.set_quantity(db, shopper, product_id, body.quantity))


@router.delete("/items/{product_id}", response_model=CartOut)
def remove_from_cart(product_id: int, db: SessionDep, shopper: ShopperUser) -> CartOut:
    """Take a product out of the cart."""
    return CartOut.model_validate(cart.remove_item(db, shopper, product_id))


@router.delete("", status_code=204)
def empty_cart(db: SessionDep, shopper: ShopperUser) -> Response:
    """Empty the cart."""
    cart.clear(db, shopper)
    return Response(status_code=204)
