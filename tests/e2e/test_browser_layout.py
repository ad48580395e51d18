"""Every shopper and merchant page at a desktop's 1280 px and a phone's 390 px: nothing wider
than the screen, two product cards per row on the phone, the product's price and "Ajouter au
panier" without scrolling, a compact slot menu; a screenshot of each page in test-artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.media.drawn import category_photo
from comptoir.models import Invoice, Product, Role, Shop
from comptoir.services.product_photos import attach_photos, store_photo
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_browser_order import _accept_cookies, _login
from tests.factories import create_category, create_product, create_shop, create_user
from tests.lifecycle_support import vendor_orders, wait_for, wait_status

pytestmark = [pytest.mark.timeout(240), pytest.mark.usefixtures("stripe_webhook")]

SCREENS = {"ordinateur": (1280, 800), "telephone": (390, 844)}

# The elements sticking out of the screen, to name them when a page is too wide.
TOO_WIDE = """() => {
  const width = window.innerWidth;
  const wide = [];
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') { return true; }
    }
    return false;
  };
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !clipped(element)) {
      wide.push(element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
        (element.className && typeof element.className === 'string' ? '.' + element.className.trim().replace(/\\s+/g, '.') : '') +
        ' right=' + Math.round(box.right));
    }
  }
  const title = document.querySelector('main h1');
  const box = title ? title.getBoundingClientRect() : null;
  return {scroll: document.documentElement.scrollWidth, inner: width, wide: wide.slice(0, 8),
          margins: box ? [Math.round(box.left), Math.round(width - box.right)] : null};
}"""
MARGIN = 12  # px between the screen's edges and the page's text


def _fits(page: Any, screen: str, name: str) -> None:
    """The page is no wider than the screen and its title keeps off the edges; its full-page
    screenshot goes to test-artifacts."""
    page.wait_for_load_state()
    measure = page.evaluate(TOO_WIDE)
    page.screenshot(path=str(ARTIFACTS / f"ecran-{screen}-{name}.png"), full_page=True)
    assert measure["scroll"] <= measure["inner"], (name, measure)
    assert measure["margins"] is None or min(measure["margins"]) >= MARGIN, (name, measure)


def _in_first_screen(page: Any, selector: str) -> bool:
    """The element is shown whole without scrolling."""
    box = page.locator(selector).first.bounding_box()
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


LOAVES = ["Pain de seigle", "Pain complet", "Pain aux céréales", "Fougasse aux olives",
          "Pain d'épeautre", "Pain au maïs", "Pain de mie", "Pain aux figues", "Ficelle",
          "Pain viennois", "Pain brié", "Tourte auvergnate"]  # fmt: skip


def _shop_with_photos(db: Session) -> tuple[Shop, Product, Any]:
    """A baker with a banner, two categories of photographed products and pickup slots."""
    merchant = create_user(db, Role.merchant, first_name="Inès")
    shop = create_shop(
        db,
        merchant,
        name="Au Fournil de la Levée",
        trade="boulangerie",
        with_slots=True,
        description="Pains au levain cuits au feu de bois, viennoiseries du matin.",
    )
    breads = create_category(db, "pains", "Pains")
    pastries = create_category(db, "viennoiseries", "Viennoiseries")
    shop.banner_photo_id = store_photo(db, category_photo("pains", "Pains")).id
    # Enough loaves for the "Pains" category to take two pages of its own (24 a page); made
    # first, so the shop's page (newest first) opens on the six below.
    loaves = [
        create_product(db, shop, name=f"{kind}, {size} format", price_cents=price,
                       category_id=breads.id)
        for kind in LOAVES
        for size, price in (("petit", 260), ("grand", 450))
    ]  # fmt: skip
    names = [
        ("Pain de campagne au levain, grande miche de 1 kg", breads, 480),
        ("Baguette de tradition", breads, 130),
        ("Pain aux noix et raisins", breads, 520),
        ("Croissant au beurre AOP", pastries, 120),
        ("Pain au chocolat", pastries, 140),
        ("Chausson aux pommes", pastries, 210),
    ]
    products = [
        create_product(
            db,
            shop,
            name=name,
            price_cents=price,
            category_id=category.id,
            description="Pétri le matin, cuit sur sole. " * 12,
        )
        for name, category, price in names
    ]
    photos = {c.id: store_photo(db, category_photo(c.slug, c.name)) for c in (breads, pastries)}
    for product in loaves + products:
        attach_photos(db, product.id, [photos[product.category_id]])
    return shop, products[0], merchant


def _invoice_of(db: Session, vendor_order_id: int) -> int | None:
    db.rollback()  # the worker renders it in its own session
    return db.scalar(select(Invoice.id).where(Invoice.vendor_order_id == vendor_order_id))


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_page_fits_the_screen(
    chromium: Any, web_server: str, db: Session, screen: str
) -> None:
    base = web_server
    width, height = SCREENS[screen]
    shop, bread, merchant = _shop_with_photos(db)
    shopper = create_user(db, first_name="Léa", last_name="Dubois")
    db.commit()
    viewport = {"width": width, "height": height}
    context = chromium.new_context(locale="fr-FR", viewport=viewport)
    page = context.new_page()

    page.goto(f"{base}/")
    _accept_cookies(page)
    _fits(page, screen, "01-accueil")
    for path, name in [("/boutiques", "02-boutiques"), ("/connexion", "03-connexion"),
                       ("/inscription", "04-inscription"),
                       ("/inscription?role=vendeur", "04b-inscription-vendeur"),
                       ("/mot-de-passe/oublie", "04c-mot-de-passe-oublie")]:  # fmt: skip
        page.goto(base + path)
        _fits(page, screen, name)
    _login(page, base, shopper.email)

    page.goto(f"{base}/recherche?q=pain")
    _fits(page, screen, "05-recherche")
    page.goto(f"{base}/boutiques/{shop.slug}")
    _fits(page, screen, "06-boutique")
    cards = page.locator(".product-grid").first.locator(".product-card")
    tops = [round(cards.nth(n).bounding_box()["y"]) for n in range(2)]
    assert tops[0] == tops[1], tops  # two cards side by side, on a phone too

    page.goto(f"{base}/boutiques/{shop.slug}?q=croissant")
    _fits(page, screen, "06b-boutique-recherche")
    page.goto(f"{base}/boutiques/{shop.slug}?categorie=pains&page=2")
    _fits(page, screen, "06c-boutique-rayon-page-2")
    assert page.locator("nav.pagination a[rel=prev]").count() == 1
    page.goto(f"{base}/produits/{bread.id}")
    _fits(page, screen, "07-produit")
    assert _in_first_screen(page, ".product-hero .price")
    assert _in_first_screen(page, "button:has-text('Ajouter au panier')")
    page.get_by_role("button", name="Ajouter au panier").click()
    page.wait_for_load_state()

    page.goto(f"{base}/panier")
    box = page.locator(f"#cart-shop-{shop.id}")
    box.get_by_label(re.compile("Retrait en boutique")).check()
    menu = page.locator(f"#slot-select-{shop.id}")
    assert page.locator(f"#slots-{shop.id} input[type=radio]").count() == 0
    assert menu.locator("optgroup").count() >= 2  # the slots, grouped by day
    menu.select_option(index=1)
    _fits(page, screen, "08-panier")
    page.get_by_role("button", name="Commander").click()
    page.wait_for_url(re.compile(r"/commande\?"))
    page.locator("#f-billing_name").fill("Léa Dubois")
    page.locator("#f-billing_line1").fill("8 quai de Loire")
    page.locator("#f-billing_postal_code").fill("49350")
    page.locator("#f-billing_city").fill("Montlouvier-sur-Loire")
    page.get_by_label(re.compile("conditions générales de vente")).check()
    _fits(page, screen, "09-facturation")
    page.get_by_role("button", name="Valider et payer").click()
    page.wait_for_url(re.compile(r"/commandes/\d+/paiement$"))
    order_id = int(re.findall(r"/commandes/(\d+)/paiement", page.url)[0])
    page.wait_for_selector("#card-element input")
    _fits(page, screen, "10-paiement")
    page.get_by_role("button", name="Payer avec la carte de test acceptée").click()
    page.wait_for_url(re.compile(rf"/commandes/{order_id}\?paiement=ok$"))
    wait_status(db, order_id, "processing", timeout=60)
    part = wait_for(
        lambda: next((p for p in vendor_orders(db, order_id) if p.status.value == "confirmed"), None),
        timeout=60,
        what="the shop's part to be confirmed",
    )
    wait_for(lambda: _invoice_of(db, part.id), timeout=60, what="the shop's invoice")
    page.goto(f"{base}/commandes/{order_id}")
    assert page.locator(f"#invoice-{part.id}").is_visible()  # the same page every run
    _fits(page, screen, "11-commande")
    for path, name in [("/commandes", "12-mes-commandes"), ("/compte", "13-compte"),
                       (f"/messages/{shop.slug}", "14-message-boutique"),
                       (f"/boutiques/{shop.slug}/cgv", "15-cgv"), ("/contact", "16-contact"),
                       ("/mentions-legales", "17-mentions-legales"), ("/cgu", "18-cgu"),
                       ("/confidentialite", "18b-confidentialite"),
                       ("/mediation", "18c-mediation"), ("/cookies", "18d-cookies"),
                       ("/messages", "19-messages")]:  # fmt: skip
        page.goto(base + path)
        _fits(page, screen, name)
    context.close()

    context = chromium.new_context(locale="fr-FR", viewport=viewport)
    page = context.new_page()
    _login(page, base, merchant.email)
    _accept_cookies(page)
    page.goto(f"{base}/vendeur")
    assert page.locator(f"#item-{part.id}").is_visible()
    _fits(page, screen, "20-vendeur-tableau-de-bord")
    page.goto(f"{base}/vendeur/commandes/{part.id}")
    _fits(page, screen, "21-vendeur-commande")
    for path, name in [("/vendeur/commandes", "22-vendeur-commandes"),
                       ("/vendeur/produits", "23-vendeur-produits"),
                       ("/vendeur/produits/nouveau", "23b-vendeur-nouveau-produit"),
                       (f"/vendeur/produits/{bread.id}", "24-vendeur-produit"),
                       ("/vendeur/boutique", "25-vendeur-boutique"),
                       ("/vendeur/boutique/horaires", "26-vendeur-horaires"),
                       ("/vendeur/ventes", "27-vendeur-ventes"),
                       ("/vendeur/ventes/compte-de-versement", "27b-vendeur-versements"),
                       ("/vendeur/messages", "28-vendeur-messages")]:  # fmt: skip
        page.goto(base + path)
        _fits(page, screen, name)
    context.close()
