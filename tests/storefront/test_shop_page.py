"""A shop's page that sells: products by category in the shop's order, search within the
shop, a category or all products page by page; the merchant chooses the order."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import Role
from tests.factories import create_category, create_product, create_shop, create_user
from tests.media.imagefiles import with_gps
from tests.storefront.formtools import browser_login, page_csrf, post_form


def _text(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    return html.unescape(response.text)


def test_products_by_category_in_the_shops_order_searchable_and_paged(
    client: TestClient, db: Session
) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles")
    cheese = create_category(db, "fromages", "Fromages")
    dairy = create_category(db, "cremerie", "Crèmerie & œufs")
    for n in range(30):
        create_product(db, shop, name=f"Tomme n°{n:02d}", category_id=cheese.id)
    create_product(db, shop, name="Beurre doux de baratte", category_id=dairy.id)
    create_product(db, shop, name="Torchon brodé")  # no category
    db.commit()
    page = _text(client, f"/boutiques/{shop.slug}")
    # The biggest category first by default, 8 products each, with a link to the rest.
    assert page.index('id="t-cat-fromages"') < page.index('id="t-cat-cremerie"')
    assert page.count('class="product-card"') == 9
    assert "Voir les 30 produits du rayon « Fromages »" in page
    assert "Voir tous les produits de la boutique" in page  # the uncategorised one
    # The merchant puts the dairy first.
    browser_login(client, merchant)
    form = _text(client, "/vendeur/boutique")
    assert "Vos rayons : Crèmerie & œufs, Fromages." in form
    values = {
        "name": shop.name, "trade": "fromagerie", "phone": "04 78 00 00 00",
        "email": "fromagerie@example.test", "address_line": shop.address_line,
        "postal_code": shop.postal_code, "city": shop.city, "legal_name": shop.legal_name,
        "siret": "73282932000074", "category_order": "crèmerie & oeufs, inconnue",
    }  # fmt: skip
    refused = post_form(client, "/vendeur/boutique", values, page="/vendeur/boutique")
    assert refused.status_code == 422, re.findall(r"alert-error[^>]*>([^<]*)", refused.text)
    assert "Catégories inconnues dans l'ordre des rayons : « inconnue »" in html.unescape(
        refused.text
    )
    values["category_order"] = "crèmerie & oeufs"
    saved = post_form(client, "/vendeur/boutique", values, page="/vendeur/boutique")
    assert saved.status_code == 303, saved.text[:800]
    db.refresh(shop)
    assert shop.category_order == ["cremerie"]
    page = _text(client, f"/boutiques/{shop.slug}")
    assert page.index('id="t-cat-cremerie"') < page.index('id="t-cat-fromages"')
    # A category, page by page (24 a page).
    first = _text(client, f"/boutiques/{shop.slug}?categorie=fromages")
    assert first.count('class="product-card"') == 24 and "Page 1 sur 2" in first
    second = _text(client, f"/boutiques/{shop.slug}?categorie=fromages&page=2")
    assert second.count('class="product-card"') == 6 and 'rel="prev"' in second
    everything = _text(client, f"/boutiques/{shop.slug}?tous=1&page=2")
    assert everything.count('class="product-card"') == 8  # 32 products
    # Search within the shop only.
    other = create_shop(db)
    create_product(db, other, name="Beurre demi-sel d'ailleurs")
    db.commit()
    found = _text(client, f"/boutiques/{shop.slug}?q=beurre")
    assert "Beurre doux de baratte" in found and "ailleurs" not in found
    assert "1 produit pour « beurre »" in found
    assert "Aucun produit ne correspond" in _text(client, f"/boutiques/{shop.slug}?q=zzzz")


def _shop_values(shop: object) -> dict[str, str]:
    return {
        "name": shop.name, "trade": "fromagerie", "phone": "04 78 00 00 00",  # type: ignore[attr-defined]
        "email": "fromagerie@example.test", "address_line": "1 rue Haute",
        "postal_code": "69001", "city": "Lyon", "legal_name": "Fromagerie SARL",
        "siret": "73282932000074",
    }  # fmt: skip


def test_the_merchant_sets_the_shops_banner_photo(client: TestClient, db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles")
    db.commit()
    browser_login(client, merchant)

    def send(files: dict[str, tuple[str, bytes, str]], **extra: str) -> object:
        token = page_csrf(client, "/vendeur/boutique")
        return client.post(
            "/vendeur/boutique",
            data={"csrf_token": token, **_shop_values(shop), **extra},
            files=files,
            follow_redirects=False,
        )

    bad = send({"banner": ("devanture.jpg", b"ceci n'est pas une photo" * 10, "image/jpeg")})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "n'est pas une image lisible" in html.unescape(bad.text)  # type: ignore[attr-defined]
    good = send({"banner": ("devanture.png", with_gps("PNG"), "image/png")})
    assert good.status_code == 303  # type: ignore[attr-defined]
    db.refresh(shop)
    assert shop.banner_photo_id is not None
    page = _text(client, f"/boutiques/{shop.slug}")
    assert 'class="photo shop-banner' in page and 'alt="Fromagerie des Halles"' in page
    # The lists of shops show it too, instead of the shop's initial.
    for listing in ("/boutiques", "/"):
        cards = _text(client, listing)
        assert 'class="shop-card-photo"' in cards and f'href="/boutiques/{shop.slug}"' in cards
    removed = send({}, remove_banner="on")
    assert removed.status_code == 303  # type: ignore[attr-defined]
    db.refresh(shop)
    assert shop.banner_photo_id is None
    assert "shop-banner" not in _text(client, f"/boutiques/{shop.slug}")
    assert "shop-card-photo" not in _text(client, "/boutiques")
