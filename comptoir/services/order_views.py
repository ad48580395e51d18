"""The order read side: the one place that decides what a caller may read about orders.

`readable_orders` and `readable_vendor_orders` are the scoping statements: a shopper reads
their own orders, a merchant their own shop's vendor orders, an operator everything.
Anything outside the caller's scope is `NotFound` (never reveal that it exists). Each
view loads what it shows with a fixed number of statements (relationships are
`lazy="raise"`), whatever the number of orders, shops or lines.

Shopper ↔ shop messages live here too: who may read a conversation is the same question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, false, func, select, update
from sqlalchemy.orm import Session, selectinload

from comptoir.domain import vendor_order_rules
from comptoir.domain.labels import (
    LINE_STATUS_LABELS,
    RETURN_STATUS_LABELS,
    delivery_kind_label,
    order_status_label,
    vendor_order_status_label,
)
from comptoir.errors import NotFound, Unprocessable
from comptoir.models import (
    ContactMessage,
    Invoice,
    LineStatus,
    Message,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
    ReturnRequest,
    Role,
    Shop,
    ShopStatus,
    StatusEvent,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services.contact_fields import normalize_email

ORDER_NOT_FOUND = "Cette commande n'existe pas ou n'est pas la vôtre."
VENDOR_ORDER_NOT_FOUND = "Cette commande boutique n'existe pas ou ne concerne pas votre boutique."
MAX_MESSAGE_LENGTH = 4000
LIST_LIMIT = 100

# The shopper may still cancel (nothing was paid yet).
UNPAID_ORDER_STATUSES = frozenset({OrderStatus.awaiting_confirmation, OrderStatus.awaiting_payment})

# The merchant's "what needs action now" queues, in the order the dashboard shows them.
MERCHANT_QUEUES: dict[str, VendorOrderStatus] = {
    "to_confirm": VendorOrderStatus.awaiting_confirmation,
    "to_prepare": VendorOrderStatus.confirmed,
    "preparing": VendorOrderStatus.preparing,
    "ready_for_pickup": VendorOrderStatus.ready_for_pickup,
    "returns": VendorOrderStatus.return_requested,
}


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


@dataclass
class ThreadSummary:
    """A conversation between one shopper and one shop."""

    shop_id: int
    shop_name: str
    shop_slug: str
    shopper_id: int
    shopper_name: str
    last_at: datetime
    last_body: str
    unread: int
    order_id: int | None


@dataclass
class MerchantDashboard:
    shop_id: int
    shop_name: str
    shop_status: str
    queues: dict[str, list[VendorOrderSummary]]
    unread_threads: list[ThreadSummary] = field(default_factory=list)

    @property
    def unread_count(self) -> int:
        return sum(t.unread for t in self.unread_threads)


@dataclass
class MessageView:
    id: int
    shop_id: int
    shop_name: str
    order_id: int | None
    from_shop: bool
    body: str
    created_at: datetime
    read_at: datetime | None


# --- scoping ----------------------------------------------------------------------------


def _owned_shop_ids(user: User) -> Select[tuple[int]]:
    return select(Shop.id).where(Shop.owner_id == user.id)


def readable_orders(user: User) -> Select[tuple[Order]]:
    """Orders `user` may read: their own (shopper), every one (operator), none (merchant)."""
    query = select(Order)
    if user.role == Role.operator:
        return query
    if user.role == Role.shopper:
        return query.where(Order.shopper_id == user.id)
    return query.where(false())  # a merchant reads vendor orders, never a whole order


def readable_vendor_orders(user: User) -> Select[tuple[VendorOrder]]:
    """Vendor orders `user` may read: their shop's (merchant), their orders' (shopper), all."""
    query = select(VendorOrder)
    if user.role == Role.operator:
        return query
    if user.role == Role.merchant:
        return query.where(VendorOrder.shop_id.in_(_owned_shop_ids(user)))
    return query.where(
        VendorOrder.order_id.in_(select(Order.id).where(Order.shopper_id == user.id))
    )


def get_readable_order(db: Session, user: User, order_id: int) -> Order:
    """The order row when `user` may read it; NotFound otherwise."""
    order = db.scalar(readable_orders(user).where(Order.id == order_id))
    if order is None:
        raise NotFound(ORDER_NOT_FOUND, code="order_not_found")
    return order


def get_readable_vendor_order(db: Session, user: User, vendor_order_id: int) -> VendorOrder:
    """The vendor order row when `user` may read it; NotFound otherwise."""
    part = db.scalar(readable_vendor_orders(user).where(VendorOrder.id == vendor_order_id))
    if part is None:
        raise NotFound(VENDOR_ORDER_NOT_FOUND, code="vendor_order_not_found")
    return part


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
    )


def return_window(part: VendorOrder, now: datetime) -> tuple[bool, str]:
    """Whether a return may be asked now, and why not (a French sentence) when it may not.

    The part's lines must be loaded. After a refund the window stays open for what is left.
    """
    left = any(
        line.status == LineStatus.confirmed and line.returned_quantity < line.quantity
        for line in part.lines
    )
    refusal = vendor_order_rules.return_refusal(part.status, part.return_deadline, now, left)
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
        payment_failure_message=payment.failure_message if payment else "",
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
            )
            for part in order.vendor_orders
        ],
        refunds=[_refund_view(r) for rs in refunds.values() for r in rs],
    )


# --- merchant (and operator) reads --------------------------------------------------------


def _vendor_summaries(db: Session, query: Select[tuple[VendorOrder]]) -> list[VendorOrderSummary]:
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
    return _vendor_summaries(db, query)


def vendor_order_detail(
    db: Session, user: User, vendor_order_id: int, now: datetime | None = None
) -> VendorOrderView:
    """One vendor order with lines, timeline, invoice, returns, refunds and allowed steps."""
    now = now or _now()
    row = db.execute(
        readable_vendor_orders(user)
        .add_columns(Order.billing_name)
        .join(Order, Order.id == VendorOrder.order_id)
        .where(VendorOrder.id == vendor_order_id)
        .options(selectinload(VendorOrder.shop), selectinload(VendorOrder.lines))
    ).first()
    if row is None:
        raise NotFound(VENDOR_ORDER_NOT_FOUND, code="vendor_order_not_found")
    part, customer = row
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
    )


def merchant_dashboard(db: Session, merchant: User) -> MerchantDashboard:
    """What needs the merchant's action now: one queue per status, and unread messages."""
    shop = db.scalar(select(Shop).where(Shop.owner_id == merchant.id).order_by(Shop.id).limit(1))
    if shop is None:
        raise NotFound("Aucune boutique n'est rattachée à votre compte.", code="no_shop")
    summaries = _vendor_summaries(
        db,
        select(VendorOrder)
        .where(
            VendorOrder.shop_id == shop.id,
            VendorOrder.status.in_(list(MERCHANT_QUEUES.values())),
        )
        # The oldest first: it is the one waiting longest.
        .order_by(VendorOrder.pickup_slot_start.asc().nulls_last(), VendorOrder.id),
    )
    queues: dict[str, list[VendorOrderSummary]] = {name: [] for name in MERCHANT_QUEUES}
    by_status = {status.value: name for name, status in MERCHANT_QUEUES.items()}
    for summary in summaries:
        queues[by_status[summary.status]].append(summary)
    threads = [t for t in shop_threads(db, merchant) if t.unread]
    return MerchantDashboard(
        shop_id=shop.id,
        shop_name=shop.name,
        shop_status=shop.status.value,
        queues=queues,
        unread_threads=threads,
    )


