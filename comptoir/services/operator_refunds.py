"""Operator refunds outside the return flow (legal guarantee of conformity, goodwill).

An operator asks for an amount with a reason; the request becomes a pending `Refund` row at
once (its unique `refund_key` makes the money move exactly once), then its own short
workflow (`OperatorRefundWorkflow`) carries it out, whether the order's workflow still runs
or ended long ago.

Who bears it: the shop part the operator names; without one, every shop of the order in
proportion to what each can still refund (`payments.refund` splits it to the cent with
`comptoir.domain.money.split_proportionally`), so each shop's ledger stays right. Each part
bearing it that was invoiced gets a credit note of its share.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.domain.money import format_eur
from comptoir.errors import Conflict, NotFound
from comptoir.models import AuditLog, PaymentStatus, Refund, RefundStatus, VendorOrder
from comptoir.orders.contracts import operator_refund_workflow_id
from comptoir.services import credit_notes, lifecycle, payments

AUDIT_ACTION = "order.refund"
KEY_PREFIX = "operator:"


def _in_flight(db: Session, order_id: int, vendor_order_id: int | None = None) -> int:
    """Cents of refunds asked for but not carried out yet (they must not be asked twice)."""
    query = select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
        Refund.order_id == order_id, Refund.status == RefundStatus.pending
    )
    if vendor_order_id is not None:
        query = query.where(Refund.vendor_order_id == vendor_order_id)
    return int(db.scalar(query) or 0)


def refundable_cents(db: Session, order_id: int, vendor_order_id: int | None = None) -> int:
    """What an operator may still refund on the order (or on one shop's part of it)."""
    if vendor_order_id is None:
        order = payments.lock_order(db, order_id)
        left = order.total_cents - order.refunded_cents
    else:
        part = db.get(VendorOrder, vendor_order_id, populate_existing=True)
        if part is None or part.order_id != order_id:
            raise NotFound("Commande boutique introuvable.")
        left = part.total_cents - part.refunded_cents
    return max(left - _in_flight(db, order_id, vendor_order_id), 0)


def request_refund(
    db: Session,
    *,
    order_id: int,
    amount_cents: int,
    reason: str,
    operator_id: int,
    vendor_order_id: int | None = None,
) -> Refund:
    """Record an operator's refund as pending (checked and audited); the workflow does the rest."""
    payments.lock_order(db, order_id)  # serialises with every other refund of the order
    payment = payments.payment_of(db, order_id)
    if payment is None or payment.status != PaymentStatus.succeeded:
        raise Conflict("Cette commande n'a pas été payée : il n'y a rien à rembourser.")
    if amount_cents <= 0:
        raise Conflict("Le montant d'un remboursement doit être positif.")
    if not reason.strip():
        raise Conflict("Indiquez le motif du remboursement.")
    left = refundable_cents(db, order_id, vendor_order_id)
    if vendor_order_id is not None:
        left = min(left, refundable_cents(db, order_id))
    if amount_cents > left:
        raise Conflict(
            f"Remboursement refusé : il reste {format_eur(left)} remboursables, "
            f"{format_eur(amount_cents)} demandés.",
            code="over_refund",
        )
    row = Refund(
        refund_key=f"{KEY_PREFIX}{uuid.uuid4().hex}",
        order_id=order_id,
        vendor_order_id=vendor_order_id,
        amount_cents=amount_cents,
        reason=reason.strip()[:500],
        status=RefundStatus.pending,
        requested_by=operator_id,
    )
    db.add(row)
    db.flush()
    db.add(
        AuditLog(
            actor_id=operator_id,
            action=AUDIT_ACTION,
            target=operator_refund_workflow_id(row.id),
            reason=row.reason,
            details={
                "order_id": order_id,
                "vendor_order_id": vendor_order_id,
                "amount_cents": amount_cents,
                "refund_id": row.id,
            },
        )
    )
    db.flush()
    return row


def _row(db: Session, refund_id: int) -> Refund:
    row = db.get(Refund, refund_id, populate_existing=True)
    if row is None or not row.refund_key.startswith(KEY_PREFIX):
        raise NotFound(f"Remboursement {refund_id} introuvable.")
    return row


def carry_out(db: Session, refund_id: int) -> int:
    """Refund the card once (by the row's key), project it on the order; the cents refunded."""
    row = _row(db, refund_id)
    made = payments.refund(
        db,
        order_id=row.order_id,
        vendor_order_id=row.vendor_order_id,
        amount_cents=row.amount_cents,
        refund_key=row.refund_key,
        reason=row.reason,
        requested_by=row.requested_by,
    )
    # Same transaction: the refund is never recorded without the credit notes of what was
    # invoiced (one per shop part bearing it; a part not invoiced yet gets its own with the
    # invoice, see `credit_notes.issue_for_refunds_before_invoice`).
    credit_notes.issue_for_refund_shares(db, made.id)
    lifecycle.refresh_order_status(db, row.order_id, f"refund:{row.refund_key}")
    return made.amount_cents


def give_up(db: Session, refund_id: int, why: str) -> None:
    """Mark a refund that could not be made as failed (it no longer counts as in flight)."""
    row = _row(db, refund_id)
    if row.status == RefundStatus.pending:
        row.status = RefundStatus.failed
        db.add(
            AuditLog(
                actor_id=None,
                action="order.refund_failed",
                target=operator_refund_workflow_id(row.id),
                reason=why[:1000],
                details={"order_id": row.order_id, "refund_id": row.id},
            )
        )
        db.flush()
