"""Card payments through Stripe: the one PaymentIntent of an order, its events, refunds.

Stripe (and localstripe in development and tests) is called with the real SDK. localstripe
ignores idempotency keys, so exactly-once rests on our own rows and row locks: the order row
is locked (`SELECT … FOR UPDATE`) around every create, and what Stripe may have created
before a crash is found again through the object's metadata before creating anything.
Idempotency keys are still sent: real Stripe honours them, which closes the last windows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import stripe
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.domain.card_declines import decline_code, decline_message
from comptoir.domain.labels import STRIPE_REFUND_STATUS_LABELS
from comptoir.domain.money import format_eur, split_proportionally
from comptoir.errors import Conflict, NotFound
from comptoir.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    StripeEvent,
    VendorOrder,
)
from comptoir.services import locking
from comptoir.services.locking import lock_order
from comptoir.settings import get_settings

log = logging.getLogger("comptoir.payments")

CURRENCY = "eur"
# Webhook event types that matter to an order; every other type is stored and ignored.
PAYMENT_EVENT_OUTCOMES = {"payment_intent.succeeded": True, "payment_intent.payment_failed": False}
# PaymentIntent states in which Stripe still accepts a change of amount.
AMOUNT_EDITABLE_STATES = {"requires_payment_method", "requires_confirmation", "requires_action"}

NOT_PAYABLE_MESSAGES = {
    OrderStatus.awaiting_confirmation: "Cette commande attend encore la confirmation du vendeur.",
    OrderStatus.cancelled: "Cette commande est annulée : elle ne peut plus être payée.",
    OrderStatus.payment_failed: "Le délai de paiement de cette commande est dépassé : "
    "elle ne peut plus être payée.",
}
ALREADY_PAID_MESSAGE = "Cette commande est déjà payée."


# --- client --------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    # Short timeouts: an activity or a request must fail fast and be retried, not hang.
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=1,
        http_client=stripe.RequestsClient(timeout=(3.0, 15.0)),
    )


def stripe_client() -> stripe.StripeClient:
    """The Stripe client of the configured key and API base (localstripe in development)."""
    settings = get_settings()
    return _client_for(settings.stripe_api_key, settings.stripe_api_base)


def _now() -> datetime:
    return datetime.now(UTC)


def _metadata(obj: Any) -> dict[str, Any]:
    """A Stripe object's metadata as a plain dict (stripe 16 objects are not dicts)."""
    metadata = getattr(obj, "metadata", None)
    if metadata is None:
        return {}
    return dict(metadata.to_dict()) if hasattr(metadata, "to_dict") else dict(metadata)


def is_permanent_refusal(exc: stripe.StripeError) -> bool:
    """Whether Stripe refused for good (a retry would get the same answer)."""
    if isinstance(exc, stripe.IdempotencyError | stripe.RateLimitError):
        return False
    return isinstance(exc, stripe.CardError | stripe.InvalidRequestError | stripe.PermissionError)


# --- the PaymentIntent of an order ---------------------------------------------------------


def payment_of(db: Session, order_id: int) -> Payment | None:
    """The order's Payment row, re-read from the database."""
    return db.scalar(
        select(Payment)
        .where(Payment.order_id == order_id)
        .execution_options(populate_existing=True)
    )


def _check_payable(order: Order) -> None:
    if order.status == OrderStatus.awaiting_payment:
        if order.total_cents <= 0:
            raise Conflict("Cette commande n'a plus rien à payer.")
        return
    raise Conflict(NOT_PAYABLE_MESSAGES.get(order.status, ALREADY_PAID_MESSAGE), code="not_payable")