def pending_shop_of(db: Session, merchant_id: int) -> Shop | None:
    """The merchant's shop while it awaits the operators' approval (for the banner)."""
    return db.scalar(
        select(Shop)
        .where(Shop.owner_id == merchant_id, Shop.status == ShopStatus.pending)
        .order_by(Shop.id)
        .limit(1)
    )


# --- messages between a shopper and a shop ------------------------------------------------


def _message_views(db: Session, query: Select[tuple[Message]]) -> list[MessageView]:
    rows = db.execute(
        query.add_columns(Shop.name)
        .join(Shop, Shop.id == Message.shop_id)
        .order_by(Message.created_at, Message.id)
    ).all()
    return [
        MessageView(
            id=m.id,
            shop_id=m.shop_id,
            shop_name=shop_name,
            order_id=m.order_id,
            from_shop=m.from_shop,
            body=m.body,
            created_at=m.created_at,
            read_at=m.read_at,
        )
        for m, shop_name in rows
    ]


def _mark_read(db: Session, *conditions: ColumnElement[bool], from_shop: bool) -> None:
    db.execute(
        update(Message)
        .where(*conditions, Message.from_shop.is_(from_shop), Message.read_at.is_(None))
        .values(read_at=_now())
    )


def _clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise Unprocessable("Votre message est vide.", code="empty_message")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise Unprocessable(
            f"Votre message est trop long (au plus {MAX_MESSAGE_LENGTH} caractères).",
            code="message_too_long",
        )
    return text


