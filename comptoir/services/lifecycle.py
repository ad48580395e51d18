"""The order lifecycle's writes to PostgreSQL, called by the workflows' activities.

Temporal decides, these functions record: statuses (with one `StatusEvent` per transition,
keyed so that an activity run twice writes it once), line decisions, stock released,
returns, attention items. Each function is idempotent for the same input.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import stripe
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.domain.calendar import DayKind, return_deadline
from comptoir.domain.labels import count_fr
from comptoir.errors import Conflict, NotFound
from comptoir.models import (
    AttentionItem,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    PaymentStatus,
    ReturnRequest,
    ReturnStatus,
    StatusEvent,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.orders.contracts import (
    AttentionRequest,
    AttentionResolution,
    CancelVendorLines,
    CloseUnpaidInput,
    CloseUnpaidResult,
    LineDecisions,
    LineInfo,
    LinesUnavailable,
    NewReturn,
    OrderChange,
    OrderSnapshot,
    ReturnDecision,
    VendorChange,
    VendorChanged,
    VendorOrderInfo,
)
from comptoir.services import stock
from comptoir.services.locking import (
    lock_order,
    lock_part_and_order,
    lock_parts_of_order,
    lock_vendor_order,
)
from comptoir.services.payments import payment_of, stripe_client

log = logging.getLogger("comptoir.lifecycle")

# Lines that are part of what the shopper buys (the others dropped out).
LIVE_LINES = (LineStatus.pending_confirmation, LineStatus.confirmed)
# A vendor order in one of these has been handed over (its return window may be open).
HANDED_OVER = {
    VendorOrderStatus.completed,
    VendorOrderStatus.return_requested,
    VendorOrderStatus.return_received,
    VendorOrderStatus.refunded,
    VendorOrderStatus.closed,
}
# Order statuses once paid; the order's status then follows its vendor orders.
PAID_STATUSES = {
    OrderStatus.processing,
    OrderStatus.completed,
    OrderStatus.refunded,
    OrderStatus.partially_refunded,
}


def _now() -> datetime:
    return datetime.now(UTC)


def _event(
    db: Session,
    *,
    key: str,
    order_id: int,
    to_status: str,
    from_status: str = "",
    vendor_order_id: int | None = None,
    actor_kind: str = "system",
    actor_id: int | None = None,
    note: str = "",
) -> None:
    db.execute(
        insert(StatusEvent)
        .values(
            event_key=key[:200],
            order_id=order_id,
            vendor_order_id=vendor_order_id,
            from_status=from_status,
            to_status=to_status,
            actor_kind=actor_kind,
            actor_id=actor_id,
            note=note[:1000],
        )
        .on_conflict_do_nothing(index_elements=[StatusEvent.event_key])
    )


def _vendor_orders(db: Session, order_id: int) -> list[VendorOrder]:
    return lock_parts_of_order(db, order_id)


def _lines(db: Session, vendor_order_ids: list[int]) -> list[OrderLine]:
    return list(
        db.scalars(
            select(OrderLine)
            .where(OrderLine.vendor_order_id.in_(vendor_order_ids))
            .order_by(OrderLine.id)
            .execution_options(populate_existing=True)
        )
    )


# --- reading ---------------------------------------------------------------------------------


def load_snapshot(db: Session, order_id: int) -> OrderSnapshot:
    """What the workflows need to know of an order: its parts and lines."""
    order = db.get(Order, order_id, populate_existing=True)
    if order is None:
        raise NotFound(f"Commande {order_id} introuvable.")
    parts = list(
        db.scalars(select(VendorOrder).where(VendorOrder.order_id == order_id).order_by(VendorOrder.id))
    )
    lines_of: dict[int, list[LineInfo]] = {part.id: [] for part in parts}
    for line in _lines(db, [part.id for part in parts]):
        lines_of[line.vendor_order_id].append(
            LineInfo(
                line_id=line.id,
                product_name=line.product_name,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                requires_confirmation=line.requires_confirmation,
                status=line.status.value,
                returnable=line.returnable,
            )
        )
    return OrderSnapshot(
        order_id=order.id,
        status=order.status.value,
        total_cents=order.total_cents,
        vendor_orders=[
            VendorOrderInfo(
                vendor_order_id=part.id,
                shop_id=part.shop_id,
                status=part.status.value,
                delivery_kind=part.delivery_kind.value,
                delivery_cents=part.delivery_cents,
                lines=lines_of[part.id],
                pickup_slot_start=part.pickup_slot_start,
            )
            for part in parts
        ],
    )


# --- the order -------------------------------------------------------------------------------


def project_order(db: Session, change: OrderChange) -> None:
    """Write the order's status/stage/deadlines; vendor orders follow when asked."""
    order = lock_order(db, change.order_id)
    from_status = order.status.value
    if change.status and change.status != from_status:
        order.status = OrderStatus(change.status)
        _event(
            db,
            key=change.event_key,
            order_id=order.id,
            from_status=from_status,
            to_status=change.status,
            actor_kind=change.actor_kind,
            actor_id=change.actor_id,
            note=change.note,
        )
    if change.stage:
        order.stage = change.stage
        order.needs_attention = change.stage == "needs_attention"
    if change.confirmation_deadline is not None:
        order.confirmation_deadline = change.confirmation_deadline
    if change.payment_deadline is not None:
        order.payment_deadline = change.payment_deadline
    if change.completed and order.completed_at is None:
        order.completed_at = _now()
    if change.vendor_status:
        target = VendorOrderStatus(change.vendor_status)
        for part in _vendor_orders(db, order.id):
            if part.status in (VendorOrderStatus.cancelled, target):
                continue
            _event(
                db,
                key=f"{change.event_key}:vo{part.id}",
                order_id=order.id,
                vendor_order_id=part.id,
                from_status=part.status.value,
                to_status=target.value,
                actor_kind=change.actor_kind,
                actor_id=change.actor_id,
                note=change.note,
            )
            part.status = target
    db.flush()


