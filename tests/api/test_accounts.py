"""Sign-up, password reset by e-mail, profile, password change, deletion request, export."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import (
    DeletionRequest,
    DeletionStatus,
    DeliveryMode,
    Message,
    PasswordResetToken,
    Role,
    Shop,
    ShopStatus,
    User,
)
from comptoir.security import verify_password
from tests.conftest import ROOT, MailSink, text_of
from tests.factories import (
    PASSWORD,
    create_order_with_line,
    create_product,
    create_shop,
    create_user,
    login_headers,
)

NEW_PASSWORD = "Un-nouveau-secret-2026"
VALID_SIRET = "73282932000074"


def shopper_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "email": "lea.martin@example.test",
        "password": "Cerises-et-abricots",
        "first_name": "Léa",
        "last_name": "Martin",
        "role": "shopper",
        "accept_terms": True,
    }
    form.update(overrides)
    return form


def merchant_form(**overrides: Any) -> dict[str, Any]:
    form = shopper_form(email="paul@fromagerie.test", first_name="Paul", role="merchant")
    form["shop"] = {
        "name": "Fromagerie du Marché",
        "trade": "fromagerie",
        "legal_name": "Fromagerie du Marché SARL",
        "siret": "732 829 320 00074",
        "address_line": "3 place du Marché",
        "postal_code": "69002",
        "city": "Lyon",
        "phone": "04 72 00 00 00",
        "email": "contact@fromagerie.test",
    }
    form.update(overrides)
    return form


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def reset_token_from(mail_sink: MailSink, address: str) -> str:
    """The token of the newest reset link e-mailed to `address`."""
    messages = [m for m in mail_sink.to(address) if "mot de passe" in str(m["Subject"])]
    assert messages, f"no reset e-mail to {address}"
    body = messages[-1].get_body(preferencelist=("plain",))
    assert body is not None
    match = re.search(r"/mot-de-passe/reinitialiser\?token=([\w-]+)", body.get_content())
    assert match, body.get_content()
    return match.group(1)


@pytest.fixture
def smtp_down() -> Iterator[None]:
    """Point the platform at a port where no SMTP server listens."""
    from comptoir.settings import get_settings
    from devstack.services import free_port

    previous = os.environ.get("COMPTOIR_SMTP_PORT")
    os.environ["COMPTOIR_SMTP_PORT"] = str(free_port())
    get_settings.cache_clear()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("COMPTOIR_SMTP_PORT", None)
        else:
            os.environ["COMPTOIR_SMTP_PORT"] = previous
        get_settings.cache_clear()


# --- sign-up ----------------------------------------------------------------------------


def test_shopper_signs_up_is_welcomed_then_logs_in(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    response = client.post("/api/accounts", json=shopper_form())
    assert response.status_code == 202, response.text
    assert "un e-mail vient de partir à lea.martin@example.test" in response.json()["message"]
    assert "comptoir_session" not in response.cookies  # the same answer as a taken address
    user = db.scalar(select(User).where(User.email == "lea.martin@example.test"))
    assert user is not None and user.role == Role.shopper and user.first_name == "Léa"
    welcome = mail_sink.to("lea.martin@example.test")
    assert len(welcome) == 1 and "Bienvenue" in str(welcome[0]["Subject"])
    assert "chercher des produits" in text_of(welcome[0])
    assert "/connexion" in text_of(welcome[0])
    login = client.post(
        "/api/auth/login", json={"email": "lea.martin@example.test", "password": shopper_form()["password"]}
    )
    assert login.status_code == 200, login.text
    me = client.get("/api/accounts/me", headers=bearer(login.json()["token"]))
    assert me.status_code == 200 and me.json()["email"] == "lea.martin@example.test"


def test_merchant_signs_up_with_a_pending_shop(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    mail_sink.clear()
    response = client.post("/api/accounts", json=merchant_form())
    assert response.status_code == 202, response.text
    user_id = db.scalar(select(User.id).where(User.email == "paul@fromagerie.test"))
    shop = db.scalar(select(Shop).where(Shop.owner_id == user_id))
    assert shop is not None
    assert shop.status == ShopStatus.pending
    assert shop.slug == "fromagerie-du-marche" and shop.siret == VALID_SIRET
    modes = db.scalars(select(DeliveryMode).where(DeliveryMode.shop_id == shop.id)).all()
    assert [(m.kind.value, m.price_cents, m.active) for m in modes] == [("pickup", 0, True)]
    text = text_of(mail_sink.to("paul@fromagerie.test")[0])
    assert "Fromagerie du Marché" in text and "attend la validation" in text


def test_second_shop_with_the_same_name_gets_its_own_slug(client: TestClient, db: Session) -> None:
    assert client.post("/api/accounts", json=merchant_form()).status_code == 202
    second = client.post("/api/accounts", json=merchant_form(email="autre@fromagerie.test"))
    assert second.status_code == 202
    slugs = set(db.scalars(select(Shop.slug)))
    assert slugs == {"fromagerie-du-marche", "fromagerie-du-marche-2"}


@pytest.mark.parametrize(
    ("form", "fragment"),
    [
        (shopper_form(role="operator"), "Je suis un client"),
        (shopper_form(accept_terms=False), "conditions générales"),
        (shopper_form(password="court"), "au moins 10 caractères"),
        (shopper_form(password="12345678901234"), "uniquement de chiffres"),
        (shopper_form(email="pas-une-adresse"), "n'est pas valide"),
        (shopper_form(first_name="  "), "prénom"),
        (merchant_form(shop=None), "présenter sa boutique"),
        (shopper_form(shop=merchant_form()["shop"]), "Seul un compte vendeur"),
        (merchant_form(shop={**merchant_form()["shop"], "siret": "73282932000075"}), "clé"),
        (merchant_form(shop={**merchant_form()["shop"], "siret": "1234"}), "14 chiffres"),
        (merchant_form(shop={**merchant_form()["shop"], "postal_code": "690"}), "code postal"),
    ],
)
def test_sign_up_refuses_bad_input_with_a_clear_message(
    client: TestClient, db: Session, form: dict[str, Any], fragment: str
) -> None:
    response = client.post("/api/accounts", json=form)
    assert response.status_code == 422, response.text
    assert fragment in response.json()["message"]
    assert db.scalar(select(User.id)) is None


def test_operator_field_smuggling_is_rejected(client: TestClient, db: Session) -> None:
    response = client.post("/api/accounts", json={**shopper_form(), "is_active": False})
    assert response.status_code == 422
    assert "is_active" in response.json()["message"]


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_e_mail(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    owner = create_user(db, Role.shopper, email="lea.martin@example.test", first_name="Léa")
    db.commit()
    mail_sink.clear()
    fresh = client.post("/api/accounts", json=shopper_form(email="nouvelle@example.test"))
    taken = client.post("/api/accounts", json=shopper_form(email="LEA.Martin@example.test"))
    assert taken.status_code == fresh.status_code == 202, taken.text
    assert taken.json()["message"] == fresh.json()["message"].replace(
        "nouvelle@example.test", "LEA.Martin@example.test"
    )
    assert "existe" not in taken.text and "comptoir_session" not in taken.cookies
    assert db.scalar(select(func.count()).select_from(User).where(
        func.lower(User.email) == "lea.martin@example.test")) == 1  # fmt: skip
    (warning,) = mail_sink.to(owner.email)
    content = text_of(warning)
    assert "inscription a été tentée" in str(warning["Subject"])
    assert "aucun nouveau compte n'a été créé" in content
    assert "/connexion" in content and "/mot-de-passe/oublie" in content
    db.refresh(owner)
    assert verify_password(PASSWORD, owner.password_hash)  # the account did not change


def test_sign_up_is_rate_limited_per_address_and_per_ip(
    client: TestClient, db: Session
) -> None:
    from comptoir.settings import get_settings

    settings = get_settings()
    for _ in range(settings.sign_up_max_per_address):
        assert client.post("/api/accounts", json=shopper_form()).status_code == 202
    refused = client.post("/api/accounts", json=shopper_form())
    assert refused.status_code == 429, refused.text
    assert "Trop de demandes d'inscription" in refused.json()["message"]
    # Other addresses from the same IP until the IP's allowance is spent.
    left = settings.sign_up_max_per_ip - settings.sign_up_max_per_address
    for n in range(left):
        answer = client.post("/api/accounts", json=shopper_form(email=f"n{n}@example.test"))
        assert answer.status_code == 202, answer.text
    blocked = client.post("/api/accounts", json=shopper_form(email="encore@example.test"))
    assert blocked.status_code == 429
    assert db.scalar(select(User.id).where(User.email == "encore@example.test")) is None


def test_sign_up_succeeds_when_no_smtp_server_answers(
    client: TestClient, db: Session, smtp_down: None
) -> None:
    response = client.post("/api/accounts", json=shopper_form())
    assert response.status_code == 202, response.text
    assert db.scalar(select(User.email)) == "lea.martin@example.test"


# --- password reset ---------------------------------------------------------------------


def test_password_reset_by_email_link_is_single_use(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    user = create_user(db, email="reset@example.test")
    db.commit()
    old_session = login_headers(client, user)
    mail_sink.clear()

    asked = client.post("/api/accounts/password-reset", json={"email": "Reset@Example.test"})
    assert asked.status_code == 202
    token = reset_token_from(mail_sink, "reset@example.test")
    stored = db.scalar(select(PasswordResetToken.token_hash))
    assert stored is not None and token not in stored  # only the digest is stored

    done = client.post(
        "/api/accounts/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert done.status_code == 200, done.text
    assert client.get("/api/accounts/me", headers=old_session).status_code == 401
    login = client.post("/api/auth/login", json={"email": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 200

    again = client.post(
        "/api/accounts/password-reset/confirm",
        json={"token": token, "new_password": "Encore-un-autre-2027"},
    )
    assert again.status_code == 400
    assert again.json()["error"] == "reset_token_used"
    assert "déjà servi" in again.json()["message"]


def test_password_reset_answers_the_same_for_unknown_addresses(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    create_user(db, email="known@example.test")
    db.commit()
    mail_sink.clear()
    known = client.post("/api/accounts/password-reset", json={"email": "known@example.test"})
    unknown = client.post("/api/accounts/password-reset", json={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(mail_sink.to("known@example.test")) == 1
    assert mail_sink.to("nobody@example.test") == []


def test_expired_reset_token_is_refused(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    user = create_user(db, email="late@example.test")
    db.commit()
    mail_sink.clear()
    client.post("/api/accounts/password-reset", json={"email": user.email})
    token = reset_token_from(mail_sink, user.email)
    row = db.scalar(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    assert row is not None
    # The link was sent with the configured lifetime; move its expiry into the past.
    lifetime = row.expires_at - row.created_at
    assert timedelta(minutes=59) < lifetime < timedelta(minutes=61)
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.commit()
    response = client.post(
        "/api/accounts/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "reset_token_expired" and "expiré" in response.json()["message"]
    db.refresh(user)
    assert verify_password(PASSWORD, user.password_hash)


def test_unknown_reset_token_is_refused(client: TestClient, db: Session) -> None:
    response = client.post(
        "/api/accounts/password-reset/confirm",
        json={"token": "pas-un-vrai-jeton", "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_reset_token"


def test_weak_new_password_keeps_the_reset_link_usable(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    user = create_user(db, email="weak@example.test")
    db.commit()
    mail_sink.clear()
    client.post("/api/accounts/password-reset", json={"email": user.email})
    token = reset_token_from(mail_sink, user.email)
    weak = client.post(
        "/api/accounts/password-reset/confirm", json={"token": token, "new_password": "court"}
    )
    assert weak.status_code == 422 and "10 caractères" in weak.json()["message"]
    ok = client.post(
        "/api/accounts/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert ok.status_code == 200


def test_reset_requests_are_rate_limited_silently(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    user = create_user(db, email="spam@example.test")
    db.commit()
    mail_sink.clear()
    for _ in range(5):
        response = client.post("/api/accounts/password-reset", json={"email": user.email})
        assert response.status_code == 202
    assert len(db.scalars(select(PasswordResetToken)).all()) == 3
    assert len(mail_sink.to(user.email)) == 3


def test_reset_lifts_the_failed_login_lock(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    user = create_user(db, email="locked@example.test")
    db.commit()
    for _ in range(5):
        client.post("/api/auth/login", json={"email": user.email, "password": "mauvais"})
    mail_sink.clear()
    client.post("/api/accounts/password-reset", json={"email": user.email})
    token = reset_token_from(mail_sink, user.email)
    client.post(
        "/api/accounts/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    login = client.post("/api/auth/login", json={"email": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 200


# --- profile and password ---------------------------------------------------------------


def test_account_routes_need_a_login(client: TestClient, db: Session) -> None:
    assert client.get("/api/accounts/me").status_code == 401
    assert client.patch("/api/accounts/me", json={"first_name": "X"}).status_code == 401
    assert client.post(
        "/api/accounts/me/password", json={"current_password": "a", "new_password": "b"}
    ).status_code == 401
    assert client.post("/api/accounts/me/deletion-request", json={}).status_code == 401
    assert client.get("/api/accounts/me/export").status_code == 401


def test_profile_update_of_name_and_phone(client: TestClient, db: Session) -> None:
    user = create_user(db)
    db.commit()
    headers = login_headers(client, user)
    response = client.patch(
        "/api/accounts/me",
        json={"first_name": " Zoé ", "last_name": "Durand", "phone": "06 12 34 56 78"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["first_name"] == "Zoé" and response.json()["phone"] == "06 12 34 56 78"
    bad = client.patch("/api/accounts/me", json={"phone": "abc"}, headers=headers)
    assert bad.status_code == 422 and "téléphone" in bad.json()["message"]
    role = client.patch("/api/accounts/me", json={"role": "operator"}, headers=headers)
    assert role.status_code == 422


def test_email_change_needs_the_current_password(client: TestClient, db: Session) -> None:
    user = create_user(db, email="old@example.test")
    other = create_user(db, email="taken@example.test")
    db.commit()
    headers = login_headers(client, user)
    missing = client.patch("/api/accounts/me", json={"email": "new@example.test"}, headers=headers)
    assert missing.status_code == 400 and missing.json()["error"] == "password_required"
    wrong = client.patch(
        "/api/accounts/me",
        json={"email": "new@example.test", "first_name": "Pirate", "current_password": "faux"},
        headers=headers,
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "wrong_password"
    db.refresh(user)
    assert user.first_name == "Camille"  # nothing changed with a wrong password
    taken = client.patch(
        "/api/accounts/me",
        json={"email": other.email.upper(), "current_password": PASSWORD},
        headers=headers,
    )
    assert taken.status_code == 409
    ok = client.patch(
        "/api/accounts/me",
        json={"email": "new@example.test", "current_password": PASSWORD},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["email"] == "new@example.test"


def test_password_change_keeps_this_session_and_ends_the_others(
    client: TestClient, db: Session
) -> None:
    user = create_user(db)
    db.commit()
    other_device = login_headers(client, user)
    this_device = login_headers(client, user)
    wrong = client.post(
        "/api/accounts/me/password",
        json={"current_password": "faux", "new_password": NEW_PASSWORD},
        headers=this_device,
    )
    assert wrong.status_code == 400 and "actuel est incorrect" in wrong.json()["message"]
    weak = client.post(
        "/api/accounts/me/password",
        json={"current_password": PASSWORD, "new_password": "0123456789"},
        headers=this_device,
    )
    assert weak.status_code == 422
    ok = client.post(
        "/api/accounts/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=this_device,
    )
    assert ok.status_code == 200, ok.text
    assert client.get("/api/accounts/me", headers=this_device).status_code == 200
    assert client.get("/api/accounts/me", headers=other_device).status_code == 401
    db.refresh(user)
    assert verify_password(NEW_PASSWORD, user.password_hash)


# --- deletion request and export ------------------------------------------------------


def test_deletion_request_is_recorded_once(
    client: TestClient, db: Session, mail_sink: MailSink
) -> None:
    user = create_user(db)
    db.commit()
    headers = login_headers(client, user)
    mail_sink.clear()
    first = client.post(
        "/api/accounts/me/deletion-request", json={"reason": "Je déménage"}, headers=headers
    )
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "requested"
    second = client.post("/api/accounts/me/deletion-request", json={}, headers=headers)
    assert second.status_code == 409 and "déjà en cours" in second.json()["message"]
    request = db.scalar(select(DeletionRequest))
    assert request is not None
    assert (request.user_id, request.email_at_request, request.reason) == (
        user.id, user.email, "Je déménage",
    )  # fmt: skip
    db.refresh(user)
    assert user.deletion_requested_at is not None and user.erased_at is None
    assert client.get("/api/accounts/me", headers=headers).status_code == 200  # not deleted here
    assert len(mail_sink.to(user.email)) == 1


def test_a_new_deletion_request_is_possible_once_the_previous_was_refused(
    client: TestClient, db: Session
) -> None:
    user = create_user(db)
    db.add(DeletionRequest(user_id=user.id, email_at_request=user.email,
                           status=DeletionStatus.refused))  # fmt: skip
    db.commit()
    headers = login_headers(client, user)
    response = client.post("/api/accounts/me/deletion-request", json={}, headers=headers)
    assert response.status_code == 201


def test_export_holds_account_orders_messages_and_requests(client: TestClient, db: Session) -> None:
    shopper = create_user(db, email="export@example.test", phone="0600000000")
    shop = create_shop(db)
    product = create_product(db, shop, name="Comté 18 mois")
    order, _, _ = create_order_with_line(db, shopper, product, quantity=2)
    db.add(Message(shop_id=shop.id, shopper_id=shopper.id, sender_id=shopper.id,
                   from_shop=False, body="Avez-vous du Beaufort ?"))  # fmt: skip
    db.add(DeletionRequest(user_id=shopper.id, email_at_request=shopper.email))
    someone_else = create_user(db)
    create_order_with_line(db, someone_else, product)
    db.commit()
    headers = login_headers(client, shopper)
    response = client.get("/api/accounts/me/export", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["account"]["email"] == "export@example.test"
    assert data["account"]["phone"] == "0600000000"
    assert "password_hash" not in data["account"]
    assert "password_hash" not in response.text and "token_hash" not in response.text
    assert [o["id"] for o in data["orders"]] == [order.id]
    lines = data["orders"][0]["vendor_orders"][0]["lines"]
    assert [(line["product_name"], line["quantity"]) for line in lines] == [("Comté 18 mois", 2)]
    assert [m["body"] for m in data["messages"]] == ["Avez-vous du Beaufort ?"]
    assert len(data["deletion_requests"]) == 1
    assert data["shops"] == []
    assert len(data["sessions"]) == 1


def test_export_of_a_merchant_includes_their_shop(client: TestClient, db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, owner=merchant, name="Épicerie Dupont")
    db.commit()
    response = client.get("/api/accounts/me/export", headers=login_headers(client, merchant))
    data = response.json()
    assert [s["name"] for s in data["shops"]] == ["Épicerie Dupont"]
    assert data["shops"][0]["id"] == shop.id and len(data["shops"][0]["delivery_modes"]) == 3


# --- operators from the command line ----------------------------------------------------


def test_cli_creates_an_operator_who_can_log_in(client: TestClient, db: Session) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "comptoir.services.accounts", "create-operator",
         "ops@mairie.test", "--password", "Operateur-solide-1", "--first-name", "Ana"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "ops@mairie.test" in result.stdout
    operator = db.scalar(select(User).where(User.email == "ops@mairie.test"))
    assert operator is not None and operator.role == Role.operator
    login = client.post(
        "/api/auth/login", json={"email": "ops@mairie.test", "password": "Operateur-solide-1"}
    )
    assert login.status_code == 200 and login.json()["user"]["role"] == "operator"


def test_cli_refuses_a_taken_email_and_a_weak_password(
    db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    from comptoir.services.accounts import main

    create_user(db, email="ops@mairie.test")
    db.commit()
    assert main(["create-operator", "ops@mairie.test", "--password", "Operateur-solide-1"]) == 1
    assert "existe déjà" in capsys.readouterr().err
    assert main(["create-operator", "new@mairie.test", "--password", "court"]) == 1
    assert "10 caractères" in capsys.readouterr().err
