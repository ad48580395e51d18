"""The shopper's cart: one cart across shops, grouped by shop with delivery modes and totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, selectinload

from comptoir.domain.slots import Slot, SlotRule, upcoming_slots
from comptoir.errors import NotFound, Unprocessable
from comptoir.models import (
    CartItem,
    DeliveryKind,
    Product,
    Shop,
    ShopStatus,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services import stock

MAX_QUANTITY = 99
# Slots offered at checkout: the next two weeks, no sooner than an hour from now.
SLOT_HORIZON_DAYS = 14
SLOT_LEAD_MINUTES = 60


@dataclass
class CartLine:
    """One product in the cart, priced as it would be paid now."""

    product_id: int
    name: str
    unit_price_cents: int
    quantity: int
    line_cents: int
    stock: int
    requires_confirmation: bool
    available: bool
    problem: str = ""


@dataclass
class CartDeliveryMode:
    """A delivery mode of a shop, priced for this cart's basket in that shop."""

    id: int
    kind: str
    label: str
    price_cents: int


@dataclass
class CartSlot:
    start: datetime
    end: datetime
    remaining: int


@dataclass
class CartShop:
    """A shop's part of the cart."""

    shop_id: int
    shop_name: str
    shop_open: bool
    lines: list[CartLine]
    items_cents: int
    delivery_modes: list[CartDeliveryMode]
    has_pickup_slots: bool
    pickup_slots: list[CartSlot] = field(default_factory=list)
    needs_confirmation: bool = False
    shop_slug: str = ""
    # "Livraison offerte dès X €": the lowest threshold of the shop's paid delivery modes,
    # and what is missing to reach it (0 once reached); None when no mode has one.
    free_delivery_from_cents: int | None = None

    @property
    def free_delivery_missing_cents(self) -> int:
        if self.free_delivery_from_cents is None:
            return 0
        return max(0, self.free_delivery_from_cents - self.items_cents)


@dataclass
class CartView:
    shops: list[CartShop]
    items_cents: int
    item_count: int


def free_delivery_threshold(shop: Shop) -> int | None:
    """From how many cents of products a paid delivery of the shop becomes free (the lowest
    threshold of its active paid modes), or None when none does."""
    thresholds = [
        m.free_above_cents
        for m in shop.delivery_modes
        if m.active and m.price_cents > 0 and m.free_above_cents is not None
    ]
    return min(thresholds) if thresholds else None


def slot_rules_of(shop: Shop) -> list[SlotRule]:
    """The shop's weekly slot rules as the domain's tuples (relationship must be loaded)."""
    return [
        (r.weekday, r.starts, r.ends, r.slot_minutes, r.capacity) for r in shop.pickup_slot_rules
    ]


def taken_slots(db: Session, shop_ids: list[int], since: datetime) -> dict[tuple[int, datetime], int]:
    """Non-cancelled vendor orders per (shop, pickup slot start) from `since` on."""
    if not shop_ids:
        return {}
    rows = db.execute(
        select(VendorOrder.shop_id, VendorOrder.pickup_slot_start, func.count())
        .where(
            VendorOrder.shop_id.in_(shop_ids),
            VendorOrder.pickup_slot_start >= since,
            VendorOrder.status != VendorOrderStatus.cancelled,
        )
        .group_by(VendorOrder.shop_id, VendorOrder.pickup_slot_start)
    ).all()
    return {(shop_id, start): count for shop_id, start, count in rows if start is not None}


def offered_slots(
    shop: Shop, now: datetime, taken: dict[tuple[int, datetime], int]
) -> list[Slot]:
    """The shop's pickup slots a shopper may pick now (loaded rules and closures)."""
    closures = [(c.start_date, c.end_date) for c in shop.closures]
    per_start = {start: n for (shop_id, start), n in taken.items() if shop_id == shop.id}
    return upcoming_slots(
        slot_rules_of(shop),
        closures,
        now,
        days=SLOT_HORIZON_DAYS,
        min_lead_minutes=SLOT_LEAD_MINUTES,
        taken=per_start,
    )


def _load_items(db: Session, user: User) -> list[CartItem]:
    return list(
        db.scalars(select(CartItem).where(CartItem.user_id == user.id).order_by(CartItem.id))
    )


