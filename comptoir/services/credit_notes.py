"""Credit notes (avoirs): a refund of amounts already invoiced cancels them on a credit note.

One credit note per refund and shop part bearing it (keyed by both: an activity run twice
issues it once), numbered without gaps per shop (`A-0007-000001`), referencing the invoice it
corrects. Only invoiced amounts are credited, never more than the invoice billed minus earlier
credit notes.

A refund made before its part's invoice exists: a refund of lines (unavailable, cancelled)
is reflected by the invoice itself, which leaves those lines out; an operator's refund of an
amount leaves the lines as they were, so its credit note is issued with the invoice.

The refund's transaction fixes what the credit note says (`paper`) and its number; the PDF
(CPU-bound, ~0.1 s) is rendered from that paper by the documents worker right after
(`render_pending`), never on the refund's path. A PDF asked for before then is rendered on the
spot from the same paper (`pdf_of`), so it is the same document.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from comptoir.domain.labels import format_date_fr
from comptoir.domain.money import split_proportionally
from comptoir.errors import NotFound
from comptoir.invoices.data import CorrectedInvoice, InvoiceData, InvoiceLine, delivery_rows
from comptoir.invoices.render import invoice_vat_breakdown, render_invoice_pdf
from comptoir.models import (
    CreditNote,
    Invoice,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderLine,
    Refund,
    RefundStatus,
    Shop,
    VendorOrder,
)
from comptoir.services.invoicing import (
    DELIVERY,
    NOT_INVOICED,
    buyer_of,
    invoiced_amounts,
    seller_of,
)
from comptoir.services.numbering import next_number
from comptoir.settings import get_settings


def credit_note_number(shop_id: int, sequence: int) -> str:
    """The printed number of a shop's n-th credit note: `A-0007-000042`."""
    return f"A-{shop_id:04d}-{sequence:06d}"


def _invoiced(db: Session, invoice: Invoice, vendor_order: VendorOrder) -> dict[str, int]:
    if invoice.invoiced is not None:
        return dict(invoice.invoiced)
    # Invoices issued before their amounts were recorded billed the part's invoiced lines.
    lines = db.scalars(
        select(OrderLine).where(
            OrderLine.vendor_order_id == vendor_order.id, OrderLine.status.not_in(NOT_INVOICED)
        )
    )
    return invoiced_amounts(list(lines), vendor_order.delivery_cents)


def _already_credited(db: Session, invoice_id: int) -> Counter[str]:
    credited: Counter[str] = Counter()
    for amounts in db.scalars(
        select(CreditNote.credited).where(CreditNote.invoice_id == invoice_id)
    ):
        credited.update(amounts)
    return credited


def credit_of_refund(
    amount_cents: int, lines: dict[int, int], left: dict[str, int]
) -> dict[str, int]:
    """Which invoiced amounts a refund cancels: its lines first, then delivery, then the rest
    of what is left on the invoice in proportion; never more than `left` of each.

    A line the invoice left out (unavailable before it was issued) is credited nothing: the
    invoice never billed it. Money for an invoiced line beyond what is left of it (an earlier
    refund of an amount already credited part of it) goes to the rest of the invoice."""
    credit: dict[str, int] = {}
    rest = amount_cents
    for line_id, cents in lines.items():
        key = str(line_id)
        credit[key] = min(cents, left.get(key, 0))
        rest -= credit[key] if key in left else cents
    delivery = min(max(rest, 0), left.get(DELIVERY, 0))
    credit[DELIVERY] = credit.get(DELIVERY, 0) + delivery
    rest -= delivery
    if rest > 0:
        # A refund without line detail (e.g. an operator cancels the part): what is left.
        keys = [k for k in left if k != DELIVERY and left[k] - credit.get(k, 0) > 0]
        room = [left[k] - credit.get(k, 0) for k in keys]
        if keys:
            shares = split_proportionally(min(rest, sum(room)), room)
            for key, cents in zip(keys, shares, strict=True):
                credit[key] = credit.get(key, 0) + cents
    return {key: cents for key, cents in credit.items() if cents > 0}


