"""Home, search with facets and typos, shop pages and product pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import Role, ShopStatus
from tests.factories import create_category, create_product, create_shop, create_user
from tests.storefront.formtools import browser_login


def _town(db: Session) -> dict[str, int]:
    cheese = create_category(db, "fromagerie", "Fromagerie")
    bread = create_category(db, "boulangerie", "Boulangerie")
    halles = create_shop(
        db, name="Fromagerie des Halles", slug="fromagerie-des-halles", with_slots=True
    )
    fournil = create_shop(db, name="Le Fournil", slug="le-fournil")
    hidden = create_shop(
        db, name="Boutique en attente", slug="en-attente", status=ShopStatus.pending
    )
    comte = create_product(db, halles, name="Comté 18 mois", price_cents=890, category_id=cheese.id)
    chevre = create_product(
        db,
        halles,
        name="Fromage de chèvre",
        price_cents=350,
        promo_price_cents=290,
        category_id=cheese.id,
    )
    pain = create_product(
        db, fournil, name="Pain de campagne", price_cents=420, category_id=bread.id
    )
    secret = create_product(db, hidden, name="Fromage secret", price_cents=100)
    db.commit()
    return {"comte": comte.id, "chevre": chevre.id, "pain": pain.id, "secret": secret.id}


def test_home_lists_categories_shops_and_new_products(client: TestClient, db: Session) -> None:
    _town(db)
    page = client.get("/")
    assert page.status_code == 200
    for text in ("Fromagerie des Halles", "Le Fournil", "Boulangerie", "Pain de campagne"):
        assert text in page.text
    assert "Boutique en attente" not in page.text


def test_search_finds_with_a_typo_and_shows_facets_and_french_prices(
    client: TestClient, db: Session
) -> None:
    ids = _town(db)
    page = client.get("/recherche", params={"q": "fromge"})
    assert page.status_code == 200
    assert "Fromage de chèvre" in page.text
    assert "2,90\u00a0€" in page.text and "3,50\u00a0€" in page.text  # promotion and old price
    assert 'name="boutique" value="fromagerie-des-halles"' in page.text
    assert f'href="/produits/{ids["secret"]}"' not in page.text


def test_search_filters_by_shop_category_and_price(client: TestClient, db: Session) -> None:
    _town(db)
    by_shop = client.get("/recherche", params={"boutique": "le-fournil"})
    assert "Pain de campagne" in by_shop.text and "Comté" not in by_shop.text
    by_category = client.get("/recherche", params={"categorie": "fromagerie"})
    assert "Comté" in by_category.text and "Pain de campagne" not in by_category.text
    by_price = client.get("/recherche", params={"prix_max": "4,00"})
    assert "Fromage de chèvre" in by_price.text and "Comté" not in by_price.text


def test_search_explains_unreadable_or_impossible_prices(client: TestClient, db: Session) -> None:
    _town(db)
    bad = client.get("/recherche", params={"prix_min": "beaucoup"})
    assert bad.status_code == 200 and "pas un montant" in bad.text
    upside_down = client.get("/recherche", params={"prix_min": "10", "prix_max": "2"})
    assert upside_down.status_code == 200 and "supérieur au prix maximum" in upside_down.text


def test_shop_page_shows_hours_slots_delivery_returns_and_contact(
    client: TestClient, db: Session
) -> None:
    _town(db)
    page = client.get("/boutiques/fromagerie-des-halles")
    assert page.status_code == 200
    for text in ("Horaires", "Lundi", "Dimanche", "Livraison à vélo", "offert dès 50,00\u00a0€",
                 "Prochains créneaux de retrait", "Retours acceptés sous 14 jours", "Comté 18 mois"):  # fmt: skip
        assert text in page.text, text
    assert "Ouvert maintenant" in page.text or "Fermé en ce moment" in page.text


def test_unapproved_or_unknown_shop_is_404(client: TestClient, db: Session) -> None:
    _town(db)
    assert client.get("/boutiques/en-attente").status_code == 404
    missing = client.get("/boutiques/nulle-part")
    assert missing.status_code == 404 and "pas ouverte au public" in missing.text


def test_product_page_offers_login_to_anonymous_and_the_cart_to_shoppers(
    client: TestClient, db: Session
) -> None:
    ids = _town(db)
    shopper = create_user(db, Role.shopper)
    db.commit()
    anonymous = client.get(f"/produits/{ids['comte']}")
    assert anonymous.status_code == 200 and "Se connecter pour commander" in anonymous.text
    assert "TVA 5,5\u00a0% incluse" in anonymous.text
    browser_login(client, shopper)
    logged = client.get(f"/produits/{ids['comte']}")
    assert 'action="/panier/ajouter"' in logged.text


def test_hidden_or_malformed_product_is_404(client: TestClient, db: Session) -> None:
    ids = _town(db)
    assert client.get(f"/produits/{ids['secret']}").status_code == 404
    assert client.get("/produits/abc").status_code == 404
