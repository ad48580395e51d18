"""Stripe webhooks: verify the signature, store each event once, signal the order's workflow."""

from __future__ import annotations

import functools
import logging
from typing import Any

import stripe
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.errors import error_body
from comptoir.orders import gateway
from comptoir.services import payments
from comptoir.settings import get_settings
from comptoir.web.deps import SessionDep, get_temporal, release_connection, run_async

log = logging.getLogger("comptoir.webhooks")
router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


async def raw_body(request: Request) -> bytes:
    """The request body exactly as sent: the signature covers these bytes."""
    return await request.body()


@router.post("/stripe", response_model=None)
def stripe_webhook(
    request: Request, db: SessionDep, body: bytes = Depends(raw_body)
) -> JSONResponse | dict[str, Any]:
    """Receive a Stripe event; a 2xx tells Stripe not to deliver it again."""
    settings = get_settings()
    try:
        event = stripe.Webhook.construct_event(
            body,
            request.headers.get("stripe-signature"),
            settings.stripe_webhook_secret,
            tolerance=settings.stripe_webhook_tolerance_seconds,
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        log.warning("rejected a Stripe webhook: %s", exc)
        return JSONResponse(
            error_body("invalid_signature", "Signature Stripe absente, invalide ou expirée."),
            status_code=400,
        )
    payments.record_payment_event(db, event)
    # Stored for good before forwarding: an event Temporal could not take stays visible
    # (processed_at empty) and is forwarded on Stripe's next delivery.
    db.commit()
    claimed = payments.stored_payment_event(db, event.id)
    if claimed.already_processed:
        return {"received": True, "duplicate": True}
    if not claimed.concerns_an_order:
        if claimed.event_type in payments.PAYMENT_EVENT_OUTCOMES:
            log.warning("Stripe event %s is about an unknown PaymentIntent", claimed.event_id)
        payments.mark_event_processed(db, claimed.event_id)
        return {"received": True, "ignored": True}
    assert claimed.order_id is not None and claimed.payment_intent_id is not None
    # No row lock nor connection held while Temporal answers (a burst of payments would hold
    # the pool): two deliveries at once may both forward it, and the order's workflow takes
    # an event id once. Temporal down or slow: ServiceUnavailable (503), Stripe delivers again.
    release_connection(request)
    forwarded = run_async(
        functools.partial(
            gateway.forward_payment_event,
            get_temporal(request),
            order_id=claimed.order_id,
            event_id=claimed.event_id,
            payment_intent_id=claimed.payment_intent_id,
            succeeded=claimed.succeeded,
            failure_message=claimed.failure_message,
        )
    )
    if not forwarded:
        # The order's workflow is gone: a redelivery cannot help, an operator must look.
        log.error("no workflow for order %s (event %s)", claimed.order_id, claimed.event_id)
        return {"received": True, "forwarded": False}
    payments.mark_event_processed(db, claimed.event_id)
    return {"received": True, "forwarded": True}
