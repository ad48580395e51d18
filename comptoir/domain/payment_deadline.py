"""Until when a shopper may pay an order (pure: the workflow computes it on its own clock)."""

from __future__ import annotations

from datetime import datetime, timedelta


def payment_deadline(
    now: datetime,
    *,
    ordinary_seconds: float,
    after_confirmation_seconds: float,
    confirmed: bool,
    pickup_slots: list[datetime],
) -> datetime:
    """The ordinary delay right after checkout; after a reservation confirmed (which may come
    days later), a longer one, but never past the first pickup slot the shopper chose,
    and never shorter than the ordinary delay (a slot that is that close cannot wait)."""
    ordinary = now + timedelta(seconds=ordinary_seconds)
    if not confirmed:
        return ordinary
    deadline = now + timedelta(seconds=after_confirmation_seconds)
    if pickup_slots:
        deadline = min(deadline, min(pickup_slots))
    return max(deadline, ordinary)
