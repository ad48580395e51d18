"""GET /api/orders/{id}/payment and GET /api/invoices/{id}.pdf: who may, and what they get."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import (
    Invoice,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Role,
    Shop,
    User,
    VendorOrder,
)
from comptoir.services import invoicing
from comptoir.settings import get_settings
from tests.factories import create_order, create_product, create_shop, create_user, login_headers

pytestmark = pytest.mark.timeout(60)


def _order(db: Session, status: OrderStatus = OrderStatus.awaiting_payment) -> Order:
    shopper = create_user(db)
    order = create_order(
        db, shopper, [(create_product(db, create_shop(db), price_cents=1875), 2)], status=status
    )
    db.commit()
    return order


@pytest.mark.usefixtures("localstripe")
def test_owner_gets_the_client_secret_of_one_intent(client: TestClient, db: Session) -> None:
    order = _order(db)
    headers = login_headers(client, db.get_one(User, order.shopper_id))
    first = client.get(f"/api/orders/{order.id}/payment", headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    settings = get_settings()
    assert body["client_secret"].startswith("pi_") and "_secret_" in body["client_secret"]
    assert body["publishable_key"] == settings.stripe_publishable_key
    assert body["stripe_js_url"] == settings.stripe_js_url
    assert body["amount_cents"] == 3750 and body["status"] == "pending"
    assert body["last_failure_message"] == ""
    again = client.get(f"/api/orders/{order.id}/payment", headers=headers)
    assert again.json()["client_secret"] == body["client_secret"]


def test_payment_route_authorization(client: TestClient, db: Session) -> None:
    order = _order(db)
    other_shopper = create_user(db)
    merchant = create_user(db, Role.merchant)
    db.commit()
    url = f"/api/orders/{order.id}/payment"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=login_headers(client, merchant)).status_code == 403
    refused = client.get(url, headers=login_headers(client, other_shopper))
    assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    missing = client.get("/api/orders/999999/payment", headers=login_headers(client, other_shopper))
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (OrderStatus.awaiting_confirmation, "Cette commande attend encore la confirmation du vendeur."),
        (OrderStatus.processing, "Cette commande est déjà payée."),
    ],
)
def test_order_not_awaiting_payment_is_409(
    client: TestClient, db: Session, status: OrderStatus, message: str
) -> None:
    order = _order(db, status)
    shopper = db.get_one(User, order.shopper_id)
    response = client.get(f"/api/orders/{order.id}/payment", headers=login_headers(client, shopper))
    assert response.status_code == 409
    assert response.json() == {"error": "not_payable", "message": message}


@pytest.fixture
def invoice(db: Session) -> Invoice:
    """An issued invoice of a paid order."""
    order = _order(db, OrderStatus.processing)
    order.paid_at = datetime.now(UTC)
    db.add(
        Payment(
            order_id=order.id,
            stripe_payment_intent_id=f"pi_api_{order.id}",
            amount_cents=order.total_cents,
            status=PaymentStatus.succeeded,
            succeeded_at=order.paid_at,
        )
    )
    db.commit()
    vendor_order = db.query(VendorOrder).filter_by(order_id=order.id).one()
    issued = invoicing.issue_invoice(db, vendor_order.id)
    db.commit()
    return issued


def test_invoice_pdf_for_shopper_merchant_and_operator(
    client: TestClient, db: Session, invoice: Invoice
) -> None:
    vendor_order = db.get_one(VendorOrder, invoice.vendor_order_id)
    shopper = db.get_one(User, db.get_one(Order, vendor_order.order_id).shopper_id)
    merchant = db.get_one(User, db.get_one(Shop, invoice.shop_id).owner_id)
    operator = create_user(db, Role.operator)
    db.commit()
    url = f"/api/invoices/{invoice.id}.pdf"
    for user in (shopper, merchant, operator):
        response = client.get(url, headers=login_headers(client, user))
        assert response.status_code == 200, (user.role, response.text)
        assert response.headers["content-type"] == "application/pdf"
        assert f'filename="facture-{invoice.number}.pdf"' in response.headers["content-disposition"]
        assert response.content.startswith(b"%PDF")


def test_invoice_pdf_is_hidden_from_other_tenants(
    client: TestClient, db: Session, invoice: Invoice
) -> None:
    other_shopper = create_user(db)
    other_owner = db.get_one(User, create_shop(db).owner_id)
    db.commit()
    url = f"/api/invoices/{invoice.id}.pdf"
    assert client.get(url).status_code == 401
    for user in (other_shopper, other_owner):
        response = client.get(url, headers=login_headers(client, user))
        assert response.status_code == 404 and response.json()["error"] == "not_found"
    missing = client.get("/api/invoices/999999.pdf", headers=login_headers(client, other_shopper))
    assert missing.status_code == 404


def test_stripe_unreachable_is_503(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from devstack.services import free_port

    order = _order(db)
    monkeypatch.setenv("COMPTOIR_STRIPE_API_BASE", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    try:
        response = client.get(
            f"/api/orders/{order.id}/payment",
            headers=login_headers(client, db.get_one(User, order.shopper_id)),
        )
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 503
    assert response.json()["error"] == "service_unavailable"
