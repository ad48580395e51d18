"""The platform's monthly commission invoice to each shop: the payment fees it bore that month.

The fee withheld on each payment (1.4 % + 0.25 € by default) is the platform's price,
VAT included (20 % by default). Once a month, per shop, one invoice (B2B, platform → shop)
says what was withheld; numbered without gaps in the platform's own series (`C-000042`),
issued once per shop and month whoever asks (the settlement run, the console, the CLI).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from comptoir.db import session_scope
from comptoir.domain.labels import MONTHS_FR, elide_de
from comptoir.domain.paris_time import PARIS
from comptoir.errors import NotFound
from comptoir.invoices.data import InvoiceBuyer, InvoiceData, InvoiceLine, InvoiceSeller
from comptoir.invoices.render import invoice_vat_breakdown, render_invoice_pdf
from comptoir.models import CommissionInvoice, LedgerEntry, LedgerKind, Shop
from comptoir.services.numbering import next_number
from comptoir.settings import get_settings

SERIES = "commission"


def commission_invoice_number(sequence: int) -> str:
    """The printed number of the platform's n-th commission invoice: `C-000042`."""
    return f"C-{sequence:06d}"


def month_label(month: date) -> str:
    """'novembre 2026'."""
    return f"{MONTHS_FR[month.month - 1]} {month.year}"


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in Paris time (aware)."""
    start = datetime(month.year, month.month, 1, tzinfo=PARIS)
    following = (
        datetime(month.year + 1, 1, 1, tzinfo=PARIS)
        if month.month == 12
        else datetime(month.year, month.month + 1, 1, tzinfo=PARIS)
    )
    return start, following


@dataclass(frozen=True, slots=True)
class MonthFees:
    """The fees a shop bore in a month (cents, VAT included) over how many payments."""

    fees_cents: int
    payments: int


def fees_of_month(db: Session, shop_id: int, month: date) -> MonthFees:
    """Fees withheld from a shop in a month, net of fee adjustments."""
    start, end = month_bounds(month)
    kinds = (LedgerKind.fee, LedgerKind.fee_adjustment)
    total, payments = db.execute(
        select(
            func.coalesce(func.sum(LedgerEntry.amount_cents), 0),
            func.count().filter(LedgerEntry.kind == LedgerKind.fee),
        ).where(
            LedgerEntry.shop_id == shop_id,
            LedgerEntry.kind.in_(kinds),
            LedgerEntry.created_at >= start,
            LedgerEntry.created_at < end,
        )
    ).one()
    return MonthFees(fees_cents=-int(total), payments=int(payments))


def platform_seller() -> InvoiceSeller:
    """The platform as the seller of its commission."""
    settings = get_settings()
    return InvoiceSeller(
        legal_name=settings.platform_legal_name,
        shop_name=settings.platform_name,
        siret=settings.platform_siret,
        vat_number=settings.platform_vat_number,
        address_line=settings.platform_address_line,
        postal_code=settings.platform_postal_code,
        city=settings.platform_city,
        email=settings.platform_email,
        phone="",
        legal_form=settings.platform_legal_form,
        share_capital_cents=settings.platform_share_capital_cents,
        registration=settings.platform_registration,
    )


def _shop_as_buyer(shop: Shop) -> InvoiceBuyer:
    return InvoiceBuyer(
        name=shop.legal_name or shop.name,
        line1=shop.address_line,
        line2="",
        postal_code=shop.postal_code,
        city=shop.city,
        country="France",
        email=shop.email,
        is_business=True,
        siret=shop.siret,
        vat_number=shop.vat_number,
    )


def issue_commission_invoice(db: Session, shop_id: int, month: date) -> CommissionInvoice | None:
    """The shop's commission invoice of `month`, issued once; None when it bore no fee."""
    month = month.replace(day=1)
    # The shop row lock makes a second caller wait, then find the invoice.
    shop = db.scalar(
        select(Shop)
        .where(Shop.id == shop_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if shop is None:
        raise NotFound("Boutique introuvable.")
    existing = db.scalar(
        select(CommissionInvoice).where(
            CommissionInvoice.shop_id == shop_id, CommissionInvoice.month == month
        )
    )
    if existing is not None:
        return existing
    fees = fees_of_month(db, shop_id, month)
    if fees.fees_cents <= 0:
        return None
    settings = get_settings()
    sequence = next_number(db, SERIES)
    issued_at = datetime.now(UTC)
    period = month_label(month)
    data = InvoiceData(
        number=commission_invoice_number(sequence),
        issued_at=issued_at,
        order_reference=period,
        reference_label="Période",
        seller=platform_seller(),
        buyer=_shop_as_buyer(shop),
        lines=[
            InvoiceLine(
                f"Frais de paiement en ligne {elide_de(period)} ({fees.payments} paiement"
                f"{'s' if fees.payments > 1 else ''}, {shop.name})",
                1,
                fees.fees_cents,
                settings.commission_vat_rate_bp,
            )
        ],
        delivery_label="",
        delivery_cents=0,
        paid_at=None,
        payment_text=(
            "Montant déjà retenu sur les encaissements reversés à la boutique : rien à payer."
        ),
    )
    totals = invoice_vat_breakdown(data)
    invoice = CommissionInvoice(
        shop_id=shop_id,
        month=month,
        sequence=sequence,
        number=data.number,
        issued_at=issued_at,
        payments_count=fees.payments,
        total_ht_cents=totals.ht_cents,
        total_vat_cents=totals.vat_cents,
        total_ttc_cents=totals.ttc_cents,
        pdf=render_invoice_pdf(data),
    )
    db.add(invoice)
    db.flush()
    return invoice


def shops_with_fees(db: Session, month: date) -> list[int]:
    """Ids of the shops that bore fees in `month`."""
    start, end = month_bounds(month.replace(day=1))
    return list(
        db.scalars(
            select(LedgerEntry.shop_id)
            .where(
                LedgerEntry.kind.in_((LedgerKind.fee, LedgerKind.fee_adjustment)),
                LedgerEntry.created_at >= start,
                LedgerEntry.created_at < end,
            )
            .distinct()
            .order_by(LedgerEntry.shop_id)
        )
    )


def issue_month(month: date) -> list[int]:
    """Every shop's commission invoice of `month` (one transaction per shop); their ids."""
    with session_scope() as db:
        shop_ids = shops_with_fees(db, month)
    issued: list[int] = []
    for shop_id in shop_ids:
        with session_scope() as db:
            invoice = issue_commission_invoice(db, shop_id, month)
            if invoice is not None:
                issued.append(invoice.id)
    return issued


def commission_invoices_of_shop(db: Session, shop_id: int) -> list[CommissionInvoice]:
    """A shop's commission invoices, newest month first."""
    return list(
        db.scalars(
            select(CommissionInvoice)
            .where(CommissionInvoice.shop_id == shop_id)
            .order_by(CommissionInvoice.month.desc())
        )
    )


def get_commission_invoice(
    db: Session, invoice_id: int, *, with_pdf: bool = False
) -> CommissionInvoice:
    """A commission invoice by id (404 when it does not exist)."""
    query = select(CommissionInvoice).where(CommissionInvoice.id == invoice_id)
    if with_pdf:
        query = query.options(undefer(CommissionInvoice.pdf))
    invoice = db.scalar(query)
    if invoice is None:
        raise NotFound("Facture de commission introuvable.")
    return invoice
