"""In a real browser: a shopper orders and pays, the shop prepares and hands over with the code;
and the whole journey across two shops, from sign-up and a misspelt search to a refunded return.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from comptoir.models import Role, User, VendorOrder
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, create_product, create_shop, create_user
from tests.lifecycle_support import (
    lines_of,
    order_row,
    payment_of,
    vendor_orders,
    wait_for,
    wait_status,
)
from tests.stripe_support import refunds_of_intent

pytestmark = [pytest.mark.timeout(240), pytest.mark.usefixtures("stripe_webhook")]


def _login(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_order_paid_by_card_prepared_and_handed_over(
    chromium: Any, web_server: str, db: Session
) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles", with_slots=True)
    comte = create_product(db, shop, name="Comté 18 mois", price_cents=123456)
    shopper = create_user(db, first_name="Alix", last_name="Martin")
    db.commit()

    shopper_context = chromium.new_context(locale="fr-FR")
    page = shopper_context.new_page()
    _login(page, web_server, shopper.email)

    # Product page → cart, grouped by shop, with pickup and a slot.
    page.goto(f"{web_server}/produits/{comte.id}")
    page.get_by_role("button", name="Ajouter au panier").click()
    page.wait_for_load_state()
    page.goto(f"{web_server}/panier")
    assert "1\u202f234,56\u00a0€" in page.inner_text(f"#cart-shop-{shop.id}")
    page.get_by_label(re.compile("Retrait en boutique")).first.check()
    page.locator(f"#slot-select-{shop.id}").select_option(index=1)  # the first free slot
    _shot(page, "01-panier")
    page.get_by_role("button", name="Commander").click()
    page.wait_for_load_state()

    # Checkout: the billing address is mandatory (the shop's CGV accepted).
    page.get_by_label(re.compile("conditions générales de vente")).check()
    page.get_by_role("button", name="Valider et payer").click()
    page.wait_for_load_state()
    assert "adresse de facturation est obligatoire" in page.inner_text("main")
    page.locator("#f-billing_name").fill("Alix Martin")
    page.locator("#f-billing_line1").fill("3 rue des Lilas")
    page.locator("#f-billing_postal_code").fill("69003")
    page.locator("#f-billing_city").fill("Lyon")
    _shot(page, "02-facturation")
    page.get_by_role("button", name="Valider et payer").click()
    page.wait_for_url(re.compile(r"/commandes/\d+/paiement$"))
    order_id = int(re.findall(r"/commandes/(\d+)/paiement", page.url)[0])

    # Payment page: Stripe.js (localstripe's) mounts the card field; the pay button enables.
    page.wait_for_selector("#card-element input")
    page.wait_for_function("!document.getElementById('pay-button').disabled")
    _shot(page, "03-paiement")
    # A declined card: a French message, and the shopper may try again.
    page.get_by_role("button", name="Essayer la carte de test refusée").click()
    page.wait_for_load_state()
    assert "Votre carte a été refusée" in page.inner_text(".flashes")
    _shot(page, "04-carte-refusee")
    # The decline is on record (its code) and the shopper pays again at once: no waiting
    # for the webhook and the workflow to catch up.
    wait_for(
        lambda: (p := payment_of(db, order_id)) is not None and p.failure_code,
        timeout=60,
        what="the decline code to be recorded",
    )
    page.get_by_role("button", name="Payer avec la carte de test acceptée").click()
    page.wait_for_load_state()
    _shot(page, "05-carte-acceptee")
    assert page.url.endswith(f"/commandes/{order_id}?paiement=ok"), page.inner_text("main")[:500]
    wait_status(db, order_id, "processing", timeout=60)
    part = wait_for(
        lambda: next((p for p in vendor_orders(db, order_id) if p.status.value == "confirmed"), None),
        timeout=60,
        what="the shop's part to be confirmed",
    )

    # The merchant: one click to prepare, one to make it ready.
    merchant_context = chromium.new_context(locale="fr-FR")
    shop_page = merchant_context.new_page()
    _login(shop_page, web_server, merchant.email)
    shop_page.goto(f"{web_server}/vendeur")
    _shot(shop_page, "05-vendeur-a-faire")
    shop_page.locator(f"#quick-prepare-{part.id}").click()
    shop_page.wait_for_load_state()
    assert "Préparation commencée" in shop_page.inner_text(".flashes")
    shop_page.locator(f"#quick-ready-{part.id}").click()
    shop_page.wait_for_load_state()
    code = wait_for(
        lambda: next((p.pickup_code for p in vendor_orders(db, order_id) if p.pickup_code), ""),
        timeout=60,
        what="the pickup code",
    )

    # The shopper reads the code on the order page; the merchant types it at hand-over.
    # The page shown after paying reloads itself every 3 s until the payment is recorded: a
    # reload still pending would abort the next navigation, so wait for the page that no
    # longer reloads (locators wait across navigations).
    page.locator('meta[http-equiv="refresh"]').wait_for(state="detached", timeout=30_000)
    page.goto(f"{web_server}/commandes/{order_id}")
    assert code in page.inner_text(f"#pickup-code-{part.id}")
    _shot(page, "06-code-de-retrait")
    shop_page.goto(f"{web_server}/vendeur/commandes/{part.id}")
    assert code not in shop_page.inner_text("main")  # the customer gives it at the counter
    _shot(shop_page, "07-vendeur-remise")
    shop_page.locator("#f-pickup_code").fill(code)
    shop_page.get_by_role("button", name="Vérifier le code et remettre").click()
    shop_page.wait_for_load_state()
    assert "Commande remise" in shop_page.inner_text(".flashes")
    wait_status(db, order_id, "completed", timeout=60)

    page.goto(f"{web_server}/commandes/{order_id}")
    assert "Terminée" in page.inner_text("h1")
    assert page.locator(f"#return-form-{part.id}").is_visible()
    _shot(page, "08-commande-terminee")
    assert order_row(db, order_id).total_cents == 123456
    shopper_context.close()
    merchant_context.close()


# --- the whole journey across two shops -----------------------------------------------------

SHOPPER_EMAIL = "lea.dubois@exemple.test"
SHOPPER_PASSWORD = "Un-panier-deux-boutiques-7"


def _accept_cookies(page: Any) -> None:
    """Acknowledge the cookie notice once for the context, so it covers no screenshot."""
    page.get_by_role("button", name="J'ai compris").click()
    page.wait_for_load_state()
    assert page.locator(".cookie-notice").count() == 0


def _merchant_page(chromium: Any, base: str, merchant: User) -> tuple[Any, Any]:
    """A merchant's own browser context, logged in, cookie notice read."""
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    _login(page, base, merchant.email)
    _accept_cookies(page)
    return context, page