def refresh_order_status(db: Session, order_id: int, event_key: str) -> str:
    """A paid order's status from its parts: processing until all are handed over, then
    completed, refunded or partially refunded as money went back."""
    order = lock_order(db, order_id)
    if order.status not in PAID_STATUSES:
        return order.status.value
    parts = [p for p in _vendor_orders(db, order_id) if p.status != VendorOrderStatus.cancelled]
    if parts and not all(p.status in HANDED_OVER for p in parts):
        wanted = OrderStatus.processing
    elif order.refunded_cents == 0:
        wanted = OrderStatus.completed
    elif order.refunded_cents >= order.total_cents:
        wanted = OrderStatus.refunded
    else:
        wanted = OrderStatus.partially_refunded
    if wanted != order.status:
        _event(
            db,
            key=f"{event_key}:order",
            order_id=order_id,
            from_status=order.status.value,
            to_status=wanted.value,
        )
        order.status = wanted
    if wanted != OrderStatus.processing and order.completed_at is None:
        order.completed_at = _now()
    db.flush()
    return wanted.value


# --- vendor orders ---------------------------------------------------------------------------


def is_cancelled(db: Session, vendor_order_id: int) -> bool:
    """Whether a vendor order is cancelled (NotFound when it does not exist)."""
    status = db.scalar(select(VendorOrder.status).where(VendorOrder.id == vendor_order_id))
    if status is None:
        raise NotFound(f"Commande boutique {vendor_order_id} introuvable.")
    return bool(status == VendorOrderStatus.cancelled)


def project_vendor(db: Session, change: VendorChange) -> VendorChanged:
    """Write one vendor order's status (and what comes with it), then the order's status."""
    _, part = lock_part_and_order(db, change.vendor_order_id)
    from_status = part.status.value
    if change.to_status and change.to_status != from_status:
        part.status = VendorOrderStatus(change.to_status)
        _event(
            db,
            key=change.event_key,
            order_id=part.order_id,
            vendor_order_id=part.id,
            from_status=from_status,
            to_status=change.to_status,
            actor_kind=change.actor_kind,
            actor_id=change.actor_id,
            note=change.note,
        )
    if change.pickup_code:
        part.pickup_code = change.pickup_code
    if change.carrier:
        part.carrier = change.carrier[:80]
        part.tracking_number = change.tracking_number[:120]
    if change.merchant_acted:
        part.last_merchant_action_at = _now()
        part.needs_attention = False
    if change.stage == "needs_attention":
        part.needs_attention = True
    if change.completed and part.completed_at is None:
        part.completed_at = change.at or _now()
        kind: DayKind = "working" if change.return_window_kind == "working" else "calendar"
        part.return_deadline = return_deadline(part.completed_at, change.return_window_days, kind)
    db.flush()
    refresh_order_status(db, part.order_id, change.event_key)
    return VendorChanged(return_deadline=part.return_deadline)


