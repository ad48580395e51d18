"""Temporal names, ids and inputs of the settlement workflows and activities (stdlib dataclasses).

One dataclass per call so fields can be added (with defaults) without breaking histories.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SETTLEMENT_WORKFLOW = "SettlementWorkflow"
SETTLEMENT_RUN_WORKFLOW = "SettlementRunWorkflow"
SETTLEMENT_RUN_WORKFLOW_ID = "settlement-run"  # the schedule appends the firing time

# Activity names (decorators and workflows both use them).
SHOPS_TO_SETTLE_ACTIVITY = "shops_to_settle"
CREATE_SETTLEMENT_ACTIVITY = "create_settlement"
PAY_SETTLEMENT_ACTIVITY = "pay_settlement"
SEND_STATEMENT_ACTIVITY = "send_settlement_statement"


def settlement_workflow_id(shop_id: int, period_start: str) -> str:
    """Id of a shop's settlement for a period (ISO start date): one run per shop and period."""
    return f"settlement-{shop_id}-{period_start}"


def payout_retry_workflow_id(settlement_id: int, attempt: int) -> str:
    """Id of an operator's retry of a failed payout (one per retry)."""
    return f"settlement-payout-{settlement_id}-retry-{attempt}"


@dataclass
class SettlementRunInput:
    """One firing of the schedule; empty period_start: the last period over at that moment."""

    period_days: int = 7
    period_start: str = ""
    # How long one activity may run before Temporal retries it elsewhere (a killed worker).
    activity_timeout_seconds: float = 120


@dataclass
class SettlementRunResult:
    period_start: str
    period_end: str
    started: list[int] = field(default_factory=list)  # shops whose settlement started now
    already: list[int] = field(default_factory=list)  # shops whose settlement existed


@dataclass
class ShopsToSettleInput:
    period_start: str
    period_end: str


@dataclass
class ShopsToSettle:
    shop_ids: list[int] = field(default_factory=list)


@dataclass
class SettlementInput:
    """A shop's settlement of a period (ISO dates, end included)."""

    shop_id: int
    period_start: str
    period_end: str
    settlement_id: int | None = None  # set by an operator's payout retry: pay this one again
    activity_timeout_seconds: float = 120


@dataclass
class SettlementRef:
    """A written settlement as workflows see it; settlement_id None: nothing to settle."""

    settlement_id: int | None
    state: str = ""
    payout_method: str = ""
    net_cents: int = 0


@dataclass
class SettlementActivityInput:
    settlement_id: int
