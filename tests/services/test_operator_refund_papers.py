"""Operator refunds and the papers: a refund of an amount on invoiced parts yields one credit
note per part bearing it, referencing that part's invoice, gapless, VAT per rate, never more
than what remains invoiced; a refund made before the invoice gets its credit note with it.

Refunds go through the operator-refund activity as the worker runs it (real PostgreSQL and
localstripe); the workflow around it is covered in tests/workflows/test_operator_refund.py."""

from __future__ import annotations

from collections import Counter

import pytest
from facturx import facturx as fx
from sqlalchemy import select
from sqlalchemy.orm import Session

from activities import orders as order_activities
from comptoir.models import (
    CreditNote,
    Invoice,
    LineStatus,
    Order,
    OrderLine,
    Role,
    VendorOrder,
)
from comptoir.orders.contracts import OperatorRefundInput
from comptoir.services import credit_notes, invoicing, operator_refunds
from tests.factories import create_order, create_product, create_shop, create_user
from tests.services.test_credit_notes import _refund as line_refund
from tests.services.test_credit_notes import pdf_text
from tests.stripe_support import pay_order

pytestmark = [pytest.mark.usefixtures("localstripe"), pytest.mark.timeout(120)]


def _two_shop_order(db: Session) -> tuple[Order, dict[int, VendorOrder], list[OrderLine]]:
    """A paid order: the baker (bread 5.5 %, wine 20 %, delivery 4,90 €) and the bookshop (a
    book at 5.5 %); shop id → part, and the baker's lines."""
    baker, bookshop = create_shop(db), create_shop(db)
    bread = create_product(db, baker, name="Pain de campagne", price_cents=420, vat_rate_bp=550)
    wine = create_product(db, baker, name="Côtes-du-Rhône", price_cents=1290, vat_rate_bp=2000)
    book = create_product(db, bookshop, name="Roman", price_cents=2000, vat_rate_bp=550)
    order = create_order(
        db, create_user(db), [(bread, 3), (wine, 1), (book, 1)], delivery_cents={baker.id: 490}
    )
    db.commit()
    pay_order(db, order.id)
    parts = {
        p.shop_id: p for p in db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id))
    }
    lines = list(
        db.scalars(
            select(OrderLine)
            .where(OrderLine.vendor_order_id == parts[baker.id].id)
            .order_by(OrderLine.id)
        )
    )
    return order, parts, lines


def _operator_refund(
    db: Session, order_id: int, cents: int, vendor_order_id: int | None = None
) -> int:
    """An operator's refund asked, then carried out by the activity (twice: a lost answer)."""
    operator = create_user(db, Role.operator)
    row = operator_refunds.request_refund(
        db, order_id=order_id, amount_cents=cents, reason="Geste commercial",
        operator_id=operator.id, vendor_order_id=vendor_order_id,
    )  # fmt: skip
    db.commit()
    request = OperatorRefundInput(refund_id=row.id, order_id=order_id, reason=row.reason)
    assert order_activities.operator_refund(request) == cents
    assert order_activities.operator_refund(request) == cents
    db.rollback()
    return row.id


def _notes(db: Session, part: VendorOrder) -> list[CreditNote]:
    db.rollback()
    return list(
        db.scalars(
            select(CreditNote)
            .where(CreditNote.vendor_order_id == part.id)
            .order_by(CreditNote.sequence)
        )
    )


def _invoice(db: Session, part: VendorOrder) -> Invoice:
    return db.scalars(select(Invoice).where(Invoice.vendor_order_id == part.id)).one()


