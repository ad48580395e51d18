"""Activities of the settlements: thin, idempotent wrappers around comptoir.settlements.

A business refusal is final (non-retryable); Stripe, SMTP or PostgreSQL down is retried.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from temporalio import activity

from activities.orders import business_errors_final
from comptoir.db import session_scope
from comptoir.models.settlements import Settlement
from comptoir.settlements import notices, payouts, service
from comptoir.settlements.contracts import (
    CREATE_SETTLEMENT_ACTIVITY,
    PAY_SETTLEMENT_ACTIVITY,
    SEND_STATEMENT_ACTIVITY,
    SHOPS_TO_SETTLE_ACTIVITY,
    SettlementActivityInput,
    SettlementInput,
    SettlementRef,
    ShopsToSettle,
    ShopsToSettleInput,
)
from comptoir.settlements.periods import Period


def _ref(settlement: Settlement | None) -> SettlementRef:
    if settlement is None:
        return SettlementRef(settlement_id=None)
    return SettlementRef(
        settlement_id=settlement.id,
        state=settlement.state.value,
        payout_method=settlement.payout_method.value,
        net_cents=settlement.net_cents,
    )


@activity.defn(name=SHOPS_TO_SETTLE_ACTIVITY)
@business_errors_final
def shops_to_settle(request: ShopsToSettleInput) -> ShopsToSettle:
    """Shops with parts whose money is final and not settled yet."""
    with session_scope() as db:
        return ShopsToSettle(service.shops_to_settle(db, datetime.now(UTC)))


@activity.defn(name=CREATE_SETTLEMENT_ACTIVITY)
@business_errors_final
def create_settlement(request: SettlementInput) -> SettlementRef:
    """Write the shop's statement of the period once (or find the one written)."""
    period = Period(date.fromisoformat(request.period_start), date.fromisoformat(request.period_end))
    with session_scope() as db:
        return _ref(service.create_settlement(db, request.shop_id, period, datetime.now(UTC)))


@activity.defn(name=PAY_SETTLEMENT_ACTIVITY)
@business_errors_final
def pay_settlement(request: SettlementActivityInput) -> SettlementRef:
    """Transfer a planned Connect settlement exactly once (other states: unchanged)."""
    with session_scope() as db:
        return _ref(payouts.pay_settlement(db, request.settlement_id))


@activity.defn(name=SEND_STATEMENT_ACTIVITY)
@business_errors_final
def send_settlement_statement(request: SettlementActivityInput) -> bool:
    """E-mail the merchant its statement (once per settlement)."""
    with session_scope() as db:
        return notices.send_statement(db, request.settlement_id)


SETTLEMENT_ACTIVITIES: list[Callable[..., Any]] = [shops_to_settle, create_settlement, pay_settlement, send_settlement_statement]
