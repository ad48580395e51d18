"""Helpers for tests that pay through localstripe with the real SDK and sign webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import stripe
from sqlalchemy.orm import Session

from comptoir.models import Payment
from comptoir.services import payments


def confirm_card(payment_intent_id: str, payment_method: str = "pm_card_visa") -> Any:
    """Pay a PaymentIntent with a test card as Stripe.js would; returns the intent after it.

    localstripe refuses `confirm` with a payment_method, so the card is attached first.
    A declined card raises stripe.CardError on confirm; the intent is then returned as is.
    """
    client = payments.stripe_client().v1
    client.payment_intents.update(payment_intent_id, params={"payment_method": payment_method})
    try:
        return client.payment_intents.confirm(payment_intent_id)
    except stripe.CardError:
        return client.payment_intents.retrieve(payment_intent_id)


def pay_order(db: Session, order_id: int) -> Payment:
    """Create the order's intent, pay it with a Visa test card and record the success."""
    payment = payments.ensure_payment_intent(db, order_id)
    db.commit()
    assert payment.stripe_payment_intent_id is not None
    intent = confirm_card(payment.stripe_payment_intent_id)
    assert intent.status == "succeeded"
    payment = payments.mark_payment_succeeded(db, order_id, payment.stripe_payment_intent_id)
    db.commit()
    return payment


def intents_of_order(order_id: int) -> list[Any]:
    """Every PaymentIntent localstripe holds for this order (by metadata)."""
    client = payments.stripe_client().v1
    listed = client.payment_intents.list(params={"limit": 100}).auto_paging_iter()
    return [pi for pi in listed if pi.metadata.to_dict().get("order_id") == str(order_id)]


def refunds_of_intent(payment_intent_id: str) -> list[Any]:
    """Every refund localstripe made on this PaymentIntent."""
    client = payments.stripe_client().v1
    listed = client.refunds.list(params={"payment_intent": payment_intent_id, "limit": 100})
    return list(listed.auto_paging_iter())


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header as Stripe computes it: HMAC-SHA256 of `<t>.<payload>`."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def event_payload(
    event_id: str,
    event_type: str,
    payment_intent_id: str,
    *,
    failure_message: str | None = None,
    order_id: int | None = None,
) -> bytes:
    """The JSON body of a Stripe event about a PaymentIntent, as Stripe sends it."""
    error = {"code": "card_declined", "message": failure_message} if failure_message else None
    event = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2017-08-15",
        "data": {
            "object": {
                "id": payment_intent_id,
                "object": "payment_intent",
                "amount": 1000,
                "currency": "eur",
                "status": "succeeded" if failure_message is None else "requires_payment_method",
                "last_payment_error": error,
                "metadata": {"order_id": str(order_id)} if order_id is not None else {},
            }
        },
    }
    return json.dumps(event).encode()