def order_messages(db: Session, user: User, order_id: int) -> list[MessageView]:
    """The messages about an order between its shopper and its shops; marks the shops' read."""
    order = get_readable_order(db, user, order_id)
    query = select(Message).where(Message.order_id == order.id)
    if user.role == Role.shopper:
        query = query.where(Message.shopper_id == user.id)
        _mark_read(db, Message.order_id == order.id, Message.shopper_id == user.id, from_shop=True)
    return _message_views(db, query)


def post_order_message(
    db: Session, shopper: User, order_id: int, shop_id: int, body: str
) -> MessageView:
    """A shopper writes to one shop of their order."""
    order = get_readable_order(db, shopper, order_id)
    if shopper.role != Role.shopper:
        raise NotFound(ORDER_NOT_FOUND, code="order_not_found")
    in_order = db.scalar(
        select(VendorOrder.id).where(
            VendorOrder.order_id == order.id, VendorOrder.shop_id == shop_id
        )
    )
    if in_order is None:
        raise Unprocessable(
            "Cette boutique ne fait pas partie de la commande.", code="shop_not_in_order"
        )
    return _add_message(db, shop_id, shopper.id, order.id, shopper.id, False, body)


def vendor_order_messages(db: Session, user: User, vendor_order_id: int) -> list[MessageView]:
    """The conversation about a vendor order; the merchant reading it marks the shopper's read."""
    part = get_readable_vendor_order(db, user, vendor_order_id)
    conditions = (Message.order_id == part.order_id, Message.shop_id == part.shop_id)
    if user.role == Role.merchant:
        _mark_read(db, *conditions, from_shop=False)
    return _message_views(db, select(Message).where(*conditions))


def post_vendor_order_message(
    db: Session, merchant: User, vendor_order_id: int, body: str
) -> MessageView:
    """The shop answers about a vendor order."""
    if merchant.role != Role.merchant:
        raise NotFound(VENDOR_ORDER_NOT_FOUND, code="vendor_order_not_found")
    part = get_readable_vendor_order(db, merchant, vendor_order_id)
    shopper_id = db.scalar(select(Order.shopper_id).where(Order.id == part.order_id))
    return _add_message(db, part.shop_id, shopper_id, part.order_id, merchant.id, True, body)


def _add_message(
    db: Session,
    shop_id: int,
    shopper_id: int | None,
    order_id: int | None,
    sender_id: int,
    from_shop: bool,
    body: str,
) -> MessageView:
    message = Message(
        shop_id=shop_id,
        shopper_id=shopper_id,
        order_id=order_id,
        sender_id=sender_id,
        from_shop=from_shop,
        body=_clean_body(body),
    )
    db.add(message)
    db.flush()
    db.refresh(message)
    shop_name = db.scalar(select(Shop.name).where(Shop.id == shop_id)) or ""
    return MessageView(
        id=message.id,
        shop_id=shop_id,
        shop_name=shop_name,
        order_id=order_id,
        from_shop=from_shop,
        body=message.body,
        created_at=message.created_at,
        read_at=None,
    )


