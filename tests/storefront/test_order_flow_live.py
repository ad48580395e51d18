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

from comptoir.models import DeliveryKind, Product, Role, User, VendorOrder
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

    order_id, part = _order_paid_through_pages(client, db, shopper, comte, pickup)
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


def _order_paid_through_pages(
    client: TestClient,
    db: Session,
    shopper: User,
    product: Product,
    mode_id: int,
    choices: dict[str, str] | None = None,
) -> tuple[int, VendorOrder]:
    """The shopper buys 2 of `product` with this delivery mode and pays; the confirmed part."""
    shop = product.shop_id
    # The shopper fills the cart, chooses the delivery, gives the billing address.
    browser_login(client, shopper)
    added = post_form(
        client,
        "/panier/ajouter",
        {"product_id": str(product.id), "quantity": "2"},
        page=f"/produits/{product.id}",
    )
    assert added.status_code == 303
    checkout = client.get("/commande", params={f"livraison_{shop}": mode_id})
    assert checkout.status_code == 200, checkout.text[:500]
    placed = client.post(
        "/commande",
        data={
            "csrf_token": csrf_of(checkout),
            f"livraison_{shop}": str(mode_id),
            "billing_name": "Alix Martin",
            "accept_cgv": "1",
            "billing_line1": "3 rue des Lilas",
            "billing_postal_code": "69003",
            "billing_city": "Lyon",
            **(choices or {}),
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
    return order_id, part


def test_local_delivery_without_tracking_then_the_shopper_confirms_receipt(
    client: TestClient, merchant_client: TestClient, db: Session
) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Cave du Port")
    wine = create_product(db, shop, name="Chinon rouge", price_cents=1450)
    shopper = create_user(db, first_name="Alix")
    db.commit()
    bike = mode_of(db, shop, DeliveryKind.local_delivery)
    order_id, part = _order_paid_through_pages(
        client, db, shopper, wine, bike,
        {f"adresse_{shop.id}": "3 rue des Lilas, 69003 Lyon", "billing_phone": "07 00 11 22 33"},
    )  # fmt: skip
    assert 'id="confirm-receipt-' not in client.get(f"/commandes/{order_id}").text

    # The shop delivers itself: the form asks for no tracking number.
    browser_login(merchant_client, merchant)
    post_form(
        merchant_client, f"/vendeur/commandes/{part.id}/preparer", {},
        page=f"/vendeur/commandes/{part.id}",
    )  # fmt: skip
    detail = merchant_client.get(f"/vendeur/commandes/{part.id}").text
    assert "Numéro de suivi (facultatif)" in detail
    assert 'id="contact-phone">07 00 11 22 33<' in detail  # the shop can call before coming
    shipped = post_form(
        merchant_client, f"/vendeur/commandes/{part.id}/expedier", {"carrier": ""},
        page=f"/vendeur/commandes/{part.id}",
    )  # fmt: skip
    assert "Commande expédiée" in merchant_client.get(shipped.headers["location"]).text

    page = client.get(f"/commandes/{order_id}").text
    assert f'id="confirm-receipt-{part.id}"' in page
    received = post_form(
        client, f"/commandes/{order_id}/reception", {"vendor_order_id": str(part.id)},
        page=f"/commandes/{order_id}",
    )  # fmt: skip
    assert received.status_code == 303
    after = client.get(received.headers["location"]).text
    assert "La commande de Cave du Port est terminée" in after
    assert f'id="return-form-{part.id}"' in after  # the return window opens at receipt
    assert vendor_orders(db, order_id)[0].status.value == "completed"


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
