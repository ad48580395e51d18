"""Settlements in the database: which parts are final, one statement per shop and period.

A statement is written once per (shop, period start): the UNIQUE row and a per-shop
advisory lock make a second run (a schedule firing twice, a retried activity) return the
first one. A part is in at most one statement (UNIQUE vendor_order_id in settlement_items).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, case, exists, func, select, text
from sqlalchemy.orm import Session

from comptoir.models import (
    LedgerEntry,
    LedgerKind,
    ReturnRequest,
    ReturnStatus,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.models.settlements import (
    PayoutMethod,
    Settlement,
    SettlementItem,
    SettlementState,
    ShopPayoutAccount,
)
from comptoir.settlements.periods import Period
from comptoir.settlements.rules import (
    MoneyPosition,
    PartFacts,
    PartMoney,
    SettledFacts,
    is_settleable,
    money_position,
    statement,
)

# Statuses a settleable part can have (the rules decide among them).
CANDIDATE_STATUSES = (
    VendorOrderStatus.closed,
    VendorOrderStatus.cancelled,
    VendorOrderStatus.refunded,
)
OPEN_RETURNS = (ReturnStatus.requested, ReturnStatus.accepted)
# Namespace of the per-shop advisory lock taken while a statement is written.
SETTLEMENT_LOCK = 7_201


def ledger_by_part(db: Session, shop_id: int, vendor_order_ids: list[int] | None = None) -> dict[
    int, PartMoney
]:
    """Each part's sales, refunds and fee share from the ledger (positive cents)."""

    def total(*kinds: LedgerKind) -> ColumnElement[int]:
        return func.coalesce(
            func.sum(case((LedgerEntry.kind.in_(kinds), LedgerEntry.amount_cents), else_=0)), 0
        )

    query = (
        select(
            LedgerEntry.vendor_order_id,
            total(LedgerKind.sale),
            total(LedgerKind.refund),
            total(LedgerKind.fee, LedgerKind.fee_adjustment),
        )
        .where(LedgerEntry.shop_id == shop_id, LedgerEntry.vendor_order_id.is_not(None))
        .group_by(LedgerEntry.vendor_order_id)
    )
    if vendor_order_ids is not None:
        query = query.where(LedgerEntry.vendor_order_id.in_(vendor_order_ids))
    return {
        int(vid): PartMoney(int(vid), int(sales), -int(refunds), -int(fee))
        for vid, sales, refunds, fee in db.execute(query)
    }


def _unsettled_candidates(db: Session, shop_id: int | None) -> list[VendorOrder]:
    sold = exists().where(
        LedgerEntry.vendor_order_id == VendorOrder.id, LedgerEntry.kind == LedgerKind.sale
    )
    settled = exists().where(SettlementItem.vendor_order_id == VendorOrder.id)
    query = (
        select(VendorOrder)
        .where(VendorOrder.status.in_(CANDIDATE_STATUSES), sold, ~settled)
        .order_by(VendorOrder.id)
        .execution_options(populate_existing=True)
    )
    if shop_id is not None:
        query = query.where(VendorOrder.shop_id == shop_id)
    return list(db.scalars(query))


def settleable_parts(db: Session, shop_id: int | None, now: datetime) -> list[VendorOrder]:
    """Parts (of a shop, or of every shop) whose money is final and not settled yet."""
    candidates = _unsettled_candidates(db, shop_id)
    if not candidates:
        return []
    open_returns = set(
        db.scalars(
            select(ReturnRequest.vendor_order_id).where(
                ReturnRequest.vendor_order_id.in_([p.id for p in candidates]),
                ReturnRequest.status.in_(OPEN_RETURNS),
            )
        )
    )
    return [
        part
        for part in candidates
        if is_settleable(
            PartFacts(
                status=part.status.value,
                total_cents=part.total_cents,
                refunded_cents=part.refunded_cents,
                return_deadline=part.return_deadline,
                open_return=part.id in open_returns,
                sold=True,
            ),
            now,
        )
    ]


def shops_to_settle(db: Session, now: datetime) -> list[int]:
    """Shops with at least one part to settle now."""
    return sorted({part.shop_id for part in settleable_parts(db, None, now)})