def _find_intent_of_order(client: stripe.StripeClient, payment: Payment) -> Any | None:
    """The PaymentIntent an earlier attempt created for this Payment row before crashing."""
    order_id, payment_id = str(payment.order_id), str(payment.id)
    # Ids restart when a database is rebuilt while Stripe keeps its objects: an intent older
    # than our marker row belongs to another incarnation (a minute of clock slack).
    not_before = payment.created_at.timestamp() - 60
    candidates: Iterable[Any]
    try:
        found = client.v1.payment_intents.search(
            params={"query": f"metadata['order_id']:'{order_id}'", "limit": 20}
        )
        candidates = found.data
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise
        # localstripe has no Search API (404): scan the list, which is small there.
        candidates = client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
    for intent in candidates:
        metadata = _metadata(intent)
        if (
            metadata.get("order_id") == order_id
            and metadata.get("payment_id") == payment_id
            and intent.status != "canceled"
            and int(intent.created) >= not_before
        ):
            return intent
    return None


def ensure_payment_intent(db: Session, order_id: int) -> Payment:
    """The order's one PaymentIntent, created at most once (concurrent calls and retries alike).

    Commits once, before calling Stripe, so that a crash between Stripe's create and the
    caller's commit leaves a marker row telling the next attempt to look for that intent.
    """
    order = lock_order(db, order_id)
    _check_payable(order)
    payment = payment_of(db, order_id)
    fresh_marker = False
    if payment is None:
        db.add(Payment(order_id=order_id, amount_cents=order.total_cents, status=PaymentStatus.pending))
        db.commit()  # the marker must outlive a crash during the Stripe call; releases the lock
        order = lock_order(db, order_id)  # whoever got the lock meanwhile may have finished
        _check_payable(order)
        payment = payment_of(db, order_id)
        assert payment is not None  # committed above, and payments are never deleted
        fresh_marker = payment.stripe_payment_intent_id is None
    client = stripe_client()
    if payment.stripe_payment_intent_id is None:
        # A marker we did not just write means an earlier attempt may have reached Stripe.
        intent = None if fresh_marker else _find_intent_of_order(client, payment)
        if intent is None:
            intent = client.v1.payment_intents.create(
                params={  # type: ignore[typeddict-unknown-key]
                    "amount": order.total_cents,
                    "currency": CURRENCY,
                    # Card only (FAQ). SDK 16's API version calls it allowed_payment_method_types;
                    # localstripe knows only this name and refuses unknown parameters.
                    "payment_method_types": ["card"],
                    "metadata": {"order_id": str(order_id), "payment_id": str(payment.id)},
                },
                options={"idempotency_key": f"comptoir-order-{order_id}-pi-{payment.id}"},
            )
        payment.stripe_payment_intent_id = intent.id
        payment.client_secret = intent.client_secret or ""
        payment.amount_cents = int(intent.amount)
    elif payment.status == PaymentStatus.failed or _declined_meanwhile(client, payment):
        _start_new_attempt(client, payment, order)
    if payment.status != PaymentStatus.succeeded and payment.amount_cents != order.total_cents:
        _sync_amount(client, payment, order.total_cents)
    db.flush()
    return payment


def _declined_meanwhile(client: stripe.StripeClient, payment: Payment) -> bool:
    """A card was declined on the current intent but its event has not been recorded yet.

    The shopper must be able to try again at once, not after the webhook and the workflow
    have caught up (several seconds on a busy machine); the spent intent's late event is
    then ignored, as `mark_payment_failed` ignores news of any replaced intent.
    """
    if payment.status != PaymentStatus.pending or payment.stripe_payment_intent_id is None:
        return False
    intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    if intent.status == "requires_payment_method" and intent.last_payment_error:
        code = decline_code(intent.last_payment_error.to_dict())
        payment.failure_code = code
        payment.failure_message = decline_message(code)
        return True
    return False


