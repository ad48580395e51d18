"""SEPA credit transfers (pain.001.001.03) for the planned settlements of shops without Connect.

The file is built with `sepaxml`, which validates it against the pain.001 XSD it ships; the
settlements in it become `sent` and the file is kept, so the operator can download it again
and mark each settlement paid once the bank has executed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sepaxml import SepaTransfer
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import Conflict, NotFound
from comptoir.models import Shop
from comptoir.models.settlements import (
    PayoutMethod,
    SepaBatch,
    Settlement,
    SettlementState,
    ShopPayoutAccount,
)
from comptoir.settings import get_settings
from comptoir.settlements.payout_details import checked_bank_account

SCHEMA = "pain.001.001.03"


@dataclass(frozen=True, slots=True)
class SepaFile:
    """A written batch and the settlements left out (no valid bank account), by shop name."""

    batch: SepaBatch
    left_out: list[str]


def planned_sepa_settlements(db: Session) -> list[Settlement]:
    """Settlements waiting for a SEPA file (oldest first), locked until the caller's commit."""
    return list(
        db.scalars(
            select(Settlement)
            .where(
                Settlement.payout_method == PayoutMethod.sepa,
                Settlement.state == SettlementState.planned,
                Settlement.net_cents > 0,
            )
            .order_by(Settlement.period_start, Settlement.id)
            .with_for_update(skip_locked=True)
        )
    )


def build_sepa_file(db: Session, execution_date: date, created_by: int | None) -> SepaFile:
    """One pain.001 file for every planned SEPA settlement; they become `sent`."""
    settings = get_settings()
    debtor = checked_bank_account(settings.sepa_debtor_iban, settings.sepa_debtor_bic,
                                  settings.sepa_debtor_name)  # fmt: skip
    transfer = SepaTransfer(
        {"name": debtor.holder, "IBAN": debtor.iban, "BIC": debtor.bic, "batch": True,
         "currency": "EUR"},
        schema=SCHEMA,
    )  # fmt: skip
    settlements = planned_sepa_settlements(db)
    accounts = {
        a.shop_id: a
        for a in db.scalars(
            select(ShopPayoutAccount).where(
                ShopPayoutAccount.shop_id.in_([s.shop_id for s in settlements])
            )
        )
    }
    shop_ids = [s.shop_id for s in settlements]
    names = {
        shop_id: name
        for shop_id, name in db.execute(select(Shop.id, Shop.name).where(Shop.id.in_(shop_ids)))
    }
    included: list[Settlement] = []
    left_out: list[str] = []
    for settlement in settlements:
        account = accounts.get(settlement.shop_id)
        if account is None or not account.iban:
            left_out.append(names.get(settlement.shop_id, str(settlement.shop_id)))
            continue
        bank = checked_bank_account(account.iban, account.bic, account.holder)
        transfer.add_payment(
            {
                "name": bank.holder,
                "IBAN": bank.iban,
                "BIC": bank.bic,
                "amount": settlement.net_cents,
                "execution_date": execution_date,
                "description": f"Comptoir versement du {settlement.period_start:%d/%m/%Y} au "
                f"{settlement.period_end:%d/%m/%Y}",
                "endtoend_id": f"COMPTOIR-VERSEMENT-{settlement.id}",
            }
        )
        included.append(settlement)
    if not included:
        raise Conflict("Aucun virement SEPA à préparer.")
    xml = transfer.export(validate=True).decode("utf-8")
    batch = SepaBatch(
        message_id=transfer.msg_id,
        xml=xml,
        total_cents=sum(s.net_cents for s in included),
        transfers=len(included),
        created_by=created_by,
    )
    db.add(batch)
    db.flush()
    now = datetime.now(UTC)
    for settlement in included:
        settlement.state = SettlementState.sent
        settlement.sepa_batch_id = batch.id
        settlement.sent_at = now
    db.flush()
    return SepaFile(batch, left_out)


def sepa_batch(db: Session, batch_id: int) -> SepaBatch:
    """A stored SEPA file (to download again)."""
    batch = db.get(SepaBatch, batch_id)
    if batch is None:
        raise NotFound("Fichier SEPA introuvable.")
    return batch
