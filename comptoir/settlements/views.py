"""Settlements as merchants and operators read them (French labels, orders covered)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.domain.labels import PAYOUT_METHOD_LABELS, SETTLEMENT_STATE_LABELS
from comptoir.models import Shop
from comptoir.models.settlements import Settlement, SettlementState
from comptoir.settlements.service import items_of


@dataclass(frozen=True, slots=True)
class StatementView:
    """One settlement, ready to show."""

    id: int
    shop_id: int
    shop_name: str
    period_start: date
    period_end: date
    order_ids: list[int]
    sales_cents: int
    refunds_cents: int
    fee_cents: int
    carried_in_cents: int
    net_cents: int
    state: str
    state_label: str
    method: str
    method_label: str
    failure_message: str
    paid_at: datetime | None
    sepa_batch_id: int | None


def _views(db: Session, settlements: list[Settlement]) -> list[StatementView]:
    items = items_of(db, [s.id for s in settlements])
    names = {
        shop_id: name
        for shop_id, name in db.execute(
            select(Shop.id, Shop.name).where(Shop.id.in_({s.shop_id for s in settlements}))
        )
    }
    return [
        StatementView(
            id=s.id,
            shop_id=s.shop_id,
            shop_name=names.get(s.shop_id, ""),
            period_start=s.period_start,
            period_end=s.period_end,
            order_ids=sorted({i.order_id for i in items[s.id]}),
            sales_cents=s.sales_cents,
            refunds_cents=s.refunds_cents,
            fee_cents=s.fee_cents,
            carried_in_cents=s.carried_in_cents,
            net_cents=s.net_cents,
            state=s.state.value,
            state_label=SETTLEMENT_STATE_LABELS[s.state.value],
            method=s.payout_method.value,
            method_label=PAYOUT_METHOD_LABELS[s.payout_method.value],
            failure_message=s.failure_message,
            paid_at=s.paid_at,
            sepa_batch_id=s.sepa_batch_id,
        )
        for s in settlements
    ]


def shop_statements(db: Session, shop_id: int, limit: int = 52) -> list[StatementView]:
    """A shop's settlements, newest period first (a year of weeks by default)."""
    settlements = list(
        db.scalars(
            select(Settlement)
            .where(Settlement.shop_id == shop_id)
            .order_by(Settlement.period_start.desc())
            .limit(limit)
        )
    )
    return _views(db, settlements)


def all_statements(
    db: Session,
    *,
    shop_id: int | None = None,
    state: SettlementState | None = None,
    period_start: date | None = None,
    limit: int = 500,
) -> list[StatementView]:
    """Every shop's settlements for operators, filtered by shop, state and period."""
    query = select(Settlement).order_by(Settlement.period_start.desc(), Settlement.shop_id)
    if shop_id is not None:
        query = query.where(Settlement.shop_id == shop_id)
    if state is not None:
        query = query.where(Settlement.state == state)
    if period_start is not None:
        query = query.where(Settlement.period_start == period_start)
    return _views(db, list(db.scalars(query.limit(limit))))
