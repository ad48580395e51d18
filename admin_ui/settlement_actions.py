"""What an operator does to settlements: retry a failed payout, write the SEPA file, mark a
SEPA settlement paid. Each writes the audit log and returns a French result (Temporal actions
once Temporal accepted them; database actions in the same transaction as the change)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from admin_ui import temporal_ops
from comptoir.db import session_scope
from comptoir.domain.labels import count_fr
from comptoir.domain.money import format_eur
from comptoir.errors import Conflict
from comptoir.models.settlements import PayoutAttempt, PayoutMethod, SettlementState
from comptoir.services import audit
from comptoir.settings import get_settings
from comptoir.settlements import gateway, payouts, sepa


def settlement_target(settlement_id: int) -> str:
    """The audit log's name for a settlement."""
    return f"settlement:{settlement_id}"


def retry_payout(operator_id: int, settlement_id: int, reason: str) -> str:
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
    settings = get_settings()
    workflow_id = temporal_ops.call(
        lambda client: gateway.retry_payout(client, settings, settlement, int(attempts or 0) + 1)
    )
    with session_scope() as db:
        audit.record(db, operator_id, "settlement.retry_payout", settlement_target(settlement_id),
                     reason, {"workflow_id": workflow_id})  # fmt: skip
    return f"Virement relancé (workflow {workflow_id}) ; son état se mettra à jour ici."


def write_sepa_file(operator_id: int, execution_date: date, reason: str) -> str:
    """The pain.001 file of every planned SEPA settlement; they become « Envoyé »."""
    with session_scope() as db:
        made = sepa.build_sepa_file(db, execution_date, created_by=operator_id)
        audit.record(db, operator_id, "settlement.sepa_file", f"sepa:{made.batch.id}", reason,
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
