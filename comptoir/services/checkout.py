"""Checkout: the cart becomes an order, its stock is reserved, then its workflow is started.

Stock is reserved in the same transaction as the order rows, one conditional UPDATE per
product (`stock >= quantity`), so two shoppers racing for the last item can never both get
it. Pickup slot capacity is checked under a transaction-scoped advisory lock per slot.

Starting the workflow happens after the commit (a workflow must never see an order that
was rolled back). The order is committed with `stage='start_pending'`; if Temporal cannot
be reached, the order is kept and started later: by the worker's sweeper at start-up and
every minute, by an operator's retry, or when its shopper looks at it. Starting is
idempotent: the workflow id is `order-<id>` with `REJECT_DUPLICATE`, so a second start
finds the first and does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, selectinload

from comptoir.errors import Conflict, Unprocessable
from comptoir.models import (
    CartItem,
    DeliveryKind,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Shop,
    ShopStatus,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services import stock
from comptoir.services.cart import offered_slots, taken_slots
from comptoir.services.contact_fields import check_french_phone, check_postal_code

log = logging.getLogger("comptoir.checkout")

START_PENDING = "start_pending"


@dataclass
class BillingAddress:
    name: str
    line1: str
    postal_code: str
    city: str
    line2: str = ""
    country: str = "FR"


@dataclass
class ShopChoice:
    """What the shopper picked for one shop of the cart."""

    shop_id: int
    delivery_mode_id: int
    pickup_slot_start: datetime | None = None
    shipping_name: str = ""
    shipping_address: str = ""


@dataclass
class CheckoutRequest:
    billing: BillingAddress | None
    shops: list[ShopChoice] = field(default_factory=list)
    phone: str = ""  # required when a shop delivers (its courier calls the shopper)


def _clean_billing(billing: BillingAddress | None) -> BillingAddress:
    missing_message = (
        "L'adresse de facturation est obligatoire pour payer : indiquez le nom, l'adresse, "
        "le code postal et la ville."
    )
    if billing is None:
        raise Unprocessable(missing_message, code="billing_address_required")
    values = {
        "name": billing.name.strip(),
        "line1": billing.line1.strip(),
        "postal_code": billing.postal_code.strip(),
        "city": billing.city.strip(),
    }
    empty = [label for label, key in (("nom", "name"), ("adresse", "line1"),
             ("code postal", "postal_code"), ("ville", "city")) if not values[key]]
    if empty:
        raise Unprocessable(
            f"{missing_message} Manquant : {', '.join(empty)}.", code="billing_address_required"
        )
    country = (billing.country or "FR").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise Unprocessable("Le pays doit être un code à deux lettres (FR).", code="invalid_country")
    postal_code = check_postal_code(values["postal_code"]) if country == "FR" else values["postal_code"]
    return BillingAddress(
        name=values["name"][:200],
        line1=values["line1"][:300],
        line2=billing.line2.strip()[:300],
        postal_code=postal_code[:10],
        city=values["city"][:120],
        country=country,
    )


def _slot_lock_key(start: datetime) -> int:
    # Minutes since the epoch fit in an int4 for centuries; the lock's other half is the shop.
    return int(start.timestamp()) // 60


def _reserve_slot(db: Session, shop: Shop, start: datetime, now: datetime) -> datetime:
    """The slot's end once a place is guaranteed; the lock is held until commit."""
    db.execute(
        text("SELECT pg_advisory_xact_lock(:shop, :slot)"),
        {"shop": shop.id, "slot": _slot_lock_key(start)},
    )
    taken = taken_slots(db, [shop.id], start)
    for slot in offered_slots(shop, now, taken):
        if slot.start == start:
            if slot.remaining <= 0:
                raise Conflict(
                    f"Le créneau de retrait choisi chez « {shop.name} » est complet ; "
                    "choisissez-en un autre.",
                    code="slot_full",
                )
            return slot.end
    raise Unprocessable(
        f"Le créneau de retrait choisi chez « {shop.name} » n'est pas proposé "
        "(boutique fermée, créneau passé ou trop proche).",
        code="slot_not_offered",
    )