def apply_line_decisions(db: Session, decisions: LineDecisions) -> OrderSnapshot:
    """A merchant confirmed or declined reservation lines: declined lines release their stock
    and leave the totals; a part with nothing left is cancelled."""
    order, part = lock_part_and_order(db, decisions.vendor_order_id)
    lines = {line.id: line for line in _lines(db, [part.id])}
    for line_id in decisions.confirmed:
        line = lines.get(line_id)
        if line is not None and line.status == LineStatus.pending_confirmation:
            line.status = LineStatus.confirmed
    for line_id in decisions.declined:
        line = lines.get(line_id)
        if line is not None and line.status == LineStatus.pending_confirmation:
            line.status = LineStatus.declined
            stock.release(db, line)
    live = [line for line in lines.values() if line.status in LIVE_LINES]
    items_cents = sum(line.total_cents for line in live)
    if not live:
        part.delivery_cents = 0
    part.items_cents = items_cents
    part.total_cents = items_cents + part.delivery_cents
    if decisions.vendor_status and decisions.vendor_status != part.status.value:
        _event(
            db,
            key=decisions.event_key,
            order_id=order.id,
            vendor_order_id=part.id,
            from_status=part.status.value,
            to_status=decisions.vendor_status,
            actor_kind="merchant",
            actor_id=decisions.actor_id,
            note=f"{count_fr(len(decisions.confirmed), 'ligne confirmée', 'lignes confirmées')}, "
            f"{count_fr(len(decisions.declined), 'refusée', 'refusées')}",
        )
        part.status = VendorOrderStatus(decisions.vendor_status)
    db.flush()
    _recompute_order_totals(db, order)
    return load_snapshot(db, order.id)


def _recompute_order_totals(db: Session, order: Order) -> None:
    parts = _vendor_orders(db, order.id)
    order.items_cents = sum(p.items_cents for p in parts)
    order.delivery_cents = sum(p.delivery_cents for p in parts)
    order.total_cents = order.items_cents + order.delivery_cents
    db.flush()


# --- closing an unpaid order -----------------------------------------------------------------


def _intent_outcome(payment_intent_id: str) -> str:
    """'paid' when Stripe took the money, else cancels the intent so it can no longer be paid."""
    client = stripe_client()
    intent = client.v1.payment_intents.retrieve(payment_intent_id)
    if intent.status == "succeeded":
        return "paid"
    if intent.status != "canceled":
        try:
            intent = client.v1.payment_intents.cancel(payment_intent_id)
        except stripe.InvalidRequestError:
            # Stripe refuses to cancel an intent that just succeeded: look again.
            intent = client.v1.payment_intents.retrieve(payment_intent_id)
            if intent.status == "succeeded":
                return "paid"
            raise
    return "cancelled"


def close_unpaid(db: Session, request: CloseUnpaidInput) -> CloseUnpaidResult:
    """Cancel an order that was never paid: its intent cancelled, its stock back on the shelf.

    When Stripe says the intent succeeded meanwhile, nothing is closed: the order is paid.
    """
    order = lock_order(db, request.order_id)
    if order.status in PAID_STATUSES:
        payment = payment_of(db, order.id)
        intent_id = (payment.stripe_payment_intent_id or "") if payment else ""
        return CloseUnpaidResult(closed=False, paid=True, payment_intent_id=intent_id)
    if order.status in (OrderStatus.cancelled, OrderStatus.payment_failed):
        return CloseUnpaidResult(closed=True)
    payment = payment_of(db, order.id)
    if payment is not None and payment.stripe_payment_intent_id:
        if _intent_outcome(payment.stripe_payment_intent_id) == "paid":
            return CloseUnpaidResult(
                closed=False, paid=True, payment_intent_id=payment.stripe_payment_intent_id
            )
        if payment.status in (PaymentStatus.pending, PaymentStatus.failed):
            payment.status = PaymentStatus.cancelled
    parts = _vendor_orders(db, order.id)
    for line in _lines(db, [p.id for p in parts]):
        if line.status in LIVE_LINES:
            line.status = LineStatus.cancelled
            stock.release(db, line)
    project_order(
        db,
        OrderChange(
            order_id=order.id,
            event_key=request.event_key,
            status=request.to_status,
            stage="closed",
            actor_kind=request.actor_kind,
            actor_id=request.actor_id,
            note=request.note,
            vendor_status=VendorOrderStatus.cancelled.value,
        ),
    )
    return CloseUnpaidResult(closed=True)


