"""Merchant pages for products, stock, CSV import and the shop's details."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import Product, Role, Shop
from tests.factories import create_order, create_product, create_shop, create_user
from tests.storefront.formtools import browser_login, post_form

NBSP, NNBSP = "\u00a0", "\u202f"


def _merchant_with_shop(db: Session) -> tuple[object, Shop]:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles")
    return merchant, shop


def test_products_pages_need_the_owner(client: TestClient, db: Session) -> None:
    _, shop = _merchant_with_shop(db)
    product = create_product(db, shop, name="Comté")
    intruder = create_user(db, Role.merchant)
    create_shop(db, intruder)
    shopper = create_user(db)
    db.commit()
    paths = [
        "/vendeur/produits",
        "/vendeur/produits/nouveau",
        f"/vendeur/produits/{product.id}",
        "/vendeur/boutique",
    ]
    for path in paths:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/connexion" in response.headers["location"]
    browser_login(client, shopper)
    assert all(client.get(path).status_code == 403 for path in paths)
    client.cookies.clear()
    browser_login(client, intruder)
    assert client.get(f"/vendeur/produits/{product.id}").status_code == 404
    stock = post_form(client, f"/vendeur/produits/{product.id}/stock", {"stock": "0"})
    assert stock.status_code == 303 and "alert" not in stock.headers["location"]
    db.expire_all()
    assert db.get(Product, product.id).stock == 10  # another shop's stock is untouched
    assert "Comté" not in client.get("/vendeur/produits").text


def test_create_edit_stock_and_remove_a_product(client: TestClient, db: Session) -> None:
    merchant, shop = _merchant_with_shop(db)
    db.commit()
    browser_login(client, merchant)
    bad = post_form(
        client,
        "/vendeur/produits/nouveau",
        {"name": "Comté 18 mois", "price": "douze", "vat_rate": "7", "stock": "3"},
        page="/vendeur/produits/nouveau",
    )
    assert bad.status_code == 422
    assert "Montant invalide « douze »" in bad.text and "Taux de TVA « 7 » inconnu" in bad.text
    created = post_form(
        client,
        "/vendeur/produits/nouveau",
        {
            "name": "Comté 18 mois",
            "price": "1 234,56",
            "vat_rate": "5,5",
            "stock": "3",
            "category": "Fromagerie",
            "active": "on",
        },
        page="/vendeur/produits/nouveau",
    )
    assert created.status_code == 303, created.text[:500]
    product = db.scalars(select(Product).where(Product.shop_id == shop.id)).one()
    assert (product.price_cents, product.vat_rate_bp, product.stock, product.active) == (
        123456,
        550,
        3,
        True,
    )
    listing = client.get("/vendeur/produits")
    assert f"1{NNBSP}234,56{NBSP}€" in listing.text and "stock bas" in listing.text
    edit = client.get(f"/vendeur/produits/{product.id}")
    assert 'value="1234,56"' in edit.text and 'value="5,5"' in edit.text
    saved = post_form(
        client,
        f"/vendeur/produits/{product.id}",
        {
            "name": "Comté 24 mois",
            "price": "1234,56",
            "promo_price": "999",
            "vat_rate": "5,5",
            "stock": "3",
            "active": "on",
        },
    )
    assert saved.status_code == 303
    assert (
        post_form(client, f"/vendeur/produits/{product.id}/stock", {"stock": "40"}).status_code
        == 303
    )
    db.expire_all()
    product = db.get(Product, product.id)
    assert (product.name, product.promo_price_cents, product.stock) == ("Comté 24 mois", 99900, 40)
    ordered = create_order(db, create_user(db), [(product, 1)])
    db.commit()
    assert ordered.id
    removed = post_form(client, f"/vendeur/produits/{product.id}/supprimer")
    assert "retiré de la vente" in client.get(removed.headers["location"]).text
    db.expire_all()
    assert db.get(Product, product.id).active is False


def test_a_perishable_is_marked_non_returnable_in_the_form(
    client: TestClient, db: Session
) -> None:
    merchant, shop = _merchant_with_shop(db)
    db.commit()
    browser_login(client, merchant)
    form = client.get("/vendeur/produits/nouveau").text
    assert 'name="returnable" checked' in form  # returnable unless the merchant says not
    fields = {"name": "Fraises gariguette", "price": "6,50", "vat_rate": "5,5", "stock": "8"}
    created = post_form(
        client, "/vendeur/produits/nouveau", {**fields, "active": "on"}, page="/vendeur/produits/nouveau"
    )
    assert created.status_code == 303, created.text[:500]
    product = db.scalars(select(Product).where(Product.shop_id == shop.id)).one()
    assert product.returnable is False  # box left unticked
    assert "Non retournable" in client.get("/vendeur/produits").text
    assert 'name="returnable" >' in client.get(f"/vendeur/produits/{product.id}").text
    client.cookies.clear()
    page = client.get(f"/produits/{product.id}").text
    assert "Ni repris ni échangé : ce produit" in page
    browser_login(client, merchant)
    post_form(client, f"/vendeur/produits/{product.id}", {**fields, "returnable": "on"})
    db.expire_all()
    assert db.get(Product, product.id).returnable is True


def test_csv_import_all_or_nothing(client: TestClient, db: Session) -> None:
    merchant, shop = _merchant_with_shop(db)
    db.commit()
    browser_login(client, merchant)
    token = client.get("/vendeur/produits").text.split('name="csrf_token" value="')[1].split('"')[0]
    wrong = b"sku;name;price\nA1;Beurre;3,90\nA2;;abc\n"
    refused = client.post(
        "/vendeur/produits-import",
        data={"csrf_token": token},
        files={"file": ("produits.csv", wrong, "text/csv")},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert "ligne 3" in client.get("/vendeur/produits").text
    assert db.scalars(select(Product).where(Product.shop_id == shop.id)).all() == []
    good = "sku;name;price;stock\nA1;Beurre;3,90;12\nA2;Crème;2,50;4\n".encode()
    done = client.post(
        "/vendeur/produits-import",
        data={"csrf_token": token},
        files={"file": ("produits.csv", good, "text/csv")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "2 produits créés" in client.get("/vendeur/produits").text
    no_token = client.post(
        "/vendeur/produits-import",
        files={"file": ("produits.csv", good, "text/csv")},
        follow_redirects=False,
    )
    assert no_token.status_code == 403


def test_shop_details_are_checked(client: TestClient, db: Session) -> None:
    merchant, shop = _merchant_with_shop(db)
    db.commit()
    browser_login(client, merchant)
    page = client.get("/vendeur/boutique")
    assert page.status_code == 200 and 'value="Fromagerie des Halles"' in page.text
    fields = {name: value for name, value in (
        ("name", "Fromagerie du Marché"), ("trade", "fromagerie"), ("phone", "04 78 00 00 00"),
        ("email", "halles@example.test"), ("address_line", "1 place"), ("postal_code", "69001"),
        ("city", "Lyon"), ("legal_name", "Halles SARL"), ("siret", "73282932000074"),
        ("description", ""), ("return_policy", "14 jours"), ("vat_number", ""),
    )}  # fmt: skip
    bad = post_form(
        client, "/vendeur/boutique", {**fields, "postal_code": "6900"}, page="/vendeur/boutique"
    )
    assert bad.status_code == 422 and "6900" in bad.text
    bad_siret = post_form(
        client, "/vendeur/boutique", {**fields, "siret": "73282932000075"}, page="/vendeur/boutique"
    )
    assert bad_siret.status_code == 422 and "clé de contrôle incorrecte" in bad_siret.text
    fields |= {"legal_form": "SARL", "share_capital": "10 000", "registration": "RCS Lyon"}
    saved = post_form(client, "/vendeur/boutique", fields, page="/vendeur/boutique")
    assert saved.status_code == 303, saved.text[:800]
    db.expire_all()
    assert db.get(Shop, shop.id).name == "Fromagerie du Marché"
    assert db.get(Shop, shop.id).share_capital_cents == 1_000_000
    assert 'value="10000"' in client.get("/vendeur/boutique").text
