"""Settlement periods: runs of whole days in Europe/Paris, weeks from Monday by default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# Periods of any length are aligned on this Monday, so 7-day periods are calendar weeks.
EPOCH = date(2024, 1, 1)


@dataclass(frozen=True, slots=True)
class Period:
    """Days `start` to `end`, both included, in Paris time."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        """The first instant of the period (Paris midnight, aware)."""
        return datetime.combine(self.start, time(0), PARIS)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(0), PARIS)


def period_containing(day: date, days: int = 7) -> Period:
    """The period of `days` days that contains `day`."""
    if days < 1:
        raise ValueError("a period lasts at least one day")
    offset = (day - EPOCH).days % days
    start = day - timedelta(days=offset)
    return Period(start, start + timedelta(days=days - 1))


def period_before(instant: datetime, days: int = 7) -> Period:
    """The last period fully over at `instant` (aware): the one a run at `instant` settles."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    current = period_containing(instant.astimezone(PARIS).date(), days)
    return period_containing(current.start - timedelta(days=1), days)


def previous_month(today: date) -> date:
    """The first day of the month before `today`'s (the month to invoice)."""
    first = today.replace(day=1)
    return (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )


def month_before(instant: datetime) -> date:
    """The first day of the last month fully over at `instant` (aware), in Paris time."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return previous_month(instant.astimezone(PARIS).date())
