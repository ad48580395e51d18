"""Values the database cannot hold are the caller's mistake: a clear 4xx, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import create_user, login_headers

HUGE = 4_781_797_251_928_150_016


def test_ids_past_the_database_range_are_not_found(client: TestClient, db: Session) -> None:
    shopper = create_user(db)
    db.commit()
    headers = login_headers(client, shopper)
    for method, path, body in [
        ("GET", f"/api/orders/{HUGE}/payment", None),
        ("GET", f"/api/invoices/{HUGE}.pdf", None),
        ("POST", "/api/cart/items", {"product_id": -HUGE, "quantity": 1}),
        ("DELETE", f"/api/cart/items/{HUGE}", None),
    ]:
        answer = client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["message"].startswith("Introuvable"), path


def test_a_saturated_connection_pool_answers_503_not_500(client: TestClient, db: Session) -> None:
    from comptoir.db import get_engine, reset_engine
    from tests.conftest import restore_env, set_env

    previous = set_env(
        {
            "COMPTOIR_DB_POOL_SIZE": "1",
            "COMPTOIR_DB_MAX_OVERFLOW": "0",
            "COMPTOIR_DB_POOL_TIMEOUT_SECONDS": "0.2",
        }
    )
    reset_engine()
    try:
        with get_engine().connect():  # the only connection, held
            answer = client.get("/api/products/search", params={"q": "pain"})
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"] == "busy" and "réessayez" in answer.json()["message"]
        assert answer.headers["Retry-After"] == "2"
        assert client.get("/api/products/search", params={"q": "pain"}).status_code == 200
    finally:
        restore_env(previous)
        reset_engine()


def test_a_database_that_does_not_answer_is_503_not_500(client: TestClient, db: Session) -> None:
    from comptoir.db import reset_engine
    from tests.conftest import restore_env, set_env

    previous = set_env({"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/nowhere"})
    reset_engine()
    try:
        answer = client.get("/api/products/search", params={"q": "pain"})
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"] == "service_unavailable"
        page = client.get("/recherche", params={"q": "pain"}, headers={"Accept": "text/html"})
        assert page.status_code == 503 and "réessayez" in page.text
    finally:
        restore_env(previous)
        reset_engine()
    assert client.get("/api/products/search", params={"q": "pain"}).status_code == 200
