"""Legal and trust pages: platform texts from settings, each shop's CGV, CGV at checkout."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import CartItem, DeliveryKind, DeliveryMode, Order, Role
from comptoir.services import legal
from comptoir.settings import get_settings
from tests.factories import create_product, create_shop, create_user
from tests.storefront.formtools import browser_login, csrf_of, post_form


def _text(response: object) -> str:
    return html.unescape(response.text)  # type: ignore[attr-defined]


def test_platform_legal_pages_show_the_operator_and_are_linked_everywhere(
    client: TestClient,
) -> None:
    settings = get_settings()
    home = client.get("/").text
    for path in ("/mentions-legales", "/cgu", "/confidentialite", "/mediation"):
        assert f'href="{path}"' in home
        assert client.get(path).status_code == 200
    mentions = _text(client.get("/mentions-legales"))
    assert settings.operator_name in mentions and settings.host_name in mentions
    privacy = _text(client.get("/confidentialite"))
    for part in ("Responsable du traitement", "finalités", "Durées de conservation",
                 f"{settings.data_retention_years} ans", "Vos droits", "rectifier", "effacer",
                 "portabilité", "CNIL", "strictement nécessaires",
                 f"mailto:{settings.operator_email}"):  # fmt: skip
        assert part in privacy, part
    assert settings.mediator_name in _text(client.get("/mediation"))
    signup = client.get("/inscription").text
    assert 'href="/cgu"' in signup and 'name="accept_terms"' in signup


def test_a_shop_has_default_cgv_until_it_writes_its_own(client: TestClient, db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles")
    db.commit()
    page = _text(client.get(f"/boutiques/{shop.slug}/cgv"))
    assert "Conditions générales de vente de Fromagerie des Halles" in page
    assert shop.legal_name in page and shop.siret in page and "L.221-18" in page
    assert f'href="/boutiques/{shop.slug}/cgv"' in client.get(f"/boutiques/{shop.slug}").text
    assert client.get("/boutiques/inconnue/cgv").status_code == 404
    browser_login(client, merchant)
    values = {name: "" for name in ("trade", "description", "vat_number")}
    values |= {
        "name": shop.name, "trade": "fromagerie", "phone": "04 78 00 00 00",
        "email": "fromagerie@example.test", "address_line": shop.address_line,
        "postal_code": shop.postal_code, "city": shop.city, "legal_name": shop.legal_name,
        "siret": "73282932000074", "return_policy": "14 jours.",
        "cgv_text": "Article 1 : nos fromages sont vendus à la coupe.\n" * 200,
    }  # fmt: skip
    saved = post_form(client, "/vendeur/boutique", values, page="/vendeur/boutique")
    assert saved.status_code == 303, saved.text[:800]
    db.refresh(shop)
    assert len(shop.cgv_text) > 4000  # long texts are kept whole
    assert "nos fromages sont vendus à la coupe" in _text(client.get(f"/boutiques/{shop.slug}/cgv"))


def test_checkout_needs_the_cgv_and_records_which_were_accepted(
    client: TestClient, db: Session
) -> None:
    shop = create_shop(db)
    other = create_shop(db, cgv_text="CGV maison de la deuxième boutique.")
    shopper = create_user(db)
    for s in (shop, other):
        db.add(CartItem(user_id=shopper.id, product_id=create_product(db, s).id, quantity=1))
    db.commit()
    browser_login(client, shopper)
    pickups = {
        s.id: db.scalar(
            select(DeliveryMode.id).where(
                DeliveryMode.shop_id == s.id, DeliveryMode.kind == DeliveryKind.pickup
            )
        )
        for s in (shop, other)
    }
    choices = {f"livraison_{sid}": str(mid) for sid, mid in pickups.items()}
    page = client.get("/commande", params=choices)
    assert f'href="/boutiques/{shop.slug}/cgv"' in page.text
    assert f'href="/boutiques/{other.slug}/cgv"' in page.text
    form = {
        "csrf_token": csrf_of(page), **choices, "billing_name": "Alix Martin",
        "billing_line1": "3 rue des Lilas", "billing_postal_code": "69003", "billing_city": "Lyon",
    }  # fmt: skip
    refused = client.post("/commande", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert "cochez la case qui accepte les conditions générales de vente" in _text(refused)
    assert db.scalars(select(Order)).all() == []
    placed = client.post("/commande", data={**form, "accept_cgv": "1"}, follow_redirects=False)
    assert placed.status_code == 303, placed.text[:800]
    order = db.scalars(select(Order)).one()
    assert order.terms_accepted_at is not None
    assert order.terms_digest == legal.terms_digest([shop, other])
    assert legal.terms_digest([shop]) != order.terms_digest
