"""Settlements: what the platform pays each shop per period, the parts covered, payouts."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from comptoir.models.accounts import enum_column
from comptoir.models.base import Base, CreatedAt, IntPK


class SettlementState(enum.StrEnum):
    planned = "planned"  # computed, waiting for its payout (SEPA: for the operator's file)
    sent = "sent"  # SEPA: in a credit-transfer file handed to the bank
    paid = "paid"  # Connect: transfer made; SEPA: the operator saw the bank pay it
    failed = "failed"  # Stripe refused the transfer: an operator retries
    carried = "carried"  # negative net: carried into the shop's next settlement, never paid


class PayoutMethod(enum.StrEnum):
    connect = "connect"
    sepa = "sepa"


class PayoutAttemptStatus(enum.StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class ShopPayoutAccount(Base):
    """Where a shop is paid: a Stripe Connect account, else a bank account (SEPA)."""

    __tablename__ = "shop_payout_accounts"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    stripe_account_id: Mapped[str] = mapped_column(String(60), default="")
    iban: Mapped[str] = mapped_column(String(34), default="")
    bic: Mapped[str] = mapped_column(String(11), default="")
    holder: Mapped[str] = mapped_column(String(70), default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SepaBatch(Base):
    """One pain.001 credit-transfer file, kept so the operator can download it again."""

    __tablename__ = "sepa_batches"

    id: Mapped[IntPK]
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    xml: Mapped[str] = mapped_column(Text)
    total_cents: Mapped[int] = mapped_column(Integer)
    transfers: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]


class Settlement(Base):
    """A shop's statement for one period (Paris dates, end included); one per shop and period."""

    __tablename__ = "settlements"

    id: Mapped[IntPK]
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    sales_cents: Mapped[int] = mapped_column(Integer)
    refunds_cents: Mapped[int] = mapped_column(Integer)
    fee_cents: Mapped[int] = mapped_column(Integer)
    carried_in_cents: Mapped[int] = mapped_column(Integer, default=0)
    net_cents: Mapped[int] = mapped_column(Integer)
    state: Mapped[SettlementState] = mapped_column(
        enum_column(SettlementState, "settlement_state"), index=True
    )
    payout_method: Mapped[PayoutMethod] = mapped_column(enum_column(PayoutMethod, "payout_method"))
    stripe_transfer_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    sepa_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("sepa_batches.id", ondelete="RESTRICT"), index=True
    )
    failure_message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("shop_id", "period_start", name="uq_settlements_shop_period"),
        CheckConstraint(
            "net_cents = sales_cents - refunds_cents - fee_cents + carried_in_cents",
            name="net_adds_up",
        ),
        CheckConstraint("carried_in_cents <= 0", name="only_debts_carried"),
        CheckConstraint("state <> 'carried' OR net_cents < 0", name="carried_only_negative"),
        CheckConstraint("state NOT IN ('sent', 'paid') OR net_cents >= 0", name="never_pay_debt"),
        CheckConstraint("period_end >= period_start", name="period_order"),
    )


class SettlementItem(Base):
    """A shop part a settlement covers, with its final amounts; a part is settled once."""

    __tablename__ = "settlement_items"

    id: Mapped[IntPK]
    settlement_id: Mapped[int] = mapped_column(
        ForeignKey("settlements.id", ondelete="CASCADE"), index=True
    )
    vendor_order_id: Mapped[int] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT"), unique=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    sales_cents: Mapped[int] = mapped_column(Integer)
    refunds_cents: Mapped[int] = mapped_column(Integer)
    fee_cents: Mapped[int] = mapped_column(Integer)


class PayoutAttempt(Base):
    """One Stripe transfer of a settlement: `transfer_key` makes it exactly-once (our row,
    since localstripe ignores idempotency keys); an operator's retry is a new attempt."""

    __tablename__ = "payout_attempts"

    id: Mapped[IntPK]
    settlement_id: Mapped[int] = mapped_column(
        ForeignKey("settlements.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    transfer_key: Mapped[str] = mapped_column(String(120), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    destination: Mapped[str] = mapped_column(String(60))
    status: Mapped[PayoutAttemptStatus] = mapped_column(
        enum_column(PayoutAttemptStatus, "payout_attempt_status")
    )
    stripe_transfer_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    failure_message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[CreatedAt]
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("settlement_id", "attempt", name="uq_payout_attempts_settlement_attempt"),
        CheckConstraint("amount_cents > 0", name="positive_amount"),
    )
