"""Credit notes: a refund of invoiced amounts yields one Factur-X credit note per refund,
numbered without gaps per shop, never crediting more than the invoice billed."""

from __future__ import annotations

import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from facturx import facturx as fx
from sqlalchemy import select
from sqlalchemy.orm import Session

from activities import orders as order_activities
from comptoir.db import get_sessionmaker
from comptoir.models import CreditNote, Order, OrderLine, Refund, VendorOrder
from comptoir.orders.contracts import RefundRequest
from comptoir.services import credit_notes, invoicing, payments
from comptoir.services.credit_notes import credit_of_refund
from tests.factories import create_order, create_product, create_shop, create_user
from tests.stripe_support import pay_order

pytestmark = [pytest.mark.usefixtures("localstripe"), pytest.mark.timeout(120)]


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().replace("\u00a0", " ").replace("\u202f", " ").split())


def _invoiced_order(
    db: Session, *, shop_fields: dict[str, object] | None = None
) -> tuple[Order, VendorOrder, list[OrderLine]]:
    """A paid order of one shop (bread at 5.5 %, wine at 20 %, delivery 4,90 €), invoiced."""
    shop = create_shop(db, **(shop_fields or {}))
    bread = create_product(db, shop, name="Pain de campagne", price_cents=420, vat_rate_bp=550)
    wine = create_product(db, shop, name="Côtes-du-Rhône", price_cents=1290, vat_rate_bp=2000)
    order = create_order(
        db, create_user(db), [(bread, 3), (wine, 1)], delivery_cents={shop.id: 490}
    )
    db.commit()
    pay_order(db, order.id)
    vendor_order = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)).one()
    invoicing.issue_invoice(db, vendor_order.id)
    db.commit()
    lines = list(
        db.scalars(
            select(OrderLine)
            .where(OrderLine.vendor_order_id == vendor_order.id)
            .order_by(OrderLine.id)
        )
    )
    return order, vendor_order, lines


def _refund(
    order: Order, vendor_order: VendorOrder, key: str, amount: int, lines: dict[int, int]
) -> int:
    """Run the refund activity (as the worker does) in its own transaction; cents refunded."""
    request = RefundRequest(
        order_id=order.id,
        vendor_order_id=vendor_order.id,
        amount_cents=amount,
        refund_key=key,
        reason="article indisponible",
        lines={str(k): v for k, v in lines.items()},
    )
    return order_activities.refund(request)


def test_refund_of_an_invoiced_line_yields_one_credit_note(db: Session) -> None:
    order, vendor_order, (bread, wine) = _invoiced_order(db)
    invoice = db.scalars(
        select(invoicing.Invoice).where(invoicing.Invoice.vendor_order_id == vendor_order.id)
    ).one()
    key = f"vo-{vendor_order.id}-unavailable-{wine.id}"
    # The activity runs twice (a retry after a lost answer): one refund, one credit note.
    assert _refund(order, vendor_order, key, 1290, {wine.id: 1290}) == 1290
    assert _refund(order, vendor_order, key, 1290, {wine.id: 1290}) == 1290
    db.rollback()
    [note] = db.scalars(select(CreditNote)).all()
    refund = db.scalars(select(Refund).where(Refund.refund_key == key)).one()
    assert note.refund_id == refund.id and note.invoice_id == invoice.id
    assert note.number == f"A-{vendor_order.shop_id:04d}-000001" and note.sequence == 1
    assert (note.total_ttc_cents, note.total_ht_cents, note.total_vat_cents) == (1290, 1075, 215)
    assert note.credited == {str(wine.id): 1290}
    # Issued without its PDF (the refund's transaction stays short); the documents worker's
    # activity renders it from the paper kept with the note, once.
    assert credit_notes.get_credit_note(db, note.id, with_pdf=True).pdf is None
    assert note.paper is not None and note.paper["number"] == note.number
    assert credit_notes.render_pending(db, refund_key=key) == 1
    assert credit_notes.render_pending(db, refund_key=key) == 0
    db.commit()
    pdf = credit_notes.get_credit_note(db, note.id, with_pdf=True).pdf
    assert pdf is not None
    filename, xml = fx.get_facturx_xml_from_pdf(bytes(pdf), check_xsd=True)
    assert filename == "factur-x.xml" and fx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml and invoice.number.encode() in xml
    text = pdf_text(bytes(pdf))
    assert "AVOIR" in text and note.number in text
    assert f"Facture d'origine {invoice.number}" in text
    assert "Côtes-du-Rhône 1 12,90 € 20 % 12,90 €" in text
    assert "Motif : article indisponible" in text
    assert "au nom et pour le compte de" in text and "(mandat de facturation)" in text


