"""Pure settlement rules: when a shop part's money is final, a statement's net, the invariant.

All amounts are integer cents; refunds and the fee share are positive amounts deducted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PartFacts:
    """What decides whether a shop part can be settled."""

    status: str
    total_cents: int
    refunded_cents: int
    return_deadline: datetime | None
    open_return: bool  # a return requested or accepted, not yet refunded or refused
    sold: bool  # the payment succeeded and the sale is in the ledger


def is_settleable(part: PartFacts, now: datetime) -> bool:
    """Paid, and its return window closed, or cancelled or fully refunded after payment."""
    if not part.sold:
        return False
    fully_refunded = part.refunded_cents >= part.total_cents
    if part.status == "closed":
        return True
    if part.status == "cancelled":
        # Cancelled after payment: final once its refund went through (a refund still to be
        # retried by an operator would otherwise land on a part already settled).
        return fully_refunded
    if part.status != "refunded" or part.open_return:
        return False
    # A refunded part stays "refunded" after its window: final once everything went back
    # or the window is over.
    window_over = part.return_deadline is not None and part.return_deadline < now
    return fully_refunded or window_over


@dataclass(frozen=True, slots=True)
class PartMoney:
    """A part's ledger: sales, refunds and fee share (positive cents)."""

    vendor_order_id: int
    sales_cents: int
    refunds_cents: int
    fee_cents: int

    @property
    def net_cents(self) -> int:
        return self.sales_cents - self.refunds_cents - self.fee_cents


@dataclass(frozen=True, slots=True)
class Statement:
    """A settlement's figures: net = sales - refunds - fee + carried in (a debt, <= 0)."""

    sales_cents: int
    refunds_cents: int
    fee_cents: int
    carried_in_cents: int
    net_cents: int
    state: str  # planned (to pay), carried (a debt for the next one) or paid (nothing to pay)


def statement(parts: Iterable[PartMoney], carried_in_cents: int = 0) -> Statement:
    """Add up the parts covered and the debt carried in; a negative net is carried, never paid."""
    if carried_in_cents > 0:
        raise ValueError("only a debt (<= 0) is carried from one settlement to the next")
    covered = list(parts)
    sales = sum(p.sales_cents for p in covered)
    refunds = sum(p.refunds_cents for p in covered)
    fee = sum(p.fee_cents for p in covered)
    net = sales - refunds - fee + carried_in_cents
    state = "carried" if net < 0 else "planned" if net > 0 else "paid"
    return Statement(sales, refunds, fee, carried_in_cents, net, state)


@dataclass(frozen=True, slots=True)
class SettledFacts:
    """A settlement as the invariant sees it."""

    state: str
    net_cents: int
    carried_in_cents: int
    vendor_order_ids: frozenset[int]


PAID_STATES = ("sent", "paid")
PENDING_STATES = ("planned", "failed")


@dataclass(frozen=True, slots=True)
class MoneyPosition:
    """Where a shop's money is: sales - refunds - fee = paid + carried + pending, to the cent."""

    sales_cents: int
    refunds_cents: int
    fee_cents: int
    paid_cents: int
    carried_cents: int  # a debt not yet taken into a settlement (<= 0)
    pending_cents: int  # not settled yet, or settled and waiting for its payout

    @property
    def balanced(self) -> bool:
        earned = self.sales_cents - self.refunds_cents - self.fee_cents
        return earned == self.paid_cents + self.carried_cents + self.pending_cents


def money_position(ledger: Iterable[PartMoney], settled: Iterable[SettledFacts]) -> MoneyPosition:
    """A shop's position from its ledger per part and its settlements.

    Pending counts the ledger of parts no settlement covers, so a ledger entry written after
    its part was settled (or a part settled twice) shows as an imbalance.
    """
    parts = list(ledger)
    settlements = list(settled)
    covered = frozenset().union(*(s.vendor_order_ids for s in settlements))
    unsettled = sum(p.net_cents for p in parts if p.vendor_order_id not in covered)
    paid = sum(s.net_cents for s in settlements if s.state in PAID_STATES)
    waiting = sum(s.net_cents for s in settlements if s.state in PENDING_STATES)
    carried = sum(s.net_cents for s in settlements if s.state == "carried") - sum(
        s.carried_in_cents for s in settlements
    )
    return MoneyPosition(
        sales_cents=sum(p.sales_cents for p in parts),
        refunds_cents=sum(p.refunds_cents for p in parts),
        fee_cents=sum(p.fee_cents for p in parts),
        paid_cents=paid,
        carried_cents=carried,
        pending_cents=unsettled + waiting,
    )
