"""Pure settlement rules: when a part is final, a statement's net, the money invariant, periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.settlements.periods import (
    month_before,
    period_before,
    period_containing,
    previous_month,
)
from comptoir.settlements.rules import (
    PartFacts,
    PartMoney,
    SettledFacts,
    is_settleable,
    money_position,
    statement,
)

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


def _part(status: str, **changes: object) -> PartFacts:
    values: dict[str, object] = {
        "status": status, "total_cents": 5000, "refunded_cents": 0,
        "return_deadline": NOW - timedelta(days=1), "open_return": False, "sold": True,
    }  # fmt: skip
    values.update(changes)
    return PartFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("part", "settleable"),
    [
        (_part("closed"), True),
        (_part("cancelled", refunded_cents=5000), True),  # refunded, the fee share stays
        (_part("cancelled"), False),  # its refund failed: waits for the operator's retry
        (_part("cancelled", sold=False), False),  # never paid: nothing to settle
        (_part("completed", return_deadline=NOW + timedelta(days=3)), False),
        (_part("completed"), False),  # the workflow has not closed it yet
        (_part("shipped"), False),
        (_part("return_requested"), False),
        (_part("refunded", refunded_cents=5000, return_deadline=NOW + timedelta(days=9)), True),
        (_part("refunded", refunded_cents=1000, return_deadline=NOW + timedelta(days=9)), False),
        (_part("refunded", refunded_cents=1000), True),  # partly refunded, window over
        (_part("refunded", refunded_cents=1000, open_return=True), False),
    ],
)  # fmt: skip
def test_a_part_is_settled_only_once_its_money_is_final(part: PartFacts, settleable: bool) -> None:
    assert is_settleable(part, NOW) is settleable


def test_statement_adds_up_and_never_pays_a_debt() -> None:
    parts = [PartMoney(1, 4200, 0, 84), PartMoney(2, 1999, 1999, 53)]
    paid = statement(parts)
    assert (paid.sales_cents, paid.refunds_cents, paid.fee_cents) == (6199, 1999, 137)
    assert paid.net_cents == 6199 - 1999 - 137 and paid.state == "planned"
    debt = statement([PartMoney(3, 1000, 1000, 39)])
    assert debt.net_cents == -39 and debt.state == "carried"
    taken = statement([PartMoney(4, 100, 0, 26)], carried_in_cents=-74)
    assert taken.net_cents == 0 and taken.state == "paid"  # nothing left to pay
    with pytest.raises(ValueError):
        statement(parts, carried_in_cents=10)


def test_money_position_balances_and_catches_a_late_entry() -> None:
    ledger = [PartMoney(1, 1000, 1000, 39), PartMoney(2, 5000, 0, 95), PartMoney(3, 800, 0, 36)]
    settled = [
        SettledFacts("carried", -39, 0, frozenset({1})),
        SettledFacts("paid", 4866, -39, frozenset({2})),
    ]
    position = money_position(ledger, settled)
    assert (position.paid_cents, position.carried_cents, position.pending_cents) == (4866, 0, 764)
    assert position.balanced
    late = [PartMoney(1, 1000, 1000, 39), PartMoney(2, 5000, 500, 95), ledger[2]]
    assert not money_position(late, settled).balanced  # a refund after settling part 2


@given(
    st.lists(
        st.tuples(st.integers(0, 50_000), st.integers(0, 100), st.integers(25, 800)),
        min_size=1, max_size=12,
    ),
    st.lists(st.integers(1, 4), min_size=12, max_size=12),
    st.lists(st.sampled_from(["planned", "sent", "paid", "failed"]), min_size=6, max_size=6),
)  # fmt: skip
def test_any_sequence_of_settlements_keeps_the_invariant(
    raw: list[tuple[int, int, int]], batch_of: list[int], payout_states: list[str]
) -> None:
    parts = [
        PartMoney(i, sales, sales * refund_pct // 100, fee)
        for i, (sales, refund_pct, fee) in enumerate(raw)
    ]
    settled: list[SettledFacts] = []
    carried = 0
    for batch in range(1, 5):  # parts become final in four successive periods
        covered = [p for p in parts if batch_of[p.vendor_order_id] == batch]
        if not covered:
            continue
        figures = statement(covered, carried)
        state = figures.state if figures.state != "planned" else payout_states[batch]
        settled.append(
            SettledFacts(state, figures.net_cents, figures.carried_in_cents,
                         frozenset(p.vendor_order_id for p in covered))
        )  # fmt: skip
        carried = figures.net_cents if figures.state == "carried" else 0
        position = money_position(parts, settled)
        assert position.balanced
        assert position.carried_cents == carried


def test_periods_are_paris_weeks_from_monday() -> None:
    week = period_containing(date(2026, 12, 3))  # a Thursday
    assert (week.start, week.end) == (date(2026, 11, 30), date(2026, 12, 6))
    assert week.starts_at.isoformat() == "2026-11-30T00:00:00+01:00"
    # Sunday 23:30 UTC is already Monday in Paris: the week before is the one that just ended.
    late_sunday = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert period_before(late_sunday).start == date(2026, 11, 30)
    assert period_before(datetime(2026, 12, 6, 22, 30, tzinfo=UTC)).start == date(2026, 11, 23)
    # Across the switch to summer time the week still has seven Paris days.
    spring = period_containing(date(2027, 3, 28))
    real_length = spring.ends_at.astimezone(UTC) - spring.starts_at.astimezone(UTC)
    assert real_length == timedelta(days=7) - timedelta(hours=1)
    with pytest.raises(ValueError):
        period_before(datetime(2026, 12, 7))


def test_the_month_to_invoice_is_the_last_paris_month_over() -> None:
    # 31 December 23:30 UTC is already 1 January in Paris: December is over.
    assert month_before(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 1)
    assert month_before(datetime(2026, 12, 31, 22, 30, tzinfo=UTC)) == date(2026, 11, 1)
    assert month_before(datetime(2027, 1, 1, 3, 0, tzinfo=UTC)) == date(2026, 12, 1)
    assert previous_month(date(2026, 3, 31)) == date(2026, 2, 1)
    with pytest.raises(ValueError):
        month_before(datetime(2027, 1, 1))