def _start_new_attempt(client: stripe.StripeClient, payment: Payment, order: Order) -> None:
    """After a declined card, a fresh PaymentIntent for the next card (the spent one is cancelled).

    Stripe would let the same intent be confirmed again, but not every Stripe-compatible
    server does; a new intent works everywhere. The old one is cancelled first, so it can
    never be paid; its late events find no order and are ignored.
    """
    assert payment.stripe_payment_intent_id is not None
    spent = payment.stripe_payment_intent_id
    intent = client.v1.payment_intents.retrieve(spent)
    if intent.status == "succeeded":
        return  # paid meanwhile: its event will record it
    if intent.status != "canceled":
        client.v1.payment_intents.cancel(spent)
    fresh = client.v1.payment_intents.create(
        params={  # type: ignore[typeddict-unknown-key]
            "amount": order.total_cents,
            "currency": CURRENCY,
            "payment_method_types": ["card"],
            "metadata": {"order_id": str(order.id), "payment_id": str(payment.id)},
        },
        options={"idempotency_key": f"comptoir-order-{order.id}-pi-{payment.id}-after-{spent}"},
    )
    payment.stripe_payment_intent_id = fresh.id
    payment.client_secret = fresh.client_secret or ""
    payment.amount_cents = int(fresh.amount)
    payment.status = PaymentStatus.pending


def _sync_amount(client: stripe.StripeClient, payment: Payment, amount_cents: int) -> None:
    """Lines declined before payment lower the total: the intent must ask for the new one."""
    assert payment.stripe_payment_intent_id is not None
    intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    if intent.status not in AMOUNT_EDITABLE_STATES:
        # Already being paid: the payment event decides; never change what the card saw.
        return
    if int(intent.amount) != amount_cents:
        client.v1.payment_intents.update(
            payment.stripe_payment_intent_id, params={"amount": amount_cents}
        )
    payment.amount_cents = amount_cents