def shop_threads(db: Session, user: User) -> list[ThreadSummary]:
    """Conversations of a shopper (with shops) or of a merchant's shop (with shoppers)."""
    if user.role == Role.shopper:
        scope = Message.shopper_id == user.id
        unread_side = True
    elif user.role == Role.merchant:
        scope = Message.shop_id.in_(_owned_shop_ids(user))
        unread_side = False
    else:
        return []
    latest = (
        select(
            Message.shop_id,
            Message.shopper_id,
            func.max(Message.id).label("last_id"),
            func.count()
            .filter(Message.from_shop.is_(unread_side), Message.read_at.is_(None))
            .label("unread"),
        )
        .where(scope, Message.shopper_id.is_not(None))
        .group_by(Message.shop_id, Message.shopper_id)
        .subquery()
    )
    rows = db.execute(
        select(Message, Shop.name, Shop.slug, User.first_name, User.last_name, latest.c.unread)
        .join(latest, latest.c.last_id == Message.id)
        .join(Shop, Shop.id == Message.shop_id)
        .join(User, User.id == Message.shopper_id)
        .order_by(Message.id.desc())
    ).all()
    return [
        ThreadSummary(
            shop_id=m.shop_id,
            shop_name=shop_name,
            shop_slug=slug,
            shopper_id=m.shopper_id or 0,
            shopper_name=f"{first} {last}".strip(),
            last_at=m.created_at,
            last_body=m.body[:140],
            unread=int(unread),
            order_id=m.order_id,
        )
        for m, shop_name, slug, first, last, unread in rows
    ]


def shop_conversation(db: Session, shopper: User, shop_slug: str) -> tuple[Shop, list[MessageView]]:
    """A shopper's whole conversation with a public shop (about orders or not); marks it read."""
    shop = db.scalar(select(Shop).where(Shop.slug == shop_slug, Shop.status == ShopStatus.approved))
    if shop is None or shopper.role != Role.shopper:
        raise NotFound("Cette boutique n'existe pas.", code="shop_not_found")
    conditions = (Message.shop_id == shop.id, Message.shopper_id == shopper.id)
    _mark_read(db, *conditions, from_shop=True)
    return shop, _message_views(db, select(Message).where(*conditions))


def post_shop_message(db: Session, shopper: User, shop_slug: str, body: str) -> MessageView:
    """A shopper writes to a shop outside any order (a question about a product…)."""
    shop, _ = shop_conversation(db, shopper, shop_slug)
    return _add_message(db, shop.id, shopper.id, None, shopper.id, False, body)


def customer_conversation(
    db: Session, merchant: User, shopper_id: int
) -> tuple[str, list[MessageView]]:
    """A merchant's conversation with one shopper who wrote to the shop; marks it read."""
    conditions = (
        Message.shop_id.in_(_owned_shop_ids(merchant)),
        Message.shopper_id == shopper_id,
    )
    if (
        merchant.role != Role.merchant
        or db.scalar(select(Message.id).where(*conditions).limit(1)) is None
    ):
        raise NotFound("Cette conversation n'existe pas.", code="thread_not_found")
    _mark_read(db, *conditions, from_shop=False)
    name = db.execute(select(User.first_name, User.last_name).where(User.id == shopper_id)).one()
    return f"{name[0]} {name[1]}".strip(), _message_views(db, select(Message).where(*conditions))


def answer_customer(db: Session, merchant: User, shopper_id: int, body: str) -> MessageView:
    """The shop answers a shopper in their conversation (outside any particular order)."""
    customer_conversation(db, merchant, shopper_id)
    shop = db.scalar(select(Shop).where(Shop.owner_id == merchant.id).order_by(Shop.id).limit(1))
    assert shop is not None  # the conversation exists, so the shop does
    return _add_message(db, shop.id, shopper_id, None, merchant.id, True, body)


# --- the public contact form ----------------------------------------------------------------


def save_contact_message(
    db: Session, name: str, email: str, subject: str, body: str
) -> ContactMessage:
    """Keep a message of the contact form (e.g. a shop to suggest) for the operators."""
    problems = []
    if not name.strip():
        problems.append("votre nom")
    if not subject.strip():
        problems.append("le sujet")
    if not body.strip():
        problems.append("le message")
    if problems:
        raise Unprocessable("Indiquez " + ", ".join(problems) + ".", code="contact_incomplete")
    message = ContactMessage(
        name=name.strip()[:200],
        email=normalize_email(email),
        subject=subject.strip()[:200],
        body=_clean_body(body),
    )
    db.add(message)
    db.flush()
    return message