def checkout(db: Session, shopper: User, request: CheckoutRequest, now: datetime | None = None) -> Order:
    """Turn the shopper's cart into an order with reserved stock (flushed, not committed)."""
    now = now or datetime.now(UTC)
    billing = _clean_billing(request.billing)
    items = list(
        db.scalars(select(CartItem).where(CartItem.user_id == shopper.id).order_by(CartItem.id))
    )
    if not items:
        raise Conflict("Votre panier est vide.", code="empty_cart")
    products = {
        p.id: p
        for p in db.scalars(select(Product).where(Product.id.in_([i.product_id for i in items])))
    }
    shops = {
        s.id: s
        for s in db.scalars(
            select(Shop)
            .where(Shop.id.in_({p.shop_id for p in products.values()}))
            .options(
                selectinload(Shop.delivery_modes),
                selectinload(Shop.pickup_slot_rules),
                selectinload(Shop.closures),
            )
        )
    }
    choices: dict[int, ShopChoice] = {}
    for choice in request.shops:
        if choice.shop_id in choices:
            raise Unprocessable("Une boutique est choisie deux fois.", code="duplicate_shop")
        if choice.shop_id not in shops:
            raise Unprocessable(
                "Un mode de livraison est donné pour une boutique absente du panier.",
                code="shop_not_in_cart",
            )
        choices[choice.shop_id] = choice
    by_shop: dict[int, list[CartItem]] = {}
    for item in items:
        product = products[item.product_id]
        shop = shops[product.shop_id]
        if not product.active or shop.status != ShopStatus.approved:
            raise Conflict(
                f"« {product.name} » n'est plus en vente ; retirez-le de votre panier.",
                code="product_unavailable",
            )
        by_shop.setdefault(shop.id, []).append(item)
    for shop_id in by_shop:
        if shop_id not in choices:
            raise Unprocessable(
                f"Choisissez un mode de livraison pour « {shops[shop_id].name} ».",
                code="delivery_mode_required",
            )

    needs_confirmation = any(products[i.product_id].requires_confirmation for i in items)
    order = Order(
        shopper_id=shopper.id,
        status=OrderStatus.awaiting_confirmation if needs_confirmation else OrderStatus.awaiting_payment,
        stage=START_PENDING,
        billing_name=billing.name,
        billing_line1=billing.line1,
        billing_line2=billing.line2,
        billing_postal_code=billing.postal_code,
        billing_city=billing.city,
        billing_country=billing.country,
        shopper_email=shopper.email,
        items_cents=0,
        delivery_cents=0,
        total_cents=0,
    )
    db.add(order)
    db.flush()

    delivered = any(
        mode.kind != DeliveryKind.pickup
        for shop_id in by_shop
        for mode in shops[shop_id].delivery_modes
        if mode.id == choices[shop_id].delivery_mode_id
    )
    phone = check_french_phone(request.phone) if delivered else ""
    # Slots first then products, each in a fixed order, so concurrent checkouts never deadlock.
    slot_ends: dict[int, datetime] = {}
    for shop_id in sorted(by_shop):
        shop, choice = shops[shop_id], choices[shop_id]
        mode = next((m for m in shop.delivery_modes if m.id == choice.delivery_mode_id), None)
        if mode is None or not mode.active:
            raise Unprocessable(
                f"Ce mode de livraison n'est pas proposé par « {shop.name} ».",
                code="invalid_delivery_mode",
            )
        if mode.kind == DeliveryKind.pickup and shop.pickup_slot_rules:
            if choice.pickup_slot_start is None:
                raise Unprocessable(
                    f"Choisissez un créneau de retrait chez « {shop.name} ».",
                    code="pickup_slot_required",
                )
            start = choice.pickup_slot_start
            if start.tzinfo is None:
                raise Unprocessable("Le créneau doit préciser son fuseau horaire.", code="naive_slot")
            slot_ends[shop_id] = _reserve_slot(db, shop, start, now)
        elif choice.pickup_slot_start is not None:
            raise Unprocessable(
                f"« {shop.name} » ne propose pas de créneau pour ce mode de livraison.",
                code="slot_not_offered",
            )
    for item in sorted(items, key=lambda i: i.product_id):
        stock.reserve(db, products[item.product_id], item.quantity)

    all_items_cents = all_delivery_cents = 0
    for shop_id in sorted(by_shop):
        shop, choice = shops[shop_id], choices[shop_id]
        mode = next(m for m in shop.delivery_modes if m.id == choice.delivery_mode_id)
        shop_items = by_shop[shop_id]
        items_cents = sum(products[i.product_id].effective_price_cents * i.quantity for i in shop_items)
        delivery_cents = mode.price_for(items_cents)
        shop_needs_confirmation = any(products[i.product_id].requires_confirmation for i in shop_items)
        shipping_name, shipping_address = "", ""
        if mode.kind != DeliveryKind.pickup:
            shipping_name = (choice.shipping_name.strip() or billing.name)[:200]
            shipping_address = (
                choice.shipping_address.strip()
                or ", ".join(p for p in (billing.line1, billing.line2,
                                         f"{billing.postal_code} {billing.city}") if p)
            )[:600]
        slot_start = choice.pickup_slot_start if shop_id in slot_ends else None
        vendor_order = VendorOrder(
            order_id=order.id,
            shop_id=shop_id,
            status=(
                VendorOrderStatus.awaiting_confirmation
                if shop_needs_confirmation
                else VendorOrderStatus.awaiting_payment
            ),
            delivery_mode_id=mode.id,
            delivery_kind=mode.kind,
            delivery_label=mode.label,
            delivery_cents=delivery_cents,
            pickup_slot_start=slot_start,
            pickup_slot_end=slot_ends.get(shop_id),
            items_cents=items_cents,
            total_cents=items_cents + delivery_cents,
            shipping_name=shipping_name,
            shipping_address=shipping_address,
            contact_phone=phone if mode.kind != DeliveryKind.pickup else "",
        )
        db.add(vendor_order)
        db.flush()
        for item in shop_items:
            product = products[item.product_id]
            db.add(
                OrderLine(
                    vendor_order_id=vendor_order.id,
                    product_id=product.id,
                    product_name=product.name,
                    unit_price_cents=product.effective_price_cents,
                    vat_rate_bp=product.vat_rate_bp,
                    quantity=item.quantity,
                    requires_confirmation=product.requires_confirmation,
                    returnable=product.returnable,
                    status=(
                        LineStatus.pending_confirmation
                        if product.requires_confirmation
                        else LineStatus.confirmed
                    ),
                )
            )
        all_items_cents += items_cents
        all_delivery_cents += delivery_cents
    # Set together: the table checks total = items + delivery at every flush.
    order.items_cents = all_items_cents
    order.delivery_cents = all_delivery_cents
    order.total_cents = all_items_cents + all_delivery_cents
    db.execute(delete(CartItem).where(CartItem.user_id == shopper.id))
    db.flush()
    return order


# --- orders whose workflow has not started yet (gateway.start_pending_orders starts them) ---


def orders_waiting_for_start(db: Session, older_than: timedelta = timedelta(seconds=10)) -> list[int]:
    """Orders committed whose workflow may not have started (the API could not reach Temporal)."""
    limit = datetime.now(UTC) - older_than
    return list(
        db.scalars(
            select(Order.id)
            .where(Order.stage == START_PENDING, Order.created_at < limit)
            .order_by(Order.id)
        )
    )


def count_start_pending(db: Session) -> int:
    """How many orders still wait for their workflow (for operators' figures)."""
    return db.scalar(select(func.count()).where(Order.stage == START_PENDING)) or 0
