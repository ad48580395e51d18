"""The merchant's own shop: settings, hours, closures, pickup slots, delivery modes, products,
stock and the CSV import; every `{id}` route is checked for anonymous, other merchant, owner.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import Category, Product, Role, Shop, ShopClosure, ShopStatus
from tests.factories import (
    create_order_with_line,
    create_product,
    create_shop,
    create_user,
    login_headers,
)

SOON = date.today() + timedelta(days=10)


class Merchant:
    """A logged-in merchant and their shop."""

    def __init__(self, client: TestClient, db: Session, **shop_fields: Any) -> None:
        self.user = create_user(db, Role.merchant)
        self.shop = create_shop(db, owner=self.user, **shop_fields)
        db.commit()
        self.headers = login_headers(client, self.user)


@pytest.fixture
def owner(client: TestClient, db: Session) -> Merchant:
    return Merchant(client, db)


@pytest.fixture
def rival(client: TestClient, db: Session) -> Merchant:
    return Merchant(client, db)


def csv_upload(text: str, encoding: str = "utf-8") -> dict[str, Any]:
    return {"file": ("produits.csv", text.encode(encoding), "text/csv")}


# --- who may call -----------------------------------------------------------------------


MERCHANT_ROUTES = [
    ("GET", "/api/merchant/shop"),
    ("PATCH", "/api/merchant/shop"),
    ("PUT", "/api/merchant/shop/opening-hours"),
    ("GET", "/api/merchant/shop/closures"),
    ("POST", "/api/merchant/shop/closures"),
    ("DELETE", "/api/merchant/shop/closures/1"),
    ("PUT", "/api/merchant/shop/pickup-slots"),
    ("GET", "/api/merchant/shop/delivery-modes"),
    ("POST", "/api/merchant/shop/delivery-modes"),
    ("PATCH", "/api/merchant/shop/delivery-modes/1"),
    ("DELETE", "/api/merchant/shop/delivery-modes/1"),
    ("GET", "/api/merchant/products"),
    ("POST", "/api/merchant/products"),
    ("POST", "/api/merchant/products/import"),
    ("GET", "/api/merchant/products/1"),
    ("PATCH", "/api/merchant/products/1"),
    ("DELETE", "/api/merchant/products/1"),
    ("POST", "/api/merchant/products/1/stock"),
]


def test_anonymous_is_401_and_other_roles_403(client: TestClient, db: Session) -> None:
    shopper = create_user(db, Role.shopper)
    operator = create_user(db, Role.operator)
    db.commit()
    logins = [login_headers(client, shopper), login_headers(client, operator)]
    for method, path in MERCHANT_ROUTES:
        assert client.request(method, path).status_code == 401, (method, path)
        for headers in logins:
            response = client.request(method, path, headers=headers)
            assert response.status_code == 403, (method, path, response.text)
            assert "vendeur" in response.json()["message"]


def test_merchant_without_shop_gets_a_clear_404(client: TestClient, db: Session) -> None:
    user = create_user(db, Role.merchant)
    create_shop(db)  # someone else's: a merchant's shop is found by owner, never guessed
    db.commit()
    headers = login_headers(client, user)
    response = client.get("/api/merchant/shop", headers=headers)
    assert response.status_code == 404
    assert response.json()["message"] == "Aucune boutique n'est rattachée à votre compte."
    assert client.get("/api/merchant/products", headers=headers).status_code == 404


# --- shop settings ----------------------------------------------------------------------


def test_owner_reads_their_shop_with_settings(client: TestClient, owner: Merchant) -> None:
    response = client.get("/api/merchant/shop", headers=owner.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == owner.shop.id and body["status"] == "approved"
    assert body["status_label"] == "validée"
    assert len(body["opening_hours"]) == 6
    assert {m["kind"] for m in body["delivery_modes"]} == {"pickup", "local_delivery", "shipping"}


def test_pending_shop_can_be_prepared_by_its_owner(client: TestClient, db: Session) -> None:
    merchant = Merchant(client, db, status=ShopStatus.pending)
    response = client.patch(
        "/api/merchant/shop", json={"description": "Fromages affinés"}, headers=merchant.headers
    )
    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_owner_edits_shop_fields_but_never_status_or_slug(
    client: TestClient, db: Session, owner: Merchant
) -> None:
    response = client.patch(
        "/api/merchant/shop",
        json={
            "name": "La Fromagerie",
            "description": "Fromages au lait cru.",
            "return_policy": "Produits frais ni repris ni échangés.",
            "siret": "732 829 320 00074",
            "vat_number": "fr 40 303265045",
            "phone": "04 78 00 00 00",
        },
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "La Fromagerie" and body["siret"] == "73282932000074"
    assert body["vat_number"] == "FR40303265045"
    assert body["slug"] == owner.shop.slug
    for forbidden in ({"status": "approved"}, {"slug": "x"}, {"owner_id": 1}):
        refused = client.patch("/api/merchant/shop", json=forbidden, headers=owner.headers)
        assert refused.status_code == 422
    bad = client.patch(
        "/api/merchant/shop", json={"siret": "12345678901234"}, headers=owner.headers
    )
    assert bad.status_code == 422 and "SIRET" in bad.json()["message"]
    bad_vat = client.patch(
        "/api/merchant/shop", json={"vat_number": "FR00303265045"}, headers=owner.headers
    )
    assert bad_vat.status_code == 422 and "TVA" in bad_vat.json()["message"]


def test_opening_hours_are_replaced_and_summarised(client: TestClient, owner: Merchant) -> None:
    ranges = [
        {"weekday": 1, "opens": "09:00", "closes": "12:30"},
        {"weekday": 1, "opens": "14:00", "closes": "19:00"},
        {"weekday": 5, "opens": "08:00", "closes": "13:00"},
    ]
    response = client.put(
        "/api/merchant/shop/opening-hours", json={"ranges": ranges}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["ranges"]) == 3
    summary = {d["day"]: d["hours"] for d in body["summary"]}
    assert summary["lundi"] == "fermé"
    assert summary["mardi"] == "9\u00a0h\u00a000 – 12\u00a0h\u00a030, 14\u00a0h\u00a000 – 19\u00a0h\u00a000"
    shop = client.get("/api/merchant/shop", headers=owner.headers).json()
    assert len(shop["opening_hours"]) == 3


@pytest.mark.parametrize(
    ("ranges", "fragment"),
    [
        ([{"weekday": 0, "opens": "19:00", "closes": "09:00"}], "doit précéder"),
        (
            [
                {"weekday": 2, "opens": "09:00", "closes": "13:00"},
                {"weekday": 2, "opens": "12:00", "closes": "18:00"},
            ],
            "se chevauchent",
        ),
    ],
)
def test_bad_opening_hours_are_refused(
    client: TestClient, owner: Merchant, ranges: list[dict[str, Any]], fragment: str
) -> None:
    response = client.put(
        "/api/merchant/shop/opening-hours", json={"ranges": ranges}, headers=owner.headers
    )
    assert response.status_code == 422
    assert fragment in response.json()["message"]


def test_closures_of_the_owner_only(
    client: TestClient, db: Session, owner: Merchant, rival: Merchant
) -> None:
    created = client.post(
        "/api/merchant/shop/closures",
        json={"start_date": SOON.isoformat(), "end_date": (SOON + timedelta(days=6)).isoformat(),
              "reason": "Congés"},
        headers=owner.headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    closure_id = created.json()["id"]
    listed = client.get("/api/merchant/shop/closures", headers=owner.headers).json()
    assert [c["reason"] for c in listed] == ["Congés"]
    assert client.get("/api/merchant/shop/closures", headers=rival.headers).json() == []
    path = f"/api/merchant/shop/closures/{closure_id}"
    assert client.delete(path).status_code == 401
    assert client.delete(path, headers=rival.headers).status_code == 404
    assert client.delete(path, headers=owner.headers).status_code == 204
    assert db.scalar(select(ShopClosure.id)) is None
    assert client.delete(path, headers=owner.headers).status_code == 404


def test_closure_dates_are_checked(client: TestClient, owner: Merchant) -> None:
    backwards = client.post(
        "/api/merchant/shop/closures",
        json={"start_date": SOON.isoformat(), "end_date": (SOON - timedelta(days=1)).isoformat()},
        headers=owner.headers,
    )
    assert backwards.status_code == 422 and "date de fin" in backwards.json()["message"]
    past = client.post(
        "/api/merchant/shop/closures",
        json={"start_date": "2020-01-01", "end_date": "2020-01-02"},
        headers=owner.headers,
    )
    assert past.status_code == 422 and "passée" in past.json()["message"]


def test_pickup_slot_rules_are_replaced_and_checked(client: TestClient, owner: Merchant) -> None:
    rules = [
        {"weekday": 2, "starts": "10:00", "ends": "12:00", "slot_minutes": 30, "capacity": 4},
        {"weekday": 2, "starts": "16:00", "ends": "18:00", "slot_minutes": 60, "capacity": 2},
    ]
    ok = client.put("/api/merchant/shop/pickup-slots", json={"rules": rules}, headers=owner.headers)
    assert ok.status_code == 200, ok.text
    assert [(r["starts"], r["capacity"]) for r in ok.json()] == [("10:00:00", 4), ("16:00:00", 2)]
    overlapping = [rules[0], {**rules[1], "starts": "11:00"}]
    refused = client.put(
        "/api/merchant/shop/pickup-slots", json={"rules": overlapping}, headers=owner.headers
    )
    assert refused.status_code == 422 and "se chevauchent" in refused.json()["message"]
    too_long = [{**rules[0], "slot_minutes": 180}]
    refused = client.put(
        "/api/merchant/shop/pickup-slots", json={"rules": too_long}, headers=owner.headers
    )
    assert refused.status_code == 422 and "plus courte" in refused.json()["message"]
    cleared = client.put(
        "/api/merchant/shop/pickup-slots", json={"rules": []}, headers=owner.headers
    )
    assert cleared.status_code == 200 and cleared.json() == []


# --- delivery modes ---------------------------------------------------------------------


def test_delivery_modes_crud_of_the_owner_only(
    client: TestClient, owner: Merchant, rival: Merchant
) -> None:
    created = client.post(
        "/api/merchant/shop/delivery-modes",
        json={"kind": "local_delivery", "label": "Livraison en triporteur", "price_cents": 350,
              "free_above_cents": 3000},
        headers=owner.headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json()["kind_label"] == "Livraison locale"
    path = f"/api/merchant/shop/delivery-modes/{created.json()['id']}"
    assert client.patch(path, json={"price_cents": 400}).status_code == 401
    assert client.patch(path, json={"price_cents": 400}, headers=rival.headers).status_code == 404
    assert client.delete(path, headers=rival.headers).status_code == 404
    patched = client.patch(
        path, json={"price_cents": 400, "free_above_cents": None}, headers=owner.headers
    )
    assert patched.status_code == 200
    assert (patched.json()["price_cents"], patched.json()["free_above_cents"]) == (400, None)
    assert client.delete(path, headers=owner.headers).status_code == 204
    modes = client.get("/api/merchant/shop/delivery-modes", headers=owner.headers).json()
    assert len(modes) == 3


@pytest.mark.parametrize(
    ("mode", "fragment"),
    [
        ({"kind": "pickup", "label": "Retrait", "price_cents": 100}, "gratuit"),
        ({"kind": "shipping", "label": "Colis", "price_cents": -1}, "entre 0 et 1"),
        ({"kind": "shipping", "label": "  ", "price_cents": 500}, "libellé"),
    ],
)
def test_bad_delivery_modes_are_refused(
    client: TestClient, owner: Merchant, mode: dict[str, Any], fragment: str
) -> None:
    response = client.post("/api/merchant/shop/delivery-modes", json=mode, headers=owner.headers)
    assert response.status_code == 422
    assert fragment in response.json()["message"]


def test_the_last_active_delivery_mode_cannot_go(client: TestClient, owner: Merchant) -> None:
    modes = client.get("/api/merchant/shop/delivery-modes", headers=owner.headers).json()
    first, *others = modes
    for mode in others:
        path = f"/api/merchant/shop/delivery-modes/{mode['id']}"
        assert client.patch(path, json={"active": False}, headers=owner.headers).status_code == 200
    last = f"/api/merchant/shop/delivery-modes/{first['id']}"
    refused = client.patch(last, json={"active": False}, headers=owner.headers)
    assert refused.status_code == 409 and "au moins un mode" in refused.json()["message"]
    assert client.delete(last, headers=owner.headers).status_code == 409
    # An inactive mode may always be deleted.
    inactive = f"/api/merchant/shop/delivery-modes/{others[0]['id']}"
    assert client.delete(inactive, headers=owner.headers).status_code == 204


# --- products ---------------------------------------------------------------------------


def test_product_crud_of_the_owner_only(
    client: TestClient, db: Session, owner: Merchant, rival: Merchant
) -> None:
    created = client.post(
        "/api/merchant/products",
        json={"sku": "CMT-18", "name": "Comté 18 mois", "price_cents": 2890,
              "promo_price_cents": 2590, "vat_rate_bp": 550, "stock": 12,
              "category": "Crèmerie"},
        headers=owner.headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["effective_price_cents"] == 2590
    assert product["category"] == {"slug": "cremerie", "name": "Crèmerie"}
    path = f"/api/merchant/products/{product['id']}"
    for method, body in (("GET", None), ("PATCH", {"stock": 1}), ("DELETE", None)):
        assert client.request(method, path, json=body).status_code == 401
        assert client.request(method, path, json=body, headers=rival.headers).status_code == 404
    assert client.post(f"{path}/stock", json={"delta": 1}, headers=rival.headers).status_code == 404
    assert client.get(path, headers=owner.headers).json()["name"] == "Comté 18 mois"
    patched = client.patch(
        path, json={"name": "Comté 24 mois", "promo_price_cents": None, "category": None},
        headers=owner.headers,
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert patched.json()["promo_price_cents"] is None and patched.json()["category"] is None
    assert patched.json()["name"] == "Comté 24 mois"
    removed = client.delete(path, headers=owner.headers)
    assert removed.status_code == 200 and removed.json()["outcome"] == "deleted"
    assert db.get(Product, product["id"]) is None
    assert client.get(path, headers=owner.headers).status_code == 404


def test_ordered_product_is_deactivated_not_deleted(
    client: TestClient, db: Session, owner: Merchant
) -> None:
    product = create_product(db, owner.shop)
    create_order_with_line(db, create_user(db), product)
    db.commit()
    response = client.delete(f"/api/merchant/products/{product.id}", headers=owner.headers)
    assert response.status_code == 200
    assert response.json()["outcome"] == "deactivated"
    db.refresh(product)
    assert product.active is False


@pytest.mark.parametrize(
    ("changes", "status", "fragment"),
    [
        ({"promo_price_cents": 500}, 422, "prix promotionnel"),
        ({"price_cents": -5}, 422, "prix doit être compris"),
        ({"vat_rate_bp": 1900}, 422, "Taux de TVA inconnu"),
        ({"name": ""}, 422, "nom du produit"),
        ({"sku": "PRIS"}, 409, "référence « PRIS »"),
        ({"shop_id": 99}, 422, "shop_id"),
    ],
)
def test_bad_product_changes_are_refused(
    client: TestClient,
    db: Session,
    owner: Merchant,
    changes: dict[str, Any],
    status: int,
    fragment: str,
) -> None:
    create_product(db, owner.shop, sku="PRIS")
    product = create_product(db, owner.shop, price_cents=450)
    db.commit()
    response = client.patch(
        f"/api/merchant/products/{product.id}", json=changes, headers=owner.headers
    )
    assert response.status_code == status, response.text
    assert fragment in response.json()["message"]


def test_product_list_is_paginated_and_filtered(
    client: TestClient, db: Session, owner: Merchant, rival: Merchant
) -> None:
    for n in range(7):
        create_product(db, owner.shop, name=f"Confiture n°{n}", stock=10 + n)
    create_product(db, owner.shop, name="Miel de lavande", stock=2)
    create_product(db, owner.shop, name="Miel 100% acacia", stock=30, active=False)
    create_product(db, rival.shop, name="Miel du voisin")
    db.commit()
    url = "/api/merchant/products"
    page = client.get(url, params={"page_size": 5, "page": 2}, headers=owner.headers).json()
    assert page["total"] == 9 and len(page["items"]) == 4 and page["page"] == 2
    miel = client.get(url, params={"q": "miel"}, headers=owner.headers).json()
    assert {p["name"] for p in miel["items"]} == {"Miel de lavande", "Miel 100% acacia"}
    percent = client.get(url, params={"q": "100%"}, headers=owner.headers).json()
    assert [p["name"] for p in percent["items"]] == ["Miel 100% acacia"]
    inactive = client.get(url, params={"active": "false"}, headers=owner.headers).json()
    assert [p["name"] for p in inactive["items"]] == ["Miel 100% acacia"]
    low = client.get(url, params={"low_stock": "true"}, headers=owner.headers).json()
    assert [p["name"] for p in low["items"]] == ["Miel de lavande"]
    too_big = client.get(url, params={"page_size": 1000}, headers=owner.headers)
    assert too_big.status_code == 422


def test_stock_moves_by_delta_or_set(client: TestClient, db: Session, owner: Merchant) -> None:
    product = create_product(db, owner.shop, stock=10)
    db.commit()
    path = f"/api/merchant/products/{product.id}/stock"
    assert client.post(path, json={"delta": -3}, headers=owner.headers).json()["stock"] == 7
    assert client.post(path, json={"set": 25}, headers=owner.headers).json()["stock"] == 25
    negative = client.post(path, json={"delta": -26}, headers=owner.headers)
    assert negative.status_code == 409 and "négatif" in negative.json()["message"]
    both = client.post(path, json={"delta": 1, "set": 3}, headers=owner.headers)
    assert both.status_code == 422
    neither = client.post(path, json={}, headers=owner.headers)
    assert neither.status_code == 422 and "delta" in neither.json()["message"]
    db.refresh(product)
    assert product.stock == 25


# --- CSV import -------------------------------------------------------------------------

FRENCH_CSV = (
    "\ufeffsku;name;description;price;vat_rate;stock;category;requires_confirmation;promo_price\n"
    "PAIN-1;Pain de campagne;Levain naturel;4,50;5,5;20;Boulangerie;non;\n"
    "GAT-8;Gâteau 8 parts;Sur commande;32;5,5;0;Pâtisserie;oui;29,90\n"
    'VIN-1;Vin rouge;"Côtes-du-Rhône; 75 cl";12.5;20;6;Cave;0;\n'
)


def test_csv_import_with_french_decimals_and_bom(
    client: TestClient, db: Session, owner: Merchant
) -> None:
    response = client.post(
        "/api/merchant/products/import", files=csv_upload(FRENCH_CSV), headers=owner.headers
    )
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["updated"]) == (3, 0)
    products = {
        p.sku: p for p in db.scalars(select(Product).where(Product.shop_id == owner.shop.id))
    }
    assert products["PAIN-1"].price_cents == 450 and products["PAIN-1"].vat_rate_bp == 550
    assert products["GAT-8"].requires_confirmation is True
    assert products["GAT-8"].promo_price_cents == 2990 and products["GAT-8"].price_cents == 3200
    assert products["VIN-1"].price_cents == 1250 and products["VIN-1"].vat_rate_bp == 2000
    assert products["VIN-1"].description == "Côtes-du-Rhône; 75 cl"
    slugs = set(db.scalars(select(Category.slug)))
    assert slugs == {"boulangerie", "patisserie", "cave"}


def test_csv_import_updates_by_sku(client: TestClient, db: Session, owner: Merchant) -> None:
    existing = create_product(db, owner.shop, sku="PAIN-1", name="Pain", price_cents=400, stock=3)
    db.commit()
    upload = 'sku,name,price,stock\nPAIN-1,Pain de campagne,"4,80",12\nBRI-1,Brioche,6.20,4\n'
    response = client.post(
        "/api/merchant/products/import", files=csv_upload(upload), headers=owner.headers
    )
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["updated"]) == (1, 1)
    db.refresh(existing)
    assert (existing.name, existing.price_cents, existing.stock) == ("Pain de campagne", 480, 12)
    assert existing.vat_rate_bp == 550  # column absent: unchanged


def test_csv_import_with_errors_changes_nothing_and_lists_lines(
    client: TestClient, db: Session, owner: Merchant
) -> None:
    existing = create_product(db, owner.shop, sku="PAIN-1", name="Pain", price_cents=400)
    db.commit()
    upload = (
        "sku;name;price;vat_rate;stock;promo_price\n"
        "PAIN-1;Pain modifié;4,20;5,5;10;\n"
        "OK-2;Correct;3;5,5;1;\n"
        ";Sans référence;3;5,5;1;\n"
        "BAD-4;Prix faux;quatre euros;5,5;1;\n"
        "BAD-5;TVA fausse;3;19,6;-2;\n"
        "OK-2;Doublon;3;5,5;1;\n"
        "BAD-7;Promo trop chère;3;5,5;1;3,50\n"
        "BAD-8;Trop de colonnes;3;5,5;1;;x\n"
    )
    response = client.post(
        "/api/merchant/products/import", files=csv_upload(upload), headers=owner.headers
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_csv" and "aucun produit n'a été modifié" in body["message"]
    by_line: dict[int, list[str]] = {}
    for problem in body["problems"]:
        by_line.setdefault(problem["line"], []).append(problem["message"])
    assert sorted(by_line) == [4, 5, 6, 7, 8, 9]
    assert any("référence (sku)" in m for m in by_line[4])
    assert any("montant invalide « quatre euros »" in m for m in by_line[5])
    assert any("taux de TVA « 19,6 » inconnu" in m for m in by_line[6])
    assert any("stock invalide" in m for m in by_line[6])
    assert any("figure déjà ligne 3" in m for m in by_line[7])
    assert any("prix promotionnel" in m for m in by_line[8])
    assert any("colonnes au lieu de" in m for m in by_line[9])
    db.refresh(existing)
    assert existing.name == "Pain"
    assert db.scalar(select(Product.id).where(Product.sku == "OK-2")) is None


def test_csv_import_refuses_bad_files(client: TestClient, db: Session, owner: Merchant) -> None:
    url = "/api/merchant/products/import"
    header = client.post(url, files=csv_upload("ref;nom;prix\nA;B;1\n"), headers=owner.headers)
    assert header.status_code == 422 and "colonnes inconnues" in header.json()["message"]
    latin1 = client.post(
        url, files=csv_upload("sku;name;price\nA;Crème brûlée;4,50\n", "latin-1"),
        headers=owner.headers,
    )  # fmt: skip
    assert latin1.status_code == 422 and "UTF-8" in latin1.json()["message"]
    empty = client.post(url, files=csv_upload("sku;name;price\n"), headers=owner.headers)
    assert empty.status_code == 422 and "aucun produit" in empty.json()["message"]
    rows = "".join(f"S{n};Produit {n};1\n" for n in range(5001))
    too_many = client.post(url, files=csv_upload("sku;name;price\n" + rows), headers=owner.headers)
    assert too_many.status_code == 422 and "5000" in too_many.json()["message"]
    huge = "sku;name;price;description\n" + "A;B;1;" + "x" * (2 * 1024 * 1024) + "\n"
    too_big = client.post(url, files=csv_upload(huge), headers=owner.headers)
    assert too_big.status_code == 413 and "2 Mo" in too_big.json()["message"]
    assert db.scalar(select(Product.id).where(Product.shop_id == owner.shop.id)) is None


def test_csv_import_of_5000_rows_is_accepted(
    client: TestClient, db: Session, owner: Merchant
) -> None:
    rows = "".join(f"S{n};Produit {n};1,{n % 100:02d};5,5;{n % 7}\n" for n in range(5000))
    response = client.post(
        "/api/merchant/products/import",
        files=csv_upload("sku;name;price;vat_rate;stock\n" + rows),
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 5000
    shop = db.get(Shop, owner.shop.id)
    assert shop is not None
    count = len(db.scalars(select(Product.id).where(Product.shop_id == shop.id)).all())
    assert count == 5000


def test_other_merchants_products_are_untouched_by_an_import(
    client: TestClient, db: Session, owner: Merchant, rival: Merchant
) -> None:
    theirs = create_product(db, rival.shop, sku="PAIN-1", name="Pain du voisin")
    db.commit()
    response = client.post(
        "/api/merchant/products/import",
        files=csv_upload("sku;name;price\nPAIN-1;Mon pain;3\n"),
        headers=owner.headers,
    )
    assert response.json()["created"] == 1
    db.refresh(theirs)
    assert theirs.name == "Pain du voisin"


def test_invoice_mentions_are_edited_and_checked(client: TestClient, db: Session, owner: Merchant) -> None:
    answer = client.patch(
        "/api/merchant/shop",
        json={"legal_form": "SARL", "share_capital": "7 500,50 €", "registration": "RCS Lyon"},
        headers=owner.headers,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["legal_form"], body["share_capital_cents"], body["registration"]) == (
        "SARL", 750_050, "RCS Lyon"
    )
    bad = client.patch(
        "/api/merchant/shop", json={"share_capital": "beaucoup"}, headers=owner.headers
    )
    assert bad.status_code == 422 and "capital social" in bad.json()["message"]
    # La Poste's establishments follow INSEE's own rule (python-stdnum knows it).
    la_poste = client.patch(
        "/api/merchant/shop", json={"siret": "356 000 000 00048"}, headers=owner.headers
    )
    assert la_poste.status_code == 200, la_poste.text
    wrong_key = client.patch(
        "/api/merchant/shop", json={"siret": "73282932000075"}, headers=owner.headers
    )
    assert wrong_key.status_code == 422
    assert "clé de contrôle incorrecte" in wrong_key.json()["message"]
    cleared = client.patch("/api/merchant/shop", json={"share_capital": ""}, headers=owner.headers)
    assert cleared.json()["share_capital_cents"] is None


def test_products_can_be_marked_non_returnable(
    client: TestClient, db: Session, owner: Merchant
) -> None:
    created = client.post(
        "/api/merchant/products",
        json={"sku": "ECL-1", "name": "Éclair au café", "price_cents": 350, "returnable": False},
        headers=owner.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["returnable"] is False
    path = f"/api/merchant/products/{created.json()['id']}"
    patched = client.patch(path, json={"returnable": True}, headers=owner.headers)
    assert patched.status_code == 200 and patched.json()["returnable"] is True
    imported = client.post(
        "/api/merchant/products/import",
        files=csv_upload("sku;name;price;returnable\nECL-1;Éclair au café;3,50;non\n"),
        headers=owner.headers,
    )
    assert imported.status_code == 200, imported.text
    db.expire_all()
    assert db.get(Product, created.json()["id"]).returnable is False  # type: ignore[union-attr]
    refused = client.post(
        "/api/merchant/products/import",
        files=csv_upload("sku;name;price;returnable\nECL-1;Éclair au café;3,50;peut-être\n"),
        headers=owner.headers,
    )
    assert refused.status_code == 422 and "peut-être" in refused.text
