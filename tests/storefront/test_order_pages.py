"""Shopper pages of orders: cart, checkout, "Mes commandes", order page, payment, messages."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import (
    CartItem,
    Message,
    Order,
    OrderStatus,
    Product,
    Role,
    Shop,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services import legal
from tests.factories import create_order, create_product, create_shop, create_user
from tests.order_factories import (
    add_event,
    add_invoice,
    add_message,
    complete_vendor_order,
    set_vendor_status,
)
from tests.storefront.formtools import browser_login, csrf_of, post_form

NBSP, NNBSP = "\u00a0", "\u202f"


@dataclass
class Town:
    shopper: User
    stranger: User
    merchant: User
    halles: Shop
    fournil: Shop
    comte: Product
    pain: Product
    order: Order
    part: VendorOrder


@pytest.fixture
def town(db: Session) -> Town:
    """A paid order of two shops (one ready for pickup with its code) and another shopper."""
    merchant = create_user(db, Role.merchant)
    halles = create_shop(db, merchant, name="Fromagerie des Halles", slug="halles", with_slots=True)
    fournil = create_shop(db, name="Le Fournil", slug="fournil")
    comte = create_product(db, halles, name="Comté 18 mois", price_cents=123456)
    pain = create_product(db, fournil, name="Pain de campagne", price_cents=420)
    shopper = create_user(db, first_name="Alix", last_name="Martin")
    order = create_order(db, shopper, [(comte, 1), (pain, 1)], status=OrderStatus.processing)
    part = db.scalars(
        select(VendorOrder).where(
            VendorOrder.order_id == order.id, VendorOrder.shop_id == halles.id
        )
    ).one()
    add_event(db, order, "processing", from_status="awaiting_payment")
    set_vendor_status(db, part, VendorOrderStatus.ready_for_pickup, pickup_code="K7Q2PX")
    town = Town(shopper, create_user(db), merchant, halles, fournil, comte, pain, order, part)
    db.commit()
    return town


# --- who may see the pages ----------------------------------------------------------------


def shopper_pages(t: Town) -> list[str]:
    return ["/panier", "/commandes", f"/commandes/{t.order.id}", "/messages", "/messages/halles"]


def test_anonymous_visitors_are_sent_to_the_login_page(client: TestClient, town: Town) -> None:
    for path in shopper_pages(town):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/connexion?next=" + path.split("?")[0])


def test_another_shoppers_order_is_404(client: TestClient, town: Town) -> None:
    browser_login(client, town.stranger)
    for path in (f"/commandes/{town.order.id}", f"/commandes/{town.order.id}/paiement"):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "Comté" not in page.text
    assert client.get("/commandes/abc").status_code == 404
    assert client.get("/commandes/99999999999999").status_code == 404
    posted = post_form(client, f"/commandes/{town.order.id}/annuler")
    assert posted.status_code == 404


def test_merchants_do_not_get_shopper_pages(client: TestClient, town: Town) -> None:
    browser_login(client, town.merchant)
    assert client.get("/commandes").status_code == 403
    assert client.get(f"/commandes/{town.order.id}").status_code == 403


def test_forms_without_the_csrf_token_are_refused(client: TestClient, town: Town) -> None:
    browser_login(client, town.shopper)
    for path, data in (
        ("/panier/ajouter", {"product_id": str(town.pain.id), "quantity": "1"}),
        (f"/commandes/{town.order.id}/messages", {"shop_id": str(town.halles.id), "body": "Hé"}),
        (f"/commandes/{town.order.id}/annuler", {}),
        ("/commande", {}),
    ):
        response = client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 403, path
        assert "Le formulaire a expiré" in response.text


# --- what the pages show -------------------------------------------------------------------


def test_orders_list_in_french(client: TestClient, town: Town) -> None:
    browser_login(client, town.shopper)
    page = client.get("/commandes")
    assert page.status_code == 200
    assert f"Commande n° {town.order.id}" in page.text
    assert f"1{NNBSP}238,76{NBSP}€" in page.text  # 1 234,56 € + 4,20 €
    assert "En cours" in page.text and "Prête à retirer" in page.text


def test_order_page_shows_per_shop_timeline_pickup_code_and_invoice(
    client: TestClient, db: Session, town: Town
) -> None:
    invoice = add_invoice(db, town.part)
    db.commit()
    browser_login(client, town.shopper)
    page = client.get(f"/commandes/{town.order.id}")
    assert page.status_code == 200
    text = page.text
    assert 'id="boutique-' in text and "Fromagerie des Halles" in text and "Le Fournil" in text
    assert '<span class="pickup-code">K7Q2PX</span>' in text
    assert f"1{NNBSP}234,56{NBSP}€" in text
    assert 'id="timeline-' in text and "Prête à retirer" in text
    assert f'href="/api/invoices/{invoice.id}.pdf"' in text
    # Not handed over yet: no return form, and the page says why.
    assert 'id="return-form-' not in text
    assert "Un retour peut être demandé une fois la commande terminée" in text
    assert 'id="cancel-order"' not in text  # paid: a return, not a cancel


def test_return_form_only_while_the_window_is_open(
    client: TestClient, db: Session, town: Town
) -> None:
    complete_vendor_order(db, town.part, return_days_left=2)
    other = db.scalars(
        select(VendorOrder).where(
            VendorOrder.order_id == town.order.id, VendorOrder.id != town.part.id
        )
    ).one()
    complete_vendor_order(db, other, return_days_left=-1)
    db.commit()
    browser_login(client, town.shopper)
    text = client.get(f"/commandes/{town.order.id}").text
    assert f'id="return-form-{town.part.id}"' in text
    assert f'id="return-form-{other.id}"' not in text
    assert "Le délai de retour de cette commande est dépassé." in text


def test_return_request_outside_the_window_is_refused_without_asking_the_workflow(
    client: TestClient, town: Town
) -> None:
    browser_login(client, town.shopper)
    response = post_form(
        client,
        f"/commandes/{town.order.id}/retour",
        {"vendor_order_id": str(town.part.id), "reason": "Trop salé", "qty_1": "1"},
    )
    assert response.status_code == 303
    follow = client.get(response.headers["location"])
    assert "Un retour peut être demandé une fois la commande terminée" in follow.text


def test_unpaid_order_offers_payment_and_cancel(
    client: TestClient, db: Session, town: Town
) -> None:
    unpaid = create_order(db, town.shopper, [(town.pain, 2)], status=OrderStatus.awaiting_payment)
    db.commit()
    browser_login(client, town.shopper)
    text = client.get(f"/commandes/{unpaid.id}").text
    assert 'id="pay-link"' in text and 'id="cancel-order"' in text
    assert f"Payer 8,40{NBSP}€" in text
    payment = client.get(f"/commandes/{unpaid.id}/paiement")
    assert payment.status_code == 200
    assert 'id="card-element"' in payment.text and 'id="payment-error"' in payment.text
    assert f'data-payment-url="/api/orders/{unpaid.id}/payment"' in payment.text
    assert "/static/js/payment.js" in payment.text
    assert "js.stripe.com/v3/" in payment.text
    # Paid orders have nothing to pay: the payment page sends back to the order.
    paid = client.get(f"/commandes/{town.order.id}/paiement", follow_redirects=False)
    assert paid.status_code == 303 and paid.headers["location"] == f"/commandes/{town.order.id}"


def test_messages_with_a_shop_from_the_order_page(
    client: TestClient, db: Session, town: Town
) -> None:
    add_message(db, town.part, town.shopper, "Bonjour", from_shop=True, sender=town.merchant)
    db.commit()
    browser_login(client, town.shopper)
    page = client.get(f"/commandes/{town.order.id}")
    assert "Bonjour" in page.text
    sent = post_form(
        client,
        f"/commandes/{town.order.id}/messages",
        {"shop_id": str(town.halles.id), "body": "Je passe à 18 h."},
    )
    assert sent.status_code == 303
    assert "Je passe à 18 h." in client.get(f"/commandes/{town.order.id}").text
    stored = db.scalars(select(Message).where(Message.from_shop.is_(False))).all()
    assert [m.body for m in stored] == ["Je passe à 18 h."]
    assert "Je passe à 18 h." in client.get("/messages/halles").text
    assert "Fromagerie des Halles" in client.get("/messages").text


# --- cart and checkout ---------------------------------------------------------------------


def test_add_to_cart_then_cart_grouped_by_shop_with_slots(
    client: TestClient, db: Session, town: Town
) -> None:
    browser_login(client, town.shopper)
    product_page = client.get(f"/produits/{town.comte.id}")
    assert 'action="/panier/ajouter"' in product_page.text
    for product in (town.comte, town.pain):
        added = post_form(
            client,
            "/panier/ajouter",
            {"product_id": str(product.id), "quantity": "2"},
            page=f"/produits/{product.id}",
        )
        assert added.status_code == 303
    cart = client.get("/panier")
    assert cart.status_code == 200
    assert f'id="cart-shop-{town.halles.id}"' in cart.text
    assert f'id="cart-shop-{town.fournil.id}"' in cart.text
    assert f"2{NNBSP}469,12{NBSP}€" in cart.text  # 2 × 1 234,56 €
    assert f'name="creneau_{town.halles.id}"' in cart.text  # the shop with pickup slots
    assert f'name="creneau_{town.fournil.id}"' not in cart.text
    # One compact menu per shop, its slots grouped by day, rather than a radio per slot.
    slots = _slot_options(cart.text, f"creneau_{town.halles.id}")
    assert len(slots) > 1 and not any(chosen for _, chosen in slots)
    assert "<optgroup label=" in cart.text and 'type="radio" id="slot-' not in cart.text
    assert ">4<" in client.get("/commandes").text.replace(" ", "")  # the header's badge


def test_checkout_needs_a_delivery_choice_then_a_billing_address(
    client: TestClient, db: Session, town: Town
) -> None:
    db.add(CartItem(user_id=town.shopper.id, product_id=town.pain.id, quantity=1))
    db.commit()
    browser_login(client, town.shopper)
    missing = client.get("/commande", follow_redirects=False)
    assert missing.status_code == 303 and missing.headers["location"].startswith("/panier")
    cart = client.get("/panier").text
    pickup_id = _mode_id(cart, town.fournil.id, "pickup")
    page = client.get("/commande", params={f"livraison_{town.fournil.id}": pickup_id})
    assert page.status_code == 200
    assert "Adresse de facturation" in page.text and f"4,20{NBSP}€" in page.text
    refused = client.post(
        "/commande",
        data={"csrf_token": csrf_of(page), f"livraison_{town.fournil.id}": pickup_id, "accept_cgv": "1"},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "adresse de facturation est obligatoire pour payer" in refused.text
    orders = db.scalars(select(Order.id).where(Order.shopper_id == town.shopper.id)).all()
    assert orders == [town.order.id]  # nothing placed, the cart is kept


def _mode_id(cart_html: str, shop_id: int, kind: str) -> str:
    import re

    found = re.search(rf'name="livraison_{shop_id}" value="(\d+)" data-kind="{kind}"', cart_html)
    assert found, cart_html[:2000]
    return found.group(1)


def test_checkout_places_the_order_and_goes_to_payment(
    client: TestClient, db: Session, town: Town
) -> None:
    db.add(CartItem(user_id=town.shopper.id, product_id=town.pain.id, quantity=3))
    db.commit()
    browser_login(client, town.shopper)
    pickup_id = _mode_id(client.get("/panier").text, town.fournil.id, "pickup")
    page = client.get("/commande", params={f"livraison_{town.fournil.id}": pickup_id})
    placed = client.post(
        "/commande",
        data={
            "csrf_token": csrf_of(page),
            f"livraison_{town.fournil.id}": pickup_id,
            "billing_name": "Alix Martin",
            "accept_cgv": "1",
            "billing_line1": "3 rue des Lilas",
            "billing_postal_code": "69003",
            "billing_city": "Lyon",
        },
        follow_redirects=False,
    )
    assert placed.status_code == 303, placed.text[:1000]
    order = db.scalars(
        select(Order).where(Order.shopper_id == town.shopper.id).order_by(Order.id.desc())
    ).first()
    assert order is not None and order.id != town.order.id
    assert placed.headers["location"] == f"/commandes/{order.id}/paiement"
    assert order.total_cents == 1260 and order.billing_city == "Lyon"
    # The CGV the shopper ticked are recorded: when, and which exact texts.
    assert order.terms_accepted_at is not None
    assert order.terms_digest == legal.terms_digest([town.fournil])
    assert db.scalars(select(CartItem).where(CartItem.user_id == town.shopper.id)).all() == []


def test_checkout_with_local_delivery_to_another_address(
    client: TestClient, db: Session, town: Town
) -> None:
    db.add(CartItem(user_id=town.shopper.id, product_id=town.pain.id, quantity=2))
    db.commit()
    browser_login(client, town.shopper)
    delivery = _mode_id(client.get("/panier").text, town.fournil.id, "local_delivery")
    page = client.get("/commande", params={f"livraison_{town.fournil.id}": delivery})
    assert f'name="adresse_{town.fournil.id}"' in page.text
    assert 'name="billing_phone"' in page.text
    no_phone = client.post(
        "/commande",
        data={
            "csrf_token": csrf_of(page),
            f"livraison_{town.fournil.id}": delivery,
            "billing_name": "Alix Martin",
            "billing_line1": "3 rue des Lilas",
            "billing_postal_code": "69003",
            "billing_city": "Lyon",
            "billing_phone": "12 34",
            "accept_cgv": "1",
        },
        follow_redirects=False,
    )
    assert no_phone.status_code == 422
    assert "n&#39;est pas un numéro français valide" in no_phone.text or (
        "n'est pas un numéro français valide" in no_phone.text
    )
    assert f"4,90{NBSP}€" in page.text and f"13,30{NBSP}€" in page.text  # 8,40 € + delivery
    placed = client.post(
        "/commande",
        data={
            "csrf_token": csrf_of(page),
            f"livraison_{town.fournil.id}": delivery,
            f"adresse_{town.fournil.id}": "5 quai Saint-Vincent, 69001 Lyon",
            "billing_phone": "+33 6 12 34 56 78",
            "billing_name": "Alix Martin",
            "accept_cgv": "1",
            "billing_line1": "3 rue des Lilas",
            "billing_postal_code": "69003",
            "billing_city": "Lyon",
        },
        follow_redirects=False,
    )
    assert placed.status_code == 303, placed.text[:800]
    order_id = int(placed.headers["location"].split("/")[2])
    part = db.scalars(select(VendorOrder).where(VendorOrder.order_id == order_id)).one()
    assert part.shipping_address == "5 quai Saint-Vincent, 69001 Lyon"
    assert (part.delivery_cents, part.total_cents) == (490, 1330)
    assert part.contact_phone == "06 12 34 56 78"
    shown = client.get(f"/commandes/{order_id}").text
    assert "5 quai Saint-Vincent" in shown and "Livraison locale" in shown


def test_orders_list_pages_by_twenty(client: TestClient, db: Session, town: Town) -> None:
    for _ in range(20):
        create_order(db, town.shopper, [(town.pain, 1)])
    db.commit()
    browser_login(client, town.shopper)
    first = client.get("/commandes").text
    assert first.count('class="card" id="order-') == 20 and "/commandes?page=2" in first
    second = client.get("/commandes?page=2").text
    assert second.count('class="card" id="order-') == 1 and "/commandes?page=1" in second
    assert f'id="order-{town.order.id}"' in second  # the oldest comes last


def _checked(page: str, name: str) -> str | None:
    """The value of the ticked radio `name` on a page."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
    return None


