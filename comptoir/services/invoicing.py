"""Invoices: one per vendor order once paid, numbered without gaps per shop, stored as PDF."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, undefer

from comptoir.errors import Conflict, NotFound
from comptoir.invoices.render import (
    InvoiceBuyer,
    InvoiceData,
    InvoiceLine,
    InvoiceSeller,
    invoice_vat_breakdown,
    render_invoice_pdf,
)
from comptoir.models import (
    Invoice,
    InvoiceCounter,
    LineStatus,
    Order,
    OrderLine,
    PaymentStatus,
    Shop,
    VendorOrderStatus,
)
from comptoir.services.locking import lock_part_and_order
from comptoir.services.payments import payment_of
from comptoir.settings import get_settings

DELIVERY = "delivery"  # the key of the delivery in an invoice's or credit note's amounts
# Lines the shopper does not pay for: refused at confirmation or withdrawn before payment.
NOT_INVOICED = (LineStatus.declined, LineStatus.unavailable, LineStatus.cancelled)


def invoice_number(shop_id: int, sequence: int) -> str:
    """The printed number of a shop's n-th invoice: `F-0007-000042`."""
    return f"F-{shop_id:04d}-{sequence:06d}"


def _next_sequence(db: Session, shop_id: int) -> int:
    """Take the shop's next invoice number; the counter row stays locked until the commit."""
    db.execute(
        insert(InvoiceCounter)
        .values(shop_id=shop_id, last_number=0)
        .on_conflict_do_nothing(index_elements=[InvoiceCounter.shop_id])
    )
    counter = db.scalar(
        select(InvoiceCounter)
        .where(InvoiceCounter.shop_id == shop_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert counter is not None  # inserted just above when missing
    counter.last_number += 1
    return counter.last_number


def seller_of(shop: Shop) -> InvoiceSeller:
    """The shop's legal identity as printed on its papers."""
    return InvoiceSeller(
        legal_name=shop.legal_name or shop.name,
        shop_name=shop.name,
        siret=shop.siret,
        vat_number=shop.vat_number,
        address_line=shop.address_line,
        postal_code=shop.postal_code,
        city=shop.city,
        email=shop.email,
        phone=shop.phone,
        legal_form=shop.legal_form,
        share_capital_cents=shop.share_capital_cents,
        registration=shop.registration,
    )


def buyer_of(order: Order) -> InvoiceBuyer:
    """The shopper as billed at checkout."""
    return InvoiceBuyer(
        name=order.billing_name,
        line1=order.billing_line1,
        line2=order.billing_line2,
        postal_code=order.billing_postal_code,
        city=order.billing_city,
        country="France" if order.billing_country == "FR" else order.billing_country,
        email=order.shopper_email,
        country_code=order.billing_country or "FR",
    )


def issue_invoice(db: Session, vendor_order_id: int) -> Invoice:
    """The invoice of a paid vendor order, issued once (a second call returns the same one)."""
    # Two concurrent calls: the second waits (order first, like every writer) and finds the
    # invoice.
    _, vendor_order = lock_part_and_order(db, vendor_order_id)
    existing = db.scalar(select(Invoice).where(Invoice.vendor_order_id == vendor_order_id))
    if existing is not None:
        return existing
    payment = payment_of(db, vendor_order.order_id)
    if payment is None or payment.status != PaymentStatus.succeeded:
        raise Conflict("La facture n'est émise qu'une fois la commande payée.")
    if vendor_order.status == VendorOrderStatus.cancelled:
        raise Conflict("Cette commande boutique est annulée : aucune facture n'est émise.")
    order = db.get_one(Order, vendor_order.order_id)
    shop = db.get_one(Shop, vendor_order.shop_id)
    lines = list(
        db.scalars(
            select(OrderLine)
            .where(OrderLine.vendor_order_id == vendor_order_id, OrderLine.status.not_in(NOT_INVOICED))
            .order_by(OrderLine.id)
        )
    )
    sequence = _next_sequence(db, shop.id)
    issued_at = datetime.now(UTC)
    data = InvoiceData(
        number=invoice_number(shop.id, sequence),
        issued_at=issued_at,
        order_reference=f"Commande n° {order.id}",
        seller=seller_of(shop),
        buyer=buyer_of(order),
        lines=[
            InvoiceLine(line.product_name, line.quantity, line.unit_price_cents, line.vat_rate_bp)
            for line in lines
        ],
        delivery_label=vendor_order.delivery_label if vendor_order.delivery_cents else "",
        delivery_cents=vendor_order.delivery_cents,
        paid_at=order.paid_at or payment.succeeded_at,
        issued_on_behalf_by=get_settings().platform_name,
    )
    totals = invoice_vat_breakdown(data)
    invoice = Invoice(
        vendor_order_id=vendor_order_id,
        shop_id=shop.id,
        sequence=sequence,
        number=data.number,
        issued_at=issued_at,
        total_ht_cents=totals.ht_cents,
        total_vat_cents=totals.vat_cents,
        total_ttc_cents=totals.ttc_cents,
        invoiced=invoiced_amounts(lines, vendor_order.delivery_cents),
        pdf=render_invoice_pdf(data),
    )
    db.add(invoice)
    db.flush()
    # An operator's refund of an amount before the invoice existed: the invoice bills the
    # lines as they are, so that refund's credit note is issued with it (same transaction).
    from comptoir.services import credit_notes, operator_refunds  # they import this module

    # This runs on the documents worker already: their PDFs are rendered here too.
    for note in credit_notes.issue_for_refunds_before_invoice(
        db, vendor_order_id, operator_refunds.KEY_PREFIX
    ):
        credit_notes.render_pdf(note)
    return invoice


def invoiced_amounts(lines: list[OrderLine], delivery_cents: int) -> dict[str, int]:
    """What an invoice bills, TTC: {"<order line id>": cents, "delivery": cents}."""
    amounts = {str(line.id): line.total_cents for line in lines}
    amounts[DELIVERY] = delivery_cents
    return amounts


def invoice_pdf(db: Session, invoice_id: int) -> bytes:
    """The stored PDF of an invoice."""
    pdf = db.scalar(select(Invoice.pdf).where(Invoice.id == invoice_id))
    if pdf is None:
        raise NotFound("Facture introuvable.")
    return bytes(pdf)


def get_invoice(db: Session, invoice_id: int, *, with_pdf: bool = False) -> Invoice:
    """An invoice by id (404 when it does not exist)."""
    query = select(Invoice).where(Invoice.id == invoice_id)
    if with_pdf:
        query = query.options(undefer(Invoice.pdf))
    invoice = db.scalar(query)
    if invoice is None:
        raise NotFound("Facture introuvable.")
    return invoice
