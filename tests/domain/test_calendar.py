from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.calendar import (
    add_days,
    easter_sunday,
    french_public_holidays,
    is_working_day,
    return_deadline,
)
from comptoir.domain.paris_time import PARIS


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),  # latest possible date
        (2285, date(2285, 3, 22)),  # earliest possible date
    ],
)
def test_easter(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_public_holidays_2026() -> None:
    assert french_public_holidays(2026) == {
        date(2026, 1, 1): "Jour de l'an",
        date(2026, 4, 6): "Lundi de Pâques",
        date(2026, 5, 1): "Fête du Travail",
        date(2026, 5, 8): "Victoire 1945",
        date(2026, 5, 14): "Ascension",
        date(2026, 5, 25): "Lundi de Pentecôte",
        date(2026, 7, 14): "Fête nationale",
        date(2026, 8, 15): "Assomption",
        date(2026, 11, 1): "Toussaint",
        date(2026, 11, 11): "Armistice 1918",
        date(2026, 12, 25): "Noël",
    }


def test_public_holidays_are_a_fresh_copy() -> None:
    french_public_holidays(2027).clear()
    assert len(french_public_holidays(2027)) == 11


@given(st.integers(min_value=1900, max_value=2200))
def test_movable_feasts_fall_on_their_weekday(year: int) -> None:
    holidays = {name: day for day, name in french_public_holidays(year).items()}
    assert holidays["Lundi de Pâques"].weekday() == 0
    assert holidays["Ascension"].weekday() == 3
    assert holidays["Lundi de Pentecôte"].weekday() == 0
    assert date(year, 3, 23) <= holidays["Lundi de Pâques"] <= date(year, 4, 26)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 21), True),  # Monday
        (date(2026, 12, 26), True),  # Saturday is a "jour ouvrable"
        (date(2026, 12, 27), False),  # Sunday
        (date(2026, 12, 25), False),  # Christmas, a Friday
        (date(2027, 3, 29), False),  # Easter Monday
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_fourteen_working_days_skip_sundays_christmas_and_new_year() -> None:
    # From Monday 21 Dec 2026: 22, 23, 24, 26, 28, 29, 30, 31 Dec, 2, 4, 5, 6, 7, 8 Jan.
    assert add_days(date(2026, 12, 21), 14, "working") == date(2027, 1, 8)


def test_working_days_start_counting_the_next_day() -> None:
    assert add_days(date(2026, 12, 24), 1, "working") == date(2026, 12, 26)
    assert add_days(date(2026, 12, 24), 0, "working") == date(2026, 12, 24)


def test_calendar_days_count_every_day() -> None:
    # Received Wednesday 2 Dec 2026: the 14th day is Wednesday 16 Dec.
    assert add_days(date(2026, 12, 2), 14, "calendar") == date(2026, 12, 16)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 12, 6), date(2026, 12, 21)),  # ends Sunday 20 → Monday 21
        (date(2026, 12, 5), date(2026, 12, 21)),  # ends Saturday 19 → Monday 21 (L.221-19)
        (date(2026, 12, 11), date(2026, 12, 28)),  # ends Friday 25 (Noël) → Monday 28
        (date(2026, 12, 18), date(2027, 1, 4)),  # ends Friday 1 Jan → Monday 4
        (date(2027, 3, 15), date(2027, 3, 30)),  # ends Easter Monday 29 → Tuesday 30
    ],
)
def test_calendar_period_ending_on_a_day_off_is_extended(start: date, end: date) -> None:
    assert add_days(start, 14, "calendar") == end


def test_add_days_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        add_days(date(2026, 1, 1), -1, "working")
    with pytest.raises(ValueError):
        add_days(date(2026, 1, 1), 3, "weekly")  # type: ignore[arg-type]


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    days=st.integers(min_value=1, max_value=60),
)
def test_working_window_counts_exactly_its_days(start: date, days: int) -> None:
    last = add_days(start, days, "working")
    window = [start + timedelta(days=i) for i in range(1, (last - start).days + 1)]
    assert sum(is_working_day(d) for d in window) == days
    assert is_working_day(last)


def test_return_deadline_is_end_of_day_in_paris() -> None:
    # 23:30 UTC on Sunday 20 Dec is already Monday 21 Dec in Paris.
    received = datetime(2026, 12, 20, 23, 30, tzinfo=UTC)
    deadline = return_deadline(received, 14, "working")
    assert deadline == datetime(2027, 1, 8, 23, 59, 59, 999_999, tzinfo=PARIS)
    assert deadline.utcoffset() == timedelta(hours=1)


def test_return_deadline_in_summer_time() -> None:
    received = datetime(2026, 7, 1, 10, 0, tzinfo=PARIS)
    deadline = return_deadline(received, 14, "calendar")
    assert deadline.date() == date(2026, 7, 15)  # 14 Jul is a holiday but not the last day
    assert deadline.timetz() == time(23, 59, 59, 999_999, tzinfo=PARIS)
    assert deadline.utcoffset() == timedelta(hours=2)


def test_return_deadline_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        return_deadline(datetime(2026, 7, 1, 10, 0), 14, "calendar")
