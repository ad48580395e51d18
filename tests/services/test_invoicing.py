"""Invoices: one per paid vendor order, numbered without gaps per shop even when issued at once."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.db import get_sessionmaker
from comptoir.domain.money import accessory_vat_split, format_eur, vat_breakdown
from comptoir.errors import Conflict, NotFound
from comptoir.models import (
    Invoice,
    LineStatus,
    Order,
    OrderLine,
    Payment,
    PaymentStatus,
    Shop,
    VendorOrder,
)
from comptoir.services import invoicing
from tests.factories import create_order, create_product, create_shop, create_user

pytestmark = pytest.mark.timeout(120)


def _paid(db: Session, order: Order) -> None:
    order.paid_at = datetime.now(UTC)
    db.add(
        Payment(
            order_id=order.id,
            stripe_payment_intent_id=f"pi_invoice_{order.id}",
            amount_cents=order.total_cents,
            status=PaymentStatus.succeeded,
            succeeded_at=order.paid_at,
        )
    )
    db.commit()


def _vendor_order(db: Session, order: Order, shop: Shop) -> VendorOrder:
    return db.scalars(
        select(VendorOrder).where(VendorOrder.order_id == order.id, VendorOrder.shop_id == shop.id)
    ).one()


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, as pdftotext reads it."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_invoice_is_issued_once_with_the_shop_number(db: Session) -> None:
    shop = create_shop(db)
    order = create_order(db, create_user(db), [(create_product(db, shop, price_cents=1234), 2)])
    _paid(db, order)
    vendor_order = _vendor_order(db, order, shop)
    invoice = invoicing.issue_invoice(db, vendor_order.id)
    db.commit()
    again = invoicing.issue_invoice(db, vendor_order.id)
    assert again.id == invoice.id
    assert invoice.number == f"F-{shop.id:04d}-000001" and invoice.sequence == 1
    assert invoice.total_ttc_cents == 2468
    assert invoice.total_ht_cents + invoice.total_vat_cents == 2468
    assert invoicing.invoice_pdf(db, invoice.id).startswith(b"%PDF")


def test_invoice_pdf_shows_siret_buyer_lines_and_totals(db: Session) -> None:
    shop = create_shop(db, siret="81234567800017", legal_name="Épicerie Dupont SARL")
    kept = create_product(db, shop, name="Confiture d'abricots", price_cents=650, vat_rate_bp=550)
    wine = create_product(db, shop, name="Côtes-du-Rhône 2022", price_cents=1290, vat_rate_bp=2000)
    declined = create_product(db, shop, name="Truffe noire", price_cents=9900)
    order = create_order(
        db, create_user(db), [(kept, 3), (wine, 1), (declined, 1)], delivery_cents={shop.id: 490}
    )
    vendor_order = _vendor_order(db, order, shop)
    # The merchant declined the truffle before payment: totals dropped, the line stays.
    line = db.scalars(select(OrderLine).where(OrderLine.product_id == declined.id)).one()
    line.status = LineStatus.declined
    for row in (vendor_order, order):
        row.items_cents -= 9900
        row.total_cents -= 9900
    db.commit()
    _paid(db, order)
    invoice = invoicing.issue_invoice(db, vendor_order.id)
    db.commit()
    assert invoice.total_ttc_cents == vendor_order.total_cents == 3 * 650 + 1290 + 490
    text = pdf_text(invoicing.invoice_pdf(db, invoice.id))
    assert "81234567800017" in text and "Épicerie Dupont SARL" in text
    assert invoice.number in text
    assert order.billing_name in text and "3 rue des Lilas" in text
    assert "Confiture d'abricots" in text and "Côtes-du-Rhône 2022" in text
    assert "Truffe noire" not in text
    assert "Livraison à vélo" in text
    # Delivery follows the goods' VAT: shared 1950 : 1290 between 5.5 % and 20 %.
    delivery = accessory_vat_split(490, [(3 * 650, 550), (1290, 2000)])
    assert delivery == [(295, 550), (195, 2000)]
    expected = vat_breakdown([(3 * 650, 550), (1290, 2000), *delivery])
    assert (invoice.total_ht_cents, invoice.total_vat_cents) == (expected.ht_cents, expected.vat_cents)
    printed = text.replace("\u00a0", " ")
    amounts = [expected.ht_cents, expected.ttc_cents] + [r.vat_cents for r in expected.per_rate]
    for cents in amounts:
        assert format_eur(cents).replace("\u00a0", " ") in printed


def test_invoice_numbers_have_no_gap_under_concurrent_issuing(db: Session) -> None:
    shops = [create_shop(db), create_shop(db)]
    products = [create_product(db, shop) for shop in shops]
    vendor_order_ids: list[int] = []
    for _ in range(6):
        order = create_order(db, create_user(db), [(p, 1) for p in products])
        _paid(db, order)
        vendor_order_ids += [_vendor_order(db, order, shop).id for shop in shops]

    def issue(vendor_order_id: int) -> str:
        with get_sessionmaker()() as session:
            number = invoicing.issue_invoice(session, vendor_order_id).number
            session.commit()
            return number

    # Every vendor order twice at once: duplicates must collapse, numbers must not skip.
    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(issue, vendor_order_ids * 2))
    assert numbers[: len(vendor_order_ids)] == numbers[len(vendor_order_ids) :]
    for shop in shops:
        sequences = db.scalars(
            select(Invoice.sequence).where(Invoice.shop_id == shop.id).order_by(Invoice.sequence)
        ).all()
        assert sequences == [1, 2, 3, 4, 5, 6]
    assert len(set(numbers)) == len(vendor_order_ids)


def test_no_invoice_before_payment(db: Session) -> None:
    shop = create_shop(db)
    order = create_order(db, create_user(db), [(create_product(db, shop), 1)])
    db.commit()
    with pytest.raises(Conflict) as refused:
        invoicing.issue_invoice(db, _vendor_order(db, order, shop).id)
    assert refused.value.message == "La facture n'est émise qu'une fois la commande payée."


def test_unknown_invoice_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        invoicing.invoice_pdf(db, 424242)


def test_invoice_activity_of_a_part_cancelled_meanwhile_is_not_an_error(db: Session) -> None:
    from activities.orders import issue_invoice
    from comptoir.models import VendorOrderStatus
    from comptoir.orders.contracts import VendorOrderRef

    shop = create_shop(db)
    order = create_order(db, create_user(db), [(create_product(db, shop), 1)])
    _paid(db, order)
    part = _vendor_order(db, order, shop)
    part.status = VendorOrderStatus.cancelled
    db.commit()
    assert issue_invoice(VendorOrderRef(part.id)) == 0
    assert db.scalar(select(Invoice.id).where(Invoice.vendor_order_id == part.id)) is None
