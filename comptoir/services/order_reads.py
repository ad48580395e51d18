"""The order read models: what a shopper sees of their orders, what a merchant sees of
their shop's vendor orders (operators see both).

Scoping is decided by `comptoir.services.scoping` only. Each view loads what it shows with a
fixed number of statements (relationships are `lazy="raise"`), whatever the number of orders,
shops or lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from comptoir.domain import vendor_order_rules
from comptoir.domain.card_declines import failure_text
from comptoir.domain.labels import (
    LINE_STATUS_LABELS,
    RETURN_STATUS_LABELS,
    delivery_kind_label,
    order_status_label,
    vendor_order_status_label,
)
from comptoir.errors import NotFound
from comptoir.models import (
    Invoice,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
    ReturnRequest,
    Role,
    StatusEvent,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services.scoping import (
    ORDER_NOT_FOUND,
    VENDOR_ORDER_NOT_FOUND,
    readable_orders,
    readable_vendor_orders,
)

LIST_LIMIT = 100

# The shopper may still cancel (nothing was paid yet).
UNPAID_ORDER_STATUSES = frozenset({OrderStatus.awaiting_confirmation, OrderStatus.awaiting_payment})



def _now() -> datetime:
    return datetime.now(UTC)


# --- views ------------------------------------------------------------------------------


@dataclass
class LineView:
    id: int
    product_id: int | None
    product_name: str
    unit_price_cents: int
    vat_rate_bp: int
    quantity: int
    total_cents: int
    status: str
    status_label: str
    requires_confirmation: bool
    returned_quantity: int
    refunded_cents: int
    returnable: bool = True


@dataclass
class EventView:
    at: datetime
    from_status: str
    to_status: str
    label: str
    actor_kind: str
    note: str


@dataclass
class InvoiceView:
    id: int
    number: str
    issued_at: datetime
    total_ttc_cents: int
    url: str


@dataclass
class RefundView:
    id: int
    vendor_order_id: int | None
    amount_cents: int
    reason: str
    status: str
    created_at: datetime
    succeeded_at: datetime | None


@dataclass
class ReturnView:
    id: int
    status: str
    status_label: str
    reason: str
    refusal_reason: str
    lines: dict[int, int]
    amount_cents: int
    created_at: datetime
    decided_at: datetime | None
    restocked_at: datetime | None = None
    restocked_lines: dict[int, int] = field(default_factory=dict)


@dataclass
class VendorOrderView:
    """One shop's part of an order, as its reader may see it."""

    id: int
    order_id: int
    shop_id: int
    shop_name: str
    shop_slug: str
    status: str
    status_label: str
    created_at: datetime
    delivery_kind: str
    delivery_kind_label: str
    delivery_label: str
    delivery_cents: int
    pickup_slot_start: datetime | None
    pickup_slot_end: datetime | None
    # Shown to the shopper (and operators) only: the merchant checks it at hand-over.
    pickup_code: str
    carrier: str
    tracking_number: str
    shipping_name: str
    shipping_address: str
    contact_phone: str  # the shopper's, for a delivery
    items_cents: int
    total_cents: int
    refunded_cents: int
    needs_attention: bool
    completed_at: datetime | None
    return_deadline: datetime | None
    return_open: bool
    return_closed_reason: str
    lines: list[LineView]
    timeline: list[EventView]
    invoice: InvoiceView | None
    returns: list[ReturnView]
    refunds: list[RefundView]
    next_steps: list[str]
    # The merchant's figures and who to hand over to (empty for shoppers).
    customer_name: str = ""
    fee_cents: int = 0
    net_cents: int = 0
    shown_status: str = ""  # the status people read (vendor_order_rules.shown_status)
    # Whether the shopper has paid the order yet (a reservation may wait for payment).
    paid: bool = False


@dataclass
class OrderShopSummary:
    shop_name: str
    status: str
    status_label: str
    shown_status: str = ""


@dataclass
class OrderSummary:
    id: int
    status: str
    status_label: str
    created_at: datetime
    total_cents: int
    item_count: int
    shops: list[OrderShopSummary]
    can_pay: bool
    can_cancel: bool


@dataclass
class OrderDetail:
    """An order with every shop's part, timelines, invoices, refunds and returns."""

    id: int
    status: str
    status_label: str
    stage: str
    created_at: datetime
    items_cents: int
    delivery_cents: int
    total_cents: int
    refunded_cents: int
    billing_name: str
    billing_line1: str
    billing_line2: str
    billing_postal_code: str
    billing_city: str
    billing_country: str
    confirmation_deadline: datetime | None
    payment_deadline: datetime | None
    paid_at: datetime | None
    payment_status: str
    payment_failure_message: str
    can_pay: bool
    can_cancel: bool
    timeline: list[EventView]
    vendor_orders: list[VendorOrderView]
    refunds: list[RefundView]
    # An order that did not go through: its products can be put back in the cart.
    can_refill: bool = False


