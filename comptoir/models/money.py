"""Payments, refunds, received Stripe events, invoices and the merchants' ledger."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.models.accounts import enum_column
from comptoir.models.base import Base, CreatedAt, IntPK


class PaymentStatus(enum.StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class Payment(Base):
    """The one Stripe PaymentIntent of an order (unique per order: created exactly once)."""

    __tablename__ = "payments"

    id: Mapped[IntPK]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    client_secret: Mapped[str] = mapped_column(String(300), default="")
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="eur")
    status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus, "payment_status"))
    failure_message: Mapped[str] = mapped_column(String(500), default="")
    # Stripe's decline code of the last failed attempt (its English text is never shown).
    failure_code: Mapped[str] = mapped_column(String(60), default="", server_default="")
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[CreatedAt]
    succeeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("amount_cents > 0", name="positive_amount"),)


class RefundStatus(enum.StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class Refund(Base):
    """A Stripe refund; `refund_key` makes each one exactly-once whatever retries happen."""

    __tablename__ = "refunds"

    id: Mapped[IntPK]
    refund_key: Mapped[str] = mapped_column(String(200), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    vendor_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT"), index=True
    )
    amount_cents: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500), default="")
    stripe_refund_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[RefundStatus] = mapped_column(enum_column(RefundStatus, "refund_status"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    succeeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("amount_cents > 0", name="positive_amount"),)


class StripeEvent(Base):
    """Each verified webhook event once, by Stripe's event id (a redelivery is a no-op)."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    type: Mapped[str] = mapped_column(String(120))
    payment_intent_id: Mapped[str | None] = mapped_column(String(120), index=True)
    payload: Mapped[dict[str, object]] = mapped_column(JSONB)
    received_at: Mapped[CreatedAt]
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InvoiceCounter(Base):
    """Per-shop gapless invoice sequence, incremented under a row lock."""

    __tablename__ = "invoice_counters"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="RESTRICT"), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[IntPK]
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT"), unique=True
    )
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    total_ht_cents: Mapped[int] = mapped_column(Integer)
    total_vat_cents: Mapped[int] = mapped_column(Integer)
    total_ttc_cents: Mapped[int] = mapped_column(Integer)
    # What it invoiced ({"<order line id>": cents TTC, "delivery": cents TTC}), so credit notes
    # credit only invoiced amounts; None for invoices issued before it was recorded.
    invoiced: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("shop_id", "sequence", name="uq_invoices_shop_sequence"),
        CheckConstraint("total_ht_cents + total_vat_cents = total_ttc_cents", name="totals_add_up"),
    )


class LedgerKind(enum.StrEnum):
    sale = "sale"
    fee = "fee"
    refund = "refund"
    fee_adjustment = "fee_adjustment"


class LedgerEntry(Base):
    """Money owed to a shop (signed cents): sale +, fee -, refund -; `entry_key` is unique."""

    __tablename__ = "ledger_entries"

    id: Mapped[IntPK]
    entry_key: Mapped[str] = mapped_column(String(200), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="RESTRICT"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    vendor_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT")
    )
    kind: Mapped[LedgerKind] = mapped_column(enum_column(LedgerKind, "ledger_kind"))
    amount_cents: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[CreatedAt]

    __table_args__ = (Index("ix_ledger_entries_shop_created", "shop_id", "created_at"),)


class DocumentCounter(Base):
    """A gapless numbering series (e.g. one shop's credit notes), incremented under a row lock."""

    __tablename__ = "document_counters"

    series: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class CreditNote(Base):
    """An avoir: the part of a refund that cancels amounts of an issued invoice (one per refund
    and shop part: an order-wide refund borne by two shops has two)."""

    __tablename__ = "credit_notes"

    id: Mapped[IntPK]
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id", ondelete="RESTRICT"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"), index=True)
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT"), index=True
    )
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # What it credits, so the next credit note of the invoice never credits it twice:
    # {"<order line id>": cents TTC, "delivery": cents TTC}.
    credited: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    total_ht_cents: Mapped[int] = mapped_column(Integer)
    total_vat_cents: Mapped[int] = mapped_column(Integer)
    total_ttc_cents: Mapped[int] = mapped_column(Integer)
    # What the paper says (InvoiceData as JSON), fixed when it is issued; the PDF is rendered
    # from it by the documents worker after the refund's transaction (NULL until then).
    paper: Mapped[dict[str, Any] | None] = mapped_column(JSONB, deferred=True)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("shop_id", "sequence", name="uq_credit_notes_shop_sequence"),
        UniqueConstraint("refund_id", "vendor_order_id", name="uq_credit_notes_refund_part"),
        CheckConstraint("total_ht_cents + total_vat_cents = total_ttc_cents", name="totals_add_up"),
        CheckConstraint("total_ttc_cents > 0", name="positive_total"),
    )


class CommissionInvoice(Base):
    """The platform's monthly invoice to a shop for the payment fees it bore (VAT 20 %)."""

    __tablename__ = "commission_invoices"

    id: Mapped[IntPK]
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month invoiced
    sequence: Mapped[int] = mapped_column(Integer, unique=True)
    number: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payments_count: Mapped[int] = mapped_column(Integer)
    total_ht_cents: Mapped[int] = mapped_column(Integer)
    total_vat_cents: Mapped[int] = mapped_column(Integer)
    total_ttc_cents: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        UniqueConstraint("shop_id", "month", name="uq_commission_invoices_shop_month"),
        CheckConstraint("total_ht_cents + total_vat_cents = total_ttc_cents", name="totals_add_up"),
    )