def payout_method_of(db: Session, shop_id: int) -> PayoutMethod:
    """Stripe Connect when the shop has a connected account, else a SEPA credit transfer."""
    account = db.get(ShopPayoutAccount, shop_id)
    if account is not None and account.stripe_account_id:
        return PayoutMethod.connect
    return PayoutMethod.sepa


def _debt_carried_in(db: Session, shop_id: int, period: Period) -> int:
    previous = db.scalar(
        select(Settlement)
        .where(Settlement.shop_id == shop_id, Settlement.period_start < period.start)
        .order_by(Settlement.period_start.desc())
        .limit(1)
    )
    if previous is not None and previous.state == SettlementState.carried:
        return previous.net_cents
    return 0


def settlement_of(db: Session, shop_id: int, period: Period) -> Settlement | None:
    """The shop's statement of the period, if written."""
    return db.scalar(
        select(Settlement)
        .where(Settlement.shop_id == shop_id, Settlement.period_start == period.start)
        .execution_options(populate_existing=True)
    )


def create_settlement(db: Session, shop_id: int, period: Period, now: datetime) -> Settlement | None:
    """The shop's statement of the period, written once; None when nothing is final yet."""
    db.execute(text("SELECT pg_advisory_xact_lock(:ns, :shop)"), {"ns": SETTLEMENT_LOCK, "shop": shop_id})
    existing = settlement_of(db, shop_id, period)
    if existing is not None:
        return existing
    parts = settleable_parts(db, shop_id, now)
    if not parts:
        return None  # a debt carried earlier simply waits for the next sales
    money = ledger_by_part(db, shop_id, [p.id for p in parts])
    covered = [money[p.id] for p in parts if p.id in money]
    figures = statement(covered, _debt_carried_in(db, shop_id, period))
    settlement = Settlement(
        shop_id=shop_id,
        period_start=period.start,
        period_end=period.end,
        sales_cents=figures.sales_cents,
        refunds_cents=figures.refunds_cents,
        fee_cents=figures.fee_cents,
        carried_in_cents=figures.carried_in_cents,
        net_cents=figures.net_cents,
        state=SettlementState(figures.state),
        payout_method=payout_method_of(db, shop_id),
        paid_at=now if figures.state == "paid" else None,
    )
    db.add(settlement)
    db.flush()
    order_of = {p.id: p.order_id for p in parts}
    for part in covered:
        db.add(
            SettlementItem(
                settlement_id=settlement.id,
                vendor_order_id=part.vendor_order_id,
                order_id=order_of[part.vendor_order_id],
                sales_cents=part.sales_cents,
                refunds_cents=part.refunds_cents,
                fee_cents=part.fee_cents,
            )
        )
    db.flush()
    return settlement


def items_of(db: Session, settlement_ids: list[int]) -> dict[int, list[SettlementItem]]:
    """The parts each settlement covers, by settlement id (ordered by order)."""
    found: dict[int, list[SettlementItem]] = defaultdict(list)
    if settlement_ids:
        for item in db.scalars(
            select(SettlementItem)
            .where(SettlementItem.settlement_id.in_(settlement_ids))
            .order_by(SettlementItem.order_id, SettlementItem.id)
        ):
            found[item.settlement_id].append(item)
    return found


def settlements_of_shop(db: Session, shop_id: int) -> list[Settlement]:
    """The shop's statements, newest period first."""
    return list(
        db.scalars(
            select(Settlement)
            .where(Settlement.shop_id == shop_id)
            .order_by(Settlement.period_start.desc())
        )
    )


def money_position_of_shop(db: Session, shop_id: int) -> MoneyPosition:
    """Where the shop's money is: paid, carried as a debt, or pending (to the cent)."""
    settlements = settlements_of_shop(db, shop_id)
    items = items_of(db, [s.id for s in settlements])
    facts = [
        SettledFacts(
            state=s.state.value,
            net_cents=s.net_cents,
            carried_in_cents=s.carried_in_cents,
            vendor_order_ids=frozenset(i.vendor_order_id for i in items[s.id]),
        )
        for s in settlements
    ]
    return money_position(ledger_by_part(db, shop_id).values(), facts)