@dataclass
class VendorOrderSummary:
    id: int
    order_id: int
    shop_id: int
    created_at: datetime
    status: str
    status_label: str
    customer_name: str
    item_count: int
    total_cents: int
    delivery_kind: str
    delivery_label: str
    pickup_slot_start: datetime | None
    needs_attention: bool
    shown_status: str = ""


# --- building views ---------------------------------------------------------------------


def _line_view(line: OrderLine) -> LineView:
    return LineView(
        id=line.id,
        product_id=line.product_id,
        product_name=line.product_name,
        unit_price_cents=line.unit_price_cents,
        vat_rate_bp=line.vat_rate_bp,
        quantity=line.quantity,
        total_cents=line.total_cents,
        status=line.status.value,
        status_label=LINE_STATUS_LABELS.get(line.status, line.status.value),
        requires_confirmation=line.requires_confirmation,
        returned_quantity=line.returned_quantity,
        refunded_cents=line.refunded_cents,
        returnable=line.returnable,
    )


def _event_view(event: StatusEvent, vendor_level: bool) -> EventView:
    label_of = vendor_order_status_label if vendor_level else order_status_label
    return EventView(
        at=event.at,
        from_status=event.from_status,
        to_status=event.to_status,
        label=label_of(event.to_status),
        actor_kind=event.actor_kind,
        note=event.note,
    )


def _refund_view(refund: Refund) -> RefundView:
    return RefundView(
        id=refund.id,
        vendor_order_id=refund.vendor_order_id,
        amount_cents=refund.amount_cents,
        reason=refund.reason,
        status=refund.status.value,
        created_at=refund.created_at,
        succeeded_at=refund.succeeded_at,
    )


def _return_view(request: ReturnRequest) -> ReturnView:
    return ReturnView(
        id=request.id,
        status=request.status.value,
        status_label=RETURN_STATUS_LABELS.get(request.status, request.status.value),
        reason=request.reason,
        refusal_reason=request.refusal_reason,
        lines={int(k): int(v) for k, v in (request.lines or {}).items()},
        amount_cents=request.amount_cents,
        created_at=request.created_at,
        decided_at=request.decided_at,
        restocked_at=request.restocked_at,
        restocked_lines={int(k): int(v) for k, v in (request.restocked_lines or {}).items()},
    )


def return_window(part: VendorOrder, now: datetime) -> tuple[bool, str]:
    """Whether a return may be asked now, and why not (a French sentence) when it may not.

    The part's lines must be loaded. After a refund the window stays open for what is left.
    """
    remaining = [
        line
        for line in part.lines
        if line.status == LineStatus.confirmed and line.returned_quantity < line.quantity
    ]
    left = any(line.returnable for line in remaining)
    refusal = vendor_order_rules.return_refusal(
        part.status, part.return_deadline, now, left, non_returnable_left=bool(remaining)
    )
    return not refusal, refusal


def merchant_next_steps(part: VendorOrder) -> list[str]:
    """The steps a merchant may take now on a vendor order (lines must be loaded)."""
    pending = any(line.status == LineStatus.pending_confirmation for line in part.lines)
    return vendor_order_rules.next_steps(part.status, part.delivery_kind, pending)


def _vendor_order_view(
    part: VendorOrder,
    reader: User,
    *,
    events: Sequence[StatusEvent],
    invoice: Invoice | None,
    returns: Sequence[ReturnRequest],
    refunds: Sequence[Refund],
    customer_name: str,
    now: datetime,
    paid: bool,
) -> VendorOrderView:
    is_merchant = reader.role == Role.merchant
    is_shopper = reader.role == Role.shopper
    return_open, closed_reason = return_window(part, now)
    shown = _shown(part)
    return VendorOrderView(
        id=part.id,
        order_id=part.order_id,
        shop_id=part.shop_id,
        shop_name=part.shop.name,
        shop_slug=part.shop.slug,
        status=part.status.value,
        status_label=vendor_order_status_label(shown),
        shown_status=shown,
        created_at=part.created_at,
        delivery_kind=part.delivery_kind.value,
        delivery_kind_label=delivery_kind_label(part.delivery_kind),
        delivery_label=part.delivery_label,
        delivery_cents=part.delivery_cents,
        pickup_slot_start=part.pickup_slot_start,
        pickup_slot_end=part.pickup_slot_end,
        pickup_code="" if is_merchant else part.pickup_code,
        carrier=part.carrier,
        tracking_number=part.tracking_number,
        shipping_name=part.shipping_name,
        shipping_address=part.shipping_address,
        contact_phone=part.contact_phone,
        items_cents=part.items_cents,
        total_cents=part.total_cents,
        refunded_cents=part.refunded_cents,
        needs_attention=part.needs_attention,
        completed_at=part.completed_at,
        return_deadline=part.return_deadline,
        return_open=return_open,
        return_closed_reason=closed_reason,
        lines=[_line_view(line) for line in part.lines],
        timeline=[_event_view(e, vendor_level=True) for e in events],
        invoice=(
            InvoiceView(
                id=invoice.id,
                number=invoice.number,
                issued_at=invoice.issued_at,
                total_ttc_cents=invoice.total_ttc_cents,
                url=f"/api/invoices/{invoice.id}.pdf",
            )
            if invoice is not None
            else None
        ),
        returns=[_return_view(r) for r in returns],
        refunds=[_refund_view(r) for r in refunds],
        next_steps=[] if is_shopper else merchant_next_steps(part),
        customer_name="" if is_shopper else customer_name,
        fee_cents=0 if is_shopper else part.fee_cents,
        net_cents=0 if is_shopper else part.net_cents,
        paid=paid,
    )


