"""Statements in the database: final parts only, once per shop and period, debts carried."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comptoir.domain.money import payment_fee_cents
from comptoir.errors import Unprocessable
from comptoir.models import Payment, VendorOrderStatus
from comptoir.models.settlements import PayoutMethod, SettlementItem, SettlementState
from comptoir.settlements import service
from comptoir.settlements.payout_details import set_payout_account
from comptoir.settlements.periods import Period, period_containing
from tests.factories import create_shop
from tests.order_factories import complete_vendor_order
from tests.settlements.support import close, paid_order, refund_in_ledger

WEEK_1 = period_containing(date(2026, 11, 23))
WEEK_2 = period_containing(date(2026, 11, 30))
WEEK_3 = period_containing(date(2026, 12, 7))


def _now() -> datetime:
    return datetime.now(UTC)


def test_two_shops_are_settled_with_their_exact_fee_shares(db: Session) -> None:
    bakery, cheese = create_shop(db), create_shop(db)
    order, parts = paid_order(db, {bakery: 1999, cheese: 12_345})
    for part in parts.values():
        close(db, part)
    assert service.shops_to_settle(db, _now()) == sorted([bakery.id, cheese.id])
    first = service.create_settlement(db, bakery.id, WEEK_1, _now())
    second = service.create_settlement(db, cheese.id, WEEK_1, _now())
    db.commit()
    assert first is not None and second is not None
    payment = db.scalar(select(Payment).where(Payment.order_id == order.id))
    assert payment is not None
    assert first.fee_cents + second.fee_cents == payment_fee_cents(payment.amount_cents) == 226
    assert first.sales_cents == 1999 and second.sales_cents == 12_345
    assert first.net_cents == 1999 - first.fee_cents
    assert first.fee_cents == parts[bakery.id].fee_cents  # split as the ledger did
    assert first.state == SettlementState.planned and first.payout_method == PayoutMethod.sepa
    assert service.shops_to_settle(db, _now()) == []
    for shop in (bakery, cheese):
        assert service.money_position_of_shop(db, shop.id).balanced


def test_a_second_run_for_the_period_changes_nothing(db: Session) -> None:
    shop = create_shop(db)
    _, parts = paid_order(db, {shop: 4200})
    close(db, parts[shop.id])
    first = service.create_settlement(db, shop.id, WEEK_1, _now())
    db.commit()
    again = service.create_settlement(db, shop.id, WEEK_1, _now())
    db.commit()
    assert first is not None and again is not None and again.id == first.id
    assert db.scalar(select(func.count()).select_from(SettlementItem)) == 1
    # A part is in one settlement at most, whatever a caller tries.
    other = service.create_settlement(db, shop.id, WEEK_2, _now())
    assert other is None
    db.add(
        SettlementItem(settlement_id=first.id, vendor_order_id=parts[shop.id].id,
                       order_id=parts[shop.id].order_id, sales_cents=1, refunds_cents=0,
                       fee_cents=0)
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_open_return_windows_wait_for_a_later_period(db: Session) -> None:
    shop = create_shop(db)
    _, parts_a = paid_order(db, {shop: 3000})
    _, parts_b = paid_order(db, {shop: 5000})
    close(db, parts_a[shop.id])
    complete_vendor_order(db, parts_b[shop.id], return_days_left=4)
    db.commit()
    first = service.create_settlement(db, shop.id, WEEK_1, _now())
    db.commit()
    assert first is not None and first.sales_cents == 3000
    assert service.create_settlement(db, shop.id, WEEK_2, _now()) is None
    position = service.money_position_of_shop(db, shop.id)
    assert position.pending_cents == first.net_cents + parts_b[shop.id].net_cents
    assert position.balanced
    close(db, parts_b[shop.id])
    later = service.create_settlement(db, shop.id, WEEK_2, _now())
    db.commit()
    assert later is not None and later.sales_cents == 5000


def test_a_negative_period_is_carried_into_the_next_one(db: Session) -> None:
    shop = create_shop(db)
    _, parts = paid_order(db, {shop: 1000})
    part = parts[shop.id]
    refund_in_ledger(db, part, 1000)  # every line unavailable: refunded, then cancelled
    part.status = VendorOrderStatus.cancelled
    db.commit()
    debt = service.create_settlement(db, shop.id, WEEK_1, _now())
    db.commit()
    assert debt is not None
    assert debt.state == SettlementState.carried
    assert debt.net_cents == -part.fee_cents < 0
    position = service.money_position_of_shop(db, shop.id)
    assert position.carried_cents == debt.net_cents and position.balanced
    _, parts_2 = paid_order(db, {shop: 2500})
    close(db, parts_2[shop.id])
    paid_later = service.create_settlement(db, shop.id, WEEK_3, _now())
    db.commit()
    assert paid_later is not None
    assert paid_later.carried_in_cents == debt.net_cents
    assert paid_later.net_cents == 2500 - parts_2[shop.id].fee_cents + debt.net_cents
    position = service.money_position_of_shop(db, shop.id)
    assert position.carried_cents == 0 and position.balanced


def test_partly_refunded_part_is_settled_once_its_window_is_over(db: Session) -> None:
    shop = create_shop(db)
    _, parts = paid_order(db, {shop: 8000})
    part = parts[shop.id]
    complete_vendor_order(db, part, return_days_left=2)
    refund_in_ledger(db, part, 3000)
    part.status = VendorOrderStatus.refunded
    db.commit()
    assert service.create_settlement(db, shop.id, WEEK_1, _now()) is None
    part.return_deadline = _now() - timedelta(minutes=1)
    db.commit()
    settled = service.create_settlement(db, shop.id, WEEK_1, _now())
    assert settled is not None
    assert (settled.sales_cents, settled.refunds_cents) == (8000, 3000)
    assert settled.net_cents == 5000 - part.fee_cents


def test_connected_account_decides_the_payout_method(db: Session) -> None:
    shop = create_shop(db)
    set_payout_account(db, shop.id, stripe_account_id="acct_1Boulangerie")
    _, parts = paid_order(db, {shop: 4200})
    close(db, parts[shop.id])
    settled = service.create_settlement(db, shop.id, Period(date(2026, 11, 23), date(2026, 11, 29)), _now())
    assert settled is not None and settled.payout_method == PayoutMethod.connect


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"iban": "FR76 3000 6000 0112 3456 7890 188", "holder": "X"}, "IBAN invalide"),
        ({"iban": "FR7630006000011234567890189", "bic": "ZZZZ", "holder": "X"}, "BIC invalide"),
        ({"iban": "FR7630006000011234567890189", "bic": "COBADEFFXXX", "holder": "X"},
         "même pays"),
        ({"iban": "FR7630006000011234567890189", "holder": " "}, "titulaire"),
        ({"stripe_account_id": "compte-123"}, "Stripe Connect invalide"),
        ({}, "Indiquez un compte"),
    ],
)  # fmt: skip
def test_bad_payout_details_are_refused_in_french(
    db: Session, fields: dict[str, str], message: str
) -> None:
    shop = create_shop(db)
    with pytest.raises(Unprocessable, match=message):
        set_payout_account(db, shop.id, **fields)


def test_iban_is_stored_compact_with_its_bic(db: Session) -> None:
    shop = create_shop(db)
    account = set_payout_account(
        db, shop.id, iban="fr76 3000 6000 0112 3456 7890 189", holder="Boulangerie  Roux"
    )
    assert (account.iban, account.bic, account.holder) == (
        "FR7630006000011234567890189", "AGRIFRPPXXX", "Boulangerie Roux"
    )
