"""Shops and their settings: opening hours, closures, pickup slots, delivery modes."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from comptoir.models.accounts import enum_column
from comptoir.models.base import Base, CreatedAt, IntPK


class ShopStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    refused = "refused"
    suspended = "suspended"


class DeliveryKind(enum.StrEnum):
    pickup = "pickup"
    local_delivery = "local_delivery"
    shipping = "shipping"


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[IntPK]
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    trade: Mapped[str] = mapped_column(String(60), default="")
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    siret: Mapped[str] = mapped_column(String(14), default="")
    # Mentions a French invoice must carry (Code de commerce R.123-237): legal form, share
    # capital, trade or crafts register (e.g. "RCS Lyon" / "RM 69").
    legal_form: Mapped[str] = mapped_column(String(60), default="")
    share_capital_cents: Mapped[int | None] = mapped_column(BigInteger)
    registration: Mapped[str] = mapped_column(String(120), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    address_line: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    return_policy: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ShopStatus] = mapped_column(
        enum_column(ShopStatus, "shop_status"), default=ShopStatus.pending, index=True
    )
    status_reason: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[CreatedAt]
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    banner_photo_id: Mapped[int | None] = mapped_column(
        ForeignKey("photos.id", ondelete="SET NULL")
    )
    # The shop's own terms of sale (CGV); empty means the platform's default text.
    cgv_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Category slugs in the order the shop page shows them; unlisted ones follow by name.
    category_order: Mapped[list[str]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )

    opening_hours: Mapped[list[OpeningHours]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="OpeningHours.weekday, OpeningHours.opens"
    )
    closures: Mapped[list[ShopClosure]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ShopClosure.start_date"
    )
    pickup_slot_rules: Mapped[list[PickupSlotRule]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PickupSlotRule.weekday, PickupSlotRule.starts"
    )
    delivery_modes: Mapped[list[DeliveryMode]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="DeliveryMode.id"
    )


class OpeningHours(Base):
    """One opening range of a weekday (0 = Monday); a day may have several ranges."""

    __tablename__ = "opening_hours"

    id: Mapped[IntPK]
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )


class ShopClosure(Base):
    """An exceptional closure (holidays, works), both dates included."""

    __tablename__ = "shop_closures"

    id: Mapped[IntPK]
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (CheckConstraint("start_date <= end_date", name="dates_ordered"),)


class PickupSlotRule(Base):
    """Weekly pickup slots: from `starts` to `ends`, cut into `slot_minutes`, `capacity` orders each."""

    __tablename__ = "pickup_slot_rules"

    id: Mapped[IntPK]
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    capacity: Mapped[int] = mapped_column(Integer, default=5)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("starts < ends", name="starts_before_ends"),
        CheckConstraint("slot_minutes > 0", name="positive_slot"),
        CheckConstraint("capacity > 0", name="positive_capacity"),
    )


class DeliveryMode(Base):
    """How a shop hands over: pickup in store, local delivery or postal shipping."""

    __tablename__ = "delivery_modes"

    id: Mapped[IntPK]
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DeliveryKind] = mapped_column(enum_column(DeliveryKind, "delivery_kind"))
    label: Mapped[str] = mapped_column(String(200))
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    free_above_cents: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("free_above_cents IS NULL OR free_above_cents >= 0", name="threshold"),
    )

    def price_for(self, items_cents: int) -> int:
        """Delivery price for a basket of `items_cents`, free above the threshold."""
        if self.free_above_cents is not None and items_cents >= self.free_above_cents:
            return 0
        return self.price_cents

