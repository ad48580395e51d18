"""The platform's figures over a period of Paris calendar days (one query per figure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Date, case, cast, func, select
from sqlalchemy.orm import QueryableAttribute

from comptoir.db import session_scope
from comptoir.domain.paris_time import paris_datetime, to_paris
from comptoir.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderStatus,
    Shop,
    StatusEvent,
    VendorOrder,
)

READY_STATUSES = ("ready_for_pickup", "shipped")
FUNNEL = tuple(OrderStatus)


@dataclass(frozen=True)
class Period:
    """Paris days `first` to `last`, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return paris_datetime(self.first, time(0))

    @property
    def end(self) -> datetime:
        return paris_datetime(self.last + timedelta(days=1), time(0))

    def days(self) -> list[date]:
        """Every day of the period, in order."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def last_days(count: int, now: datetime) -> Period:
    """The `count` Paris days ending today."""
    today = to_paris(now).date()
    return Period(today - timedelta(days=count - 1), today)


def _paris_day(column: QueryableAttribute[datetime]) -> ColumnElement[date]:
    return cast(func.timezone("Europe/Paris", column), Date)


@dataclass(frozen=True)
class DayFigures:
    day: date
    orders: int
    sales_cents: int
    fees_cents: int
    refunds_cents: int


def per_day(period: Period) -> list[DayFigures]:
    """Orders created, sales, fees and refunds (ledger) per day; days without any included."""
    order_day = _paris_day(Order.created_at)
    ledger_day = _paris_day(LedgerEntry.created_at)

    def total(kind: LedgerKind) -> ColumnElement[int]:
        return func.coalesce(
            func.sum(case((LedgerEntry.kind == kind, LedgerEntry.amount_cents), else_=0)), 0
        )

    with session_scope() as db:
        orders = dict(
            db.execute(
                select(order_day, func.count())
                .where(Order.created_at >= period.start, Order.created_at < period.end)
                .group_by(order_day)
            )
            .tuples()
            .all()
        )
        money = {
            day: (sales, fees, refunds)
            for day, sales, fees, refunds in db.execute(
                select(
                    ledger_day,
                    total(LedgerKind.sale),
                    total(LedgerKind.fee) + total(LedgerKind.fee_adjustment),
                    total(LedgerKind.refund),
                )
                .where(LedgerEntry.created_at >= period.start, LedgerEntry.created_at < period.end)
                .group_by(ledger_day)
            ).tuples()
        }
    return [
        DayFigures(
            day=day,
            orders=orders.get(day, 0),
            # Fees and refunds are negative for the shops; shown as positive amounts.
            sales_cents=int(money.get(day, (0, 0, 0))[0]),
            fees_cents=-int(money.get(day, (0, 0, 0))[1]),
            refunds_cents=-int(money.get(day, (0, 0, 0))[2]),
        )
        for day in period.days()
    ]


def status_funnel(period: Period) -> list[tuple[str, int]]:
    """(status, number of orders created in the period now in it), in lifecycle order."""
    with session_scope() as db:
        counts = dict(
            db.execute(
                select(Order.status, func.count())
                .where(Order.created_at >= period.start, Order.created_at < period.end)
                .group_by(Order.status)
            )
            .tuples()
            .all()
        )
    return [(status.value, counts.get(status, 0)) for status in FUNNEL]


@dataclass(frozen=True)
class ShopDelay:
    shop: str
    vendor_orders: int
    median_seconds: float


def paid_to_ready(period: Period) -> list[ShopDelay]:
    """Per shop, median time from the order's payment to its part ready or shipped."""
    ready = (
        select(StatusEvent.vendor_order_id, func.min(StatusEvent.at).label("ready_at"))
        .where(StatusEvent.vendor_order_id.is_not(None), StatusEvent.to_status.in_(READY_STATUSES))
        .group_by(StatusEvent.vendor_order_id)
        .subquery()
    )
    seconds = func.extract("epoch", ready.c.ready_at - Order.paid_at)
    median = func.percentile_cont(0.5).within_group(seconds)
    query = (
        select(Shop.name, func.count(), median)
        .select_from(VendorOrder)
        .join(ready, ready.c.vendor_order_id == VendorOrder.id)
        .join(Order, Order.id == VendorOrder.order_id)
        .join(Shop, Shop.id == VendorOrder.shop_id)
        .where(Order.paid_at >= period.start, Order.paid_at < period.end)
        .group_by(Shop.name)
        .order_by(median.desc(), Shop.name)
    )
    with session_scope() as db:
        return [ShopDelay(name, count, float(value)) for name, count, value in db.execute(query)]


@dataclass(frozen=True)
class RefundRate:
    paid_orders: int
    refunded_orders: int
    paid_cents: int
    refunded_cents: int

    @property
    def order_rate(self) -> float:
        """Share of paid orders with a refund (0 when none was paid)."""
        return self.refunded_orders / self.paid_orders if self.paid_orders else 0.0

    @property
    def amount_rate(self) -> float:
        """Share of the paid amount refunded."""
        return self.refunded_cents / self.paid_cents if self.paid_cents else 0.0


def refund_rate(period: Period) -> RefundRate:
    """Refunds among the orders paid in the period."""
    query = select(
        func.count(),
        func.count().filter(Order.refunded_cents > 0),
        func.coalesce(func.sum(Order.total_cents), 0),
        func.coalesce(func.sum(Order.refunded_cents), 0),
    ).where(Order.paid_at >= period.start, Order.paid_at < period.end)
    with session_scope() as db:
        paid, refunded, paid_cents, refunded_cents = db.execute(query).one()
    return RefundRate(int(paid), int(refunded), int(paid_cents), int(refunded_cents))
