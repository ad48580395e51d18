"""Two tenants of each kind and an operator, with real objects behind every `{id}` of the API.

Shopper A ordered from shop A (merchant A): that order is completed, its return window is
open, it has an invoice and a return request. Shopper B and merchant B (with shop B and a
product of their own) are the "other tenants"; a pending shop waits for an operator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from comptoir.models import (
    DeliveryMode,
    OrderLine,
    OrderStatus,
    Role,
    ShopClosure,
    ShopStatus,
    User,
    VendorOrder,
)
from comptoir.services import cart, sessions
from tests.factories import create_order, create_product, create_shop, create_user
from tests.order_factories import (
    add_commission_invoice,
    add_credit_note,
    add_invoice,
    add_return,
    complete_vendor_order,
)

ROLES = ("shopper", "other_shopper", "merchant", "other_merchant", "operator")


@dataclass
class World:
    """Users by role name, their bearer headers, and the ids the routes' paths need."""

    users: dict[str, User] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, int | str] = field(default_factory=dict)
    caller: str | None = None  # the role name of the request being built

    def path(self, template: str) -> str:
        """`template` with every `{name}` replaced by this world's object of that name."""
        return template.format(**self.ids)


def bearer(db: Session, user: User) -> dict[str, str]:
    """A live session of `user` (opened directly: the login route is tested elsewhere)."""
    issued = sessions.open_session(db, user)
    return {"Authorization": f"Bearer {issued.token}"}


def build_world(db: Session) -> World:
    """Create the tenants and their objects, committed, with one session per user."""
    world = World()
    users = world.users
    users["shopper"] = create_user(db, Role.shopper)
    users["other_shopper"] = create_user(db, Role.shopper)
    users["merchant"] = create_user(db, Role.merchant)
    users["other_merchant"] = create_user(db, Role.merchant)
    users["operator"] = create_user(db, Role.operator)

    shop = create_shop(db, owner=users["merchant"])
    other_shop = create_shop(db, owner=users["other_merchant"])
    pending_shop = create_shop(db, status=ShopStatus.pending)
    product = create_product(db, shop, stock=50)
    other_product = create_product(db, other_shop, stock=50)

    order = create_order(db, users["shopper"], [(product, 2)], status=OrderStatus.completed)
    db.flush()
    vendor_order = db.query(VendorOrder).filter_by(order_id=order.id).one()
    complete_vendor_order(db, vendor_order, return_days_left=10)
    line_id = _first_line_id(db, vendor_order)
    invoice = add_invoice(db, vendor_order)
    credit_note = add_credit_note(db, invoice)
    commission_invoice = add_commission_invoice(db, shop.id, date.today().replace(day=1))
    return_request = add_return(db, vendor_order, {line_id: 1})
    closure = ShopClosure(
        shop_id=shop.id,
        start_date=date.today() + timedelta(days=30),
        end_date=date.today() + timedelta(days=31),
        reason="Inventaire",
    )
    db.add(closure)
    db.flush()
    pickup = db.query(DeliveryMode).filter_by(shop_id=shop.id, kind="pickup").one()
    local = db.query(DeliveryMode).filter_by(shop_id=shop.id, kind="local_delivery").one()
    other_pickup = db.query(DeliveryMode).filter_by(shop_id=other_shop.id, kind="pickup").one()
    # Both shoppers can check out; only shopper A's cart holds shop A's product.
    cart.add_item(db, users["shopper"], product.id, 1)
    cart.add_item(db, users["other_shopper"], other_product.id, 1)

    world.ids.update(
        order_id=order.id,
        vendor_order_id=vendor_order.id,
        line_id=line_id,
        return_id=return_request.id,
        invoice_id=invoice.id,
        credit_note_id=credit_note.id,
        commission_invoice_id=commission_invoice.id,
        product_id=product.id,
        closure_id=closure.id,
        mode_id=local.id,
        pickup_mode_id=pickup.id,
        shop_id=shop.id,
        other_shop_id=other_shop.id,
        other_pickup_mode_id=other_pickup.id,
        pending_shop_id=pending_shop.id,
        slug=shop.slug,
    )
    for role in ROLES:
        world.headers[role] = bearer(db, users[role])
    db.commit()
    return world


def _first_line_id(db: Session, vendor_order: VendorOrder) -> int:
    line = db.query(OrderLine).filter_by(vendor_order_id=vendor_order.id).first()
    assert line is not None
    return line.id
