"""Orders that need a human: Postgres' reasons in one query, Temporal's disagreements apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, null, select, union_all
from sqlalchemy.orm import aliased

from comptoir.db import session_scope
from comptoir.models import AttentionItem, Order, OrderStatus, Shop, VendorOrder
from comptoir.services.checkout import START_PENDING

START_GRACE = timedelta(minutes=1)
CLOSING_GRACE = timedelta(minutes=5)
# Orders whose workflow has nothing left to do.
FINAL_STATUSES = (
    OrderStatus.completed,
    OrderStatus.cancelled,
    OrderStatus.payment_failed,
    OrderStatus.refunded,
    OrderStatus.partially_refunded,
)
# Of those, the ones whose workflow ends at once (completed orders wait for return windows).
CLOSED_AT_ONCE = (OrderStatus.cancelled, OrderStatus.payment_failed, OrderStatus.refunded)

REASON_LABELS = {
    "activity_failed": "Étape en échec après ses tentatives",
    "merchant_late": "Commerçant en retard",
    "pickup_no_show": "Client non venu retirer sa commande",
    "flagged": "Marquée « à traiter » sans point d'attention ouvert",
    "payment_overdue": "Paiement attendu au-delà de l'échéance",
    "confirmation_overdue": "Confirmation du commerçant attendue au-delà de l'échéance",
    "not_started": "Workflow jamais démarré",
    "workflow_closed": "Workflow terminé alors que la commande est en cours",
    "workflow_running": "Workflow encore actif alors que la commande est close",
}


@dataclass(frozen=True)
class StuckItem:
    """One reason an order needs a human, and since when."""

    order_id: int
    reason: str  # a key of REASON_LABELS (or an attention kind we do not know yet)
    since: datetime
    status: str
    stage: str
    detail: str = ""
    shop: str = ""
    attention_item_id: int | None = None
    vendor_order_id: int | None = None

    @property
    def reason_label(self) -> str:
        """The reason in French."""
        return REASON_LABELS.get(self.reason, self.reason)


def stuck_items(now: datetime | None = None) -> list[StuckItem]:
    """Every reason Postgres knows for an order to need a human, oldest first (one query)."""
    now = now or datetime.now(UTC)
    open_item = aliased(AttentionItem)
    attention = select(
        AttentionItem.order_id,
        AttentionItem.kind.label("reason"),
        AttentionItem.created_at.label("since"),
        (AttentionItem.step + ": " + AttentionItem.error).label("detail"),
        AttentionItem.id.label("item_id"),
        AttentionItem.vendor_order_id,
    ).where(AttentionItem.resolved_at.is_(None))

    def order_reason(
        reason: str, since: ColumnElement[Any], *conditions: ColumnElement[bool]
    ) -> Select[Any]:
        return select(
            Order.id.label("order_id"),
            literal(reason).label("reason"),
            since,
            literal("").label("detail"),
            null().label("item_id"),
            null().label("vendor_order_id"),
        ).where(*conditions)

    flagged = order_reason(
        "flagged",
        Order.updated_at.label("since"),
        Order.needs_attention.is_(True),
        ~select(open_item.id)
        .where(open_item.order_id == Order.id, open_item.resolved_at.is_(None))
        .exists(),
    )
    payment = order_reason(
        "payment_overdue",
        Order.payment_deadline.label("since"),
        Order.status == OrderStatus.awaiting_payment,
        Order.payment_deadline < now,
    )
    confirmation = order_reason(
        "confirmation_overdue",
        Order.confirmation_deadline.label("since"),
        Order.status == OrderStatus.awaiting_confirmation,
        Order.confirmation_deadline < now,
    )
    not_started = order_reason(
        "not_started",
        Order.created_at.label("since"),
        Order.stage == START_PENDING,
        Order.created_at < now - START_GRACE,
    )
    reasons = union_all(attention, flagged, payment, confirmation, not_started).subquery()
    query = (
        select(reasons, Order.status, Order.stage, Shop.name)
        .join(Order, Order.id == reasons.c.order_id)
        .outerjoin(VendorOrder, VendorOrder.id == reasons.c.vendor_order_id)
        .outerjoin(Shop, Shop.id == VendorOrder.shop_id)
        .order_by(reasons.c.since, reasons.c.order_id)
    )
    with session_scope() as db:
        return [
            StuckItem(
                order_id=row.order_id,
                reason=row.reason,
                since=row.since,
                status=row.status.value,
                stage=row.stage,
                detail=row.detail or "",
                shop=row.name or "",
                attention_item_id=row.item_id,
                vendor_order_id=row.vendor_order_id,
            )
            for row in db.execute(query)
        ]


@dataclass(frozen=True)
class OrderPosition:
    status: OrderStatus
    stage: str
    updated_at: datetime


def order_positions(order_ids: list[int]) -> dict[int, OrderPosition]:
    """Postgres status, stage and last change of each of these orders (unknown ids left out)."""
    if not order_ids:
        return {}
    query = select(Order.id, Order.status, Order.stage, Order.updated_at).where(
        Order.id.in_(order_ids)
    )
    with session_scope() as db:
        return {i: OrderPosition(status, stage, at) for i, status, stage, at in db.execute(query)}


def workflow_disagreements(
    closed: list[tuple[int, datetime | None]],
    running: list[tuple[int, datetime | None]],
    now: datetime | None = None,
) -> list[StuckItem]:
    """Orders whose workflow state contradicts Postgres.

    `closed` and `running` are (order id, workflow start) of order workflows Temporal lists
    as closed and as running. A workflow that closed an order ends a moment later, so a
    running one counts only once the order has been closed for CLOSING_GRACE.
    """
    now = now or datetime.now(UTC)
    positions = order_positions([i for i, _ in closed] + [i for i, _ in running])
    found = []
    for order_id, _ in closed:
        at = positions.get(order_id)
        if at is not None and at.status not in FINAL_STATUSES:
            found.append(
                StuckItem(order_id, "workflow_closed", at.updated_at, at.status.value, at.stage)
            )
    for order_id, _ in running:
        at = positions.get(order_id)
        if at is not None and at.status in CLOSED_AT_ONCE and at.updated_at < now - CLOSING_GRACE:
            found.append(
                StuckItem(order_id, "workflow_running", at.updated_at, at.status.value, at.stage)
            )
    return found