def test_full_refund_credits_what_is_left_with_delivery_vat_as_invoiced(db: Session) -> None:
    order, vendor_order, (bread, wine) = _invoiced_order(db)
    _refund(order, vendor_order, "first", 420, {bread.id: 420})
    # An operator cancels the rest: no line detail; what is left of the invoice is credited.
    _refund(order, vendor_order, "rest", vendor_order.total_cents - 420, {})
    db.rollback()
    first, rest = db.scalars(select(CreditNote).order_by(CreditNote.sequence)).all()
    assert (first.sequence, rest.sequence) == (1, 2)
    assert rest.credited == {str(bread.id): 840, str(wine.id): 1290, "delivery": 490}
    invoice = db.get_one(invoicing.Invoice, first.invoice_id)
    assert first.total_ttc_cents + rest.total_ttc_cents == invoice.total_ttc_cents
    assert first.total_vat_cents + rest.total_vat_cents == invoice.total_vat_cents
    text = pdf_text(credit_notes.pdf_of(credit_notes.get_credit_note(db, rest.id, with_pdf=True)))
    assert "Pain de campagne 2 4,20 € 5,5 % 8,40 €" in text
    assert "Livraison à vélo (part à 5,5 %)" in text and "Livraison à vélo (part à 20 %)" in text


def test_no_credit_note_for_a_refund_of_nothing_invoiced(db: Session) -> None:
    shop = create_shop(db)
    product = create_product(db, shop, price_cents=900)
    order = create_order(db, create_user(db), [(product, 2)])
    db.commit()
    pay_order(db, order.id)
    vendor_order = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)).one()
    line = db.scalars(select(OrderLine).where(OrderLine.vendor_order_id == vendor_order.id)).one()
    _refund(order, vendor_order, "before-invoice", 900, {line.id: 900})  # no invoice yet
    db.rollback()
    assert db.scalars(select(CreditNote)).all() == []


def test_seller_without_vat_number_credits_without_vat(db: Session) -> None:
    order, vendor_order, (bread, _) = _invoiced_order(db, shop_fields={"vat_number": ""})
    _refund(order, vendor_order, "exempt", 420, {bread.id: 420})
    db.rollback()
    [note] = db.scalars(select(CreditNote)).all()
    assert (note.total_ttc_cents, note.total_vat_cents) == (420, 0)
    text = pdf_text(credit_notes.pdf_of(credit_notes.get_credit_note(db, note.id, with_pdf=True)))
    assert "TVA non applicable, art. 293 B du CGI" in text


def test_credit_note_numbers_have_no_gap_under_concurrency(db: Session) -> None:
    shop = create_shop(db)
    product = create_product(db, shop, price_cents=700)
    refund_ids: list[tuple[int, int]] = []
    for n in range(4):
        order = create_order(db, create_user(db), [(product, 1)])
        db.commit()
        pay_order(db, order.id)
        vendor_order = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)).one()
        invoicing.issue_invoice(db, vendor_order.id)
        line = db.scalars(
            select(OrderLine).where(OrderLine.vendor_order_id == vendor_order.id)
        ).one()
        made = payments.refund(
            db, order_id=order.id, vendor_order_id=vendor_order.id, amount_cents=700,
            refund_key=f"concurrent-{n}", reason="", lines={line.id: 700},
        )  # fmt: skip
        db.commit()
        refund_ids.append((made.id, line.id))
    first_taken = threading.Event()

    def abandoned() -> None:
        # Takes a number, then rolls back (e.g. the PDF failed): the number must be reused.
        with get_sessionmaker()() as session:
            refund_id, line_id = refund_ids[0]
            credit_notes.issue_for_refund(session, refund_id, {line_id: 700})
            first_taken.set()
            session.rollback()

    def issue(pair: tuple[int, int]) -> str:
        first_taken.wait(30)
        with get_sessionmaker()() as session:
            note = credit_notes.issue_for_refund(session, pair[0], {pair[1]: 700})
            assert note is not None
            session.commit()
            return note.number

    with ThreadPoolExecutor(max_workers=3) as pool:
        rolled_back = pool.submit(abandoned)
        numbers = list(pool.map(issue, refund_ids * 2))  # each refund twice, at once
        rolled_back.result()
    assert numbers[:4] == numbers[4:]
    sequences = db.scalars(
        select(CreditNote.sequence)
        .where(CreditNote.shop_id == shop.id)
        .order_by(CreditNote.sequence)
    ).all()
    assert sequences == [1, 2, 3, 4]


def test_credit_of_refund_never_credits_more_than_left() -> None:
    left = {"1": 840, "2": 1290, "delivery": 490}
    assert credit_of_refund(420, {1: 420}, left) == {"1": 420}
    assert credit_of_refund(490, {}, left) == {"delivery": 490}
    # Lines beyond what is left, and money beyond the invoice, are not credited.
    assert credit_of_refund(5000, {2: 1290}, {"2": 0, "1": 100, "delivery": 0}) == {"1": 100}
    assert credit_of_refund(100, {}, {"1": 0, "delivery": 0}) == {}
