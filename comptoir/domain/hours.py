"""Opening hours of a shop: open now?, next opening, weekly summary in French."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from comptoir.domain.labels import WEEKDAYS_FR, format_time_fr
from comptoir.domain.paris_time import paris_datetime, to_paris

OpeningRange = tuple[int, time, time]  # weekday (0 = Monday), opens, closes (exclusive)
Closure = tuple[date, date]  # first and last closed day, both included

NEXT_OPENING_HORIZON = timedelta(days=14)


def is_closed_on(closures: list[Closure], d: date) -> bool:
    """Whether a date falls in one of the shop's exceptional closures (bounds included)."""
    return any(first <= d <= last for first, last in closures)


def _ranges_of_weekday(ranges: list[OpeningRange], weekday: int) -> list[tuple[time, time]]:
    return sorted((opens, closes) for wd, opens, closes in ranges if wd == weekday)


def is_open_at(ranges: list[OpeningRange], closures: list[Closure], at: datetime) -> bool:
    """Whether the shop is open at an instant, read on the Paris wall clock."""
    local = to_paris(at)
    if is_closed_on(closures, local.date()):
        return False
    now = local.time().replace(tzinfo=None)
    return any(
        opens <= now < closes for opens, closes in _ranges_of_weekday(ranges, local.weekday())
    )


def next_opening(
    ranges: list[OpeningRange], closures: list[Closure], at: datetime
) -> datetime | None:
    """First instant at or after `at` when the shop is open (Paris time), within 14 days."""
    local = to_paris(at)
    horizon = local + NEXT_OPENING_HORIZON
    for offset in range(NEXT_OPENING_HORIZON.days + 1):
        day = local.date() + timedelta(days=offset)
        if is_closed_on(closures, day):
            continue
        for opens, closes in _ranges_of_weekday(ranges, day.weekday()):
            start, end = paris_datetime(day, opens), paris_datetime(day, closes)
            if start > horizon:
                return None
            if start <= local < end:
                return local
            if start >= local:
                return start
    return None


def _format_range(opens: time, closes: time) -> str:
    return f"{format_time_fr(opens)} – {format_time_fr(closes)}"


def weekly_summary(ranges: list[OpeningRange]) -> list[tuple[str, str]]:
    """Opening hours per French weekday, Monday first, e.g. ('dimanche', 'fermé')."""
    summary: list[tuple[str, str]] = []
    for weekday, name in enumerate(WEEKDAYS_FR):
        day_ranges = _ranges_of_weekday(ranges, weekday)
        text = ", ".join(_format_range(o, c) for o, c in day_ranges) if day_ranges else "fermé"
        summary.append((name, text))
    return summary
