"""Account pages: login, logout, sign-up, forgotten password, account, data, deletion, CSRF."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import DeletionRequest, PasswordResetToken, Role, Shop, ShopStatus, User
from tests.factories import PASSWORD, create_user
from tests.storefront.formtools import browser_login, csrf_of, page_csrf, post_form


def test_login_page_renders_in_french_with_csrf_field(client: TestClient, db: Session) -> None:
    response = client.get("/connexion")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text and "Mot de passe oublié" in response.text
    assert csrf_of(response) == client.cookies.get("comptoir_csrf")
    assert "Content-Security-Policy" in response.headers


def test_login_then_logout(client: TestClient, db: Session) -> None:
    user = create_user(db, Role.shopper, first_name="Léa")
    db.commit()
    browser_login(client, user)
    account = client.get("/compte")
    assert account.status_code == 200 and user.email in account.text
    assert account.headers["cache-control"] == "no-store"
    response = post_form(client, "/deconnexion", page="/compte")
    assert response.status_code == 303
    client.cookies.delete("comptoir_session")
    assert client.get("/compte", follow_redirects=False).status_code == 303


def test_login_goes_back_to_next_but_never_to_another_site(client: TestClient, db: Session) -> None:
    user = create_user(db)
    db.commit()
    token = page_csrf(client, "/connexion")
    data = {"csrf_token": token, "email": user.email, "password": PASSWORD}
    ok = client.post("/connexion", data={**data, "next": "/compte"}, follow_redirects=False)
    assert ok.headers["location"] == "/compte"
    client.cookies.delete("comptoir_session")
    evil = client.post(
        "/connexion", data={**data, "next": "//evil.example/"}, follow_redirects=False
    )
    assert evil.headers["location"] == "/"


def test_wrong_password_shows_the_form_again_with_the_reason(
    client: TestClient, db: Session
) -> None:
    user = create_user(db)
    db.commit()
    response = post_form(
        client, "/connexion", {"email": user.email, "password": "faux"}, page="/connexion"
    )
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert "comptoir_session" not in response.cookies


def test_form_without_csrf_token_is_refused_with_an_html_page(
    client: TestClient, db: Session
) -> None:
    user = create_user(db)
    db.commit()
    client.get("/connexion")
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Le formulaire a expiré" in response.text
    forged = client.post(
        "/connexion", data={"csrf_token": "x" * 43, "email": user.email, "password": PASSWORD}
    )
    assert forged.status_code == 403


def test_logged_in_form_needs_the_session_token_not_the_anonymous_one(
    client: TestClient, db: Session
) -> None:
    user = create_user(db)
    db.commit()
    anonymous = page_csrf(client, "/connexion")
    browser_login(client, user)
    stale = client.post("/compte", data={"csrf_token": anonymous, "first_name": "X"})
    assert stale.status_code == 403


def test_anonymous_account_page_redirects_to_login_with_next(
    client: TestClient, db: Session
) -> None:
    response = client.get("/compte", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?next=/compte"


def test_shopper_signs_up_then_logs_in(client: TestClient, db: Session) -> None:
    response = post_form(
        client,
        "/inscription",
        {
            "role": "client",
            "first_name": "Jeanne",
            "last_name": "Martin",
            "email": "jeanne@example.test",
            "password": "un-mot-de-passe-long",
            "password_confirm": "un-mot-de-passe-long",
            "accept_terms": "1",
        },
        page="/inscription",
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/connexion"
    assert "comptoir_session" not in response.cookies
    assert "un e-mail vient de partir à jeanne@example.test" in client.get("/connexion").text
    user = db.scalar(select(User).where(User.email == "jeanne@example.test"))
    assert user is not None and user.role == Role.shopper
    browser_login(client, user, "un-mot-de-passe-long")
    assert "Jeanne" in client.get("/compte").text


def test_merchant_sign_up_creates_a_pending_shop(client: TestClient, db: Session) -> None:
    response = post_form(
        client,
        "/inscription",
        {
            "role": "vendeur",
            "first_name": "Paul",
            "last_name": "Durand",
            "email": "paul@example.test",
            "password": "un-mot-de-passe-long",
            "password_confirm": "un-mot-de-passe-long",
            "accept_terms": "1",
            "shop_name": "Fromagerie Durand",
            "trade": "Fromagerie",
            "legal_name": "Durand SARL",
            "siret": "732 829 320 00074",
            "address_line": "3 place du Marché",
            "postal_code": "69001",
            "city": "Lyon",
            "phone": "04 78 00 00 00",
        },
        page="/inscription",
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/connexion"
    shop = db.scalar(select(Shop).where(Shop.name == "Fromagerie Durand"))
    assert shop is not None and shop.status == ShopStatus.pending


def test_sign_up_errors_are_shown_on_the_form(client: TestClient, db: Session) -> None:
    create_user(db, email="pris@example.test")
    db.commit()
    base = {
        "role": "client", "first_name": "A", "last_name": "B", "email": "pris@example.test",
        "password": "un-mot-de-passe-long", "password_confirm": "un-mot-de-passe-long",
        "accept_terms": "1",
    }  # fmt: skip
    # A taken address is answered like a new one (its owner is e-mailed instead).
    taken = post_form(client, "/inscription", base, page="/inscription")
    assert taken.status_code == 303 and taken.headers["location"] == "/connexion"
    assert "existe" not in client.get("/connexion").text
    mismatch = post_form(
        client, "/inscription", {**base, "password_confirm": "autre"}, page="/inscription"
    )
    assert mismatch.status_code == 422 and "pas identiques" in mismatch.text
    assert 'value="pris@example.test"' in mismatch.text  # what was typed stays in the form
    no_terms = {k: v for k, v in base.items() if k != "accept_terms"}
    refused = post_form(
        client, "/inscription", {**no_terms, "email": "x@example.test"}, page="/inscription"
    )
    assert refused.status_code == 422 and "conditions générales" in refused.text


def test_forgotten_password_answers_the_same_for_unknown_addresses(
    client: TestClient, db: Session
) -> None:
    user = create_user(db)
    db.commit()
    known = post_form(client, "/mot-de-passe/oublie", {"email": user.email})
    unknown = post_form(client, "/mot-de-passe/oublie", {"email": "personne@example.test"})
    assert known.status_code == unknown.status_code == 200
    assert "Si un compte existe" in known.text and "Si un compte existe" in unknown.text
    assert db.scalar(select(PasswordResetToken.user_id)) == user.id


def test_reset_page_with_bad_token_explains(client: TestClient, db: Session) -> None:
    assert (
        "Choisir un nouveau mot de passe"
        in client.get("/mot-de-passe/reinitialiser?token=abc").text
    )
    response = post_form(
        client,
        "/mot-de-passe/reinitialiser",
        {
            "token": "inconnu",
            "password": "nouveau-mot-de-passe",
            "password_confirm": "nouveau-mot-de-passe",
        },
    )
    assert response.status_code == 400 and "pas valide" in response.text


def test_account_details_update_and_data_download(client: TestClient, db: Session) -> None:
    user = create_user(db)
    db.commit()
    browser_login(client, user)
    response = post_form(
        client,
        "/compte",
        {
            "first_name": "Camille",
            "last_name": "Nouveau",
            "phone": "06 12 34 56 78",
            "email": user.email,
        },
        page="/compte",
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(User, user.id).last_name == "Nouveau"  # type: ignore[union-attr]
    download = client.get("/compte/donnees")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert json.loads(download.text)["account"]["last_name"] == "Nouveau"


def test_deletion_request_needs_the_box_ticked(client: TestClient, db: Session) -> None:
    user = create_user(db)
    db.commit()
    browser_login(client, user)
    unticked = post_form(client, "/compte/suppression", {"reason": "Je déménage"}, page="/compte")
    assert unticked.status_code == 422
    done = post_form(client, "/compte/suppression", {"confirm": "1"}, page="/compte")
    assert done.status_code == 303
    assert db.scalar(select(DeletionRequest.user_id)) == user.id
    assert "en cours de traitement" in client.get("/compte").text


def test_cookie_notice_shows_until_acknowledged(client: TestClient, db: Session) -> None:
    assert "cookie-notice" in client.get("/connexion").text
    response = post_form(client, "/cookies", {"next": "/connexion"}, page="/connexion")
    assert response.status_code == 303 and response.headers["location"] == "/connexion"
    assert "cookie-notice" not in client.get("/connexion").text
    assert "comptoir_session" in client.get("/cookies").text


def test_unknown_page_is_a_french_html_404_but_api_stays_json(
    client: TestClient, db: Session
) -> None:
    page = client.get("/nulle-part")
    assert page.status_code == 404 and "Page introuvable" in page.text
    api = client.get("/api/nulle-part")
    assert api.status_code == 404 and api.json()["error"] == "http_404"
