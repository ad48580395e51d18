"""Merchant pages: what needs action now, vendor order with its next steps, sales, messages;
and the public contact form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import (
    ContactMessage,
    LedgerEntry,
    LedgerKind,
    Message,
    Order,
    OrderStatus,
    Role,
    Shop,
    ShopStatus,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from tests.factories import create_order, create_product, create_shop, create_user
from tests.order_factories import add_message, set_vendor_status
from tests.storefront.formtools import browser_login, post_form

NBSP, NNBSP = "\u00a0", "\u202f"


@dataclass
class Shops:
    merchant: User
    other_merchant: User
    shopper: User
    shop: Shop
    parts: dict[str, VendorOrder]  # one vendor order per queue


@pytest.fixture
def shops(db: Session) -> Shops:
    """A shop with one order in each queue, and another merchant's shop."""
    merchant = create_user(db, Role.merchant)
    other_merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles")
    create_shop(db, other_merchant, name="Le Fournil")
    shopper = create_user(db, first_name="Alix", last_name="Martin")
    parts: dict[str, VendorOrder] = {}
    for name, status in (
        ("to_confirm", VendorOrderStatus.awaiting_confirmation),
        ("to_prepare", VendorOrderStatus.confirmed),
        ("preparing", VendorOrderStatus.preparing),
        ("ready", VendorOrderStatus.ready_for_pickup),
        ("done", VendorOrderStatus.completed),
    ):
        product = create_product(db, shop, name=f"Comté {name}", price_cents=123456)
        order = create_order(db, shopper, [(product, 1)], OrderStatus.processing)
        part = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)).one()
        set_vendor_status(db, part, status, pickup_code="K7Q2PX")
        parts[name] = part
    add_message(db, parts["ready"], shopper, "Je peux venir à 18 h ?")
    db.commit()
    return Shops(merchant, other_merchant, shopper, shop, parts)


def test_merchant_pages_need_a_merchant(client: TestClient, shops: Shops) -> None:
    part = shops.parts["ready"]
    paths = [
        "/vendeur",
        "/vendeur/commandes",
        f"/vendeur/commandes/{part.id}",
        "/vendeur/ventes",
        "/vendeur/messages",
        f"/vendeur/messages/{shops.shopper.id}",
    ]
    for path in paths:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/connexion?next="
        ), path
    browser_login(client, shops.shopper)
    for path in paths:
        assert client.get(path).status_code == 403, path


def test_another_shops_order_is_404(client: TestClient, shops: Shops) -> None:
    part = shops.parts["ready"]
    browser_login(client, shops.other_merchant)
    assert client.get(f"/vendeur/commandes/{part.id}").status_code == 404
    assert client.get(f"/vendeur/messages/{shops.shopper.id}").status_code == 404
    refused = post_form(client, f"/vendeur/commandes/{part.id}/remettre", {"pickup_code": "K7Q2PX"})
    assert refused.status_code == 404
    assert "Comté" not in client.get("/vendeur/commandes").text


def test_dashboard_lists_each_queue_with_its_one_click_action(
    client: TestClient, shops: Shops
) -> None:
    browser_login(client, shops.merchant)
    page = client.get("/vendeur")
    assert page.status_code == 200
    text = page.text
    p = shops.parts
    assert f'id="quick-confirm-{p["to_confirm"].id}"' in text
    assert f'id="quick-prepare-{p["to_prepare"].id}"' in text
    assert f'id="quick-ready-{p["preparing"].id}"' in text
    assert f'id="quick-complete-{p["ready"].id}"' in text
    assert f'id="item-{p["done"].id}"' not in text  # nothing left to do on it
    assert "Réservations à confirmer" in text and "Messages non lus" in text
    assert "Je peux venir à 18 h ?" in text
    assert f"1{NNBSP}234,56{NBSP}€" in text
    assert "K7Q2PX" not in text  # the customer gives the code at hand-over


def test_vendor_order_page_shows_only_the_allowed_steps(client: TestClient, shops: Shops) -> None:
    browser_login(client, shops.merchant)
    ready = client.get(f"/vendeur/commandes/{shops.parts['ready'].id}").text
    assert 'id="form-complete"' in ready and 'name="pickup_code"' in ready
    assert 'id="action-prepare"' not in ready and 'id="action-ready"' not in ready
    assert "K7Q2PX" not in ready
    confirmed = client.get(f"/vendeur/commandes/{shops.parts['to_prepare'].id}").text
    assert 'id="action-prepare"' in confirmed and 'id="form-unavailable"' in confirmed
    assert 'id="form-complete"' not in confirmed
    done = client.get(f"/vendeur/commandes/{shops.parts['done'].id}").text
    assert "Aucune action n'est attendue de votre part" in done


def test_hand_over_without_a_code_is_refused_before_the_workflow(
    client: TestClient, shops: Shops
) -> None:
    browser_login(client, shops.merchant)
    part = shops.parts["ready"]
    response = post_form(client, f"/vendeur/commandes/{part.id}/remettre", {"pickup_code": " "})
    assert response.status_code == 303
    assert "Saisissez le code de retrait" in client.get(response.headers["location"]).text


