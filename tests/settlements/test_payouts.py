"""Paying settlements: Connect transfers exactly once on localstripe, SEPA files valid pain.001."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import Conflict
from comptoir.models.settlements import (
    PayoutAttempt,
    PayoutAttemptStatus,
    Settlement,
    SettlementState,
)
from comptoir.services.payments import stripe_client
from comptoir.settlements import payouts, sepa, service
from comptoir.settlements.payout_details import set_payout_account
from comptoir.settlements.periods import period_containing
from tests.factories import create_shop
from tests.settlements.support import close, paid_order

WEEK = period_containing(date(2026, 11, 23))
PAIN_001 = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"


def _settled(db: Session, price: int, **payout: str) -> Settlement:
    shop = create_shop(db)
    set_payout_account(db, shop.id, **payout)
    _, parts = paid_order(db, {shop: price})
    close(db, parts[shop.id])
    settlement = service.create_settlement(db, shop.id, WEEK, datetime.now(UTC))
    db.commit()
    assert settlement is not None
    return settlement


def _connected_account() -> str:
    return str(stripe_client().v1.accounts.create(params={"type": "express"}).id)


def _connected_account_id_only() -> str:
    return "acct_1ConnectNotSepa"


def _transfers_to(account: str) -> list[object]:
    return list(stripe_client().v1.transfers.list(params={"destination": account}).data)


def test_connect_settlement_is_transferred_exactly_once(db: Session, localstripe: str) -> None:
    account = _connected_account()
    settlement = _settled(db, 4200, stripe_account_id=account)
    paid = payouts.pay_settlement(db, settlement.id)
    db.commit()
    assert paid.state == SettlementState.paid and paid.stripe_transfer_id
    again = payouts.pay_settlement(db, settlement.id)  # a retried activity
    db.commit()
    assert again.stripe_transfer_id == paid.stripe_transfer_id
    transfers = _transfers_to(account)
    assert len(transfers) == 1
    assert transfers[0].amount == settlement.net_cents  # type: ignore[attr-defined]
    assert transfers[0].transfer_group == f"settlement-{settlement.id}"  # type: ignore[attr-defined]
    assert payouts.transfers_made(db, settlement.id) == 1


def test_a_crash_after_stripe_answered_does_not_pay_twice(db: Session, localstripe: str) -> None:
    account = _connected_account()
    settlement = _settled(db, 3100, stripe_account_id=account)
    # The first attempt reached Stripe, then the worker died before committing the answer.
    attempt = PayoutAttempt(
        settlement_id=settlement.id, attempt=1, transfer_key=f"settlement-{settlement.id}-attempt-1",
        amount_cents=settlement.net_cents, destination=account, status=PayoutAttemptStatus.pending,
    )  # fmt: skip
    db.add(attempt)
    db.commit()
    stripe_client().v1.transfers.create(
        params={"amount": settlement.net_cents, "currency": "eur", "destination": account,
                "transfer_group": f"settlement-{settlement.id}",
                "metadata": {"transfer_key": attempt.transfer_key}}
    )  # fmt: skip
    paid = payouts.pay_settlement(db, settlement.id)
    db.commit()
    assert paid.state == SettlementState.paid
    assert len(_transfers_to(account)) == 1


def test_a_refused_transfer_fails_then_an_operator_retries_it(
    db: Session, localstripe: str
) -> None:
    settlement = _settled(db, 2500, stripe_account_id="acct_inconnu")
    failed = payouts.pay_settlement(db, settlement.id)
    db.commit()
    assert failed.state == SettlementState.failed
    assert "refusé" in failed.failure_message
    account = _connected_account()
    set_payout_account(db, settlement.shop_id, stripe_account_id=account)
    payouts.reopen_failed_payout(db, settlement.id)
    db.commit()
    with pytest.raises(Conflict):
        payouts.reopen_failed_payout(db, settlement.id)  # planned again: nothing to reopen
    paid = payouts.pay_settlement(db, settlement.id)
    db.commit()
    assert paid.state == SettlementState.paid
    attempts = db.scalars(
        select(PayoutAttempt).where(PayoutAttempt.settlement_id == settlement.id).order_by(PayoutAttempt.attempt)
    ).all()
    assert [a.status for a in attempts] == [PayoutAttemptStatus.failed, PayoutAttemptStatus.succeeded]
    assert len(_transfers_to(account)) == 1


def test_sepa_file_validates_against_pain_001_and_sends_the_settlements(db: Session) -> None:
    first = _settled(db, 4200, iban="FR7630006000011234567890189", holder="Boulangerie Roux")
    second = _settled(db, 1999, iban="DE89370400440532013000", holder="Käserei Müller")
    _settled(db, 900, stripe_account_id=_connected_account_id_only())  # Connect: not in the file
    made = sepa.build_sepa_file(db, date(2026, 12, 8), created_by=None)
    db.commit()
    xmlschema.XMLSchema(str(PAIN_001)).validate(made.batch.xml)  # raises when invalid
    tree = ET.fromstring(made.batch.xml)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert tree.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "2"
    total = (first.net_cents + second.net_cents) / 100
    assert tree.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == f"{total:.2f}"
    ibans = [e.text for e in tree.iterfind(".//p:CdtrAcct/p:Id/p:IBAN", ns)]
    assert sorted(ibans) == ["DE89370400440532013000", "FR7630006000011234567890189"]
    assert made.batch.total_cents == first.net_cents + second.net_cents
    for settlement in (first, second):
        db.refresh(settlement)
        assert settlement.state == SettlementState.sent
        assert settlement.sepa_batch_id == made.batch.id
    with pytest.raises(Conflict, match="Aucun virement SEPA"):
        sepa.build_sepa_file(db, date(2026, 12, 8), created_by=None)
    db.rollback()
    assert payouts.mark_paid(db, first.id).state == SettlementState.paid
    db.commit()
    with pytest.raises(Conflict):
        payouts.mark_paid(db, first.id)


def test_sepa_settlement_without_bank_account_is_left_out(db: Session) -> None:
    shop = create_shop(db)
    _, parts = paid_order(db, {shop: 1500})
    close(db, parts[shop.id])
    settlement = service.create_settlement(db, shop.id, WEEK, datetime.now(UTC))
    db.commit()
    assert settlement is not None
    with pytest.raises(Conflict, match="Aucun virement SEPA"):
        sepa.build_sepa_file(db, date(2026, 12, 8), created_by=None)
