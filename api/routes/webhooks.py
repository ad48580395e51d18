"""Stripe webhooks: verify the signature, store each event once, signal the order's workflow."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import stripe
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from api.errors import error_body
from comptoir.errors import ServiceUnavailable
from comptoir.services import payments
from comptoir.services.payments import PaymentEventResult
from comptoir.settings import get_settings
from comptoir.web.deps import SessionDep, get_temporal, run_async
from workflows.inputs import PAYMENT_EVENT_SIGNAL, PaymentEvent, order_workflow_id

log = logging.getLogger("comptoir.webhooks")
router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])

SIGNAL_TIMEOUT = timedelta(seconds=5)
TEMPORAL_DOWN = (
    "Le moteur de commandes est momentanément indisponible ; l'événement sera relivré."
)


async def raw_body(request: Request) -> bytes:
    """The request body exactly as sent: the signature covers these bytes."""
    return await request.body()


async def _signal(client: Client, result: PaymentEventResult) -> None:
    assert result.order_id is not None and result.payment_intent_id is not None
    handle = client.get_workflow_handle(order_workflow_id(result.order_id))
    await handle.signal(
        PAYMENT_EVENT_SIGNAL,
        PaymentEvent(
            event_id=result.event_id,
            payment_intent_id=result.payment_intent_id,
            succeeded=result.succeeded,
            failure_message=result.failure_message,
        ),
        rpc_timeout=SIGNAL_TIMEOUT,
    )


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
    claimed = payments.claim_payment_event(db, event.id)
    if claimed.already_processed:
        return {"received": True, "duplicate": True}
    if not claimed.concerns_an_order:
        if claimed.event_type in payments.PAYMENT_EVENT_OUTCOMES:
            log.warning("Stripe event %s is about an unknown PaymentIntent", claimed.event_id)
        payments.mark_event_processed(db, claimed.event_id)
        return {"received": True, "ignored": True}
    client = get_temporal(request)
    try:
        run_async(_signal, client, claimed)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            # The order's workflow is gone: a redelivery cannot help, an operator must look.
            log.error("no workflow for order %s (event %s)", claimed.order_id, claimed.event_id)
            return {"received": True, "forwarded": False}
        raise ServiceUnavailable(TEMPORAL_DOWN) from exc
    except Exception as exc:  # timeouts and connection failures: Stripe retries later
        log.warning("could not signal order %s: %s", claimed.order_id, exc)
        raise ServiceUnavailable(TEMPORAL_DOWN) from exc
    payments.mark_event_processed(db, claimed.event_id)
    return {"received": True, "forwarded": True}
