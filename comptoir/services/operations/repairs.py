"""Repairs an operator makes to one order in Postgres: resend an e-mail, issue a missing invoice.

Each records its audit entry in the same transaction as the change, so the journal never
claims what did not happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from comptoir.db import session_scope
from comptoir.errors import Conflict, NotFound, ServiceUnavailable
from comptoir.models import Invoice, VendorOrder
from comptoir.orders.contracts import EmailRequest
from comptoir.services import audit, invoicing


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
            entry = audit.record(
                db,
                operator_id,
                "order.resend_email",
                audit.order_target(order_id),
                reason,
                {"template": template, "vendor_order_id": vendor_order_id},
            )
            sent = order_email(
                db,
                EmailRequest(
                    order_id=order_id,
                    template=template,
                    email_key=f"operator-resend:{entry.id}",
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
        audit.record(
            db,
            operator_id,
            "order.issue_invoice",
            audit.order_target(order_id),
            reason,
            {"vendor_order_id": part.id, "invoice": number},
        )
    return f"Facture {number} émise."
