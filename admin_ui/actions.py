"""What an operator does to one order's workflow; each writes the audit log and returns a
French result.

The audit entry is recorded only once Temporal accepted the action. The Postgres repairs
(resend an e-mail, issue a missing invoice) are in `comptoir.services.operations.repairs`.
"""

from __future__ import annotations

from admin_ui import temporal_ops
from comptoir.db import session_scope
from comptoir.domain.money import format_eur
from comptoir.errors import Conflict, NotFound, ServiceUnavailable
from comptoir.models import Order
from comptoir.orders.contracts import order_workflow_id
from comptoir.services import audit, operator_refunds
from comptoir.services.checkout import START_PENDING
from comptoir.services.operations import decisions


def operator_signal(
    operator_id: int, order_id: int, action: str, reason: str, attention_item_id: int | None
) -> str:
    """Send `retry`, `skip` or `cancel` to the order's (or the shop part's) workflow."""
    with session_scope() as db:
        workflow_id = decisions.send_operator_decision(
            db,
            operator_id,
            order_id,
            action,
            reason,
            lambda target: temporal_ops.send_operator_action(target, action, reason, operator_id),
            attention_item_id=attention_item_id,
        )
    return (
        f"Demande de {decisions.DECISION_LABELS[action]} envoyée au workflow {workflow_id} ; "
        "le statut de la commande se mettra à jour quand il l'aura traitée."
    )


def refund(
    operator_id: int, order_id: int, amount_cents: int, vendor_order_id: int | None, reason: str
) -> str:
    """Refund an amount outside the return flow (recorded and audited, then its workflow)."""
    with session_scope() as db:
        row = operator_refunds.request_refund(
            db,
            order_id=order_id,
            amount_cents=amount_cents,
            reason=reason,
            operator_id=operator_id,
            vendor_order_id=vendor_order_id,
        )
        refund_id, shown_reason = row.id, row.reason
    try:
        temporal_ops.start_operator_refund(refund_id, order_id, shown_reason)
    except ServiceUnavailable:
        with session_scope() as db:
            operator_refunds.give_up(db, refund_id, "Temporal injoignable au lancement")
        raise
    return (
        f"Remboursement de {format_eur(amount_cents)} lancé : le client est remboursé sur sa "
        "carte dans un instant et prévenu par e-mail."
    )


def start_workflow(operator_id: int, order_id: int, reason: str) -> str:
    """Start the workflow of an order whose start never reached Temporal."""
    with session_scope() as db:
        order = db.get(Order, order_id)
        if order is None:
            raise NotFound(f"La commande n° {order_id} n'existe pas.")
        if order.stage != START_PENDING:
            raise Conflict("Le workflow de cette commande a déjà démarré.")
    started = temporal_ops.start_order(order_id)
    with session_scope() as db:
        audit.record(
            db,
            operator_id,
            "order.start_workflow",
            audit.order_target(order_id),
            reason,
            {"started": started},
        )
    if started:
        return f"Workflow {order_workflow_id(order_id)} démarré."
    return f"Le workflow {order_workflow_id(order_id)} existait déjà : rien à démarrer."


def terminate_workflow(operator_id: int, order_id: int, reason: str) -> str:
    """Terminate the order's workflow (no compensation: the order then needs manual care)."""
    workflow_id = order_workflow_id(order_id)
    temporal_ops.terminate(workflow_id, reason)
    with session_scope() as db:
        audit.record(
            db,
            operator_id,
            "order.terminate",
            audit.order_target(order_id),
            reason,
            {"workflow_id": workflow_id},
        )
    return (
        f"Workflow {workflow_id} arrêté de force. Le statut en base n'est plus mis à jour : "
        "traitez la suite (remboursement, stock) à la main."
    )


def reset_workflow(operator_id: int, order_id: int, reason: str) -> str:
    """Reset the order's workflow to its last good point (before the first failure)."""
    workflow_id = order_workflow_id(order_id)
    event_id, run_id = temporal_ops.reset_to_last_good_point(workflow_id, reason)
    with session_scope() as db:
        audit.record(
            db,
            operator_id,
            "order.reset",
            audit.order_target(order_id),
            reason,
            {"workflow_id": workflow_id, "event_id": event_id, "new_run_id": run_id},
        )
    return f"Workflow {workflow_id} repris à l'événement {event_id} (nouvelle exécution {run_id})."
