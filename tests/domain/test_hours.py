from datetime import UTC, date, datetime, time

import pytest

from comptoir.domain.hours import is_open_at, next_opening, weekly_summary
from comptoir.domain.paris_time import PARIS

# A bakery: Tuesday to Saturday 9:00-12:30 and 14:00-19:00, Sunday morning.
RANGES = [
    (wd, opens, closes)
    for wd in range(1, 6)
    for opens, closes in ((time(14), time(19)), (time(9), time(12, 30)))
] + [(6, time(8), time(12, 30))]
CLOSURES = [(date(2026, 8, 10), date(2026, 8, 23))]


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        (paris(2026, 12, 1, 9, 0), True),  # Tuesday, opening minute
        (paris(2026, 12, 1, 12, 30), False),  # closing time is excluded
        (paris(2026, 12, 1, 13, 0), False),  # lunch break
        (paris(2026, 12, 1, 18, 59), True),
        (paris(2026, 11, 30, 10, 0), False),  # Monday
        (paris(2026, 12, 6, 8, 0), True),  # Sunday morning
        (paris(2026, 8, 11, 10, 0), False),  # summer closure
        (paris(2026, 8, 23, 10, 0), False),  # last day of the closure, a Sunday
        (paris(2026, 8, 25, 10, 0), True),  # first Tuesday after the closure
    ],
)
def test_is_open_at(at: datetime, is_open: bool) -> None:
    assert is_open_at(RANGES, CLOSURES, at) is is_open


def test_is_open_at_reads_the_paris_clock() -> None:
    # 08:30 UTC in winter is 09:30 in Paris; in summer 08:30 UTC is 10:30.
    assert is_open_at(RANGES, [], datetime(2026, 12, 1, 8, 30, tzinfo=UTC))
    assert not is_open_at(RANGES, [], datetime(2026, 12, 1, 7, 30, tzinfo=UTC))
    assert is_open_at(RANGES, [], datetime(2026, 7, 7, 7, 0, tzinfo=UTC))


def test_next_opening_when_open_is_now() -> None:
    at = paris(2026, 12, 1, 10, 0)
    assert next_opening(RANGES, [], at) == at


def test_next_opening_after_lunch_and_over_the_weekend() -> None:
    assert next_opening(RANGES, [], paris(2026, 12, 1, 12, 45)) == paris(2026, 12, 1, 14, 0)
    # Sunday afternoon → Tuesday morning (closed on Monday).
    assert next_opening(RANGES, [], paris(2026, 12, 6, 13, 0)) == paris(2026, 12, 8, 9, 0)


def test_next_opening_skips_closures_and_returns_paris_time() -> None:
    result = next_opening(RANGES, CLOSURES, datetime(2026, 8, 12, 12, 0, tzinfo=UTC))
    assert result == paris(2026, 8, 25, 9, 0)
    assert result is not None and result.tzinfo == PARIS


def test_next_opening_gives_up_after_fourteen_days() -> None:
    long_closure = [(date(2026, 8, 1), date(2026, 8, 31))]
    assert next_opening(RANGES, long_closure, paris(2026, 8, 1, 0, 0)) is None
    assert next_opening([], [], paris(2026, 8, 1, 0, 0)) is None
    # Sunday 9 Aug 14:00: the next opening (Tuesday 25 Aug, 9:00) is 16 days away.
    assert next_opening(RANGES, CLOSURES, paris(2026, 8, 9, 14, 0)) is None


def test_next_opening_across_the_spring_dst_change() -> None:
    # Clocks jump 02:00 → 03:00 on Sunday 29 March 2026.
    result = next_opening(RANGES, [], paris(2026, 3, 29, 1, 0))
    assert result == paris(2026, 3, 29, 8, 0)
    assert result is not None and result.utcoffset() is not None
    assert result.astimezone(UTC) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)


def test_weekly_summary() -> None:
    assert weekly_summary(RANGES) == [
        ("lundi", "fermé"),
        ("mardi", "9\u00a0h\u00a000 – 12\u00a0h\u00a030, 14\u00a0h\u00a000 – 19\u00a0h\u00a000"),
        ("mercredi", "9\u00a0h\u00a000 – 12\u00a0h\u00a030, 14\u00a0h\u00a000 – 19\u00a0h\u00a000"),
        ("jeudi", "9\u00a0h\u00a000 – 12\u00a0h\u00a030, 14\u00a0h\u00a000 – 19\u00a0h\u00a000"),
        ("vendredi", "9\u00a0h\u00a000 – 12\u00a0h\u00a030, 14\u00a0h\u00a000 – 19\u00a0h\u00a000"),
        ("samedi", "9\u00a0h\u00a000 – 12\u00a0h\u00a030, 14\u00a0h\u00a000 – 19\u00a0h\u00a000"),
        ("dimanche", "8\u00a0h\u00a000 – 12\u00a0h\u00a030"),
    ]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        is_open_at(RANGES, [], datetime(2026, 12, 1, 10, 0))