def get_cart(db: Session, user: User, now: datetime | None = None) -> CartView:
    """The cart grouped by shop, with each shop's delivery modes priced and free slots."""
    now = now or datetime.now(UTC)
    items = _load_items(db, user)
    products = {
        p.id: p
        for p in db.scalars(
            select(Product).where(Product.id.in_([i.product_id for i in items]))
        )
    }
    shop_ids = sorted({p.shop_id for p in products.values()})
    shops = {
        s.id: s
        for s in db.scalars(
            select(Shop)
            .where(Shop.id.in_(shop_ids))
            .options(
                selectinload(Shop.delivery_modes),
                selectinload(Shop.pickup_slot_rules),
                selectinload(Shop.closures),
            )
        )
    }
    taken = taken_slots(db, [s for s in shop_ids if shops[s].pickup_slot_rules], now)
    by_shop: dict[int, list[CartLine]] = {}
    for item in items:
        product = products[item.product_id]
        shop = shops[product.shop_id]
        problem = ""
        if not product.active or shop.status != ShopStatus.approved:
            problem = "Ce produit n'est plus en vente."
        elif product.stock < item.quantity:
            problem = (
                f"Il n'en reste que {product.stock} en stock."
                if product.stock
                else "Ce produit est en rupture de stock."
            )
        price = product.effective_price_cents
        by_shop.setdefault(shop.id, []).append(
            CartLine(
                product_id=product.id,
                name=product.name,
                unit_price_cents=price,
                quantity=item.quantity,
                line_cents=price * item.quantity,
                stock=product.stock,
                requires_confirmation=product.requires_confirmation,
                available=not problem,
                problem=problem,
            )
        )
    parts: list[CartShop] = []
    for shop_id, lines in by_shop.items():
        shop = shops[shop_id]
        items_cents = sum(line.line_cents for line in lines)
        modes = [
            CartDeliveryMode(m.id, m.kind.value, m.label, m.price_for(items_cents))
            for m in shop.delivery_modes
            if m.active
        ]
        has_slots = bool(shop.pickup_slot_rules)
        slots = (
            [CartSlot(s.start, s.end, s.remaining) for s in offered_slots(shop, now, taken)]
            if has_slots and any(m.kind == DeliveryKind.pickup.value for m in modes)
            else []
        )
        parts.append(
            CartShop(
                shop_id=shop.id,
                shop_name=shop.name,
                shop_open=shop.status == ShopStatus.approved,
                lines=lines,
                items_cents=items_cents,
                delivery_modes=modes,
                has_pickup_slots=has_slots,
                pickup_slots=slots,
                needs_confirmation=any(line.requires_confirmation for line in lines),
                shop_slug=shop.slug,
                free_delivery_from_cents=free_delivery_threshold(shop),
            )
        )
    return CartView(
        shops=parts,
        items_cents=sum(p.items_cents for p in parts),
        item_count=sum(i.quantity for i in items),
    )


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Unprocessable(
            f"La quantité doit être comprise entre 1 et {MAX_QUANTITY}.", code="invalid_quantity"
        )


def _sellable_product(db: Session, product_id: int) -> Product:
    product = db.scalar(
        select(Product)
        .join(Shop, Shop.id == Product.shop_id)
        .where(Product.id == product_id, Product.active, Shop.status == ShopStatus.approved)
    )
    if product is None:
        raise NotFound("Ce produit n'existe pas ou n'est plus en vente.", code="product_not_found")
    return product


def add_item(db: Session, user: User, product_id: int, quantity: int = 1) -> CartView:
    """Add `quantity` of a product (added to what the cart already holds)."""
    _check_quantity(quantity)
    product = _sellable_product(db, product_id)
    current = db.scalar(
        select(CartItem.quantity).where(
            CartItem.user_id == user.id, CartItem.product_id == product_id
        )
    ) or 0
    wanted = current + quantity
    _check_quantity(wanted)
    stock.check_available(product, wanted)
    put_in_cart(db, user, product_id, quantity)
    db.flush()
    return get_cart(db, user)


def put_in_cart(db: Session, user: User, product_id: int, quantity: int) -> None:
    """Add `quantity` to the cart's line of a product (created when absent); no checks."""
    db.execute(
        insert(CartItem)
        .values(user_id=user.id, product_id=product_id, quantity=quantity)
        .on_conflict_do_update(
            constraint="uq_cart_items_user_product",
            set_={"quantity": CartItem.quantity + quantity},
        )
    )


def _cart_item(db: Session, user: User, product_id: int) -> CartItem:
    item = db.scalar(
        select(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product_id)
    )
    if item is None:
        raise NotFound("Ce produit n'est pas dans votre panier.", code="not_in_cart")
    return item


def set_quantity(db: Session, user: User, product_id: int, quantity: int) -> CartView:
    """Replace the quantity of a product already in the cart."""
    item = _cart_item(db, user, product_id)
    _check_quantity(quantity)
    stock.check_available(_sellable_product(db, product_id), quantity)
    item.quantity = quantity
    db.flush()
    return get_cart(db, user)


def remove_item(db: Session, user: User, product_id: int) -> CartView:
    """Take a product out of the cart."""
    db.delete(_cart_item(db, user, product_id))
    db.flush()
    return get_cart(db, user)


def clear(db: Session, user: User) -> None:
    """Empty the cart."""
    db.execute(delete(CartItem).where(CartItem.user_id == user.id))
    db.flush()


def slot_window_start(now: datetime) -> datetime:
    """Earliest start of a slot a shopper may still book."""
    return now + timedelta(minutes=SLOT_LEAD_MINUTES)
