from decimal import Decimal
from fractions import Fraction

import pytest
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.money import (
    format_eur,
    format_rate,
    payment_fee_cents,
    split_proportionally,
    vat_breakdown,
)


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        (0, 25),
        (1000, 39),  # 14 c + 25 c
        (10_000, 165),
        (3_572, 75),  # 50.008 → 50
        (3_750, 78),  # 52.5 → 53 (half-up, not banker's)
        (3_607, 75),  # 50.498 → 50
    ],
)
def test_payment_fee_is_1_4_percent_plus_25_cents_rounded_half_up(amount: int, fee: int) -> None:
    assert payment_fee_cents(amount) == fee


def test_payment_fee_takes_other_rates() -> None:
    assert payment_fee_cents(10_000, rate_basis_points=250, fixed_cents=0) == 250


def test_payment_fee_refuses_negative_amounts() -> None:
    with pytest.raises(ValueError):
        payment_fee_cents(-1)


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),  # ties go to the earliest part
        (10, [0, 5, 5], [0, 5, 5]),
        (7, [0, 0, 0], [3, 2, 2]),  # all zero: even split
        (1, [0, 3, 0], [0, 1, 0]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (0, [3, 4], [0, 0]),
        (75, [2_000, 1_000], [50, 25]),
        (76, [2_000, 1_000, 999], [38, 19, 19]),  # the third part has the largest remainder (0.986)
    ],
)
def test_split_known_values(total: int, weights: list[int], parts: list[int]) -> None:
    assert split_proportionally(total, weights) == parts


def test_split_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        split_proportionally(10, [])
    with pytest.raises(ValueError):
        split_proportionally(10, [1, -1])


@given(
    total=st.integers(min_value=-(10**9), max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=10**8), min_size=1, max_size=20),
)
def test_split_adds_up_and_each_part_is_within_a_cent(total: int, weights: list[int]) -> None:
    parts = split_proportionally(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    effective = weights if sum(weights) else [1] * len(weights)
    for part, weight in zip(parts, effective, strict=True):
        exact = Fraction(total * weight, sum(effective))
        assert abs(part - exact) < 1
        if weight == 0:
            assert part == 0


@given(
    lines=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10**7), st.sampled_from([0, 210, 550, 1000, 2000])
        ),
        max_size=30,
    )
)
def test_vat_breakdown_adds_up(lines: list[tuple[int, int]]) -> None:
    breakdown = vat_breakdown(lines)
    assert breakdown.ht_cents + breakdown.vat_cents == breakdown.ttc_cents
    assert breakdown.ttc_cents == sum(amount for amount, _ in lines)
    assert [r.rate_bp for r in breakdown.per_rate] == sorted({rate for _, rate in lines})
    for row in breakdown.per_rate:
        assert row.ht_cents + row.vat_cents == row.ttc_cents
        # HT is the nearest cent to TTC / (1 + rate).
        exact_ht = Fraction(row.ttc_cents * 10_000, 10_000 + row.rate_bp)
        assert abs(row.ht_cents - exact_ht) <= Fraction(1, 2)


def test_vat_breakdown_known_values() -> None:
    breakdown = vat_breakdown([(1_200, 2000), (1_055, 550), (600, 2000), (0, 1000)])
    rows = [(r.rate_bp, r.ht_cents, r.vat_cents, r.ttc_cents) for r in breakdown.per_rate]
    assert rows == [(550, 1_000, 55, 1_055), (1000, 0, 0, 0), (2000, 1_500, 300, 1_800)]
    assert (breakdown.ht_cents, breakdown.vat_cents, breakdown.ttc_cents) == (2_500, 355, 2_855)


def test_vat_breakdown_rounds_half_up() -> None:
    # 1 cent TTC at 100 % VAT: HT is exactly 0.5 cent, rounded up.
    assert vat_breakdown([(1, 10_000)]).per_rate[0].ht_cents == 1


def test_vat_breakdown_of_nothing() -> None:
    assert vat_breakdown([]).per_rate == []
    assert vat_breakdown([]).ttc_cents == 0


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0,00\u00a0€"),
        (5, "0,05\u00a0€"),
        (123_456, "1\u202f234,56\u00a0€"),
        (-1_200, "-12,00\u00a0€"),
        (123_456_789, "1\u202f234\u202f567,89\u00a0€"),
        (100_000, "1\u202f000,00\u00a0€"),
    ],
)
def test_format_eur_known_values(cents: int, text: str) -> None:
    assert format_eur(cents) == text


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_eur_matches_babel_fr_fr(cents: int) -> None:
    assert format_eur(cents) == format_currency(Decimal(cents) / 100, "EUR", locale="fr_FR")


@pytest.mark.parametrize(
    ("bp", "text"),
    [
        (550, "5,5\u00a0%"),
        (2000, "20\u00a0%"),
        (1000, "10\u00a0%"),
        (210, "2,1\u00a0%"),
        (5, "0,05\u00a0%"),
        (0, "0\u00a0%"),
    ],
)
def test_format_rate(bp: int, text: str) -> None:
    assert format_rate(bp) == text
