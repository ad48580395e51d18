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


def paris_datetime(day: date, at: time) -> datetime | None:
    """Aware Paris datetime for a wall-clock time of a day, or None if DST skips it."""
    local = datetime.combine(day, at, tzinfo=PARIS)
    # zoneinfo silently accepts times in the spring-forward gap; a UTC round trip exposes them.
    if local.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local