def test_operator_refunds_of_invoiced_parts_yield_credit_notes_up_to_what_was_invoiced(
    db: Session,
) -> None:
    order, parts, (bread, wine) = _two_shop_order(db)
    for part in parts.values():
        invoicing.issue_invoice(db, part.id)
    db.commit()
    baker, bookshop = parts
    # 1. Goodwill over the whole order (3 040 and 2 000 cents): a credit note per shop.
    refund_id = _operator_refund(db, order.id, 1000)
    shares = {part: cents for part, cents in credit_notes.refund_shares(
        db, db.get_one(credit_notes.Refund, refund_id))}  # fmt: skip
    assert shares == {parts[baker].id: 603, parts[bookshop].id: 397}
    for shop_id, part in parts.items():
        [note] = _notes(db, part)
        invoice = _invoice(db, part)
        assert note.refund_id == refund_id and note.invoice_id == invoice.id
        assert note.number == f"A-{shop_id:04d}-000001"
        assert note.total_ttc_cents == shares[part.id]
        pdf = credit_notes.pdf_of(credit_notes.get_credit_note(db, note.id, with_pdf=True))
        _, xml = fx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
        assert fx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        assert b"<ram:TypeCode>381</ram:TypeCode>" in xml and invoice.number.encode() in xml
        assert f"Facture d'origine {invoice.number}" in pdf_text(pdf)
    # The baker's note: the delivery, then bread and wine in proportion (VAT 5.5 % and 20 %).
    [first] = _notes(db, parts[baker])
    assert first.credited["delivery"] == 490 and set(first.credited) == {
        "delivery", str(bread.id), str(wine.id)}  # fmt: skip
    xml = fx.get_facturx_xml_from_pdf(
        credit_notes.pdf_of(credit_notes.get_credit_note(db, first.id, with_pdf=True))
    )[1]
    assert b"<ram:RateApplicablePercent>5.50</ram:RateApplicablePercent>" in xml
    assert b"<ram:RateApplicablePercent>20.00</ram:RateApplicablePercent>" in xml

    # 2. The wine comes back (a refund of its line), then the operator refunds all the rest of
    # the baker's part: each note credits only what is left on the invoice.
    line_refund(order, parts[baker], "wine-back", 1290, {wine.id: 1290})
    _operator_refund(db, order.id, 3040 - 603 - 1290, vendor_order_id=parts[baker].id)
    notes = _notes(db, parts[baker])
    assert [n.sequence for n in notes] == [1, 2, 3]  # gapless in the shop's series
    invoice = _invoice(db, parts[baker])
    assert sum(n.total_ttc_cents for n in notes) == invoice.total_ttc_cents
    # VAT is worked out on each paper (per rate, rounded there): within a cent per paper.
    assert abs(sum(n.total_vat_cents for n in notes) - invoice.total_vat_cents) < len(notes)
    credited: Counter[str] = Counter()
    for note in notes:
        credited.update(note.credited)
    assert dict(credited) == invoice.invoiced

    # 3. The bookshop's rest, named: its second note; nothing is ever credited twice.
    _operator_refund(db, order.id, 2000 - 397, vendor_order_id=parts[bookshop].id)
    notes = _notes(db, parts[bookshop])
    assert [n.number for n in notes] == [f"A-{bookshop:04d}-000001", f"A-{bookshop:04d}-000002"]
    assert sum(n.total_ttc_cents for n in notes) == _invoice(db, parts[bookshop]).total_ttc_cents


def test_a_refund_before_the_invoice_gets_its_credit_note_with_the_invoice(db: Session) -> None:
    order, parts, (bread, wine) = _two_shop_order(db)
    baker, bookshop = parts
    # The baker has no bread after all (as the lifecycle marks it), refunded before invoicing.
    db.get_one(OrderLine, bread.id).status = LineStatus.unavailable
    db.commit()
    line_refund(order, parts[baker], "bread-unavailable", 1260, {bread.id: 1260})
    # Operators' goodwill on both parts before their invoices exist: nothing to credit yet.
    on_book = _operator_refund(db, order.id, 500, vendor_order_id=parts[bookshop].id)
    on_baker = _operator_refund(db, order.id, 300, vendor_order_id=parts[baker].id)
    assert db.scalars(select(CreditNote)).all() == []

    book_invoice = invoicing.issue_invoice(db, parts[bookshop].id)
    db.commit()
    [note] = _notes(db, parts[bookshop])
    assert book_invoice.total_ttc_cents == 2000  # the invoice bills the sale as made
    assert (note.refund_id, note.invoice_id) == (on_book, book_invoice.id)
    assert note.total_ttc_cents == 500 and note.number == f"A-{bookshop:04d}-000001"
    assert note.issued_at >= book_invoice.issued_at
    # Issuing the invoice again (a retried activity) changes nothing.
    assert invoicing.issue_invoice(db, parts[bookshop].id).id == book_invoice.id
    db.commit()
    assert [n.id for n in _notes(db, parts[bookshop])] == [note.id]

    # The baker's invoice leaves the unavailable bread out (its refund needs no credit note)
    # and comes with the credit note of the operator's 3,00 €, on what it does bill.
    baker_invoice = invoicing.issue_invoice(db, parts[baker].id)
    db.commit()
    assert baker_invoice.total_ttc_cents == 1290 + 490
    assert str(bread.id) not in baker_invoice.invoiced
    [note] = _notes(db, parts[baker])
    assert (note.refund_id, note.invoice_id, note.sequence) == (on_baker, baker_invoice.id, 1)
    assert note.credited == {"delivery": 300}
    text = pdf_text(credit_notes.pdf_of(credit_notes.get_credit_note(db, note.id, with_pdf=True)))
    assert f"Facture d'origine {baker_invoice.number}" in text
