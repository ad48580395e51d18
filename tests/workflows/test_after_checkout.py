"""The first seconds of an order: cancelled right after checkout, a card declined then another
one at once, and an order page that never contradicts itself meanwhile. Real worker,
Temporal, localstripe."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import Product
from tests.lifecycle_support import (
    build_town,
    order_row,
    payment_of,
    place_order,
    send_webhook,
    wait_paid_and_dispatched,
    wait_status,
)
from tests.storefront.formtools import browser_login, post_form
from tests.stripe_support import confirm_card, intents_of_order

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("live_platform")]


def test_cancel_right_after_checkout_is_accepted(client: TestClient, db: Session) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    # No wait: the workflow may not have loaded the order yet.
    answer = client.post(
        f"/api/orders/{order_id}/cancel", json={"reason": "erreur"}, headers=town.shopper_headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "cancelled"
    assert order_row(db, order_id).status.value == "cancelled"
    db.rollback()
    stock = db.scalar(select(Product.stock).where(Product.id == town.products[0].id))
    assert stock == 10
    again = client.post(f"/api/orders/{order_id}/cancel", json={}, headers=town.shopper_headers)
    assert again.status_code == 409


def test_reserved_order_cancelled_right_after_checkout(client: TestClient, db: Session) -> None:
    town = build_town(db, client, reserved=True)
    order_id = place_order(client, db, town)
    answer = client.post(f"/api/orders/{order_id}/cancel", json={}, headers=town.shopper_headers)
    assert answer.status_code == 200, answer.text
    wait_status(db, order_id, "cancelled")


def test_another_card_right_after_a_decline_and_a_page_that_agrees(
    client: TestClient, db: Session
) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    first = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers).json()
    declined_id = first["client_secret"].split("_secret_")[0]
    confirm_card(declined_id, "pm_card_chargeCustomerFail")
    # At once, before Stripe's event reached the order: a fresh attempt is offered.
    retry = client.get(f"/api/orders/{order_id}/payment", headers=town.shopper_headers)
    assert retry.status_code == 200, retry.text
    assert not retry.json()["client_secret"].startswith(declined_id)
    assert retry.json()["last_failure_message"].startswith("Votre carte a été refusée")

    # The storefront's test card goes through at once too, and the page agrees with itself.
    browser_login(client, town.shopper)
    page = f"/commandes/{order_id}/paiement"
    declined = post_form(client, f"{page}/test", {"card": "declined"}, page=page)
    assert declined.status_code == 303 and declined.headers["location"].endswith("/paiement")
    paid = post_form(client, f"{page}/test", {"card": "accepted"}, page=page)
    assert paid.status_code == 303 and paid.headers["location"].endswith("?paiement=ok"), (
        paid.headers.get("location")
    )
    shown = client.get(f"/commandes/{order_id}?paiement=ok").text
    assert "En attente de paiement" not in shown
    assert "Paiement en cours de confirmation" in shown and 'id="pay-link"' not in shown
    assert "Paiement accepté" not in shown

    # Stripe's events, the spent intent's late, change nothing but the success.
    payment = payment_of(db, order_id)
    assert payment is not None and payment.stripe_payment_intent_id
    for intent in intents_of_order(order_id):
        if intent.id != payment.stripe_payment_intent_id:
            assert send_webhook(client, "payment_intent.payment_failed", intent.id).status_code == 200
    assert send_webhook(client, "payment_intent.succeeded", payment.stripe_payment_intent_id).status_code == 200
    wait_paid_and_dispatched(db, order_id)
    statuses = sorted(pi.status for pi in intents_of_order(order_id))
    assert statuses == ["canceled", "canceled", "succeeded"]  # charged once
    assert "Paiement en cours de confirmation" not in client.get(f"/commandes/{order_id}?paiement=ok").text
