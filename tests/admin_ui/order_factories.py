"""Builders of orders and what hangs off them (payments, ledger, history, attention) for the
console tests: rows only, no workflow, committed by the caller."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from comptoir.models import (
    AttentionItem,
    Invoice,
    LedgerEntry,
    LedgerKind,
    Message,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    Role,
    SentEmail,
    Shop,
    StatusEvent,
    User,
    VendorOrder,
)
from tests.factories import create_order, create_product, create_shop, create_user

_keys = itertools.count(1)


def _key(prefix: str) -> str:
    return f"{prefix}-{next(_keys)}"


def make_order(
    db: Session,
    *,
    shops: list[Shop] | None = None,
    shopper: User | None = None,
    status: OrderStatus = OrderStatus.processing,
    stage: str = "running",
    price_cents: int = 450,
    created_at: datetime | None = None,
    **fields: object,
) -> Order:
    """An order with one line per shop of `shops` (a new shop when none) at `price_cents`."""
    shopper = shopper or create_user(db, Role.shopper)
    shops = shops or [create_shop(db)]
    products = [create_product(db, shop, price_cents=price_cents) for shop in shops]
    order = create_order(db, shopper, [(p, 1) for p in products], status=status)
    order.stage = stage
    if created_at is not None:
        order.created_at = created_at
    if status not in (OrderStatus.awaiting_confirmation, OrderStatus.awaiting_payment):
        order.paid_at = fields.pop("paid_at", None) or (order.created_at or datetime.now(UTC))
    for name, value in fields.items():
        setattr(order, name, value)
    db.flush()
    return order


def parts_of(db: Session, order: Order) -> list[VendorOrder]:
    """The order's vendor orders, by id."""
    return list(db.query(VendorOrder).filter_by(order_id=order.id).order_by(VendorOrder.id))


def add_payment(
    db: Session, order: Order, status: PaymentStatus = PaymentStatus.succeeded
) -> Payment:
    """The order's PaymentIntent row."""
    payment = Payment(
        order_id=order.id,
        stripe_payment_intent_id=_key("pi"),
        amount_cents=order.total_cents,
        status=status,
        fee_cents=31,
        succeeded_at=datetime.now(UTC) if status == PaymentStatus.succeeded else None,
    )
    db.add(payment)
    db.flush()
    return payment


def add_sale(db: Session, order: Order, fee_cents: int = 31, at: datetime | None = None) -> None:
    """Ledger sale (+) and fee (-) entries of every vendor order of `order`."""
    for part in parts_of(db, order):
        for kind, amount in ((LedgerKind.sale, part.total_cents), (LedgerKind.fee, -fee_cents)):
            entry = LedgerEntry(
                entry_key=_key(f"{kind.value}-{part.id}"),
                shop_id=part.shop_id,
                order_id=order.id,
                vendor_order_id=part.id,
                kind=kind,
                amount_cents=amount,
            )
            if at is not None:
                entry.created_at = at
            db.add(entry)
    db.flush()


def add_refund(db: Session, order: Order, amount_cents: int, reason: str = "Rupture") -> Refund:
    """A succeeded refund of `amount_cents` on the order's first vendor order."""
    part = parts_of(db, order)[0]
    refund = Refund(
        refund_key=_key("refund"),
        order_id=order.id,
        vendor_order_id=part.id,
        amount_cents=amount_cents,
        reason=reason,
        stripe_refund_id=_key("re"),
        status=RefundStatus.succeeded,
        succeeded_at=datetime.now(UTC),
    )
    db.add(refund)
    order.refunded_cents += amount_cents
    part.refunded_cents += amount_cents
    db.flush()
    return refund


def add_event(
    db: Session,
    order: Order,
    to_status: str,
    *,
    from_status: str = "",
    at: datetime | None = None,
    vendor_order: VendorOrder | None = None,
    actor: User | None = None,
    actor_kind: str = "system",
    note: str = "",
) -> StatusEvent:
    """One status transition of the order (or of one of its vendor orders)."""
    event = StatusEvent(
        order_id=order.id,
        vendor_order_id=vendor_order.id if vendor_order else None,
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor.role.value if actor else actor_kind,
        actor_id=actor.id if actor else None,
        note=note,
        event_key=_key("event"),
    )
    if at is not None:
        event.at = at
    db.add(event)
    db.flush()
    return event


def add_attention(
    db: Session,
    order: Order,
    *,
    kind: str = "activity_failed",
    step: str = "issue_invoice",
    error: str = "SMTP injoignable",
    vendor_order: VendorOrder | None = None,
    created_at: datetime | None = None,
) -> AttentionItem:
    """An open attention item; the order (and vendor order) marked as needing attention."""
    item = AttentionItem(
        order_id=order.id,
        vendor_order_id=vendor_order.id if vendor_order else None,
        item_key=_key("attention"),
        kind=kind,
        step=step,
        error=error,
    )
    if created_at is not None:
        item.created_at = created_at
    db.add(item)
    order.needs_attention = True
    if vendor_order is not None:
        vendor_order.needs_attention = True
    db.flush()
    return item


def add_message(db: Session, order: Order, body: str, *, from_shop: bool = False) -> Message:
    """A message about the order between its shopper and its first shop."""
    part = parts_of(db, order)[0]
    message = Message(
        shop_id=part.shop_id,
        shopper_id=order.shopper_id,
        order_id=order.id,
        sender_id=order.shopper_id,
        from_shop=from_shop,
        body=body,
    )
    db.add(message)
    db.flush()
    return message


def add_sent_email(db: Session, order: Order, subject: str) -> SentEmail:
    """A record of an e-mail sent to the order's shopper."""
    sent = SentEmail(
        email_key=_key("email"), to_address=order.shopper_email, subject=subject, order_id=order.id
    )
    db.add(sent)
    db.flush()
    return sent


def add_invoice(db: Session, part: VendorOrder, sequence: int = 1) -> Invoice:
    """An invoice row for `part` (a tiny placeholder PDF: rendering is tested elsewhere)."""
    invoice = Invoice(
        vendor_order_id=part.id,
        shop_id=part.shop_id,
        sequence=sequence,
        number=f"F-{part.shop_id:04d}-{sequence:06d}",
        issued_at=datetime.now(UTC),
        total_ht_cents=part.total_cents - 23,
        total_vat_cents=23,
        total_ttc_cents=part.total_cents,
        pdf=b"%PDF-1.4 facture",
    )
    db.add(invoice)
    db.flush()
    return invoice


def ago(**delta: float) -> datetime:
    """Now minus a `timedelta(**delta)`, in UTC."""
    return datetime.now(UTC) - timedelta(**delta)
