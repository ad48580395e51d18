"""An operator's decision on a stuck order: retry or skip the failed step, or cancel.

The API (`/api/operator/orders/{id}/actions`) and the console both go through
`send_operator_decision`, so the checks, the workflow chosen and the audit entry are the same.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import Conflict, NotFound
from comptoir.models import AttentionItem, Order, VendorOrder
from comptoir.orders.contracts import order_workflow_id, vendor_order_workflow_id
from comptoir.services import audit

DECISION_LABELS = {
    "retry": "relance de l'étape en échec",
    "skip": "passage de l'étape en échec",
    "cancel": "annulation",
}


def decision_workflow(
    db: Session,
    order_id: int,
    *,
    vendor_order_id: int | None = None,
    attention_item_id: int | None = None,
) -> str:
    """The workflow a decision goes to: the shop's part when one is named, else the order's."""
    if db.get(Order, order_id) is None:
        raise NotFound("Commande introuvable.")
    if attention_item_id is not None:
        item = db.get(AttentionItem, attention_item_id)
        if item is None or item.order_id != order_id:
            raise NotFound("Ce point d'attention n'existe pas pour cette commande.")
        if item.resolved_at is not None:
            raise Conflict("Ce point d'attention est déjà résolu.")
        vendor_order_id = item.vendor_order_id
    elif vendor_order_id is not None:
        found = db.scalar(
            select(VendorOrder.id).where(
                VendorOrder.id == vendor_order_id, VendorOrder.order_id == order_id
            )
        )
        if found is None:
            raise NotFound("Commande boutique introuvable.")
    if vendor_order_id is None:
        return order_workflow_id(order_id)
    return vendor_order_workflow_id(vendor_order_id)


def send_operator_decision(
    db: Session,
    operator_id: int,
    order_id: int,
    action: str,
    reason: str,
    send: Callable[[str], None],
    *,
    vendor_order_id: int | None = None,
    attention_item_id: int | None = None,
) -> str:
    """Check, send (`send(workflow_id)` signals the workflow) and audit; the workflow id.

    The audit entry is written only once the workflow accepted the signal, in `db`'s
    transaction, so the journal never claims what did not happen.
    """
    if action not in DECISION_LABELS:
        raise Conflict(f"Action inconnue : {action}.")
    workflow_id = decision_workflow(
        db, order_id, vendor_order_id=vendor_order_id, attention_item_id=attention_item_id
    )
    send(workflow_id)
    details: dict[str, object] = {"workflow_id": workflow_id}
    if attention_item_id is not None:
        details["attention_item_id"] = attention_item_id
    if vendor_order_id is not None:
        details["vendor_order_id"] = vendor_order_id
    audit.record(db, operator_id, f"order.{action}", audit.order_target(order_id), reason, details)
    return workflow_id
