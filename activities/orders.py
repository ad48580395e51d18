"""Activities of the order lifecycle: thin, idempotent wrappers around comptoir.services.

Each runs in its own transaction (`session_scope`). A business refusal (`comptoir.errors`
4xx, e.g. an over-refund) is not retried: it becomes a non-retryable ApplicationError that
the workflow turns into an item for operators. Everything else (Stripe, SMTP or PostgreSQL
unreachable) is retried by Temporal with the workflow's retry policy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from comptoir.db import session_scope
from comptoir.errors import Conflict, DomainError, ServiceUnavailable
from comptoir.orders.contracts import (
    AttentionRequest,
    AttentionResolution,
    CancelVendorLines,
    CloseUnpaidInput,
    CloseUnpaidResult,
    CreditNotePapers,
    EmailRequest,
    LineDecisions,
    LinesUnavailable,
    NewReturn,
    OperatorRefundInput,
    OrderChange,
    OrderRef,
    OrderSnapshot,
    PaymentOutcome,
    RefundRequest,
    ReturnDecision,
    VendorChange,
    VendorChanged,
    VendorOrderRef,
)
from comptoir.services import (
    credit_notes,
    invoicing,
    ledger,
    lifecycle,
    operator_refunds,
    payments,
)
from comptoir.services.mail_templates import order_email

P = ParamSpec("P")
R = TypeVar("R")


def business_errors_final(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a refusal of the domain into a non-retryable failure (a retry would be refused too)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ServiceUnavailable:
            raise  # a dependency is down: worth retrying
        except DomainError as exc:
            raise ApplicationError(exc.message, type=type(exc).__name__, non_retryable=True) from exc

    return wrapper


@activity.defn
@business_errors_final
def load_order(ref: OrderRef) -> OrderSnapshot:
    """The order's parts and lines as the workflows see them."""
    with session_scope() as db:
        return lifecycle.load_snapshot(db, ref.order_id)


@activity.defn
@business_errors_final
def project_order(change: OrderChange) -> None:
    """Write the order's status, stage and deadlines (one status event per transition)."""
    with session_scope() as db:
        lifecycle.project_order(db, change)


@activity.defn
@business_errors_final
def project_vendor_order(change: VendorChange) -> VendorChanged:
    """Write a vendor order's status; the order's own status follows."""
    with session_scope() as db:
        return lifecycle.project_vendor(db, change)


@activity.defn
@business_errors_final
def apply_line_decisions(decisions: LineDecisions) -> OrderSnapshot:
    """Record a merchant's confirmations and refusals of reservation lines."""
    with session_scope() as db:
        return lifecycle.apply_line_decisions(db, decisions)


@activity.defn
@business_errors_final
def close_unpaid_order(request: CloseUnpaidInput) -> CloseUnpaidResult:
    """Cancel an unpaid order (stock released, intent cancelled) unless Stripe says it is paid."""
    with session_scope() as db:
        return lifecycle.close_unpaid(db, request)


@activity.defn
@business_errors_final
def record_payment_outcome(outcome: PaymentOutcome) -> None:
    """Record what a verified Stripe event says about the order's PaymentIntent."""
    with session_scope() as db:
        if outcome.succeeded:
            payments.mark_payment_succeeded(db, outcome.order_id, outcome.payment_intent_id)
        else:
            payments.mark_payment_failed(
                db, outcome.order_id, outcome.payment_intent_id, outcome.message
            )


@activity.defn
@business_errors_final
def record_sale(ref: OrderRef) -> None:
    """Credit each shop with its part and its share of the payment fee (ledger)."""
    with session_scope() as db:
        ledger.record_sale(db, ref.order_id)


@activity.defn
@business_errors_final
def issue_invoice(ref: VendorOrderRef) -> int:
    """The PDF invoice of a paid vendor order (issued once); its id, 0 for a part cancelled
    meanwhile (nothing was sold: its shop may cancel it before the invoice is written)."""
    with session_scope() as db:
        try:
            return invoicing.issue_invoice(db, ref.vendor_order_id).id
        except Conflict:
            db.rollback()  # refused under the part's row lock: cancelled meanwhile?
            if lifecycle.is_cancelled(db, ref.vendor_order_id):
                return 0
            raise


