"""An order through the pages only, against the real workflows (Temporal dev server + worker):
cart, checkout, test-card payment, merchant queues, pickup code at hand-over, return, refund;
and a reservation confirmed from the merchant's dashboard, then cancelled by the shopper.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import DeliveryKind, Role
from tests.factories import create_product, create_shop, create_user
from tests.lifecycle_support import (
    mode_of,
    order_row,
    payment_of,
    send_webhook,
    vendor_orders,
    wait_for,
    wait_status,
)
from tests.storefront.formtools import browser_login, csrf_of, post_form

pytestmark = [pytest.mark.timeout(180), pytest.mark.usefixtures("live_platform")]


@pytest.fixture
def merchant_client(db: Session) -> Iterator[TestClient]:
    """A second browser, for the merchant."""
    from api.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as browser:
        yield browser


def test_pickup_order_from_cart_to_refunded_return(
    client: TestClient, merchant_client: TestClient, db: Session
) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles")
    comte = create_product(db, shop, name="Comté 18 mois", price_cents=1290)
    shopper = create_user(db, first_name="Alix")
    db.commit()
    pickup = mode_of(db, shop, DeliveryKind.pickup)

    # The shopper fills the cart, chooses pickup, gives the billing address.
    browser_login(client, shopper)
    added = post_form(
        client,
        "/panier/ajouter",
        {"product_id": str(comte.id), "quantity": "2"},
        page=f"/produits/{comte.id}",
    )
    assert added.status_code == 303
    checkout = client.get("/commande", params={f"livraison_{shop.id}": pickup})
    assert checkout.status_code == 200, checkout.text[:500]
    placed = client.post(
        "/commande",
        data={
            "csrf_token": csrf_of(checkout),
            f"livraison_{shop.id}": str(pickup),
            "billing_name": "Alix Martin",
            "accept_cgv": "1",
            "billing_line1": "3 rue des Lilas",
            "billing_postal_code": "69003",
            "billing_city": "Lyon",
        },
        follow_redirects=False,
    )
    assert placed.status_code == 303, placed.text[:500]
    order_id = int(re.findall(r"/commandes/(\d+)/paiement", placed.headers["location"])[0])
    wait_status(db, order_id, "awaiting_payment")

    # Pays with the accepted test card; Stripe's webhook then reaches the workflow.
    paid = post_form(
        client,
        f"/commandes/{order_id}/paiement/test",
        {"card": "accepted"},
        page=f"/commandes/{order_id}/paiement",
    )
    assert paid.status_code == 303 and paid.headers["location"].endswith("?paiement=ok")
    payment = payment_of(db, order_id)
    assert payment is not None and payment.stripe_payment_intent_id
    assert (
        send_webhook(
            client, "payment_intent.succeeded", payment.stripe_payment_intent_id
        ).status_code
        == 200
    )
    wait_status(db, order_id, "processing")
    part = wait_for(
        lambda: next(
            (p for p in vendor_orders(db, order_id) if p.status.value == "confirmed"), None
        ),
        what="the shop's part to be confirmed",
    )
    assert order_row(db, order_id).total_cents == 2580

    # The merchant prepares from the dashboard, one click each.
    browser_login(merchant_client, merchant)
    board = merchant_client.get("/vendeur").text
    assert f'id="quick-prepare-{part.id}"' in board
    step = post_form(
        merchant_client,
        f"/vendeur/commandes/{part.id}/preparer",
        {"from": "dashboard"},
        page="/vendeur",
    )
    assert step.status_code == 303 and step.headers["location"] == "/vendeur"
    assert "Préparation commencée" in merchant_client.get("/vendeur").text
    ready = post_form(
        merchant_client,
        f"/vendeur/commandes/{part.id}/prete",
        {"from": "dashboard"},
        page="/vendeur",
    )
    assert ready.status_code == 303
    code = wait_for(
        lambda: next((p.pickup_code for p in vendor_orders(db, order_id) if p.pickup_code), ""),
        what="a pickup code",
    )

    # The shopper sees the code; a wrong code is refused, the right one completes.
    assert code in client.get(f"/commandes/{order_id}").text
    wrong = post_form(
        merchant_client,
        f"/vendeur/commandes/{part.id}/remettre",
        {"pickup_code": "ZZZZZZ"},
        page="/vendeur",
    )
    assert wrong.status_code == 303
    assert "alert-error" in merchant_client.get(wrong.headers["location"]).text
    right = post_form(
        merchant_client,
        f"/vendeur/commandes/{part.id}/remettre",
        {"pickup_code": code.lower()},
        page="/vendeur",
    )
    assert right.status_code == 303
    assert "Commande remise" in merchant_client.get(right.headers["location"]).text
    wait_status(db, order_id, "completed")

    # The return window is open: the shopper asks, the merchant accepts, the card is refunded.
    page = client.get(f"/commandes/{order_id}").text
    assert f'id="return-form-{part.id}"' in page
    line_id = re.findall(r'name="qty_(\d+)"', page)[0]
    asked = post_form(
        client,
        f"/commandes/{order_id}/retour",
        {"vendor_order_id": str(part.id), f"qty_{line_id}": "1", "reason": "Trop affiné"},
        page=f"/commandes/{order_id}",
    )
    assert asked.status_code == 303
    assert "demande de retour est envoyée" in client.get(asked.headers["location"]).text
    detail = merchant_client.get(f"/vendeur/commandes/{part.id}").text
    return_id = re.findall(r'id="action-accept-return-(\d+)"', detail)[0]
    accepted = post_form(
        merchant_client,
        f"/vendeur/commandes/{part.id}/retour",
        {"return_id": return_id, "decision": "accepter"},
        page="/vendeur",
    )
    assert accepted.status_code == 303
    wait_for(lambda: order_row(db, order_id).refunded_cents == 1290, what="the refund")
    assert "-12,90\u00a0€" in client.get(f"/commandes/{order_id}").text


def test_reservation_confirmed_from_the_dashboard_and_unpaid_order_cancelled(
    client: TestClient, merchant_client: TestClient, db: Session
) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant)
    cake = create_product(
        db, shop, name="Pièce montée", price_cents=4500, requires_confirmation=True
    )
    shopper = create_user(db)
    db.commit()
    pickup = mode_of(db, shop, DeliveryKind.pickup)
    browser_login(client, shopper)
    post_form(client, "/panier/ajouter", {"product_id": str(cake.id)}, page=f"/produits/{cake.id}")
    checkout = client.get("/commande", params={f"livraison_{shop.id}": pickup})
    assert "Envoyer ma réservation" in checkout.text
    placed = client.post(
        "/commande",
        data={
            "csrf_token": csrf_of(checkout),
            f"livraison_{shop.id}": str(pickup),
            "billing_name": "A B",
            "accept_cgv": "1",
            "billing_line1": "1 rue",
            "billing_postal_code": "69001",
            "billing_city": "Lyon",
        },
        follow_redirects=False,
    )
    order_id = int(placed.headers["location"].rsplit("/", 1)[1])
    wait_status(db, order_id, "awaiting_confirmation")
    part = vendor_orders(db, order_id)[0]

    browser_login(merchant_client, merchant)
    confirmed = post_form(
        merchant_client, f"/vendeur/commandes/{part.id}/confirmer", {"tout": "1"}, page="/vendeur"
    )
    assert confirmed.status_code == 303
    wait_status(db, order_id, "awaiting_payment")
    assert 'id="pay-link"' in client.get(f"/commandes/{order_id}").text

    cancelled = post_form(client, f"/commandes/{order_id}/annuler", page=f"/commandes/{order_id}")
    assert cancelled.status_code == 303
    assert "Votre commande est annulée" in client.get(cancelled.headers["location"]).text
    wait_status(db, order_id, "cancelled")
    assert 'id="cancel-order"' not in client.get(f"/commandes/{order_id}").text
