"""The merchants' ledger: what each shop earned on a sale, the payment fee it bears, refunds.

Every entry has a unique key (`sale:<vendor order id>`, `fee:<vendor order id>`,
`refund:<refund key>`), so an activity that runs twice writes each entry once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.domain.money import payment_fee_cents, split_proportionally
from comptoir.errors import Conflict
from comptoir.models import (
    LedgerEntry,
    LedgerKind,
    PaymentStatus,
)
from comptoir.services.locking import lock_order, lock_parts_of_order
from comptoir.services.payments import payment_of
from comptoir.settings import get_settings


def _entries_of_sale(db: Session, order_id: int) -> list[LedgerEntry]:
    return list(
        db.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.order_id == order_id,
                LedgerEntry.kind.in_([LedgerKind.sale, LedgerKind.fee]),
            )
            .order_by(LedgerEntry.vendor_order_id, LedgerEntry.kind.desc())
        )
    )


def record_sale(db: Session, order_id: int) -> list[LedgerEntry]:
    """Credit each shop of a paid order with its part and debit its share of the payment fee.

    The fee (1.4 % + 0.25 € per payment by default) is split across the non-cancelled vendor
    orders in proportion to their totals, so the shares add up exactly to the fee. Idempotent:
    a second call returns the entries of the first.
    """
    lock_order(db, order_id)  # one writer per order: the split is computed once
    existing = _entries_of_sale(db, order_id)
    if existing:
        return existing
    payment = payment_of(db, order_id)
    if payment is None or payment.status != PaymentStatus.succeeded:
        raise Conflict("La vente n'est enregistrée qu'une fois le paiement réussi.")
    parts = lock_parts_of_order(db, order_id, with_cancelled=False)
    if not parts:
        raise Conflict("Cette commande n'a aucune boutique à créditer.")
    settings = get_settings()
    fee = payment_fee_cents(
        payment.amount_cents, settings.fee_rate_basis_points, settings.fee_fixed_cents
    )
    shares = split_proportionally(fee, [part.total_cents for part in parts])
    for part, share in zip(parts, shares, strict=True):
        part.fee_cents = share
        part.net_cents = part.total_cents - share - part.refunded_cents
        for key, kind, amount in (
            (f"sale:{part.id}", LedgerKind.sale, part.total_cents),
            (f"fee:{part.id}", LedgerKind.fee, -share),
        ):
            db.execute(
                insert(LedgerEntry)
                .values(
                    entry_key=key,
                    shop_id=part.shop_id,
                    order_id=order_id,
                    vendor_order_id=part.id,
                    kind=kind,
                    amount_cents=amount,
                )
                .on_conflict_do_nothing(index_elements=[LedgerEntry.entry_key])
            )
    payment.fee_cents = fee
    db.flush()
    return _entries_of_sale(db, order_id)


@dataclass(frozen=True, slots=True)
class ShopBalance:
    """Money of a shop over a period, in cents: fees and refunds as positive amounts deducted."""

    sales_cents: int
    fees_cents: int
    refunds_cents: int
    net_cents: int  # sales - fees - refunds: what the platform owes the shop


def shop_balance(
    db: Session,
    shop_id: int | None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ShopBalance:
    """Sales, fees, refunds and net of a shop (None: every shop) from `since` to before `until`."""

    def total_of(*kinds: LedgerKind) -> ColumnElement[int]:
        return func.coalesce(
            func.sum(case((LedgerEntry.kind.in_(kinds), LedgerEntry.amount_cents), else_=0)), 0
        )

    query = select(
        total_of(LedgerKind.sale),
        total_of(LedgerKind.fee, LedgerKind.fee_adjustment),
        total_of(LedgerKind.refund),
        func.coalesce(func.sum(LedgerEntry.amount_cents), 0),
    )
    if shop_id is not None:
        query = query.where(LedgerEntry.shop_id == shop_id)
    if since is not None:
        query = query.where(LedgerEntry.created_at >= since)
    if until is not None:
        query = query.where(LedgerEntry.created_at < until)
    sales, fees, refunds, net = db.execute(query).one()
    return ShopBalance(
        sales_cents=int(sales), fees_cents=-int(fees), refunds_cents=-int(refunds), net_cents=int(net)
    )
