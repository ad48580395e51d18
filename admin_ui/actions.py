"""What an operator does to one order's workflow; each writes the audit log and returns a
French result.

The audit entry is recorded only once Temporal accepted the action. The Postgres repairs
(resend an e-mail, issue a missing invoice) are in `comptoir.services.operations.repairs`.
"""

from __future__ import annotations

from admin_ui import temporal_ops
from comptoir.db import session_scope
from comptoir.errors import Conflict, NotFound
from comptoir.models import Order
from comptoir.orders.contracts import order_workflow_id
from comptoir.services import audit
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
