"""Money rules in integer euro cents: payment fee, exact proportional split, VAT, display."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


def _div_round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded to nearest, halves away from zero (commercial rounding)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def payment_fee_cents(
    amount_cents: int, rate_basis_points: int = 140, fixed_cents: int = 25
) -> int:
    """Fee on one card payment (default 1.4 % + 0.25 €), rounded half-up to the cent."""
    if amount_cents < 0:
        raise ValueError("amount_cents must not be negative")
    return _div_round_half_up(amount_cents * rate_basis_points, 10_000) + fixed_cents


def split_proportionally(total: int, weights: list[int]) -> list[int]:
    """Split total across parts by weight (largest remainder) so the parts sum exactly to it."""
    if not weights:
        raise ValueError("at least one weight is required")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    if total < 0:
        # Split the magnitude so a refund mirrors exactly the charge it reverses.
        return [-part for part in split_proportionally(-total, weights)]
    if sum(weights) == 0:
        weights = [1] * len(weights)
    weight_sum = sum(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(parts)
    # Largest remainders first, ties to the earliest part; zero weights have remainder 0 and
    # there are always more non-zero remainders than cents left, so they never get one.
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


@dataclass(frozen=True, slots=True)
class VatRateLine:
    """Amounts of one VAT rate: excluding tax (HT), tax (TVA) and including tax (TTC)."""

    rate_bp: int
    ht_cents: int
    vat_cents: int
    ttc_cents: int


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    """VAT per rate (sorted by rate) and the totals; ht_cents + vat_cents == ttc_cents."""

    per_rate: list[VatRateLine]
    ht_cents: int
    vat_cents: int
    ttc_cents: int


def vat_breakdown(lines: list[tuple[int, int]]) -> VatBreakdown:
    """Group VAT-inclusive (amount_ttc_cents, vat_rate_bp) lines per rate and extract HT/TVA."""
    ttc_per_rate: dict[int, int] = defaultdict(int)
    for ttc_cents, rate_bp in lines:
        if rate_bp < 0:
            raise ValueError("VAT rate must not be negative")
        ttc_per_rate[rate_bp] += ttc_cents
    per_rate: list[VatRateLine] = []
    for rate_bp in sorted(ttc_per_rate):
        ttc = ttc_per_rate[rate_bp]
        # Rounding once per rate (not per line) is what French invoices show and keeps
        # HT + TVA == TTC exact, since TVA is the difference.
        ht = _div_round_half_up(ttc * 10_000, 10_000 + rate_bp)
        per_rate.append(VatRateLine(rate_bp, ht, ttc - ht, ttc))
    return VatBreakdown(
        per_rate=per_rate,
        ht_cents=sum(r.ht_cents for r in per_rate),
        vat_cents=sum(r.vat_cents for r in per_rate),
        ttc_cents=sum(r.ttc_cents for r in per_rate),
    )


def accessory_vat_split(
    accessory_cents: int, goods: list[tuple[int, int]], *, default_rate_bp: int = 2000
) -> list[tuple[int, int]]:
    """Split an accessory (delivery) over the VAT rates of the goods it goes with.

    The accessory of a sale follows the VAT of the goods (CGI art. 257 ter); with goods at
    several rates it is shared in proportion to their (amount_ttc_cents, rate_bp). Returns
    (cents, rate_bp) shares, by rate, that add up exactly to `accessory_cents`.
    """
    per_rate: dict[int, int] = defaultdict(int)
    for ttc_cents, rate_bp in goods:
        per_rate[rate_bp] += ttc_cents
    rates = sorted(rate for rate, cents in per_rate.items() if cents > 0)
    if not rates:
        return [(accessory_cents, default_rate_bp)]
    if accessory_cents == 0 or len(rates) == 1:
        return [(accessory_cents, rates[-1])]
    shares = split_proportionally(accessory_cents, [per_rate[rate] for rate in rates])
    return [(cents, rate) for cents, rate in zip(shares, rates, strict=True) if cents]


def _group_thousands(digits: str) -> str:
    """Insert narrow no-break spaces every three digits from the right."""
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return NARROW_NBSP.join(groups)


def format_eur(cents: int) -> str:
    """French display of an amount: '1 234,56 €' with Babel fr_FR's no-break spaces."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{_group_thousands(str(euros))},{rest:02d}{NBSP}€"


def format_rate(bp: int) -> str:
    """French display of a rate in basis points: 550 → '5,5 %', 2000 → '20 %'."""
    whole, fraction = divmod(abs(bp), 100)
    sign = "-" if bp < 0 else ""
    decimals = f"{fraction:02d}".rstrip("0")
    number = f"{whole},{decimals}" if decimals else str(whole)
    return f"{sign}{number}{NBSP}%"