# --- after payment: unavailable lines, returns -----------------------------------------------


def mark_lines_unavailable(db: Session, request: LinesUnavailable) -> int:
    """Lines the shop cannot supply after all: the cents to refund (the delivery too when
    nothing is left of the shop's part, which is then cancelled)."""
    _, part = lock_part_and_order(db, request.vendor_order_id)
    lines = {line.id: line for line in _lines(db, [part.id])}
    amount = 0
    for line_id in request.line_ids:
        line = lines.get(line_id)
        if line is None:
            raise Conflict("Cette ligne ne fait pas partie de la commande.")
        if line.status == LineStatus.confirmed:
            line.status = LineStatus.unavailable
        if line.status == LineStatus.unavailable:
            amount += line.total_cents
    part.last_merchant_action_at = _now()
    if not any(line.status == LineStatus.confirmed for line in lines.values()):
        amount += part.delivery_cents
        if part.status != VendorOrderStatus.cancelled:
            _event(
                db,
                key=request.event_key,
                order_id=part.order_id,
                vendor_order_id=part.id,
                from_status=part.status.value,
                to_status=VendorOrderStatus.cancelled.value,
                actor_kind="merchant",
                actor_id=request.actor_id,
                note="Aucun article disponible : commande boutique annulée et remboursée.",
            )
            part.status = VendorOrderStatus.cancelled
    else:
        _event(
            db,
            key=request.event_key,
            order_id=part.order_id,
            vendor_order_id=part.id,
            from_status=part.status.value,
            to_status=part.status.value,
            actor_kind="merchant",
            actor_id=request.actor_id,
            note=count_fr(
                len(request.line_ids),
                "article indisponible, remboursé",
                "articles indisponibles, remboursés",
            ),
        )
    db.flush()
    return amount


def cancel_paid_vendor_order(db: Session, request: CancelVendorLines) -> int:
    """Cancel what is left of a paid vendor order (an operator's decision): its lines go back
    on the shelf; the cents still refundable for it are returned."""
    _, part = lock_part_and_order(db, request.vendor_order_id)
    left = part.total_cents - part.refunded_cents
    if part.status == VendorOrderStatus.cancelled:
        return left
    for line in _lines(db, [part.id]):
        if line.status == LineStatus.confirmed and part.status not in HANDED_OVER:
            line.status = LineStatus.cancelled
            stock.release(db, line)
    _event(
        db,
        key=request.event_key,
        order_id=part.order_id,
        vendor_order_id=part.id,
        from_status=part.status.value,
        to_status=VendorOrderStatus.cancelled.value,
        actor_kind="operator",
        note="Commande boutique annulée par un opérateur, remboursée.",
    )
    part.status = VendorOrderStatus.cancelled
    db.flush()
    return left


def create_return(db: Session, request: NewReturn) -> int:
    """Record the shopper's return request (once per vendor order and set of lines)."""
    _, part = lock_part_and_order(db, request.vendor_order_id)
    wanted = {str(r.line_id): r.quantity for r in request.lines}
    open_request = db.scalar(
        select(ReturnRequest).where(
            ReturnRequest.vendor_order_id == part.id,
            ReturnRequest.status.in_([ReturnStatus.requested, ReturnStatus.accepted]),
        )
    )
    if open_request is not None:
        if open_request.lines == wanted:
            return open_request.id  # the same request, recorded by an earlier attempt
        raise Conflict("Une demande de retour est déjà en cours pour cette boutique.")
    row = ReturnRequest(
        vendor_order_id=part.id,
        status=ReturnStatus.requested,
        reason=request.reason[:2000],
        lines=wanted,
        amount_cents=request.amount_cents,
    )
    db.add(row)
    db.flush()
    _event(
        db,
        key=f"return:{row.id}:requested",
        order_id=part.order_id,
        vendor_order_id=part.id,
        from_status=part.status.value,
        to_status=VendorOrderStatus.return_requested.value,
        actor_kind="shopper",
        actor_id=request.actor_id,
        note=request.reason,
    )
    part.status = VendorOrderStatus.return_requested
    db.flush()
    return row.id