def _slot_options(page: str, name: str) -> list[tuple[str, bool]]:
    """The options of the slot menu `name` (value, selected), the empty prompt left out."""
    menu = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert menu is not None, f"no menu {name}"
    options = re.findall(r'<option value="([^"]*)"( selected)?>', menu.group(1))
    return [(value, bool(selected)) for value, selected in options if value]


def _selected(page: str, name: str) -> str | None:
    """The value chosen in the menu `name` on a page."""
    return next((value for value, chosen in _slot_options(page, name) if chosen), None)


def test_cart_update_and_removal_keep_the_chosen_modes_and_slot(
    client: TestClient, db: Session, town: Town
) -> None:
    extra = create_product(db, town.fournil, name="Baguette", price_cents=120)
    for product in (town.comte, town.pain, extra):
        db.add(CartItem(user_id=town.shopper.id, product_id=product.id, quantity=1))
    db.commit()
    browser_login(client, town.shopper)
    cart_page = client.get("/panier")
    halles, fournil = town.halles.id, town.fournil.id
    pickup = _mode_id(cart_page.text, halles, "pickup")
    delivery = _mode_id(cart_page.text, fournil, "local_delivery")
    slot = _slot_options(cart_page.text, f"creneau_{halles}")[0][0]
    chosen = {f"livraison_{halles}": pickup, f"creneau_{halles}": slot,
              f"livraison_{fournil}": delivery, f"adresse_{fournil}": "5 quai Saint-Vincent"}  # fmt: skip
    quantities = {f"quantite_{p.id}": "1" for p in (town.comte, town.pain, extra)}
    token = csrf_of(cart_page)

    def submit(**fields: str) -> str:
        answer = client.post(
            "/panier",
            data={"csrf_token": token, **chosen, **quantities, **fields},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text[:500]
        return answer.headers["location"]

    updated = submit(**{f"quantite_{town.pain.id}": "3", "mettre_a_jour": str(town.pain.id)})
    assert updated.startswith("/panier?")
    page = client.get(updated).text
    assert "Quantités mises à jour" in page
    assert _checked(page, f"livraison_{halles}") == pickup
    assert _selected(page, f"creneau_{halles}") == slot
    assert _checked(page, f"livraison_{fournil}") == delivery
    assert f'name="quantite_{town.pain.id}" value="3"' in page
    removed = submit(retirer=str(extra.id))
    page = client.get(removed).text
    assert "Produit retiré" in page and "Baguette" not in page
    assert _selected(page, f"creneau_{halles}") == slot
    quantities.pop(f"quantite_{extra.id}")
    quantities[f"quantite_{town.pain.id}"] = "3"
    onward = submit(commander="1")
    assert onward.startswith("/commande?")
    checkout_page = client.get(onward)
    assert checkout_page.status_code == 200, checkout_page.text[:500]
    assert "5 quai Saint-Vincent" in checkout_page.text
    held = {i.product_id: i.quantity for i in db.scalars(
        select(CartItem).where(CartItem.user_id == town.shopper.id))}  # fmt: skip
    assert held == {town.comte.id: 1, town.pain.id: 3}