def _lock_payment(db: Session, order_id: int, payment_intent_id: str, *, strict: bool = True) -> Payment:
    payment = db.scalar(
        select(Payment)
        .where(Payment.order_id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if payment is None or (strict and payment.stripe_payment_intent_id != payment_intent_id):
        raise Conflict("Ce paiement ne correspond pas à cette commande.", code="payment_mismatch")
    return payment


def mark_payment_succeeded(db: Session, order_id: int, payment_intent_id: str) -> Payment:
    """Record that the order's PaymentIntent succeeded (idempotent)."""
    payment = _lock_payment(db, order_id, payment_intent_id)
    if payment.status != PaymentStatus.succeeded:
        payment.status = PaymentStatus.succeeded
        payment.succeeded_at = _now()
        payment.failure_message = ""
        payment.failure_code = ""
    order = db.get(Order, order_id)
    if order is not None and order.paid_at is None:
        order.paid_at = payment.succeeded_at
    db.flush()
    return payment


def mark_payment_failed(
    db: Session, order_id: int, payment_intent_id: str, message: str, code: str | None = None
) -> Payment:
    """Record a declined attempt; the order stays payable with another card (idempotent).

    The shopper reads a French sentence chosen from the decline code (`code`, else the one
    in the intent's stored failure event); Stripe's own `message` only goes to the log.
    """
    payment = _lock_payment(db, order_id, payment_intent_id, strict=False)
    if payment.stripe_payment_intent_id != payment_intent_id:
        return payment  # a spent intent's late news: the current attempt is another one
    # Events may arrive out of order: a failed attempt never undoes a success.
    if payment.status != PaymentStatus.succeeded:
        found = code if code is not None else _stored_decline_code(db, payment_intent_id)
        log.info("payment of order %s declined (%s): %s", order_id, found or "?", message)
        payment.status = PaymentStatus.failed
        payment.failure_code = found
        payment.failure_message = decline_message(found)
    db.flush()
    return payment


def _stored_decline_code(db: Session, payment_intent_id: str) -> str:
    """The decline code of the intent's latest stored failure event ("" if none)."""
    payload = db.scalar(
        select(StripeEvent.payload)
        .where(
            StripeEvent.payment_intent_id == payment_intent_id,
            StripeEvent.type == "payment_intent.payment_failed",
        )
        .order_by(StripeEvent.received_at.desc())
        .limit(1)
    )
    intent = _intent_of_payload(payload or {}) or {}
    return decline_code(intent.get("last_payment_error"))


# --- webhook events ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentEventResult:
    """A stored Stripe event as the webhook needs it."""

    event_id: str
    event_type: str
    is_new: bool
    already_processed: bool
    order_id: int | None
    payment_intent_id: str | None
    succeeded: bool
    failure_message: str

    @property
    def concerns_an_order(self) -> bool:
        """A payment outcome of one of our orders, to be signalled to its workflow."""
        return self.event_type in PAYMENT_EVENT_OUTCOMES and self.order_id is not None


def _intent_of_payload(payload: dict[str, Any]) -> dict[str, Any] | None:
    data = payload.get("data") or {}
    obj = data.get("object") if isinstance(data, dict) else None
    if isinstance(obj, dict) and obj.get("object") == "payment_intent":
        return obj
    return None


def _result_of(db: Session, row: StripeEvent, is_new: bool) -> PaymentEventResult:
    intent = _intent_of_payload(row.payload) or {}
    order_id: int | None = None
    if row.payment_intent_id:
        order_id = db.scalar(
            select(Payment.order_id).where(Payment.stripe_payment_intent_id == row.payment_intent_id)
        )
    succeeded = PAYMENT_EVENT_OUTCOMES.get(row.type, False)
    message = ""
    if row.type == "payment_intent.payment_failed":
        message = decline_message(decline_code(intent.get("last_payment_error")))
    return PaymentEventResult(
        event_id=row.id,
        event_type=row.type,
        is_new=is_new,
        already_processed=row.processed_at is not None,
        order_id=order_id,
        payment_intent_id=row.payment_intent_id,
        succeeded=succeeded,
        failure_message=message,
    )


def record_payment_event(db: Session, event: stripe.Event) -> PaymentEventResult:
    """Store a verified webhook event once (by its id) and say whether it is new."""
    payload: dict[str, Any] = event.to_dict()
    intent = _intent_of_payload(payload)
    inserted = db.execute(
        insert(StripeEvent)
        .values(
            id=event.id,
            type=event.type,
            payment_intent_id=intent.get("id") if intent else None,
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=[StripeEvent.id])
        .returning(StripeEvent.id)
    ).scalar_one_or_none()
    row = db.scalar(
        select(StripeEvent).where(StripeEvent.id == event.id).execution_options(populate_existing=True)
    )
    assert row is not None
    return _result_of(db, row, is_new=inserted is not None)


def stored_payment_event(db: Session, event_id: str) -> PaymentEventResult:
    """A stored event as it is now (processed or not), to forward it to its order."""
    row = db.scalar(
        select(StripeEvent)
        .where(StripeEvent.id == event_id)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound("Événement Stripe inconnu.")
    return _result_of(db, row, is_new=False)


def mark_event_processed(db: Session, event_id: str) -> None:
    """The event has been forwarded (or needs nothing): a redelivery is then a no-op."""
    row = db.get(StripeEvent, event_id)
    if row is not None and row.processed_at is None:
        row.processed_at = _now()
        db.flush()


# --- refunds -------------------------------------------------------------------------------


def _refund_already_made(client: stripe.StripeClient, payment_intent_id: str, key: str) -> Any | None:
    """The refund an earlier attempt created with this key (found by its metadata), if any."""
    listed = client.v1.refunds.list(params={"payment_intent": payment_intent_id, "limit": 100})
    for refund in listed.auto_paging_iter():
        if _metadata(refund).get("refund_key") == key:
            return refund
    return None


def _accepted(stripe_status: str | None) -> bool:
    # Stripe sends no refund webhooks here (localstripe emits none): the API answer is the truth,
    # and a pending card refund is one Stripe has accepted and will pay out.
    return stripe_status in ("succeeded", "pending")


def refund(
    db: Session,
    *,
    order_id: int,
    vendor_order_id: int | None,
    amount_cents: int,
    refund_key: str,
    reason: str,
    requested_by: int | None = None,
    lines: dict[int, int] | None = None,
) -> Refund:
    """Refund exactly `amount_cents` to the card that paid, once per `refund_key`.

    `lines` (order line id → cents) records which lines the money was for. Stripe being
    unreachable raises its own exception (retry); a permanent refusal raises Conflict.
    """
    if amount_cents <= 0:
        raise Conflict("Le montant d'un remboursement doit être positif.")
    order = lock_order(db, order_id)  # serialises every refund of the order
    existing = db.scalar(
        select(Refund).where(Refund.refund_key == refund_key).execution_options(populate_existing=True)
    )
    if existing is not None:
        if existing.order_id != order_id or existing.amount_cents != amount_cents:
            raise Conflict("Cette clé de remboursement a déjà servi pour un autre remboursement.")
        if existing.status == RefundStatus.succeeded:
            return existing
    payment = payment_of(db, order_id)
    if (
        payment is None
        or payment.status != PaymentStatus.succeeded
        or payment.stripe_payment_intent_id is None
    ):
        raise Conflict("Cette commande n'a pas été payée : il n'y a rien à rembourser.")
    vendor_order = _refundable_vendor_order(db, order_id, vendor_order_id, amount_cents)
    already = db.scalar(
        select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
            Refund.order_id == order_id,
            Refund.status == RefundStatus.succeeded,
            Refund.refund_key != refund_key,
        )
    )
    left = min(
        payment.amount_cents - int(already or 0), order.total_cents - order.refunded_cents
    )
    if amount_cents > left:
        raise Conflict(
            f"Remboursement refusé : il reste {format_eur(max(left, 0))} remboursables sur "
            f"cette commande, {format_eur(amount_cents)} demandés.",
            code="over_refund",
        )
    line_rows = _refundable_lines(db, order_id, vendor_order_id, amount_cents, lines or {})
    # Who bears the refund is settled before Stripe is asked: a refusal must come first.
    shares = (
        [(vendor_order, amount_cents)]
        if vendor_order is not None
        else _split_over_vendor_orders(db, order_id, amount_cents)
    )
    if existing is None:
        existing = Refund(
            refund_key=refund_key,
            order_id=order_id,
            vendor_order_id=vendor_order_id,
            amount_cents=amount_cents,
            reason=reason[:500],
            status=RefundStatus.pending,
            requested_by=requested_by,
        )
        db.add(existing)
        db.flush()
    made = _create_stripe_refund(payment.stripe_payment_intent_id, existing)
    if not _accepted(made.status):
        existing.status = RefundStatus.failed
        db.flush()
        raise Conflict(
            "Stripe a refusé le remboursement (statut : "
            f"{STRIPE_REFUND_STATUS_LABELS.get(str(made.status), str(made.status))})."
        )
    existing.stripe_refund_id = made.id
    existing.status = RefundStatus.succeeded
    existing.succeeded_at = _now()
    _apply_refund(db, order, shares, existing, line_rows, lines or {})
    db.flush()
    return existing


def _create_stripe_refund(payment_intent_id: str, row: Refund) -> Any:
    """Stripe's refund for this row: the one an earlier attempt made, else a new one."""
    client = stripe_client()
    try:
        made = _refund_already_made(client, payment_intent_id, row.refund_key)
        if made is None:
            made = client.v1.refunds.create(
                params={
                    "payment_intent": payment_intent_id,
                    "amount": row.amount_cents,
                    "metadata": {"refund_key": row.refund_key, "order_id": str(row.order_id)},
                },
                options={"idempotency_key": f"comptoir-refund-{row.refund_key}"},
            )
    except stripe.StripeError as exc:
        if is_permanent_refusal(exc):
            raise Conflict(
                f"Stripe a refusé le remboursement : {exc.user_message or 'demande invalide'}.",
                code="refund_refused",
            ) from exc
        raise
    return made


def _refundable_vendor_order(
    db: Session, order_id: int, vendor_order_id: int | None, amount_cents: int
) -> VendorOrder | None:
    if vendor_order_id is None:
        return None
    vendor_order = locking.find_locked_vendor_order(db, vendor_order_id)
    if vendor_order is None or vendor_order.order_id != order_id:
        raise Conflict("Cette commande boutique ne fait pas partie de la commande.")
    left = vendor_order.total_cents - vendor_order.refunded_cents
    if amount_cents > left:
        raise Conflict(
            f"Remboursement refusé : il reste {format_eur(max(left, 0))} remboursables pour "
            f"cette boutique, {format_eur(amount_cents)} demandés.",
            code="over_refund",
        )
    return vendor_order


def _refundable_lines(
    db: Session,
    order_id: int,
    vendor_order_id: int | None,
    amount_cents: int,
    lines: dict[int, int],
) -> dict[int, OrderLine]:
    if not lines:
        return {}
    if any(cents <= 0 for cents in lines.values()) or sum(lines.values()) > amount_cents:
        raise Conflict("Les montants par ligne ne correspondent pas au remboursement.")
    query = (
        select(OrderLine)
        .join(VendorOrder, VendorOrder.id == OrderLine.vendor_order_id)
        .where(OrderLine.id.in_(list(lines)), VendorOrder.order_id == order_id)
        .execution_options(populate_existing=True)
    )
    if vendor_order_id is not None:
        query = query.where(OrderLine.vendor_order_id == vendor_order_id)
    rows = {line.id: line for line in db.scalars(query)}
    if set(rows) != set(lines):
        raise Conflict("Une ligne à rembourser ne fait pas partie de cette commande.")
    for line_id, cents in lines.items():
        line = rows[line_id]
        if line.refunded_cents + cents > line.total_cents:
            raise Conflict(f"La ligne « {line.product_name} » serait remboursée au-delà de son prix.")
    return rows


def _apply_refund(
    db: Session,
    order: Order,
    shares: list[tuple[VendorOrder, int]],
    row: Refund,
    line_rows: dict[int, OrderLine],
    lines: dict[int, int],
) -> None:
    """Project a refund Stripe accepted onto the order, the parts bearing it (`shares`),
    its lines and the ledger."""
    order.refunded_cents += row.amount_cents
    for line_id, cents in lines.items():
        line_rows[line_id].refunded_cents += cents
    order_wide = row.vendor_order_id is None
    for part, cents in shares:
        if cents == 0:
            continue
        part.refunded_cents += cents
        part.net_cents = part.total_cents - part.fee_cents - part.refunded_cents
        key = f"refund:{row.refund_key}"
        if order_wide and len(shares) > 1:
            key += f":{part.id}"
        db.execute(
            insert(LedgerEntry)
            .values(
                entry_key=key,
                shop_id=part.shop_id,
                order_id=order.id,
                vendor_order_id=part.id,
                kind=LedgerKind.refund,
                amount_cents=-cents,
            )
            .on_conflict_do_nothing(index_elements=[LedgerEntry.entry_key])
        )


def _split_over_vendor_orders(
    db: Session, order_id: int, amount_cents: int
) -> list[tuple[VendorOrder, int]]:
    """An order-wide refund is borne by each shop in proportion to what is still refundable."""
    parts = locking.lock_parts_of_order(db, order_id, with_cancelled=False)
    weights = [part.total_cents - part.refunded_cents for part in parts]
    if not parts or sum(weights) < amount_cents:
        raise Conflict("Le remboursement dépasse ce que les boutiques de la commande ont encaissé.")
    return list(zip(parts, split_proportionally(amount_cents, weights), strict=True))


def refunded_total(db: Session, order_id: int) -> int:
    """Cents already refunded on the order (refunds Stripe accepted)."""
    total = db.scalar(
        select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
            Refund.order_id == order_id, Refund.status == RefundStatus.succeeded
        )
    )
    return int(total or 0)