def _group(rows: Iterable[object], key: str) -> dict[int | None, list[object]]:
    grouped: dict[int | None, list[object]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _parts_extras(
    db: Session, order_ids: list[int], part_ids: list[int]
) -> tuple[
    dict[int | None, list[StatusEvent]],
    dict[int, Invoice],
    dict[int | None, list[ReturnRequest]],
    dict[int | None, list[Refund]],
]:
    """Events (per vendor order, None for the order level), invoices, returns and refunds."""
    events = list(
        db.scalars(
            select(StatusEvent)
            .where(StatusEvent.order_id.in_(order_ids))
            .order_by(StatusEvent.at, StatusEvent.id)
        )
    )
    invoices = {
        i.vendor_order_id: i
        for i in db.scalars(select(Invoice).where(Invoice.vendor_order_id.in_(part_ids)))
    }
    returns = list(
        db.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.vendor_order_id.in_(part_ids))
            .order_by(ReturnRequest.id)
        )
    )
    refunds = list(
        db.scalars(select(Refund).where(Refund.order_id.in_(order_ids)).order_by(Refund.id))
    )
    return (
        _group(events, "vendor_order_id"),  # type: ignore[return-value]
        invoices,
        _group(returns, "vendor_order_id"),  # type: ignore[return-value]
        _group(refunds, "vendor_order_id"),  # type: ignore[return-value]
    )


def _shown(part: VendorOrder) -> str:
    """The part's status as people read it (partially refunded, refunded)."""
    return vendor_order_rules.shown_status(part.status, part.total_cents, part.refunded_cents)


def _can_pay(order: Order) -> bool:
    return order.status == OrderStatus.awaiting_payment


def _can_cancel(order: Order) -> bool:
    return order.status in UNPAID_ORDER_STATUSES


# --- shopper (and operator) reads ---------------------------------------------------------


def list_orders(
    db: Session, user: User, *, limit: int = LIST_LIMIT, offset: int = 0
) -> list[OrderSummary]:
    """The orders `user` may read, newest first (three statements whatever their number)."""
    orders = db.scalars(
        readable_orders(user)
        .options(
            selectinload(Order.vendor_orders).selectinload(VendorOrder.shop),
            selectinload(Order.vendor_orders).selectinload(VendorOrder.lines),
        )
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(max(1, min(limit, LIST_LIMIT)))
        .offset(max(0, offset))
    ).all()
    return [
        OrderSummary(
            id=order.id,
            status=order.status.value,
            status_label=order_status_label(order.status),
            created_at=order.created_at,
            total_cents=order.total_cents,
            item_count=sum(
                line.quantity
                for part in order.vendor_orders
                for line in part.lines
                if line.status in (LineStatus.pending_confirmation, LineStatus.confirmed)
            ),
            shops=[
                OrderShopSummary(
                    shop_name=part.shop.name,
                    status=part.status.value,
                    status_label=vendor_order_status_label(_shown(part)),
                    shown_status=_shown(part),
                )
                for part in order.vendor_orders
            ],
            can_pay=_can_pay(order),
            can_cancel=_can_cancel(order),
        )
        for order in orders
    ]


