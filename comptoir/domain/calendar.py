"""French public holidays (metropolitan France), working days and return deadlines."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from comptoir.domain.paris_time import PARIS, to_paris

DayKind = Literal["working", "calendar"]


def easter_sunday(year: int) -> date:
    """Easter Sunday of a Gregorian year (anonymous Gregorian / Meeus-Jones-Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def _holidays(year: int) -> MappingProxyType[date, str]:
    # Cached because working-day counts ask about the same few years again and again;
    # read-only so the shared cached value cannot be altered by a caller.
    easter = easter_sunday(year)
    holidays = {
        date(year, 1, 1): "Jour de l'an",
        easter + timedelta(days=1): "Lundi de Pâques",
        date(year, 5, 1): "Fête du Travail",
        date(year, 5, 8): "Victoire 1945",
        easter + timedelta(days=39): "Ascension",
        easter + timedelta(days=50): "Lundi de Pentecôte",
        date(year, 7, 14): "Fête nationale",
        date(year, 8, 15): "Assomption",
        date(year, 11, 1): "Toussaint",
        date(year, 11, 11): "Armistice 1918",
        date(year, 12, 25): "Noël",
    }
    return MappingProxyType(dict(sorted(holidays.items())))


def french_public_holidays(year: int) -> dict[date, str]:
    """The eleven public holidays of metropolitan France in a year, by date, French names."""
    return dict(_holidays(year))


def is_public_holiday(d: date) -> bool:
    """Whether a date is a public holiday in metropolitan France."""
    return d in _holidays(d.year)


def is_working_day(d: date) -> bool:
    """Whether a date is a 'jour ouvrable': Monday to Saturday and not a public holiday."""
    return d.weekday() != 6 and not is_public_holiday(d)


def _is_business_day(d: date) -> bool:
    # A legal period may not end on a Saturday, Sunday or public holiday (art. 642 CPC,
    # L.221-19 Code de la consommation, regulation 1182/71 art. 3.4).
    return d.weekday() < 5 and not is_public_holiday(d)


def add_days(start: date, days: int, kind: DayKind) -> date:
    """Last day of a period of `days` days counted from the day after `start`."""
    if days < 0:
        raise ValueError("days must not be negative")
    if kind == "working":
        current, counted = start, 0
        while counted < days:
            current += timedelta(days=1)
            if is_working_day(current):
                counted += 1
        return current
    if kind == "calendar":
        current = start + timedelta(days=days)
        # The law extends a period expiring on a Saturday, Sunday or holiday to the next
        # working day; with days == 0 there is no period to extend.
        while days > 0 and not _is_business_day(current):
            current += timedelta(days=1)
        return current
    raise ValueError(f"unknown kind of days: {kind!r}")


def return_deadline(received_at: datetime, days: int, kind: DayKind) -> datetime:
    """End (23:59:59.999999, Europe/Paris) of the last day to return goods received at a time."""
    last_day = add_days(to_paris(received_at).date(), days, kind)
    # 23:59 always exists once in Paris (DST changes happen at night, 2-3 h), so no fold issue.
    return datetime.combine(last_day, time.max, tzinfo=PARIS)
