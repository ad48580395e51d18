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


# The platform's monthly commission invoices (one workflow per shop and month).
COMMISSION_RUN_WORKFLOW = "CommissionRunWorkflow"
COMMISSION_WORKFLOW = "CommissionInvoiceWorkflow"
COMMISSION_RUN_WORKFLOW_ID = "commission-run"  # the schedule appends the firing time
SHOPS_TO_INVOICE_ACTIVITY = "shops_to_invoice_commission"
ISSUE_COMMISSION_ACTIVITY = "issue_commission_invoice"
SEND_COMMISSION_ACTIVITY = "send_commission_invoice"


def commission_workflow_id(shop_id: int, month: str) -> str:
    """Id of a shop's commission invoice of a month (ISO first day): `commission-7-2026-11`."""
    return f"commission-{shop_id}-{month[:7]}"


@dataclass
class CommissionRunInput:
    """One firing of the schedule; empty month: the last month over at that moment (Paris)."""

    month: str = ""  # ISO first day of the month to invoice
    activity_timeout_seconds: float = 120


@dataclass
class CommissionRunResult:
    month: str
    started: list[int] = field(default_factory=list)  # shops whose invoice workflow started now
    already: list[int] = field(default_factory=list)  # shops whose invoice workflow existed


@dataclass
class ShopsToInvoiceInput:
    month: str


@dataclass
class ShopsToInvoice:
    shop_ids: list[int] = field(default_factory=list)


@dataclass
class CommissionInput:
    """A shop's commission invoice of a month (ISO first day)."""

    shop_id: int
    month: str
    activity_timeout_seconds: float = 120


@dataclass
class CommissionRef:
    """An issued commission invoice as workflows see it; invoice_id None: no fee that month."""

    invoice_id: int | None
    number: str = ""


@dataclass
class CommissionActivityInput:
    invoice_id: int
