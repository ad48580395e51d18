"""Cart, orders, vendor orders (one per shop), lines and their status history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from comptoir.models.accounts import enum_column
from comptoir.models.base import Base, CreatedAt, IntPK
from comptoir.models.shops import DeliveryKind, Shop


class OrderStatus(enum.StrEnum):
    awaiting_confirmation = "awaiting_confirmation"
    awaiting_payment = "awaiting_payment"
    processing = "processing"
    completed = "completed"
    cancelled = "cancelled"
    payment_failed = "payment_failed"
    refunded = "refunded"
    partially_refunded = "partially_refunded"


class VendorOrderStatus(enum.StrEnum):
    awaiting_confirmation = "awaiting_confirmation"
    awaiting_payment = "awaiting_payment"
    confirmed = "confirmed"
    preparing = "preparing"
    ready_for_pickup = "ready_for_pickup"
    shipped = "shipped"
    completed = "completed"
    cancelled = "cancelled"
    return_requested = "return_requested"
    return_received = "return_received"
    refunded = "refunded"
    closed = "closed"


class LineStatus(enum.StrEnum):
    pending_confirmation = "pending_confirmation"
    confirmed = "confirmed"
    declined = "declined"
    unavailable = "unavailable"
    cancelled = "cancelled"


class CartItem(Base):
    __tablename__ = "cart_items"

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("user_id", "product_id", name="uq_cart_items_user_product"),
        CheckConstraint("quantity > 0", name="positive_quantity"),
    )


class Order(Base):
    """The shopper's checkout: one payment across every shop in it."""

    __tablename__ = "orders"

    id: Mapped[IntPK]
    shopper_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "order_status"), index=True)
    # Where the workflow stands (e.g. waiting_payment, needs_attention); free-form for operators.
    stage: Mapped[str] = mapped_column(String(60), default="created", index=True)
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    items_cents: Mapped[int] = mapped_column(Integer, default=0)
    delivery_cents: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    billing_name: Mapped[str] = mapped_column(String(200))
    billing_line1: Mapped[str] = mapped_column(String(300))
    billing_line2: Mapped[str] = mapped_column(String(300), default="")
    billing_postal_code: Mapped[str] = mapped_column(String(10))
    billing_city: Mapped[str] = mapped_column(String(120))
    billing_country: Mapped[str] = mapped_column(String(2), default="FR")
    shopper_email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    confirmation_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payment_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the shopper ticked "I accept the CGV" and the SHA-256 of the texts they accepted.
    terms_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    terms_digest: Mapped[str | None] = mapped_column(String(64))

    vendor_orders: Mapped[list[VendorOrder]] = relationship(
        lazy="raise", back_populates="order", order_by="VendorOrder.id"
    )

    __table_args__ = (
        CheckConstraint("total_cents = items_cents + delivery_cents", name="total_adds_up"),
        CheckConstraint("refunded_cents >= 0 AND refunded_cents <= total_cents", name="refund_bounds"),
        Index("ix_orders_created_at", "created_at"),
    )

    @property
    def workflow_id(self) -> str:
        return f"order-{self.id}"


class VendorOrder(Base):
    """One shop's part of an order."""

    __tablename__ = "vendor_orders"

    id: Mapped[IntPK]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    status: Mapped[VendorOrderStatus] = mapped_column(
        enum_column(VendorOrderStatus, "vendor_order_status"), index=True
    )
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_mode_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery_modes.id", ondelete="SET NULL")
    )
    delivery_kind: Mapped[DeliveryKind] = mapped_column(enum_column(DeliveryKind, "delivery_kind"))
    delivery_label: Mapped[str] = mapped_column(String(200))
    delivery_cents: Mapped[int] = mapped_column(Integer, default=0)
    pickup_slot_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pickup_slot_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pickup_code: Mapped[str] = mapped_column(String(12), default="")
    carrier: Mapped[str] = mapped_column(String(80), default="")
    tracking_number: Mapped[str] = mapped_column(String(120), default="")
    items_cents: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    net_cents: Mapped[int] = mapped_column(Integer, default=0)
    shipping_name: Mapped[str] = mapped_column(String(200), default="")
    shipping_address: Mapped[str] = mapped_column(String(600), default="")
    # The shopper's phone for a delivery (the shop calls before coming); '' for a pickup.
    contact_phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    last_merchant_action_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    return_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    order: Mapped[Order] = relationship(lazy="raise", back_populates="vendor_orders")
    shop: Mapped[Shop] = relationship(lazy="raise")
    lines: Mapped[list[OrderLine]] = relationship(
        lazy="raise", back_populates="vendor_order", order_by="OrderLine.id"
    )

    __table_args__ = (
        UniqueConstraint("order_id", "shop_id", name="uq_vendor_orders_order_shop"),
        CheckConstraint("total_cents = items_cents + delivery_cents", name="total_adds_up"),
        CheckConstraint("refunded_cents >= 0 AND refunded_cents <= total_cents", name="refund_bounds"),
        Index("ix_vendor_orders_shop_status", "shop_id", "status"),
        Index("ix_vendor_orders_pickup_slot", "shop_id", "pickup_slot_start"),
    )


class OrderLine(Base):
    """A product line, with the name, price and VAT rate as they were at checkout."""

    __tablename__ = "order_lines"

    id: Mapped[IntPK]
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    product_name: Mapped[str] = mapped_column(String(200))
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    requires_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    # The product's returnability when it was bought (a later change does not apply).
    returnable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    status: Mapped[LineStatus] = mapped_column(enum_column(LineStatus, "line_status"))
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)

    vendor_order: Mapped[VendorOrder] = relationship(lazy="raise", back_populates="lines")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("unit_price_cents >= 0", name="price_not_negative"),
        CheckConstraint(
            "returned_quantity >= 0 AND returned_quantity <= quantity", name="returned_bounds"
        ),
    )

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


class StatusEvent(Base):
    """One transition of an order or vendor order: who, when, from what to what."""

    __tablename__ = "status_events"

    id: Mapped[IntPK]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    vendor_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str] = mapped_column(String(40), default="")
    to_status: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(20))  # shopper, merchant, operator, system
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(1000), default="")
    # Idempotency: an activity retried writes the same key once.
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    at: Mapped[CreatedAt]


class ReturnStatus(enum.StrEnum):
    requested = "requested"
    accepted = "accepted"
    refused = "refused"
    refunded = "refunded"


class ReturnRequest(Base):
    __tablename__ = "return_requests"

    id: Mapped[IntPK]
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ReturnStatus] = mapped_column(enum_column(ReturnStatus, "return_status"))
    reason: Mapped[str] = mapped_column(String(2000))
    refusal_reason: Mapped[str] = mapped_column(String(2000), default="")
    # {"<order line id>": quantity}
    lines: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[CreatedAt]
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Returned goods the merchant put back on sale, once: {"<order line id>": quantity}.
    restocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    restocked_lines: Mapped[dict[str, int]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )

