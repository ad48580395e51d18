"""The console's order reads (list, filters, one order in full), each a fixed number of queries.

Rows leave the session as plain dataclasses, or as detached ORM objects whose columns are
loaded (sessions do not expire on commit); relationships are never touched while rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from comptoir.db import session_scope
from comptoir.domain.paris_time import paris_datetime
from comptoir.errors import NotFound
from comptoir.models import (
    AttentionItem,
    CreditNote,
    Invoice,
    LedgerEntry,
    Message,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
    ReturnRequest,
    SentEmail,
    Shop,
    StatusEvent,
    User,
    VendorOrder,
)
from comptoir.services import credit_notes, invoicing

T = TypeVar("T")


# --- orders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilter:
    """What the Orders page filters on; every field optional."""

    statuses: tuple[str, ...] = ()
    stage: str = ""
    shop_id: int | None = None
    created_from: date | None = None  # Paris calendar days, both included
    created_to: date | None = None
    min_cents: int | None = None
    max_cents: int | None = None
    needs_attention: bool = False
    search: str = ""  # order number or part of the shopper's e-mail
    limit: int = 200


@dataclass(frozen=True)
class OrderRow:
    id: int
    created_at: datetime
    shopper_email: str
    status: str
    stage: str
    shops: str
    total_cents: int
    refunded_cents: int
    needs_attention: bool
    paid_at: datetime | None


def _paris_midnight(day: date) -> datetime:
    return paris_datetime(day, time(0))


def _order_conditions(flt: OrderFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.statuses:
        conditions.append(Order.status.in_([OrderStatus(s) for s in flt.statuses]))
    if flt.stage:
        conditions.append(Order.stage == flt.stage)
    if flt.shop_id is not None:
        conditions.append(
            Order.id.in_(select(VendorOrder.order_id).where(VendorOrder.shop_id == flt.shop_id))
        )
    if flt.created_from is not None:
        conditions.append(Order.created_at >= _paris_midnight(flt.created_from))
    if flt.created_to is not None:
        conditions.append(Order.created_at < _paris_midnight(flt.created_to + timedelta(days=1)))
    if flt.min_cents is not None:
        conditions.append(Order.total_cents >= flt.min_cents)
    if flt.max_cents is not None:
        conditions.append(Order.total_cents <= flt.max_cents)
    if flt.needs_attention:
        conditions.append(Order.needs_attention.is_(True))
    search = flt.search.strip().removeprefix("n°").removeprefix("#").strip()
    if search.isdigit():
        conditions.append(Order.id == int(search))
    elif search:
        conditions.append(Order.shopper_email.icontains(search, autoescape=True))
    return conditions


def list_orders(flt: OrderFilter) -> list[OrderRow]:
    """Orders matching `flt`, newest first, each with the names of its shops (one query)."""
    shops = (
        select(
            VendorOrder.order_id,
            func.string_agg(Shop.name, aggregate_order_by(literal_column("', '"), Shop.name)).label(
                "names"
            ),
        )
        .join(Shop, Shop.id == VendorOrder.shop_id)
        .group_by(VendorOrder.order_id)
        .subquery()
    )
    query = (
        select(Order, shops.c.names)
        .outerjoin(shops, shops.c.order_id == Order.id)
        .where(*_order_conditions(flt))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(flt.limit)
    )
    with session_scope() as db:
        return [
            OrderRow(
                id=order.id,
                created_at=order.created_at,
                shopper_email=order.shopper_email,
                status=order.status.value,
                stage=order.stage,
                shops=names or "",
                total_cents=order.total_cents,
                refunded_cents=order.refunded_cents,
                needs_attention=order.needs_attention,
                paid_at=order.paid_at,
            )
            for order, names in db.execute(query).tuples()
        ]


def order_stages() -> list[str]:
    """Every stage an order is in right now (for the filter)."""
    with session_scope() as db:
        return list(db.scalars(select(Order.stage).distinct().order_by(Order.stage)))


def shop_choices() -> list[tuple[int, str]]:
    """(id, name) of every shop, by name."""
    with session_scope() as db:
        return [(i, n) for i, n in db.execute(select(Shop.id, Shop.name).order_by(Shop.name))]


@dataclass(frozen=True)
class VendorOrderView:
    """One shop's part of an order with its lines."""

    vendor_order: VendorOrder
    shop_name: str
    lines: list[OrderLine]


@dataclass(frozen=True)
class StatusEventView:
    event: StatusEvent
    actor_email: str


@dataclass(frozen=True)
class OrderDetail:
    """Everything Postgres knows about one order (a fixed number of queries, whatever its size)."""

    order: Order
    shopper: User | None
    parts: list[VendorOrderView]
    payment: Payment | None
    refunds: list[Refund]
    ledger: list[LedgerEntry]
    invoices: list[Invoice]
    credit_notes: list[CreditNote]
    messages: list[Message]
    emails: list[SentEmail]
    history: list[StatusEventView]
    attention: list[AttentionItem]
    returns: list[ReturnRequest]
    shop_names: dict[int, str]

    def shop_of_part(self, vendor_order_id: int | None) -> str:
        """Name of the shop of one of the order's vendor orders; empty for None."""
        for part in self.parts:
            if part.vendor_order.id == vendor_order_id:
                return part.shop_name
        return ""


def order_detail(order_id: int) -> OrderDetail:
    """The order and everything attached to it; NotFound when there is no such order."""
    with session_scope() as db:
        order = db.get(Order, order_id)
        if order is None:
            raise NotFound(f"La commande n° {order_id} n'existe pas.")
        parts = list(
            db.execute(
                select(VendorOrder, Shop.name)
                .join(Shop, Shop.id == VendorOrder.shop_id)
                .where(VendorOrder.order_id == order_id)
                .order_by(VendorOrder.id)
            ).tuples()
        )
        part_ids = [part.id for part, _ in parts]
        lines: dict[int, list[OrderLine]] = {part_id: [] for part_id in part_ids}
        for line in db.scalars(
            select(OrderLine).where(OrderLine.vendor_order_id.in_(part_ids)).order_by(OrderLine.id)
        ):
            lines[line.vendor_order_id].append(line)
        history = [
            StatusEventView(event=event, actor_email=email or "")
            for event, email in db.execute(
                select(StatusEvent, User.email)
                .outerjoin(User, User.id == StatusEvent.actor_id)
                .where(StatusEvent.order_id == order_id)
                .order_by(StatusEvent.at, StatusEvent.id)
            ).tuples()
        ]
        return OrderDetail(
            order=order,
            shopper=db.get(User, order.shopper_id) if order.shopper_id else None,
            parts=[
                VendorOrderView(vendor_order=part, shop_name=name, lines=lines[part.id])
                for part, name in parts
            ],
            payment=db.scalar(select(Payment).where(Payment.order_id == order_id)),
            refunds=_all(db, select(Refund).where(Refund.order_id == order_id).order_by(Refund.id)),
            ledger=_all(
                db,
                select(LedgerEntry)
                .where(LedgerEntry.order_id == order_id)
                .order_by(LedgerEntry.created_at, LedgerEntry.id),
            ),
            invoices=_all(
                db,
                select(Invoice).where(Invoice.vendor_order_id.in_(part_ids)).order_by(Invoice.id),
            ),
            credit_notes=credit_notes.credit_notes_of_vendor_orders(db, part_ids),
            messages=_all(
                db, select(Message).where(Message.order_id == order_id).order_by(Message.created_at)
            ),
            emails=_all(
                db,
                select(SentEmail).where(SentEmail.order_id == order_id).order_by(SentEmail.sent_at),
            ),
            history=history,
            attention=_all(
                db,
                select(AttentionItem)
                .where(AttentionItem.order_id == order_id)
                .order_by(AttentionItem.created_at, AttentionItem.id),
            ),
            returns=_all(
                db,
                select(ReturnRequest)
                .where(ReturnRequest.vendor_order_id.in_(part_ids))
                .order_by(ReturnRequest.id),
            ),
            shop_names={part.shop_id: name for part, name in parts},
        )


def _all(db: Session, query: Select[tuple[T]]) -> list[T]:
    return list(db.scalars(query))


def invoice_pdf(invoice_id: int) -> bytes:
    """The stored PDF of one invoice (loaded only when asked: it is a deferred column)."""
    with session_scope() as db:
        return invoicing.invoice_pdf(db, invoice_id)


def credit_note_pdf(credit_note_id: int) -> bytes:
    """The stored PDF of one credit note."""
    with session_scope() as db:
        return credit_notes.pdf_of(credit_notes.get_credit_note(db, credit_note_id, with_pdf=True))
