"""Europe/Paris wall-clock helpers: every date shown or counted in Comptoir is French local."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def to_paris(at: datetime) -> datetime:
    """Convert an aware datetime to Europe/Paris; naive datetimes are refused."""
    if at.tzinfo is None or at.utcoffset() is None:
        # A naive time is ambiguous (server clock? UTC? Paris?): refuse rather than guess.
        raise ValueError(f"timezone-aware datetime required, got naive {at!r}")
    return at.astimezone(PARIS)


def paris_datetime(day: date, at: time) -> datetime:
    """The instant a Paris wall clock shows `at` on `day` (first one if DST repeats it)."""
    # A time in the spring-forward gap is read with the offset before the change (02:30 →
    # 03:30 summer time), so durations measured from before the gap stay right.
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC).astimezone(PARIS)


def skipped_by_dst(day: date, at: time) -> bool:
    """Whether a Paris wall-clock time never occurs that day (the spring-forward gap)."""
    return paris_datetime(day, at).replace(tzinfo=None) != datetime.combine(day, at)
