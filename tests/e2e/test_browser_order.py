"""In a real browser: a shopper orders and pays, the shop prepares and hands over with the code."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from comptoir.models import Role
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, create_product, create_shop, create_user
from tests.lifecycle_support import (
    order_row,
    payment_of,
    vendor_orders,
    wait_for,
    wait_status,
)

pytestmark = [pytest.mark.timeout(240), pytest.mark.usefixtures("stripe_webhook")]


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
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
    page.locator(f"#slots-{shop.id} input[type=radio]").first.check()
    _shot(page, "01-panier")
    page.get_by_role("button", name="Commander").click()
    page.wait_for_load_state()

    # Checkout: the billing address is mandatory.
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
    wait_for(
        lambda: (p := payment_of(db, order_id)) is not None and p.status.value == "failed",
        timeout=60,
        what="the declined attempt to be recorded",
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
