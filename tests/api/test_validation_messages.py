"""Every 422 reads in French, names the field, and keeps the {"error", "message"} shape."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, EmailStr, ValidationError
from sqlalchemy.orm import Session

from api.validation_fr import french_message
from tests.factories import create_user, login_headers

# Words of pydantic's English messages that must never reach a caller.
ENGLISH = re.compile(r"\b(Field required|should|valid|Input|characters|Extra inputs)\b")


def _refused(answer_json: dict[str, object], *fragments: str) -> None:
    assert answer_json["error"] == "invalid"
    message = str(answer_json["message"])
    assert message.startswith("Requête invalide : "), message
    assert not ENGLISH.search(message), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_missing_extra_too_long_and_not_an_integer_read_in_french(
    client: TestClient, db: Session
) -> None:
    shopper = create_user(db)
    db.commit()
    headers = login_headers(client, shopper)
    missing = client.post("/api/cart/items", json={"quantity": 1}, headers=headers)
    assert missing.status_code == 422
    _refused(missing.json(), "le champ « product_id » est obligatoire")
    assert missing.json()["problems"] == [
        {"field": "product_id", "message": "le champ « product_id » est obligatoire"}
    ]
    extra = client.post(
        "/api/cart/items", json={"product_id": 1, "price_cents": 1}, headers=headers
    )
    _refused(extra.json(), "le champ « price_cents » n'est pas accepté ici")
    too_long = client.post(
        "/api/accounts/password-reset", json={"email": "a" * 400 + "@exemple.test"}
    )
    assert too_long.status_code == 422, too_long.text
    _refused(too_long.json(), "« email » ne doit pas dépasser 320 caractères")
    not_int = client.get("/api/products/search", params={"page": "deux"})
    _refused(not_int.json(), "« page » doit être un nombre entier")
    too_many = client.post(
        "/api/cart/items", json={"product_id": 1, "quantity": 0}, headers=headers
    )
    _refused(too_many.json(), "« quantity » doit être supérieur ou égal à 1")
    bad_sort = client.get("/api/products/search", params={"sort": "au-hasard"})
    _refused(bad_sort.json(), "« sort » doit valoir l'une de ces valeurs")
    not_json = client.post(
        "/api/cart/items", content=b"{pas du json", headers={**headers, "Content-Type":
                                                             "application/json"}
    )  # fmt: skip
    _refused(not_json.json(), "JSON valide")


class _Contact(BaseModel):
    email: EmailStr


def test_an_invalid_email_and_unknown_types_never_pass_english_through() -> None:
    with pytest.raises(ValidationError) as caught:
        _Contact(email="pas-une-adresse")
    (error,) = caught.value.errors()
    assert error["type"] == "value_error"
    assert french_message("email", error) == "« email » n'est pas une adresse e-mail valide"
    unknown = {"type": "some_future_type", "msg": "Input is weird", "ctx": {}}
    assert french_message("x", unknown) == "« x » : valeur invalide"
    own = {"type": "value_error", "msg": "Value error, x", "ctx": {"error": ValueError(
        "le prix doit être positif")}}  # fmt: skip
    assert french_message("prix", own) == "« prix » : le prix doit être positif"
