"""What an operator can do to one order; each writes the audit log and returns a French result.

Temporal actions record the audit entry only once Temporal accepted them; Postgres actions
record it in the same transaction as the change, so the journal never claims what did not
happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from admin_ui import temporal_ops
from admin_ui.data import record_audit
from comptoir.db import session_scope
from comptoir.domain.money import format_eur
from comptoir.errors import Conflict, NotFound, ServiceUnavailable
from comptoir.models import AttentionItem, Invoice, Order, VendorOrder
from comptoir.orders.contracts import EmailRequest, order_workflow_id, vendor_order_workflow_id
from comptoir.services import invoicing, operator_refunds
from comptoir.services.checkout import START_PENDING


@dataclass(frozen=True)
class ResendableEmail:
    label: str
    to: str  # shopper or merchant
    per_shop: bool


# E-mails whose content can be rebuilt from the order alone (no event-specific figures).
RESENDABLE_EMAILS = {
    "order_paid": ResendableEmail("Confirmation de paiement (client)", "shopper", False),
    "ready_for_pickup": ResendableEmail("Commande prête à retirer (client)", "shopper", True),
    "shipped": ResendableEmail("Commande expédiée (client)", "shopper", True),
    "new_vendor_order": ResendableEmail("Nouvelle commande payée (commerçant)", "merchant", True),
}
OPERATOR_SIGNAL_LABELS = {
    "retry": "relance de l'étape en échec",
    "skip": "passage de l'étape en échec",
    "cancel": "annulation",
}


def order_target(order_id: int) -> str:
    """The audit log's name for an order."""
    return f"order:{order_id}"


def signal_target(order_id: int, attention_item_id: int | None) -> str:
    """The workflow an operator's retry/cancel goes to: the shop's part when the item names one."""
    if attention_item_id is None:
        return order_workflow_id(order_id)
    with session_scope() as db:
        item = db.get(AttentionItem, attention_item_id)
        if item is None or item.order_id != order_id:
            raise NotFound("Ce point d'attention n'existe pas pour cette commande.")
        if item.resolved_at is not None:
            raise Conflict("Ce point d'attention est déjà résolu.")
        if item.vendor_order_id is not None:
            return vendor_order_workflow_id(item.vendor_order_id)
    return order_workflow_id(order_id)


def operator_signal(
    operator_id: int, order_id: int, action: str, reason: str, attention_item_id: int | None
) -> str:
    """Send `retry`, `skip` or `cancel` to the order's (or the shop part's) workflow."""
    if action not in OPERATOR_SIGNAL_LABELS:
        raise Conflict(f"Action inconnue : {action}.")
    workflow_id = signal_target(order_id, attention_item_id)
    temporal_ops.send_operator_action(workflow_id, action, reason, operator_id)
    with session_scope() as db:
        record_audit(
            db,
            operator_id,
            f"order.{action}",
            order_target(order_id),
            reason,
            {"workflow_id": workflow_id, "attention_item_id": attention_item_id},
        )
    return (
        f"Demande de {OPERATOR_SIGNAL_LABELS[action]} envoyée au workflow {workflow_id} ; "
        "le statut de la commande se mettra à jour quand il l'aura traitée."
    )


def resend_email(
    operator_id: int, order_id: int, template: str, vendor_order_id: int | None, reason: str
) -> str:
    """Send an order e-mail again (a fresh key, so the at-most-once guard lets it through)."""
    from comptoir.services.mail_templates import order_email

    kind = RESENDABLE_EMAILS.get(template)
    if kind is None:
        raise Conflict("Cet e-mail ne peut pas être renvoyé depuis la console.")
    if kind.per_shop and vendor_order_id is None:
        raise Conflict("Choisissez la boutique concernée par cet e-mail.")
    try:
        with session_scope() as db:
            if kind.per_shop:
                part = db.get(VendorOrder, vendor_order_id)
                if part is None or part.order_id != order_id:
                    raise NotFound("Cette boutique ne fait pas partie de la commande.")
            audit = record_audit(
                db,
                operator_id,
                "order.resend_email",
                order_target(order_id),
                reason,
                {"template": template, "vendor_order_id": vendor_order_id},
            )
            sent = order_email(
                db,
                EmailRequest(
                    order_id=order_id,
                    template=template,
                    email_key=f"operator-resend:{audit.id}",
                    to=kind.to,
                    vendor_order_id=vendor_order_id if kind.per_shop else None,
                ),
            )
            if not sent:
                raise Conflict(
                    "Aucune adresse à qui écrire (compte effacé ou boutique sans e-mail)."
                )
    except OSError as error:
        raise ServiceUnavailable(
            "Le serveur d'e-mails est injoignable : rien n'a été envoyé, réessayez plus tard."
        ) from error
    return f"E-mail « {kind.label} » renvoyé."


def issue_missing_invoice(
    operator_id: int, order_id: int, vendor_order_id: int, reason: str
) -> str:
    """Issue the invoice a paid shop part should have (the invoicing step failed)."""
    with session_scope() as db:
        part = db.get(VendorOrder, vendor_order_id)
        if part is None or part.order_id != order_id:
            raise NotFound("Cette boutique ne fait pas partie de la commande.")
        existing = db.scalar(select(Invoice.number).where(Invoice.vendor_order_id == part.id))
        if existing is not None:
            # Issued invoices are legal documents: never renumbered nor rewritten.
            raise Conflict(f"La facture {existing} est déjà émise ; elle n'est pas réémise.")
        invoice = invoicing.issue_invoice(db, part.id)
        number = invoice.number
        record_audit(
            db,
            operator_id,
            "order.issue_invoice",
            order_target(order_id),
            reason,
            {"vendor_order_id": part.id, "invoice": number},
        )
    return f"Facture {number} émise."


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
        record_audit(
            db,
            operator_id,
            "order.start_workflow",
            order_target(order_id),
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
        record_audit(
            db,
            operator_id,
            "order.terminate",
            order_target(order_id),
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
        record_audit(
            db,
            operator_id,
            "order.reset",
            order_target(order_id),
            reason,
            {"workflow_id": workflow_id, "event_id": event_id, "new_run_id": run_id},
        )
    return f"Workflow {workflow_id} repris à l'événement {event_id} (nouvelle exécution {run_id})."
