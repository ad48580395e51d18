"""The papers a merchant finds under "Ventes": its credit notes and the platform's commission
invoices to its shop (invoices themselves sit on each order's page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.domain.labels import elide_de
from comptoir.models import CreditNote, Invoice, VendorOrder
from comptoir.services.commission import commission_invoices_of_shop, month_label

PAPERS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class PaperView:
    """One downloadable paper as a row of the sales page."""

    number: str
    issued_at: datetime
    about: str
    total_ttc_cents: int
    url: str


@dataclass(frozen=True, slots=True)
class ShopPapers:
    credit_notes: list[PaperView]
    commission_invoices: list[PaperView]


def shop_papers(db: Session, shop_id: int) -> ShopPapers:
    """The shop's latest credit notes and commission invoices, newest first."""
    rows = db.execute(
        select(CreditNote, Invoice.number, VendorOrder.order_id)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .join(VendorOrder, VendorOrder.id == CreditNote.vendor_order_id)
        .where(CreditNote.shop_id == shop_id)
        .order_by(CreditNote.sequence.desc())
        .limit(PAPERS_SHOWN)
    ).all()
    notes = [
        PaperView(
            number=note.number,
            issued_at=note.issued_at,
            about=f"Commande n° {order_id}, facture {invoice_number}",
            total_ttc_cents=note.total_ttc_cents,
            url=f"/api/credit-notes/{note.id}.pdf",
        )
        for note, invoice_number, order_id in rows
    ]
    commissions = [
        PaperView(
            number=invoice.number,
            issued_at=invoice.issued_at,
            about=f"Frais de paiement {elide_de(month_label(invoice.month))}",
            total_ttc_cents=invoice.total_ttc_cents,
            url=f"/api/commission-invoices/{invoice.id}.pdf",
        )
        for invoice in commission_invoices_of_shop(db, shop_id)[:PAPERS_SHOWN]
    ]
    return ShopPapers(credit_notes=notes, commission_invoices=commissions)
