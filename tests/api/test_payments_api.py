"""GET /api/orders/{id}/payment and GET /api/invoices/{id}.pdf: who may, and what they get."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import stripe
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.domain.card_declines import decline_code, decline_message
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
from comptoir.services import invoicing, payments
from comptoir.settings import get_settings
from tests.factories import create_order, create_product, create_shop, create_user, login_headers
from tests.storefront.formtools import browser_login, post_form
from tests.stripe_support import confirm_card, event_payload

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


@pytest.mark.usefixtures("localstripe")
def test_a_declined_card_is_told_in_french_and_its_code_kept(
    client: TestClient, db: Session
) -> None:
    order = _order(db)
    shopper = db.get_one(User, order.shopper_id)
    payment = payments.ensure_payment_intent(db, order.id)
    db.commit()
    intent_id = payment.stripe_payment_intent_id
    assert intent_id
    declined = confirm_card(intent_id, "pm_card_chargeCustomerFail")
    english = declined.last_payment_error.message
    assert english and declined.last_payment_error.code == "card_declined"
    # The webhook's event is stored first; the workflow's activity then records the failure.
    event = stripe.Event.construct_from(
        json.loads(event_payload("evt_decline_fr", "payment_intent.payment_failed", intent_id,
                                 failure_message=english)),  # fmt: skip
        "sk_test",
    )
    result = payments.record_payment_event(db, event)
    assert result.failure_message == decline_message("card_declined")
    payments.mark_payment_failed(db, order.id, intent_id, english)
    db.commit()
    row = payments.payment_of(db, order.id)
    assert row is not None and row.failure_code == "card_declined"
    assert row.failure_message.startswith("Votre carte a été refusée")
    body = client.get(f"/api/orders/{order.id}/payment", headers=login_headers(client, shopper))
    assert body.status_code == 200, body.text
    assert body.json()["last_failure_code"] == "card_declined"
    assert body.json()["last_failure_message"] == decline_message("card_declined")
    assert english not in body.text
    browser_login(client, shopper)
    page = client.get(f"/commandes/{order.id}")
    assert "Votre carte a été refusée" in page.text and english not in page.text
    # The server-side test card says it in French too.
    tried = post_form(client, f"/commandes/{order.id}/paiement/test", {"card": "declined"},
                      page=f"/commandes/{order.id}/paiement")  # fmt: skip
    assert tried.status_code == 303
    shown = client.get(tried.headers["location"])
    assert english not in shown.text and "refusée" in shown.text


@pytest.mark.parametrize(
    ("code", "start"),
    [
        ("card_declined", "Votre carte a été refusée."),
        ("insufficient_funds", "Votre carte a été refusée : provision insuffisante"),
        ("expired_card", "Votre carte a expiré"),
        ("incorrect_cvc", "Le cryptogramme (CVC) est incorrect"),
        ("processing_error", "Une erreur est survenue pendant le paiement"),
        ("do_not_honor", "Le paiement n'a pas abouti"),
        ("", "Le paiement n'a pas abouti"),
    ],
)
def test_decline_codes_map_to_french_sentences(code: str, start: str) -> None:
    assert decline_message(code).startswith(start)
    assert decline_code({"code": "card_declined", "decline_code": code}) == (code or "card_declined")
