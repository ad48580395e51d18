"""Paying a settlement: one Stripe Transfer to the shop's connected account, exactly once.

localstripe ignores idempotency keys, so exactly-once rests on a `payout_attempts` row
committed before Stripe is called (like refunds): an attempt found pending after a crash
or a retry looks for its transfer (by `transfer_group` and metadata) before creating one.
An operator's retry of a refused transfer is a new attempt with a new key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.errors import Conflict, NotFound
from comptoir.models.settlements import (
    PayoutAttempt,
    PayoutAttemptStatus,
    PayoutMethod,
    Settlement,
    SettlementState,
    ShopPayoutAccount,
)
from comptoir.services.payments import CURRENCY, is_permanent_refusal, stripe_client
from comptoir.settlements.service import payout_method_of


def _now() -> datetime:
    return datetime.now(UTC)


def lock_settlement(db: Session, settlement_id: int) -> Settlement:
    """The settlement, locked until the caller's transaction ends (fresh from the database)."""
    settlement = db.scalar(
        select(Settlement)
        .where(Settlement.id == settlement_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if settlement is None:
        raise NotFound("Versement introuvable.")
    return settlement


def transfer_group(settlement: Settlement) -> str:
    """Stripe's grouping of every transfer attempt of a settlement."""
    return f"settlement-{settlement.id}"


def _latest_attempt(db: Session, settlement_id: int) -> PayoutAttempt | None:
    return db.scalar(
        select(PayoutAttempt)
        .where(PayoutAttempt.settlement_id == settlement_id)
        .order_by(PayoutAttempt.attempt.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


def _open_attempt(db: Session, settlement: Settlement, destination: str) -> None:
    """Make sure an attempt that is not failed exists (committed before Stripe is called)."""
    latest = _latest_attempt(db, settlement.id)
    if latest is not None and latest.status != PayoutAttemptStatus.failed:
        return
    number = 1 if latest is None else latest.attempt + 1
    attempt = PayoutAttempt(
        settlement_id=settlement.id,
        attempt=number,
        transfer_key=f"settlement-{settlement.id}-attempt-{number}",
        amount_cents=settlement.net_cents,
        destination=destination,
        status=PayoutAttemptStatus.pending,
    )
    db.add(attempt)
    db.commit()  # the marker must outlive a crash during the Stripe call; releases the lock


def _transfer_already_made(client: stripe.StripeClient, group: str, key: str) -> Any | None:
    listed = client.v1.transfers.list(params={"transfer_group": group, "limit": 100})
    for transfer in listed.auto_paging_iter():
        metadata = transfer.metadata.to_dict() if transfer.metadata else {}
        if metadata.get("transfer_key") == key:
            return transfer
    return None


def pay_settlement(db: Session, settlement_id: int) -> Settlement:
    """Transfer a planned Connect settlement's net to the shop, once; other states unchanged.

    Stripe unreachable raises its own error (the activity retries); a refusal (unknown
    account, bad amount) marks the settlement failed for an operator to retry.
    """
    settlement = lock_settlement(db, settlement_id)
    if settlement.state != SettlementState.planned or settlement.payout_method != PayoutMethod.connect:
        return settlement
    account = db.get(ShopPayoutAccount, settlement.shop_id)
    if account is None or not account.stripe_account_id:
        return _fail(db, settlement, None, "La boutique n'a plus de compte Stripe Connect.")
    _open_attempt(db, settlement, account.stripe_account_id)
    settlement = lock_settlement(db, settlement_id)  # whoever held the lock may have finished
    attempt = _latest_attempt(db, settlement_id)
    if settlement.state != SettlementState.planned or attempt is None:
        return settlement
    if attempt.status == PayoutAttemptStatus.succeeded:
        return _paid(db, settlement, attempt)
    client = stripe_client()
    group = transfer_group(settlement)
    try:
        # Always look first: another caller (or a crashed one) may have reached Stripe with
        # this attempt's key, and localstripe would not recognise the idempotency key.
        made = _transfer_already_made(client, group, attempt.transfer_key)
        if made is None:
            made = client.v1.transfers.create(
                params={
                    "amount": attempt.amount_cents,
                    "currency": CURRENCY,
                    "destination": attempt.destination,
                    "transfer_group": group,
                    "metadata": {
                        "transfer_key": attempt.transfer_key,
                        "settlement_id": str(settlement.id),
                        "shop_id": str(settlement.shop_id),
                    },
                },
                options={"idempotency_key": f"comptoir-{attempt.transfer_key}"},
            )
    except stripe.StripeError as exc:
        if not is_permanent_refusal(exc):
            raise
        message = f"Stripe a refusé le virement : {exc.user_message or exc.code or 'refus'}."
        return _fail(db, settlement, attempt, message)
    attempt.stripe_transfer_id = made.id
    attempt.status = PayoutAttemptStatus.succeeded
    attempt.finished_at = _now()
    return _paid(db, settlement, attempt)


def _paid(db: Session, settlement: Settlement, attempt: PayoutAttempt) -> Settlement:
    now = _now()
    settlement.state = SettlementState.paid
    settlement.stripe_transfer_id = attempt.stripe_transfer_id
    settlement.sent_at = settlement.sent_at or now
    settlement.paid_at = now
    settlement.failure_message = ""
    db.flush()
    return settlement


def _fail(
    db: Session, settlement: Settlement, attempt: PayoutAttempt | None, message: str
) -> Settlement:
    if attempt is not None:
        attempt.status = PayoutAttemptStatus.failed
        attempt.failure_message = message[:500]
        attempt.finished_at = _now()
    settlement.state = SettlementState.failed
    settlement.failure_message = message[:500]
    db.flush()
    return settlement


def reopen_failed_payout(db: Session, settlement_id: int) -> Settlement:
    """An operator's retry: a failed settlement is planned again (its method re-read)."""
    settlement = lock_settlement(db, settlement_id)
    if settlement.state != SettlementState.failed:
        raise Conflict("Seul un versement en échec peut être relancé.")
    settlement.state = SettlementState.planned
    settlement.payout_method = payout_method_of(db, settlement.shop_id)
    settlement.failure_message = ""
    db.flush()
    return settlement


def mark_paid(db: Session, settlement_id: int) -> Settlement:
    """The operator saw the bank pay a SEPA settlement."""
    settlement = lock_settlement(db, settlement_id)
    if settlement.payout_method != PayoutMethod.sepa or settlement.state not in (
        SettlementState.planned,
        SettlementState.sent,
    ):
        raise Conflict("Seul un virement SEPA prévu ou envoyé peut être marqué payé.")
    now = _now()
    settlement.state = SettlementState.paid
    settlement.sent_at = settlement.sent_at or now
    settlement.paid_at = now
    db.flush()
    return settlement


def transfers_made(db: Session, settlement_id: int) -> int:
    """How many transfers Stripe accepted for the settlement (exactly-once checks)."""
    return int(
        db.scalar(
            select(func.count()).where(
                PayoutAttempt.settlement_id == settlement_id,
                PayoutAttempt.status == PayoutAttemptStatus.succeeded,
            )
        )
        or 0
    )