def _paper_lines(
    credit: dict[str, int],
    order_lines: dict[int, OrderLine],
    invoiced: dict[str, int],
    delivery_label: str,
) -> list[InvoiceLine]:
    rows: list[InvoiceLine] = []
    for key, cents in credit.items():
        if key == DELIVERY:
            continue
        line = order_lines[int(key)]
        if line.unit_price_cents and cents % line.unit_price_cents == 0:
            quantity, unit = cents // line.unit_price_cents, line.unit_price_cents
            rows.append(InvoiceLine(line.product_name, quantity, unit, line.vat_rate_bp))
        else:
            label = f"{line.product_name} (remboursement partiel)"
            rows.append(InvoiceLine(label, 1, cents, line.vat_rate_bp))
    delivery = credit.get(DELIVERY, 0)
    if delivery:
        # The same VAT shares as on the invoice: the invoiced goods decide them.
        goods = [
            (cents, order_lines[int(key)].vat_rate_bp)
            for key, cents in invoiced.items()
            if key != DELIVERY and int(key) in order_lines
        ]
        rows += delivery_rows(delivery_label, delivery, goods)
    return rows


_PAPER = TypeAdapter(InvoiceData)


def paper_of(data: InvoiceData) -> dict[str, Any]:
    """What a credit note says, as JSON kept with it."""
    dumped: dict[str, Any] = _PAPER.dump_python(data, mode="json")
    return dumped


def data_of(paper: dict[str, Any]) -> InvoiceData:
    """The credit note's data back from its JSON."""
    return _PAPER.validate_python(paper)


def _refund(db: Session, refund_id: int) -> Refund:
    refund = db.get(Refund, refund_id)
    if refund is None:
        raise NotFound("Remboursement introuvable.")
    return refund


def issue_for_refund(db: Session, refund_id: int, lines: dict[int, int]) -> CreditNote | None:
    """The credit note of a refund of one shop part Stripe accepted, issued once; None when
    nothing invoiced was refunded. `lines` (order line id → cents) is the refund's line detail."""
    refund = _refund(db, refund_id)
    if refund.status != RefundStatus.succeeded or refund.vendor_order_id is None:
        return None
    return _issue(db, refund, refund.vendor_order_id, refund.amount_cents, lines)


def refund_shares(db: Session, refund: Refund) -> list[tuple[int, int]]:
    """(vendor order id, cents) each shop part bore of a refund, as the ledger recorded them."""
    key = f"refund:{refund.refund_key}"
    rows = db.execute(
        select(LedgerEntry.vendor_order_id, LedgerEntry.amount_cents)
        .where(
            LedgerEntry.kind == LedgerKind.refund,
            LedgerEntry.order_id == refund.order_id,
            (LedgerEntry.entry_key == key)
            | LedgerEntry.entry_key.startswith(f"{key}:", autoescape=True),
        )
        .order_by(LedgerEntry.vendor_order_id)
    )
    return [(int(part), -int(cents)) for part, cents in rows if part is not None and cents]


def issue_for_refund_shares(db: Session, refund_id: int) -> list[CreditNote]:
    """The credit notes of a refund of an amount (no line detail) Stripe accepted: one per
    invoiced shop part bearing it, each issued once."""
    refund = _refund(db, refund_id)
    if refund.status != RefundStatus.succeeded:
        return []
    notes = [_issue(db, refund, part, cents, {}) for part, cents in refund_shares(db, refund)]
    return [note for note in notes if note is not None]


def issue_for_refunds_before_invoice(
    db: Session, vendor_order_id: int, refund_key_prefix: str
) -> list[CreditNote]:
    """With a part's new invoice: the credit notes of the refunds of amounts (keys starting
    with `refund_key_prefix`) it bore before the invoice existed, oldest first."""
    order_id = db.get_one(VendorOrder, vendor_order_id).order_id
    refunds = db.scalars(
        select(Refund)
        .where(
            Refund.order_id == order_id,
            Refund.status == RefundStatus.succeeded,
            Refund.refund_key.startswith(refund_key_prefix, autoescape=True),
        )
        .order_by(Refund.id)
    ).all()
    notes: list[CreditNote] = []
    for refund in refunds:
        for part, cents in refund_shares(db, refund):
            if part == vendor_order_id and (note := _issue(db, refund, part, cents, {})):
                notes.append(note)
    return notes