def test_merchant_forms_need_the_csrf_token(client: TestClient, shops: Shops) -> None:
    browser_login(client, shops.merchant)
    part = shops.parts["to_prepare"]
    for path in (
        f"/vendeur/commandes/{part.id}/preparer",
        f"/vendeur/commandes/{part.id}/messages",
    ):
        assert client.post(path, data={"body": "x"}, follow_redirects=False).status_code == 403


def test_answering_a_customer_marks_their_messages_read(
    client: TestClient, db: Session, shops: Shops
) -> None:
    browser_login(client, shops.merchant)
    inbox = client.get("/vendeur/messages")
    assert "Alix Martin" in inbox.text and "1 non lu" in inbox.text
    thread = client.get(f"/vendeur/messages/{shops.shopper.id}")
    assert "Je peux venir à 18 h ?" in thread.text
    sent = post_form(client, f"/vendeur/messages/{shops.shopper.id}", {"body": "Oui, à 18 h."})
    assert sent.status_code == 303
    rows = db.scalars(select(Message).order_by(Message.id)).all()
    assert [(m.body, m.from_shop, m.read_at is not None) for m in rows] == [
        ("Je peux venir à 18 h ?", False, True),
        ("Oui, à 18 h.", True, False),
    ]
    assert "Messages non lus" in client.get("/vendeur").text
    about_order = post_form(
        client, f"/vendeur/commandes/{shops.parts['ready'].id}/messages", {"body": "Prête !"}
    )
    assert about_order.status_code == 303


def test_sales_page_in_euros(client: TestClient, db: Session, shops: Shops) -> None:
    part = shops.parts["done"]
    for kind, amount in ((LedgerKind.sale, 123456), (LedgerKind.fee, -1753)):
        db.add(
            LedgerEntry(
                entry_key=f"{kind}-{part.id}",
                shop_id=shops.shop.id,
                order_id=part.order_id,
                vendor_order_id=part.id,
                kind=kind,
                amount_cents=amount,
            )
        )
    db.commit()
    browser_login(client, shops.merchant)
    page = client.get("/vendeur/ventes")
    assert page.status_code == 200
    assert f"1{NNBSP}234,56{NBSP}€" in page.text and f"-17,53{NBSP}€" in page.text
    assert f"1{NNBSP}217,03{NBSP}€" in page.text
    assert f"1,4{NBSP}% + 0,25{NBSP}€" in page.text


def test_pending_shop_banner(client: TestClient, db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    create_shop(db, merchant, name="La Cave", status=ShopStatus.pending)
    db.commit()
    browser_login(client, merchant)
    page = client.get("/vendeur")
    assert page.status_code == 200
    assert "attend la validation de la collectivité" in page.text


def test_contact_form(client: TestClient, db: Session) -> None:
    page = client.get("/contact?sujet=boutique")
    assert page.status_code == 200 and 'value="boutique" selected' in page.text
    assert client.post("/contact", data={"name": "A"}, follow_redirects=False).status_code == 403
    incomplete = post_form(
        client,
        "/contact",
        {"name": "", "email": "a@example.test", "subject": "boutique", "body": ""},
        page="/contact",
    )
    assert incomplete.status_code == 422 and "Indiquez votre nom" in incomplete.text
    sent = post_form(
        client,
        "/contact",
        {
            "name": "Alix",
            "email": "alix@example.test",
            "subject": "boutique",
            "body": "La librairie !",
        },
        page="/contact",
    )
    assert sent.status_code == 303
    assert db.scalars(select(ContactMessage.subject)).all() == ["Proposer un commerce"]


def test_an_unpaid_reservation_does_not_say_paid(
    client: TestClient, db: Session, shops: Shops
) -> None:
    product = create_product(db, shops.shop, name="Brie sur réservation", price_cents=2500)
    order = create_order(db, shops.shopper, [(product, 1)], OrderStatus.awaiting_confirmation)
    unpaid = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)).one()
    paid = shops.parts["to_prepare"]
    db.get_one(Order, paid.order_id).paid_at = datetime.now(UTC)
    db.commit()
    browser_login(client, shops.merchant)
    page = client.get(f"/vendeur/commandes/{unpaid.id}").text
    assert "Total de la commande (non payée)" in page and "payé par le client" not in page
    page = client.get(f"/vendeur/commandes/{paid.id}").text
    assert "Total payé par le client" in page and "non payée" not in page


def test_a_no_show_is_shown_on_the_dashboard_and_the_order_offers_to_cancel_it(
    client: TestClient, db: Session, shops: Shops
) -> None:
    ready = shops.parts["ready"]
    ready.needs_attention = True  # what the workflow's no-show flag writes
    db.commit()
    browser_login(client, shops.merchant)
    board = client.get("/vendeur").text
    item = board[board.index(f'id="item-{ready.id}"') :]
    assert "Client non venu" in item[: item.index("</li>")]
    page = client.get(f"/vendeur/commandes/{ready.id}").text
    assert 'id="no-show-alert"' in page
    assert 'id="form-no-show"' in page and "Annuler : le client n&#39;est pas venu" in page