@activity.defn
@business_errors_final
def refund(request: RefundRequest) -> int:
    """Refund exactly this amount to the card that paid, once per refund key, with the credit
    note of what was invoiced (once per refund); cents refunded."""
    lines = {int(k): v for k, v in request.lines.items()}
    with session_scope() as db:
        made = payments.refund(
            db,
            order_id=request.order_id,
            vendor_order_id=request.vendor_order_id,
            amount_cents=request.amount_cents,
            refund_key=request.refund_key,
            reason=request.reason,
            requested_by=request.requested_by,
            lines=lines,
        )
        # Same transaction: the refund is never recorded without its credit note.
        credit_notes.issue_for_refund(db, made.id, lines)
        return made.amount_cents


@activity.defn
def render_credit_notes(papers: CreditNotePapers) -> int:
    """The PDFs of a refund's credit notes, issued without one in the refund's transaction
    (documents queue); how many were rendered."""
    with session_scope() as db:
        return credit_notes.render_pending(
            db, refund_key=papers.refund_key, refund_id=papers.refund_id
        )


@activity.defn
@business_errors_final
def operator_refund(request: OperatorRefundInput) -> int:
    """Carry out an operator's pending refund once (by its key); cents refunded."""
    with session_scope() as db:
        return operator_refunds.carry_out(db, request.refund_id)


@activity.defn
@business_errors_final
def abandon_operator_refund(request: OperatorRefundInput) -> None:
    """Mark an operator's refund that could not be made as failed (audited)."""
    with session_scope() as db:
        operator_refunds.give_up(db, request.refund_id, request.failure)


@activity.defn
@business_errors_final
def mark_lines_unavailable(request: LinesUnavailable) -> int:
    """Lines the shop cannot supply: the cents to refund for them."""
    with session_scope() as db:
        return lifecycle.mark_lines_unavailable(db, request)


@activity.defn
@business_errors_final
def cancel_vendor_lines(request: CancelVendorLines) -> int:
    """Cancel what is left of a paid vendor order: the cents still refundable for it."""
    with session_scope() as db:
        return lifecycle.cancel_paid_vendor_order(db, request)


@activity.defn
@business_errors_final
def create_return(request: NewReturn) -> int:
    """Record a shopper's return request; its id."""
    with session_scope() as db:
        return lifecycle.create_return(db, request)


@activity.defn
@business_errors_final
def decide_return(decision: ReturnDecision) -> None:
    """Record a merchant's decision on a return request."""
    with session_scope() as db:
        lifecycle.decide_return(db, decision)


@activity.defn
@business_errors_final
def send_order_email(request: EmailRequest) -> bool:
    """A templated e-mail about an order, at most once per key; True when it went out now."""
    with session_scope() as db:
        return order_email(db, request)


@activity.defn
@business_errors_final
def flag_attention(request: AttentionRequest) -> None:
    """Record that the order needs an operator (or a late merchant) and why."""
    with session_scope() as db:
        lifecycle.flag_attention(db, request)


@activity.defn
@business_errors_final
def resolve_attention(resolution: AttentionResolution) -> None:
    """Close an attention item once it is dealt with."""
    with session_scope() as db:
        lifecycle.resolve_attention(db, resolution)


ALL_ACTIVITIES: list[Callable[..., Any]] = [
    load_order,
    project_order,
    project_vendor_order,
    apply_line_decisions,
    close_unpaid_order,
    record_payment_outcome,
    record_sale,
    issue_invoice,
    render_credit_notes,
    refund,
    operator_refund,
    abandon_operator_refund,
    mark_lines_unavailable,
    cancel_vendor_lines,
    create_return,
    decide_return,
    send_order_email,
    flag_attention,
    resolve_attention,
]

# Served by the documents worker (`workflows.worker --documents`) on its own task queue; the
# orders worker keeps them too, for orders paid before the documents queue existed.
DOCUMENT_ACTIVITIES: list[Callable[..., Any]] = [issue_invoice, render_credit_notes]