def order_detail(
    db: Session, user: User, order_id: int, now: datetime | None = None
) -> OrderDetail:
    """An order with its shops' parts, timelines, invoices, returns and refunds."""
    now = now or _now()
    order = db.scalar(
        readable_orders(user)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.vendor_orders).selectinload(VendorOrder.shop),
            selectinload(Order.vendor_orders).selectinload(VendorOrder.lines),
        )
    )
    if order is None:
        raise NotFound(ORDER_NOT_FOUND, code="order_not_found")
    part_ids = [part.id for part in order.vendor_orders]
    events, invoices, returns, refunds = _parts_extras(db, [order.id], part_ids)
    payment = db.scalar(select(Payment).where(Payment.order_id == order.id))
    return OrderDetail(
        id=order.id,
        status=order.status.value,
        status_label=order_status_label(order.status),
        stage=order.stage,
        created_at=order.created_at,
        items_cents=order.items_cents,
        delivery_cents=order.delivery_cents,
        total_cents=order.total_cents,
        refunded_cents=order.refunded_cents,
        billing_name=order.billing_name,
        billing_line1=order.billing_line1,
        billing_line2=order.billing_line2,
        billing_postal_code=order.billing_postal_code,
        billing_city=order.billing_city,
        billing_country=order.billing_country,
        confirmation_deadline=order.confirmation_deadline,
        payment_deadline=order.payment_deadline,
        paid_at=order.paid_at,
        payment_status=payment.status.value if payment else "",
        payment_failure_message=(
            failure_text(payment.failure_message, payment.failure_code) if payment else ""
        ),
        can_pay=_can_pay(order),
        can_cancel=_can_cancel(order),
        timeline=[_event_view(e, vendor_level=False) for e in events.get(None, [])],
        vendor_orders=[
            _vendor_order_view(
                part,
                user,
                events=events.get(part.id, []),
                invoice=invoices.get(part.id),
                returns=returns.get(part.id, []),
                refunds=refunds.get(part.id, []),
                customer_name=order.billing_name,
                now=now,
                paid=order.paid_at is not None,
            )
            for part in order.vendor_orders
        ],
        refunds=[_refund_view(r) for rs in refunds.values() for r in rs],
        can_refill=user.role == Role.shopper
        and order.status in (OrderStatus.cancelled, OrderStatus.payment_failed),
    )


# --- merchant (and operator) reads --------------------------------------------------------


def vendor_summaries(db: Session, query: Select[tuple[VendorOrder]]) -> list[VendorOrderSummary]:
    """Summaries of the vendor orders `query` selects (already scoped by the caller)."""
    rows = db.execute(
        query.add_columns(Order.billing_name)
        .join(Order, Order.id == VendorOrder.order_id)
        .options(selectinload(VendorOrder.lines))
    ).all()
    return [
        VendorOrderSummary(
            id=part.id,
            order_id=part.order_id,
            shop_id=part.shop_id,
            created_at=part.created_at,
            status=part.status.value,
            status_label=vendor_order_status_label(_shown(part)),
            shown_status=_shown(part),
            customer_name=customer,
            item_count=sum(
                line.quantity
                for line in part.lines
                if line.status in (LineStatus.pending_confirmation, LineStatus.confirmed)
            ),
            total_cents=part.total_cents,
            delivery_kind=part.delivery_kind.value,
            delivery_label=part.delivery_label,
            pickup_slot_start=part.pickup_slot_start,
            needs_attention=part.needs_attention,
        )
        for part, customer in rows
    ]


def list_vendor_orders(
    db: Session,
    user: User,
    *,
    status: VendorOrderStatus | None = None,
    limit: int = LIST_LIMIT,
    offset: int = 0,
) -> list[VendorOrderSummary]:
    """The vendor orders `user` may read (optionally of one status), newest first."""
    query = readable_vendor_orders(user)
    if status is not None:
        query = query.where(VendorOrder.status == status)
    query = (
        query.order_by(VendorOrder.created_at.desc(), VendorOrder.id.desc())
        .limit(max(1, min(limit, LIST_LIMIT)))
        .offset(max(0, offset))
    )
    return vendor_summaries(db, query)


def vendor_order_detail(
    db: Session, user: User, vendor_order_id: int, now: datetime | None = None
) -> VendorOrderView:
    """One vendor order with lines, timeline, invoice, returns, refunds and allowed steps."""
    now = now or _now()
    row = db.execute(
        readable_vendor_orders(user)
        .add_columns(Order.billing_name, Order.paid_at)
        .join(Order, Order.id == VendorOrder.order_id)
        .where(VendorOrder.id == vendor_order_id)
        .options(selectinload(VendorOrder.shop), selectinload(VendorOrder.lines))
    ).first()
    if row is None:
        raise NotFound(VENDOR_ORDER_NOT_FOUND, code="vendor_order_not_found")
    part, customer, paid_at = row
    events, invoices, returns, refunds = _parts_extras(db, [part.order_id], [part.id])
    return _vendor_order_view(
        part,
        user,
        events=events.get(part.id, []),
        invoice=invoices.get(part.id),
        returns=returns.get(part.id, []),
        refunds=refunds.get(part.id, []),
        customer_name=customer,
        now=now,
        paid=paid_at is not None,
    )