def _issue(
    db: Session, refund: Refund, vendor_order_id: int, amount_cents: int, lines: dict[int, int]
) -> CreditNote | None:
    """The credit note of `amount_cents` of a refund borne by one part, issued once."""
    # The invoice row lock serialises the credit notes of one invoice (amounts left, numbers).
    invoice = db.scalar(
        select(Invoice)
        .where(Invoice.vendor_order_id == vendor_order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice is None:
        return None
    existing = db.scalar(
        select(CreditNote).where(
            CreditNote.refund_id == refund.id, CreditNote.vendor_order_id == vendor_order_id
        )
    )
    if existing is not None:
        return existing
    vendor_order = db.get_one(VendorOrder, vendor_order_id)
    invoiced = _invoiced(db, invoice, vendor_order)
    credited = _already_credited(db, invoice.id)
    left = {key: cents - credited.get(key, 0) for key, cents in invoiced.items()}
    credit = credit_of_refund(amount_cents, lines, left)
    if not credit:
        return None
    order = db.get_one(Order, refund.order_id)
    shop = db.get_one(Shop, invoice.shop_id)
    order_lines = {
        line.id: line
        for line in db.scalars(
            select(OrderLine).where(OrderLine.vendor_order_id == vendor_order.id)
        )
    }
    sequence = next_number(db, f"avoir:{shop.id}")
    issued_at = datetime.now(UTC)
    refunded_at = refund.succeeded_at or issued_at
    data = InvoiceData(
        number=credit_note_number(shop.id, sequence),
        issued_at=issued_at,
        order_reference=f"Commande n° {order.id}",
        seller=seller_of(shop),
        buyer=buyer_of(order),
        lines=_paper_lines(credit, order_lines, invoiced, vendor_order.delivery_label),
        delivery_label="",
        delivery_cents=0,
        paid_at=None,
        credit_note_of=CorrectedInvoice(invoice.number, invoice.issued_at),
        issued_on_behalf_by=get_settings().platform_name,
        payment_text=(
            f"Remboursé le {format_date_fr(refunded_at)} sur la carte bancaire ayant servi "
            "au paiement."
        ),
        note=f"Motif : {refund.reason}" if refund.reason else "",
    )
    totals = invoice_vat_breakdown(data)
    note = CreditNote(
        refund_id=refund.id,
        invoice_id=invoice.id,
        vendor_order_id=vendor_order.id,
        shop_id=shop.id,
        sequence=sequence,
        number=data.number,
        issued_at=issued_at,
        credited=credit,
        total_ht_cents=totals.ht_cents,
        total_vat_cents=totals.vat_cents,
        total_ttc_cents=totals.ttc_cents,
        paper=paper_of(data),
        pdf=None,  # rendered by the documents worker (render_pending)
    )
    db.add(note)
    db.flush()
    return note


def render_pdf(note: CreditNote) -> bytes:
    """Render a credit note's PDF from its paper and keep it on the row."""
    if note.paper is None:  # issued before papers were kept: rendered then, never NULL
        raise NotFound("Avoir introuvable.")
    pdf = render_invoice_pdf(data_of(note.paper))
    note.pdf = pdf
    return pdf


def render_pending(db: Session, refund_key: str = "", refund_id: int | None = None) -> int:
    """Render the PDFs of a refund's credit notes that have none yet (by refund key or id);
    how many were rendered. Run twice, the second run renders nothing."""
    query = (
        select(CreditNote)
        .join(Refund, Refund.id == CreditNote.refund_id)
        .where(CreditNote.pdf.is_(None))
        .options(undefer(CreditNote.paper))
        .order_by(CreditNote.id)
        .with_for_update(of=CreditNote, skip_locked=True)
    )
    if refund_id is not None:
        query = query.where(Refund.id == refund_id)
    else:
        query = query.where(Refund.refund_key == refund_key)
    notes = db.scalars(query).all()
    for note in notes:
        render_pdf(note)
    db.flush()
    return len(notes)


def get_credit_note(db: Session, credit_note_id: int, *, with_pdf: bool = False) -> CreditNote:
    """A credit note by id (404 when it does not exist)."""
    query = select(CreditNote).where(CreditNote.id == credit_note_id)
    if with_pdf:
        query = query.options(undefer(CreditNote.pdf), undefer(CreditNote.paper))
    note = db.scalar(query)
    if note is None:
        raise NotFound("Avoir introuvable.")
    return note


def pdf_of(note: CreditNote) -> bytes:
    """A credit note's PDF (load it with `get_credit_note(with_pdf=True)`). Asked for before
    the documents worker got to it: rendered now from the same paper, and kept."""
    return bytes(note.pdf) if note.pdf is not None else render_pdf(note)


def credit_notes_of_vendor_orders(db: Session, vendor_order_ids: list[int]) -> list[CreditNote]:
    """The credit notes of these shop parts, oldest first."""
    if not vendor_order_ids:
        return []
    return list(
        db.scalars(
            select(CreditNote)
            .where(CreditNote.vendor_order_id.in_(vendor_order_ids))
            .order_by(CreditNote.id)
        )
    )
