"""Stripe webhooks: forged, unsigned, stale or tampered deliveries are refused (400) and change
nothing; a replayed event id is a no-op (it never reaches Temporal twice)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import Order, OrderStatus, Payment, PaymentStatus, Role, StripeEvent
from comptoir.settings import get_settings
from tests.factories import create_order, create_product, create_shop, create_user
from tests.stripe_support import event_payload, signature_header

pytestmark = pytest.mark.timeout(60)

WEBHOOK = "/api/webhooks/stripe"
_serial = iter(range(1, 1_000_000))


@pytest.fixture
def db(shared_db: Session) -> Session:
    return shared_db


@pytest.fixture
def client(shared_client: TestClient) -> TestClient:
    return shared_client


@pytest.fixture
def awaiting_payment(db: Session) -> dict[str, Any]:
    """An order waiting for its card payment, with its PaymentIntent recorded."""
    n = next(_serial)
    shopper = create_user(db, Role.shopper)
    order = create_order(db, shopper, [(create_product(db, create_shop(db)), 1)])
    intent_id = f"pi_securite_{n}_{int(time.time())}"
    db.add(
        Payment(
            order_id=order.id,
            stripe_payment_intent_id=intent_id,
            client_secret=f"{intent_id}_secret",
            amount_cents=order.total_cents,
            status=PaymentStatus.pending,
        )
    )
    db.commit()
    return {"order_id": order.id, "intent_id": intent_id, "event_id": f"evt_securite_{n}"}


def _secret() -> str:
    return get_settings().stripe_webhook_secret


def _post(client: TestClient, body: bytes, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post(WEBHOOK, content=body, headers=headers)


def _state(db: Session, data: dict[str, Any]) -> tuple[Any, ...]:
    db.expire_all()
    payment = db.scalar(select(Payment).where(Payment.order_id == data["order_id"]))
    order = db.get_one(Order, data["order_id"])
    events = db.scalar(
        select(func.count())
        .select_from(StripeEvent)
        .where(StripeEvent.payment_intent_id == data["intent_id"])
    )
    assert payment is not None
    return (payment.status, payment.succeeded_at, order.status, order.paid_at, events)


def _forgeries(body: bytes, intent_id: str) -> dict[str, tuple[bytes, str | None]]:
    secret = _secret()
    now = int(time.time())
    stale = now - get_settings().stripe_webhook_tolerance_seconds - 30
    other = event_payload("evt_autre", "payment_intent.succeeded", intent_id)
    valid = signature_header(body, secret, timestamp=now)
    return {
        "unsigned": (body, None),
        "empty signature": (body, ""),
        "wrong secret": (body, signature_header(body, "whsec_devine")),
        "secret of another environment": (body, signature_header(body, secret + "x")),
        "stale timestamp": (body, signature_header(body, secret, timestamp=stale)),
        "tampered body": (body.replace(b"succeeded", b"succeeded "), valid),
        "signature of another event": (body, signature_header(other, secret)),
        "garbage header": (body, "t=abc,v1=zzzz"),
        "scheme v0 only": (body, valid.replace("v1=", "v0=")),
        "timestamp moved": (body, valid.replace(f"t={now}", f"t={now + 1}")),
    }


def test_forged_webhooks_are_refused_and_change_nothing(
    client: TestClient, db: Session, awaiting_payment: dict[str, Any]
) -> None:
    data = awaiting_payment
    body = event_payload(
        data["event_id"], "payment_intent.succeeded", data["intent_id"], order_id=data["order_id"]
    )
    before = _state(db, data)
    assert before[0] == PaymentStatus.pending and before[2] == OrderStatus.awaiting_payment
    wrong = []
    for name, (payload, signature) in _forgeries(body, data["intent_id"]).items():
        response = _post(client, payload, signature)
        if response.status_code != 400 or response.json().get("error") != "invalid_signature":
            wrong.append(f"{name}: {response.status_code} {response.text[:150]}")
    assert not wrong, "forged webhooks accepted:\n" + "\n".join(wrong)
    assert _state(db, data) == before
    db.expire_all()
    assert db.get(StripeEvent, data["event_id"]) is None


def test_replayed_event_is_stored_once_and_is_a_no_op(
    client: TestClient, db: Session, awaiting_payment: dict[str, Any]
) -> None:
    """An event about no order of ours is recorded once; its replays answer `duplicate`."""
    data = awaiting_payment
    event_id = data["event_id"] + "_inconnu"
    body = event_payload(event_id, "payment_intent.succeeded", "pi_qui_n_existe_pas")
    signature = signature_header(body, _secret())
    first = _post(client, body, signature)
    assert first.status_code == 200 and first.json().get("ignored") is True, first.text
    db.expire_all()
    stored = db.get_one(StripeEvent, event_id)
    processed_at = stored.processed_at
    assert processed_at is not None
    for _ in range(2):
        replay = _post(client, body, signature_header(body, _secret()))
        assert replay.status_code == 200 and replay.json().get("duplicate") is True, replay.text
    db.expire_all()
    rows = db.scalar(
        select(func.count()).select_from(StripeEvent).where(StripeEvent.id == event_id)
    )
    assert rows == 1
    assert db.get_one(StripeEvent, event_id).processed_at == processed_at


def test_replay_of_a_forwarded_order_event_does_not_reach_temporal(
    client: TestClient, db: Session, awaiting_payment: dict[str, Any]
) -> None:
    """First delivery with Temporal down: 503 (Stripe retries), stored, not processed, payment
    untouched. Once forwarded, a replay answers `duplicate` without Temporal (which is down:
    reaching it would be a 503)."""
    data = awaiting_payment
    body = event_payload(
        data["event_id"], "payment_intent.succeeded", data["intent_id"], order_id=data["order_id"]
    )
    first = _post(client, body, signature_header(body, _secret()))
    assert first.status_code == 503, first.text
    db.expire_all()
    stored = db.get_one(StripeEvent, data["event_id"])
    assert stored.processed_at is None
    status, succeeded_at, order_status, paid_at, events = _state(db, data)
    assert (status, succeeded_at, order_status, paid_at, events) == (
        PaymentStatus.pending,
        None,
        OrderStatus.awaiting_payment,
        None,
        1,
    )
    # As if the workflow had received it on a later delivery.
    stored.processed_at = datetime.now(UTC)
    db.commit()
    replay = _post(client, body, signature_header(body, _secret()))
    assert replay.status_code == 200 and replay.json().get("duplicate") is True, replay.text
    # Same id, other content (validly signed): still the first event, untouched.
    failed = event_payload(
        data["event_id"],
        "payment_intent.payment_failed",
        data["intent_id"],
        failure_message="Carte refusée",
        order_id=data["order_id"],
    )
    again = _post(client, failed, signature_header(failed, _secret()))
    assert again.status_code == 200 and again.json().get("duplicate") is True, again.text
    db.expire_all()
    assert db.get_one(StripeEvent, data["event_id"]).type == "payment_intent.succeeded"
    assert _state(db, data)[:4] == (PaymentStatus.pending, None, OrderStatus.awaiting_payment, None)
