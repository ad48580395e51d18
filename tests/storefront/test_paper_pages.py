"""Papers in the storefront: the shopper finds credit notes next to the invoice, the merchant
finds credit notes and commission invoices under "Ventes", and downloads follow who may read."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import OrderStatus, Role, VendorOrder
from tests.factories import create_order, create_product, create_shop, create_user, login_headers
from tests.order_factories import add_commission_invoice, add_credit_note, add_invoice
from tests.storefront.formtools import browser_login


def test_credit_note_next_to_the_invoice_and_under_sales(client: TestClient, db: Session) -> None:
    merchant, rival = create_user(db, Role.merchant), create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles")
    create_shop(db, rival)
    shopper, stranger = create_user(db), create_user(db)
    order = create_order(
        db, shopper, [(create_product(db, shop, price_cents=900), 2)], status=OrderStatus.processing
    )
    part = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)).one()
    invoice = add_invoice(db, part)
    note = add_credit_note(db, invoice, amount_cents=900)
    commission = add_commission_invoice(db, shop.id, date(2026, 11, 1))
    db.commit()

    browser_login(client, shopper)
    page = client.get(f"/commandes/{order.id}")
    assert page.status_code == 200
    assert f'href="/api/invoices/{invoice.id}.pdf"' in page.text
    assert f'href="/api/credit-notes/{note.id}.pdf"' in page.text
    assert f"avoir {note.number}" in page.text
    own = client.get(f"/api/credit-notes/{note.id}.pdf")
    assert own.status_code == 200 and own.headers["content-type"] == "application/pdf"
    assert client.get(f"/api/commission-invoices/{commission.id}.pdf").status_code == 403

    client.cookies.clear()
    assert client.get(f"/api/credit-notes/{note.id}.pdf").status_code == 401
    stranger_answer = client.get(
        f"/api/credit-notes/{note.id}.pdf", headers=login_headers(client, stranger)
    )
    assert stranger_answer.status_code == 404

    browser_login(client, merchant)
    sales = client.get("/vendeur/ventes")
    assert sales.status_code == 200
    assert 'id="credit-notes"' in sales.text and note.number in sales.text
    assert f"Commande n° {order.id}, facture {invoice.number}" in sales.text
    assert 'id="commission-invoices"' in sales.text and commission.number in sales.text
    assert "Frais de paiement de novembre 2026" in sales.text
    assert client.get(f"/api/credit-notes/{note.id}.pdf").status_code == 200
    assert client.get(f"/api/commission-invoices/{commission.id}.pdf").status_code == 200

    client.cookies.clear()
    rival_headers = login_headers(client, rival)
    assert client.get(f"/api/credit-notes/{note.id}.pdf", headers=rival_headers).status_code == 404
    answer = client.get(f"/api/commission-invoices/{commission.id}.pdf", headers=rival_headers)
    assert answer.status_code == 404


def test_sales_page_says_when_there_is_no_paper_yet(client: TestClient, db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    create_shop(db, merchant)
    db.commit()
    browser_login(client, merchant)
    sales = client.get("/vendeur/ventes")
    assert "Aucun avoir" in sales.text and "Aucune facture de commission" in sales.text
