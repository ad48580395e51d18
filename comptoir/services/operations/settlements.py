"""What an operator does to settlements: retry a failed payout, write the SEPA file, mark a
SEPA settlement paid. Each writes the audit log (`comptoir.services.audit`) and returns a
French result: a payout retry once Temporal accepted it (the console passes how to start it),
the database actions in the same transaction as the change. Also the platform's commission
invoices to the shops, to read and download."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from comptoir.db import session_scope
from comptoir.domain.labels import count_fr
from comptoir.domain.money import format_eur
from comptoir.errors import Conflict
from comptoir.models import CommissionInvoice, Shop
from comptoir.models.settlements import PayoutAttempt, PayoutMethod, Settlement, SettlementState
from comptoir.services import audit, commission
from comptoir.services.audit import sepa_target, settlement_target
from comptoir.settlements import payouts, sepa

# Starts the payout workflow of a settlement for its n-th attempt; the workflow id.
PayoutStarter = Callable[[Settlement, int], str]


def retry_payout(
    operator_id: int, settlement_id: int, reason: str, start_payout: PayoutStarter
) -> str:
    """Plan a failed (or stuck planned) Connect payout again and start its workflow."""
    with session_scope() as db:
        settlement = payouts.lock_settlement(db, settlement_id)
        if settlement.state == SettlementState.failed:
            settlement = payouts.reopen_failed_payout(db, settlement_id)
        elif not (
            settlement.state == SettlementState.planned
            and settlement.payout_method == PayoutMethod.connect
        ):
            raise Conflict("Seul un virement en échec (ou Connect en attente) peut être relancé.")
        if settlement.payout_method != PayoutMethod.connect:
            return (
                "Le versement est de nouveau prévu, en virement SEPA (la boutique n'a plus de "
                "compte Stripe Connect) : il figurera dans le prochain fichier SEPA."
            )
        attempts = db.scalar(
            select(func.count()).where(PayoutAttempt.settlement_id == settlement_id)
        )
    workflow_id = start_payout(settlement, int(attempts or 0) + 1)
    with session_scope() as db:
        audit.record(db, operator_id, "settlement.retry_payout", settlement_target(settlement_id),
                     reason, {"workflow_id": workflow_id})  # fmt: skip
    return f"Virement relancé (workflow {workflow_id}) ; son état se mettra à jour ici."


def write_sepa_file(operator_id: int, execution_date: date, reason: str) -> str:
    """The pain.001 file of every planned SEPA settlement; they become « Envoyé »."""
    with session_scope() as db:
        made = sepa.build_sepa_file(db, execution_date, created_by=operator_id)
        audit.record(db, operator_id, "settlement.sepa_file", sepa_target(made.batch.id), reason,
                     {"message_id": made.batch.message_id, "total_cents": made.batch.total_cents,
                      "transfers": made.batch.transfers})  # fmt: skip
        message = (
            f"Fichier SEPA n° {made.batch.id} prêt : {count_fr(made.batch.transfers, 'virement', 'virements')}, "
            f"{format_eur(made.batch.total_cents)}. Téléchargez-le ci-dessous pour la banque."
        )
        if made.left_out:
            message += " Sans IBAN, non inclus : " + ", ".join(made.left_out) + "."
    return message


def mark_paid(operator_id: int, settlement_id: int, reason: str) -> str:
    """The bank executed a SEPA settlement."""
    with session_scope() as db:
        settlement = payouts.mark_paid(db, settlement_id)
        audit.record(db, operator_id, "settlement.mark_paid", settlement_target(settlement_id),
                     reason, {"net_cents": settlement.net_cents})  # fmt: skip
        net = settlement.net_cents
    return f"Versement n° {settlement_id} marqué payé ({format_eur(net)})."


@dataclass(frozen=True, slots=True)
class CommissionInvoiceRow:
    """A commission invoice as the console lists it."""

    id: int
    number: str
    shop_name: str
    month: date
    issued_at: datetime
    payments_count: int
    total_ht_cents: int
    total_vat_cents: int
    total_ttc_cents: int


def commission_invoices(shop_id: int | None = None, limit: int = 50) -> list[CommissionInvoiceRow]:
    """The latest commission invoices (of one shop, or all), newest month first."""
    query = (
        select(CommissionInvoice, Shop.name)
        .join(Shop, Shop.id == CommissionInvoice.shop_id)
        .order_by(CommissionInvoice.month.desc(), CommissionInvoice.sequence.desc())
        .limit(limit)
    )
    if shop_id is not None:
        query = query.where(CommissionInvoice.shop_id == shop_id)
    with session_scope() as db:
        return [
            CommissionInvoiceRow(
                id=invoice.id,
                number=invoice.number,
                shop_name=name,
                month=invoice.month,
                issued_at=invoice.issued_at,
                payments_count=invoice.payments_count,
                total_ht_cents=invoice.total_ht_cents,
                total_vat_cents=invoice.total_vat_cents,
                total_ttc_cents=invoice.total_ttc_cents,
            )
            for invoice, name in db.execute(query).tuples()
        ]


def commission_invoice_pdf(invoice_id: int) -> bytes:
    """The stored PDF of one commission invoice."""
    with session_scope() as db:
        return bytes(commission.get_commission_invoice(db, invoice_id, with_pdf=True).pdf)
