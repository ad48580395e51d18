"""Pickup slots: weekly rules cut into slots of fixed length, with capacity and lead time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from comptoir.domain.hours import Closure, is_closed_on
from comptoir.domain.paris_time import paris_datetime, skipped_by_dst, to_paris

# weekday (0 = Monday), starts, ends, slot_minutes, capacity (orders per slot)
SlotRule = tuple[int, time, time, int, int]


@dataclass(frozen=True, slots=True)
class Slot:
    """One pickup slot: aware Paris start and end, its capacity and the places left."""

    start: datetime
    end: datetime
    capacity: int
    remaining: int


def _slots_of_day(rules: list[SlotRule], day: date) -> Iterator[Slot]:
    """Every slot the rules give on a day (ignoring closures, lead time and bookings)."""
    for weekday, starts, ends, slot_minutes, capacity in rules:
        if weekday != day.weekday() or slot_minutes <= 0:
            continue
        # Step on the naive wall clock, then attach the zone: a 10:00 slot stays 10:00
        # local on the days clocks change, which adding timedeltas to aware times would break.
        wall_start = datetime.combine(day, starts)
        wall_limit = datetime.combine(day, ends)
        step = timedelta(minutes=slot_minutes)
        while wall_start + step <= wall_limit:
            wall_end = wall_start + step
            # A slot starting in the spring-forward gap does not exist; one ending in it
            # ends when its duration has elapsed (paris_datetime reads the old offset).
            if not skipped_by_dst(day, wall_start.time()):
                start = paris_datetime(day, wall_start.time())
                end = paris_datetime(day, wall_end.time())
                yield Slot(start=start, end=end, capacity=capacity, remaining=capacity)
            wall_start = wall_end


def upcoming_slots(
    rules: list[SlotRule],
    closures: list[Closure],
    now: datetime,
    days: int = 7,
    min_lead_minutes: int = 60,
    taken: dict[datetime, int] | None = None,
) -> list[Slot]:
    """Slots of today and the next days-1 days (Paris), starting no sooner than now + lead."""
    local_now = to_paris(now)
    earliest = local_now + timedelta(minutes=min_lead_minutes)
    taken = taken or {}
    slots: list[Slot] = []
    for offset in range(days):
        day = local_now.date() + timedelta(days=offset)
        if is_closed_on(closures, day):
            continue
        for slot in _slots_of_day(rules, day):
            if slot.start < earliest:
                continue
            # Aware datetimes hash by instant, so bookings keyed in UTC match Paris starts.
            # Clamp at 0: an overbooked slot is full, not "minus one place".
            remaining = max(0, slot.capacity - taken.get(slot.start, 0))
            slots.append(
                Slot(start=slot.start, end=slot.end, capacity=slot.capacity, remaining=remaining)
            )
    slots.sort(key=lambda s: (s.start, s.end))
    return slots


def slot_is_offered(rules: list[SlotRule], closures: list[Closure], start: datetime) -> Slot | None:
    """The rules' slot starting exactly at `start` (ignoring lead time and bookings), or None."""
    local = to_paris(start)
    if is_closed_on(closures, local.date()):
        return None
    for slot in _slots_of_day(rules, local.date()):
        if slot.start == local:
            return slot
    return None
