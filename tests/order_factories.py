"""Builders of orders in given states (rows only, no workflow, no e-mail) for read-side tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from comptoir.models import (
    CommissionInvoice,
    CreditNote,
    Invoice,
    Message,
    Order,
    Refund,
    RefundStatus,
    ReturnRequest,
    ReturnStatus,
    StatusEvent,
    User,
    VendorOrder,
    VendorOrderStatus,
)

_keys = itertools.count(1)


def add_event(
    db: Session,
    order: Order,
    to_status: str,
    vendor_order: VendorOrder | None = None,
    from_status: str = "",
    actor_kind: str = "system",
    at: datetime | None = None,
) -> StatusEvent:
    """A status transition of an order (or of one vendor order when given)."""
    event = StatusEvent(
        order_id=order.id,
        vendor_order_id=vendor_order.id if vendor_order else None,
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor_kind,
        event_key=f"test-event-{next(_keys)}",
    )
    if at is not None:
        event.at = at
    db.add(event)
    db.flush()
    return event


def set_vendor_status(
    db: Session, vendor_order: VendorOrder, status: VendorOrderStatus, **fields: object
) -> VendorOrder:
    """Move a vendor order to `status` (with its status event), setting extra columns."""
    order = db.get(Order, vendor_order.order_id)
    assert order is not None
    add_event(db, order, status.value, vendor_order, from_status=vendor_order.status.value)
    vendor_order.status = status
    for name, value in fields.items():
        setattr(vendor_order, name, value)
    db.flush()
    return vendor_order


def complete_vendor_order(
    db: Session, vendor_order: VendorOrder, return_days_left: float = 10
) -> VendorOrder:
    """Hand a vendor order over; its return window closes in `return_days_left` days."""
    now = datetime.now(UTC)
    return set_vendor_status(
        db,
        vendor_order,
        VendorOrderStatus.completed,
        completed_at=now - timedelta(days=1),
        return_deadline=now + timedelta(days=return_days_left),
    )


def add_invoice(db: Session, vendor_order: VendorOrder, sequence: int | None = None) -> Invoice:
    """An issued invoice of a vendor order (a tiny placeholder PDF)."""
    n = sequence or next(_keys)
    ttc = vendor_order.total_cents
    ht = round(ttc / 1.055)
    invoice = Invoice(
        vendor_order_id=vendor_order.id,
        shop_id=vendor_order.shop_id,
        sequence=n,
        number=f"F-{vendor_order.shop_id}-{n:06d}",
        issued_at=datetime.now(UTC),
        total_ht_cents=ht,
        total_vat_cents=ttc - ht,
        total_ttc_cents=ttc,
        pdf=b"%PDF-1.4 test",
    )
    db.add(invoice)
    db.flush()
    return invoice


def add_credit_note(db: Session, invoice: Invoice, amount_cents: int = 100) -> CreditNote:
    """A credit note of an invoice for a refund of `amount_cents` (a tiny placeholder PDF)."""
    vendor_order = db.get_one(VendorOrder, invoice.vendor_order_id)
    n = next(_keys)
    refund = Refund(
        refund_key=f"credit-note-{n}",
        order_id=vendor_order.order_id,
        vendor_order_id=vendor_order.id,
        amount_cents=amount_cents,
        status=RefundStatus.succeeded,
        succeeded_at=datetime.now(UTC),
    )
    db.add(refund)
    db.flush()
    note = CreditNote(
        refund_id=refund.id,
        invoice_id=invoice.id,
        vendor_order_id=vendor_order.id,
        shop_id=invoice.shop_id,
        sequence=n,
        number=f"A-{invoice.shop_id:04d}-{n:06d}",
        issued_at=datetime.now(UTC),
        credited={"delivery": amount_cents},
        total_ht_cents=amount_cents,
        total_vat_cents=0,
        total_ttc_cents=amount_cents,
        pdf=b"%PDF-1.4 test",
    )
    db.add(note)
    db.flush()
    return note


def add_commission_invoice(db: Session, shop_id: int, month: date) -> CommissionInvoice:
    """The platform's commission invoice of a shop for a month (a tiny placeholder PDF)."""
    n = next(_keys)
    invoice = CommissionInvoice(
        shop_id=shop_id,
        month=month,
        sequence=n,
        number=f"C-{n:06d}",
        issued_at=datetime.now(UTC),
        payments_count=1,
        total_ht_cents=100,
        total_vat_cents=20,
        total_ttc_cents=120,
        pdf=b"%PDF-1.4 test",
    )
    db.add(invoice)
    db.flush()
    return invoice


def add_return(
    db: Session,
    vendor_order: VendorOrder,
    lines: dict[int, int],
    reason: str = "Taille trop petite",
    status: ReturnStatus = ReturnStatus.requested,
) -> ReturnRequest:
    """A return request of some lines (line id → quantity)."""
    request = ReturnRequest(
        vendor_order_id=vendor_order.id,
        status=status,
        reason=reason,
        lines={str(k): v for k, v in lines.items()},
    )
    db.add(request)
    db.flush()
    return request


def add_refund(
    db: Session, vendor_order: VendorOrder, amount_cents: int, reason: str = "Produit indisponible"
) -> Refund:
    """A succeeded refund of part of a vendor order."""
    refund = Refund(
        refund_key=f"test-refund-{next(_keys)}",
        order_id=vendor_order.order_id,
        vendor_order_id=vendor_order.id,
        amount_cents=amount_cents,
        reason=reason,
        status=RefundStatus.succeeded,
        succeeded_at=datetime.now(UTC),
    )
    db.add(refund)
    db.flush()
    return refund


def add_message(
    db: Session,
    vendor_order: VendorOrder,
    shopper: User,
    body: str,
    from_shop: bool = False,
    sender: User | None = None,
) -> Message:
    """A message about a vendor order, from the shopper or from the shop."""
    message = Message(
        shop_id=vendor_order.shop_id,
        shopper_id=shopper.id,
        order_id=vendor_order.order_id,
        sender_id=(sender or shopper).id,
        from_shop=from_shop,
        body=body,
    )
    db.add(message)
    db.flush()
    return message