FINAL_RETURN_STATUSES = (ReturnStatus.refused, ReturnStatus.refunded)


def decide_return(db: Session, decision: ReturnDecision) -> None:
    """Record the merchant's decision on a return (accepted, refused, refunded)."""
    row = db.get(ReturnRequest, decision.return_id, populate_existing=True)
    if row is None:
        raise NotFound("Demande de retour introuvable.")
    _, part = lock_part_and_order(db, row.vendor_order_id)
    status = ReturnStatus(decision.status)
    if row.status == status or row.status in FINAL_RETURN_STATUSES:
        # Already recorded: an acceptance replayed after the refund (an activity retried
        # late) must not move the part back to "return received".
        return
    row.status = status
    if status != ReturnStatus.accepted:
        row.decided_at = row.decided_at or _now()
    if status == ReturnStatus.refused:
        row.refusal_reason = decision.refusal_reason[:2000]
        to_status = VendorOrderStatus.refunded if part.refunded_cents else VendorOrderStatus.completed
    elif status == ReturnStatus.accepted:
        to_status = VendorOrderStatus.return_received
    else:
        to_status = VendorOrderStatus.refunded
        lines = {line.id: line for line in _lines(db, [part.id])}
        for returned in decision.returned_lines:
            line = lines.get(returned.line_id)
            if line is not None:
                line.returned_quantity = min(line.quantity, line.returned_quantity + returned.quantity)
    _event(
        db,
        key=f"return:{row.id}:{status.value}",
        order_id=part.order_id,
        vendor_order_id=part.id,
        from_status=part.status.value,
        to_status=to_status.value,
        actor_kind="merchant" if status != ReturnStatus.refunded else "system",
        note=decision.refusal_reason if status == ReturnStatus.refused else "",
    )
    part.status = to_status
    db.flush()
    refresh_order_status(db, part.order_id, f"return:{row.id}:{status.value}")


# --- needing a human -------------------------------------------------------------------------


def flag_attention(db: Session, request: AttentionRequest) -> None:
    """A step exhausted its retries (or a merchant is late): operators must look."""
    order = lock_order(db, request.order_id)  # NotFound (final) rather than a foreign-key error
    db.execute(
        insert(AttentionItem)
        .values(
            item_key=request.item_key[:200],
            order_id=request.order_id,
            vendor_order_id=request.vendor_order_id,
            kind=request.kind,
            step=request.step[:120],
            error=request.error[:5000],
        )
        .on_conflict_do_nothing(index_elements=[AttentionItem.item_key])
    )
    order.needs_attention = True
    if request.vendor_order_id is not None:
        part = lock_vendor_order(db, request.vendor_order_id)
        part.needs_attention = True
    elif request.kind == "activity_failed":
        order.stage = "needs_attention"
    db.flush()


def resolve_attention(db: Session, resolution: AttentionResolution) -> None:
    """An operator (or the merchant acting) settled the item; the order leaves attention when
    nothing else is open."""
    item = db.scalar(
        select(AttentionItem).where(AttentionItem.item_key == resolution.item_key).with_for_update()
    )
    if item is not None and item.resolved_at is None:
        item.resolved_at = _now()
        item.resolution = resolution.resolution[:200]
        item.resolved_by = resolution.operator_id
    order = lock_order(db, resolution.order_id)
    still_open = db.scalars(
        select(AttentionItem).where(
            AttentionItem.order_id == order.id, AttentionItem.resolved_at.is_(None)
        )
    ).all()
    if item is not None and item.vendor_order_id is not None:
        if not any(i.vendor_order_id == item.vendor_order_id for i in still_open):
            part = lock_vendor_order(db, item.vendor_order_id)
            part.needs_attention = False
    if not still_open:
        order.needs_attention = False
        if order.stage == "needs_attention":
            order.stage = resolution.stage or "running"
    elif resolution.stage and order.stage == "needs_attention":
        order.stage = resolution.stage
    db.flush()
