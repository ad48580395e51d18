"""The public face of approved shops: the shop list and a shop's page (hours, open now,
next opening, closures, pickup slots with places left, delivery modes, return policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from comptoir.domain.hours import Closure, OpeningRange, is_open_at, next_opening, weekly_summary
from comptoir.domain.labels import delivery_kind_label
from comptoir.domain.paris_time import to_paris
from comptoir.domain.slots import Slot, SlotRule, upcoming_slots
from comptoir.errors import NotFound
from comptoir.models import (
    DeliveryKind,
    DeliveryMode,
    OpeningHours,
    PickupSlotRule,
    Shop,
    ShopClosure,
    ShopStatus,
    VendorOrder,
    VendorOrderStatus,
)

PICKUP_SLOT_DAYS = 7
# A shop needs time to prepare: the earliest slot offered starts this long after now.
PICKUP_LEAD_MINUTES = 60


@dataclass(frozen=True)
class ShopCard:
    """An approved shop in the public list."""

    slug: str
    name: str
    trade: str
    city: str
    open_now: bool
    banner_photo_id: int | None = None


@dataclass(frozen=True)
class DayHours:
    day: str
    hours: str


@dataclass(frozen=True)
class ClosureView:
    start_date: date
    end_date: date
    reason: str


@dataclass(frozen=True)
class PickupSlotView:
    start: datetime
    end: datetime
    capacity: int
    remaining: int


@dataclass(frozen=True)
class DeliveryModeView:
    id: int
    kind: DeliveryKind
    kind_label: str
    label: str
    price_cents: int
    free_above_cents: int | None


@dataclass(frozen=True)
class ShopPage:
    """What a shopper sees of a shop before ordering from it."""

    slug: str
    name: str
    trade: str
    description: str
    address_line: str
    postal_code: str
    city: str
    phone: str
    email: str
    opening_hours: list[DayHours]
    open_now: bool
    next_opening: datetime | None
    upcoming_closures: list[ClosureView]
    pickup_slots: list[PickupSlotView]
    delivery_modes: list[DeliveryModeView]
    return_policy: str


def opening_ranges(hours: list[OpeningHours]) -> list[OpeningRange]:
    """A shop's opening hours as the domain rules read them."""
    return [(h.weekday, h.opens, h.closes) for h in hours]


def closure_ranges(closures: list[ShopClosure]) -> list[Closure]:
    """A shop's exceptional closures as the domain rules read them."""
    return [(c.start_date, c.end_date) for c in closures]


def slot_rules(rules: list[PickupSlotRule]) -> list[SlotRule]:
    """A shop's pickup slot rules as the domain rules read them."""
    return [(r.weekday, r.starts, r.ends, r.slot_minutes, r.capacity) for r in rules]


def list_public_shops(db: Session, now: datetime) -> list[ShopCard]:
    """Approved shops by name, each saying whether it is open at `now`."""
    shops = db.scalars(
        select(Shop)
        .where(Shop.status == ShopStatus.approved)
        .options(selectinload(Shop.opening_hours), selectinload(Shop.closures))
        .order_by(Shop.name, Shop.id)
        # Collections already in the session would otherwise be served stale.
        .execution_options(populate_existing=True)
    ).all()
    return [
        ShopCard(
            slug=shop.slug,
            name=shop.name,
            trade=shop.trade,
            city=shop.city,
            open_now=is_open_at(
                opening_ranges(shop.opening_hours), closure_ranges(shop.closures), now
            ),
            banner_photo_id=shop.banner_photo_id,
        )
        for shop in shops
    ]


def _booked_pickups(db: Session, shop_id: int, now: datetime) -> dict[datetime, int]:
    """Non-cancelled vendor orders per pickup slot start over the slot horizon."""
    horizon = now + timedelta(days=PICKUP_SLOT_DAYS + 1)
    rows = db.execute(
        select(VendorOrder.pickup_slot_start, func.count())
        .where(
            VendorOrder.shop_id == shop_id,
            VendorOrder.status != VendorOrderStatus.cancelled,
            VendorOrder.pickup_slot_start >= now,
            VendorOrder.pickup_slot_start < horizon,
        )
        .group_by(VendorOrder.pickup_slot_start)
    ).tuples()
    return {start: count for start, count in rows if start is not None}


def public_shop_page(db: Session, slug: str, now: datetime) -> ShopPage:
    """The page of an approved shop at `now`; 404 for an unknown or unapproved shop."""
    shop = db.scalar(
        select(Shop)
        .where(Shop.slug == slug, Shop.status == ShopStatus.approved)
        .options(
            selectinload(Shop.opening_hours),
            selectinload(Shop.closures),
            selectinload(Shop.pickup_slot_rules),
            selectinload(Shop.delivery_modes),
        )
        .execution_options(populate_existing=True)
    )
    if shop is None:
        raise NotFound("Cette boutique n'existe pas ou n'est pas ouverte au public.")
    ranges = opening_ranges(shop.opening_hours)
    closures = closure_ranges(shop.closures)
    today = to_paris(now).date()
    modes = [mode for mode in shop.delivery_modes if mode.active]
    slots: list[Slot] = []
    # Slots only mean something when the shop offers pickup at all.
    if shop.pickup_slot_rules and any(m.kind == DeliveryKind.pickup for m in modes):
        slots = upcoming_slots(
            slot_rules(shop.pickup_slot_rules),
            closures,
            now,
            days=PICKUP_SLOT_DAYS,
            min_lead_minutes=PICKUP_LEAD_MINUTES,
            taken=_booked_pickups(db, shop.id, now),
        )
    return ShopPage(
        slug=shop.slug,
        name=shop.name,
        trade=shop.trade,
        description=shop.description,
        address_line=shop.address_line,
        postal_code=shop.postal_code,
        city=shop.city,
        phone=shop.phone,
        email=shop.email,
        opening_hours=[DayHours(day=day, hours=hours) for day, hours in weekly_summary(ranges)],
        open_now=is_open_at(ranges, closures, now),
        next_opening=next_opening(ranges, closures, now),
        upcoming_closures=[
            ClosureView(start_date=c.start_date, end_date=c.end_date, reason=c.reason)
            for c in shop.closures
            if c.end_date >= today
        ],
        pickup_slots=[
            PickupSlotView(start=s.start, end=s.end, capacity=s.capacity, remaining=s.remaining)
            for s in slots
        ],
        delivery_modes=[_delivery_mode_view(mode) for mode in modes],
        return_policy=shop.return_policy,
    )


def _delivery_mode_view(mode: DeliveryMode) -> DeliveryModeView:
    return DeliveryModeView(
        id=mode.id,
        kind=mode.kind,
        kind_label=delivery_kind_label(mode.kind),
        label=mode.label,
        price_cents=mode.price_cents,
        free_above_cents=mode.free_above_cents,
    )


@dataclass(frozen=True)
class ShopLayout:
    """How a shop arranges its page: the order of its categories and its banner photo."""

    category_order: list[str]
    banner_photo_id: int | None


def shop_layout(db: Session, slug: str) -> ShopLayout:
    """The shop's page arrangement (one small statement)."""
    row = db.execute(
        select(Shop.category_order, Shop.banner_photo_id).where(Shop.slug == slug)
    ).first()
    if row is None:
        return ShopLayout([], None)
    return ShopLayout(list(row.category_order or []), row.banner_photo_id)
