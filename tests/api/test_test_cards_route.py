"""The test-card payment route exists outside production only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import restore_env, set_env

TEST_CARD_URL = "/commandes/1/paiement/test"


def _answer_of(db: Session) -> int:
    """How the app answers a GET on the test-card route (405: it exists; 404: it does not)."""
    from api.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as client:
        return client.get(TEST_CARD_URL).status_code


def test_the_test_card_route_is_there_outside_production(db: Session) -> None:
    # The route exists (it only takes POST): a GET is "method not allowed", not "not found".
    assert _answer_of(db) == 405


def test_production_has_no_test_card_route(db: Session) -> None:
    previous = set_env(
        {
            "COMPTOIR_ENVIRONMENT": "production",
            "COMPTOIR_SECRET_KEY": "a-production-secret-that-is-long-enough-0123456789",
            "COMPTOIR_STRIPE_WEBHOOK_SECRET": "whsec_production_secret",
            "COMPTOIR_STRIPE_API_KEY": "sk_live_production_key",
        }
    )
    try:
        assert _answer_of(db) == 404
    finally:
        restore_env(previous)