def _flash(page: Any) -> str:
    return str(page.inner_text(".flashes"))


def _search_and_open(page: Any, box: str, query: str, product_name: str, shot: str) -> None:
    """Type a query in a search box, then open the product from the results."""
    page.locator(box).fill(query)
    page.locator(box).press("Enter")
    page.wait_for_url(re.compile(r"/recherche\?"))
    assert f"Résultats pour « {query} »" in page.inner_text("h1")
    link = page.get_by_role("link", name=product_name)
    assert link.count() == 1, page.inner_text("main")[:800]
    _shot(page, shot)
    link.click()
    page.wait_for_load_state()
    assert product_name in page.inner_text("h1")


def test_two_shops_from_sign_up_to_refunded_return(
    chromium: Any, web_server: str, db: Session
) -> None:
    """Sign-up, misspelt searches, one cart across two shops (pickup with a slot, local
    delivery), a declined then an accepted card, both shops' steps through their pages, both
    invoices, a return accepted and refunded once on Stripe, then an operator's refund after
    the return window."""
    base = web_server
    cheese_merchant = create_user(db, Role.merchant, first_name="Hugo")
    bakery_merchant = create_user(db, Role.merchant, first_name="Inès")
    cheese_shop = create_shop(
        db, cheese_merchant, name="Fromagerie des Halles", trade="fromagerie", with_slots=True
    )
    bakery_shop = create_shop(db, bakery_merchant, name="Boulangerie du Pont", trade="boulangerie")
    cheese = create_product(db, cheese_shop, name="Fromage de chèvre frais", price_cents=650)
    croissant = create_product(db, bakery_shop, name="Croissant au beurre", price_cents=120)
    create_product(db, bakery_shop, name="Pain de campagne", price_cents=380)
    db.commit()

    shopper_context = chromium.new_context(locale="fr-FR")
    page = shopper_context.new_page()

    # 1. Sign up as a client, log out, log in again.
    page.goto(f"{base}/inscription")
    _accept_cookies(page)
    assert page.locator("input[name=role][value=client]").is_checked()
    assert page.locator("#boutique").is_hidden()  # the shop fieldset is for merchants
    page.locator("#f-first_name").fill("Léa")
    page.locator("#f-last_name").fill("Dubois")
    page.locator("#f-email").fill(SHOPPER_EMAIL)
    page.locator("#f-password").fill(SHOPPER_PASSWORD)
    page.locator("#f-password_confirm").fill(SHOPPER_PASSWORD)
    page.locator("input[name=accept_terms]").check()
    _shot(page, "scenario-01-inscription")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()
    # The same answer whether the address was free: the new member then logs in.
    assert "un e-mail vient de partir" in _flash(page)
    _login(page, base, SHOPPER_EMAIL, SHOPPER_PASSWORD)
    assert "Bonjour Léa" in _flash(page)

    # 2. Misspelt searches from the home page's box, then the header's; products of two shops.
    page.goto(f"{base}/")
    _search_and_open(page, "#q-home", "fromge", cheese.name, "scenario-02-recherche-fromge")
    page.get_by_role("button", name="Ajouter au panier").click()
    page.wait_for_load_state()
    _search_and_open(
        page, "#q-header", "croisant", croissant.name, "scenario-04-recherche-croisant"
    )
    page.locator("#f-qty").fill("2")
    _shot(page, "scenario-03-produit")
    page.get_by_role("button", name="Ajouter au panier").click()
    page.wait_for_load_state()

    # 3. The cart, grouped by shop: pickup with a slot at one, local delivery at the other.
    page.goto(f"{base}/panier")
    cheese_box = page.locator(f"#cart-shop-{cheese_shop.id}")
    bakery_box = page.locator(f"#cart-shop-{bakery_shop.id}")
    assert cheese.name in cheese_box.inner_text()
    assert croissant.name in bakery_box.inner_text()
    assert "2,40\u00a0€" in page.inner_text(f"#shop-total-{bakery_shop.id}")
    cheese_box.get_by_label(re.compile("Retrait en boutique")).check()
    page.locator(f"#slot-select-{cheese_shop.id}").select_option(index=1)
    bakery_box.get_by_label(re.compile("Livraison à vélo")).check()
    assert page.locator(f"#slots-{bakery_shop.id}").count() == 0  # no slots there
    _shot(page, "scenario-05-panier-deux-boutiques")
    page.get_by_role("button", name="Commander").click()
    page.wait_for_url(re.compile(r"/commande\?"))

    page.locator("#f-billing_name").fill("Léa Dubois")
    page.locator("#f-billing_line1").fill("8 quai de Loire")
    page.locator("#f-billing_postal_code").fill("49350")
    page.locator("#f-billing_city").fill("Montlouvier-sur-Loire")
    page.locator("#f-billing_phone").fill("06 12 34 56 78")  # asked because the baker delivers
    assert "Créneau" in page.inner_text(f"#checkout-shop-{cheese_shop.id}")
    assert "Livraison à vélo" in page.inner_text(f"#checkout-shop-{bakery_shop.id}")
    # 6,50 € + 2 × 1,20 € + 4,90 € of delivery (free only above 50 €)
    assert "13,80\u00a0€" in page.inner_text("#checkout-total")
    page.get_by_label(re.compile("conditions générales de vente")).check()
    _shot(page, "scenario-06-facturation")
    page.get_by_role("button", name="Valider et payer").click()
    page.wait_for_url(re.compile(r"/commandes/\d+/paiement$"))
    order_id = int(re.findall(r"/commandes/(\d+)/paiement", page.url)[0])

    # 4. A declined card (French message), then the accepted one at once.
    page.wait_for_selector("#card-element input")
    page.wait_for_function("!document.getElementById('pay-button').disabled")
    page.get_by_role("button", name="Essayer la carte de test refusée").click()
    page.wait_for_load_state()
    assert "Votre carte a été refusée" in _flash(page)
    _shot(page, "scenario-07-paiement-carte-refusee")
    # The decline is on record (its code) and the shopper pays again at once: no waiting
    # for the webhook and the workflow to catch up.
    wait_for(
        lambda: (p := payment_of(db, order_id)) is not None and p.failure_code,
        timeout=60,
        what="the decline code to be recorded",
    )
    page.get_by_role("button", name="Payer avec la carte de test acceptée").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/commandes/{order_id}?paiement=ok"), page.inner_text("main")[:500]
    wait_status(db, order_id, "processing", timeout=60)
    cheese_part, bakery_part = wait_for(
        lambda: (parts := vendor_orders(db, order_id))
        and all(p.status.value == "confirmed" for p in parts)
        and parts,
        timeout=60,
        what="both shops' parts to be confirmed",
    )
    assert (cheese_part.shop_id, bakery_part.shop_id) == (cheese_shop.id, bakery_shop.id)
    page.goto(f"{base}/commandes/{order_id}")
    assert "En cours" in page.inner_text("h1")
    _shot(page, "scenario-08-commande-payee")

    # 5a. The cheesemonger: prepare and ready from the dashboard.
    cheese_context, cheese_page = _merchant_page(chromium, base, cheese_merchant)
    cheese_page.goto(f"{base}/vendeur")
    assert cheese_page.locator(f"#item-{cheese_part.id}").is_visible()
    _shot(cheese_page, "scenario-09-vendeur-tableau-de-bord")
    cheese_page.locator(f"#quick-prepare-{cheese_part.id}").click()
    cheese_page.wait_for_load_state()
    assert "Préparation commencée" in _flash(cheese_page)
    cheese_page.locator(f"#quick-ready-{cheese_part.id}").click()
    cheese_page.wait_for_load_state()
    assert "Commande prête" in _flash(cheese_page)

    # 5b. The baker: prepare, out for delivery with a carrier and tracking, delivered.
    bakery_context, bakery_page = _merchant_page(chromium, base, bakery_merchant)
    bakery_page.goto(f"{base}/vendeur/commandes/{bakery_part.id}")
    bakery_page.locator("#action-prepare").click()
    bakery_page.wait_for_load_state()
    assert "Préparation commencée" in _flash(bakery_page)
    bakery_page.locator("#f-carrier").fill("Livraison par la boutique")
    bakery_page.locator("#f-tracking_number").fill("VELO-0042")
    _shot(bakery_page, "scenario-10-vendeur-expedition")
    bakery_page.locator("#action-ship").click()
    bakery_page.wait_for_load_state()
    assert "Commande expédiée" in _flash(bakery_page)
    assert "VELO-0042" in bakery_page.inner_text("main")
    assert "06 12 34 56 78" in bakery_page.inner_text("main")  # the shopper's phone

    # The shopper reads the pickup code and sees the delivery on its way.
    page.goto(f"{base}/commandes/{order_id}")
    code = page.inner_text(f"#pickup-code-{cheese_part.id} .pickup-code").strip()
    assert re.fullmatch(r"\d{6}", code), code
    assert "Livraison par la boutique, suivi n° VELO-0042" in page.inner_text(
        f"#boutique-{bakery_part.id}"
    )
    _shot(page, "scenario-11-code-de-retrait-et-livraison")

    # The croissants arrive: the shopper confirms receipt, and the return window opens.
    page.locator(f"#confirm-receipt-{bakery_part.id}").click()
    page.wait_for_load_state()
    assert "est terminée" in _flash(page)
    assert page.locator(f"#return-form-{bakery_part.id}").count() == 1
    _shot(page, "scenario-11b-reception-confirmee")

    # 5c. Hand-over at the cheesemonger's counter, with the code the shopper gives.
    cheese_page.goto(f"{base}/vendeur/commandes/{cheese_part.id}")
    assert code not in cheese_page.inner_text("main")
    cheese_page.locator("#f-pickup_code").fill(code)
    cheese_page.get_by_role("button", name="Vérifier le code et remettre").click()
    cheese_page.wait_for_load_state()
    assert "Commande remise" in _flash(cheese_page)
    wait_status(db, order_id, "completed", timeout=60)

    # 6. Done: both timelines, both invoices (PDF), then a return of the croissants.
    page.goto(f"{base}/commandes/{order_id}")
    assert "Terminée" in page.inner_text("h1")
    steps = {
        cheese_part.id: ("Confirmée", "En préparation", "Prête à retirer", "Terminée"),
        bakery_part.id: ("Confirmée", "En préparation", "Expédiée", "Terminée"),
    }
    for part_id, labels in steps.items():
        timeline = page.inner_text(f"#timeline-{part_id}")
        assert all(label in timeline for label in labels), timeline
    for part in (cheese_part, bakery_part):
        link = page.locator(f"#invoice-{part.id}")
        assert link.is_visible(), f"no invoice link for part {part.id}"
        with page.expect_download() as download_info:
            link.click()
        download = download_info.value
        assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
        with open(download.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
    _shot(page, "scenario-12-commande-terminee")

    croissant_line = next(
        line for line in lines_of(db, bakery_part.id) if line.product_id == croissant.id
    )
    form = page.locator(f"#return-form-{bakery_part.id}")
    form.locator(f"#f-qty-{croissant_line.id}").fill("2")
    form.locator(f"#f-reason-{bakery_part.id}").fill("Livrés écrasés dans le sac.")
    page.once("dialog", lambda dialog: dialog.accept())  # "Envoyer cette demande de retour ?"
    form.get_by_role("button", name="Demander un retour").click()
    page.wait_for_load_state()
    assert "Votre demande de retour est envoyée à Boulangerie du Pont" in _flash(page)
    assert "Retour demandé" in page.inner_text(f"#boutique-{bakery_part.id}")
    _shot(page, "scenario-13-retour-demande")

    # 7. The baker accepts the return; the shopper is refunded once: the croissants and, as
    # they were everything the bakery delivered (a full withdrawal), the bike delivery too.
    bakery_page.goto(f"{base}/vendeur/commandes/{bakery_part.id}")
    accept = bakery_page.locator("[id^=action-accept-return-]")
    assert accept.count() == 1
    assert "Livrés écrasés dans le sac." in bakery_page.inner_text("#next-steps")
    _shot(bakery_page, "scenario-14-vendeur-retour")
    accept.click()
    bakery_page.wait_for_load_state()
    assert "Retour accepté" in _flash(bakery_page)
    order = wait_status(db, order_id, "partially_refunded", timeout=60)
    assert order.refunded_cents == 240 + 490

    page.goto(f"{base}/commandes/{order_id}")
    assert "Partiellement remboursée" in page.inner_text("h1")
    bakery_block = page.inner_text(f"#boutique-{bakery_part.id}")
    assert "Remboursements" in bakery_block and "7,30\u00a0€ — retour accepté" in bakery_block
    assert "-7,30\u00a0€" in page.inner_text("aside")
    assert "Remboursée" in page.inner_text(f"#boutique-{bakery_part.id} .card-header")
    _shot(page, "scenario-15-commande-remboursee")

    payment = payment_of(db, order_id)
    assert payment is not None and payment.stripe_payment_intent_id
    refunds = refunds_of_intent(payment.stripe_payment_intent_id)
    assert [(r.amount, r.status) for r in refunds] == [(240 + 490, "succeeded")]
    assert order_row(db, order_id).total_cents == 1380

    # 8. The cheese's return window closes (moved into the past here): the page says why no
    # return can be asked; an operator still refunds a goodwill gesture (legal guarantee of
    # conformity) through the API, and the shopper sees it on the order page.
    db.execute(
        update(VendorOrder)
        .where(VendorOrder.id == cheese_part.id)
        .values(return_deadline=datetime.now(UTC) - timedelta(minutes=1))
    )
    operator = create_user(db, Role.operator)
    db.commit()
    page.goto(f"{base}/commandes/{order_id}")
    assert page.locator(f"#return-form-{cheese_part.id}").count() == 0
    assert "Le délai de retour de cette commande est dépassé" in page.inner_text(
        f"#return-closed-{cheese_part.id}"
    )
    login = httpx.post(
        f"{base}/api/auth/login", json={"email": operator.email, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    refund = httpx.post(
        f"{base}/api/operator/orders/{order_id}/refunds",
        json={"amount_cents": 300, "reason": "Fromage trop sec : geste commercial",
              "vendor_order_id": cheese_part.id},
        headers={"Authorization": f"Bearer {login.json()['token']}"},
    )  # fmt: skip
    assert refund.status_code == 202, refund.text
    wait_for(
        lambda: order_row(db, order_id).refunded_cents == 730 + 300,
        timeout=60,
        what="the operator's refund to be recorded",
    )
    page.goto(f"{base}/commandes/{order_id}")
    assert "3,00\u00a0€" in page.inner_text(f"#boutique-{cheese_part.id}")
    assert "-10,30\u00a0€" in page.inner_text("aside")
    _shot(page, "scenario-16-remboursement-operateur")
    refunds = refunds_of_intent(payment.stripe_payment_intent_id)
    assert sorted(r.amount for r in refunds) == [300, 240 + 490]
    for context in (shopper_context, cheese_context, bakery_context):
        context.close()
