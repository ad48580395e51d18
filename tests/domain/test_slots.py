from datetime import UTC, date, datetime, time, timedelta

from comptoir.domain.paris_time import PARIS
from comptoir.domain.slots import Slot, slot_is_offered, upcoming_slots

# Saturday 10:00-12:00 in 30-minute slots of 4 orders; Wednesday 17:00-18:00 in 45 minutes.
RULES = [(5, time(10), time(12), 30, 4), (2, time(17), time(18), 45, 2)]


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def test_upcoming_slots_of_a_week() -> None:
    now = paris(2026, 12, 2, 8, 0)  # Wednesday
    slots = upcoming_slots(RULES, [], now)
    assert [s.start for s in slots] == [
        paris(2026, 12, 2, 17, 0),  # 45-minute slot; 17:45-18:30 would overrun the rule
        paris(2026, 12, 5, 10, 0),
        paris(2026, 12, 5, 10, 30),
        paris(2026, 12, 5, 11, 0),
        paris(2026, 12, 5, 11, 30),
    ]
    assert slots[0] == Slot(paris(2026, 12, 2, 17, 0), paris(2026, 12, 2, 17, 45), 2, 2)
    assert all(s.start.tzinfo == PARIS for s in slots)


def test_window_covers_today_and_the_next_six_days() -> None:
    # Wednesday 9 Dec 18:30: today's slot is past; next Wednesday (16 Dec) is the 8th day.
    slots = upcoming_slots(RULES, [], paris(2026, 12, 9, 18, 30))
    assert {s.start.date() for s in slots} == {date(2026, 12, 12)}
    longer = upcoming_slots(RULES, [], paris(2026, 12, 9, 18, 30), days=8)
    assert longer[-1].start == paris(2026, 12, 16, 17, 0)


def test_lead_time_excludes_slots_starting_too_soon() -> None:
    now = paris(2026, 12, 5, 9, 45)
    assert upcoming_slots(RULES, [], now, days=1)[0].start == paris(2026, 12, 5, 11, 0)
    assert upcoming_slots(RULES, [], now, days=1, min_lead_minutes=15)[0].start == paris(
        2026, 12, 5, 10, 0
    )


def test_closures_and_bookings() -> None:
    now = paris(2026, 12, 1, 8, 0)
    closed = upcoming_slots(RULES, [(date(2026, 12, 2), date(2026, 12, 2))], now)
    assert {s.start.date() for s in closed} == {date(2026, 12, 5)}
    # Bookings keyed by a UTC instant match the Paris slot starting then.
    taken = {datetime(2026, 12, 5, 9, 30, tzinfo=UTC): 3, paris(2026, 12, 5, 11, 0): 9}
    by_start = {s.start: s for s in upcoming_slots(RULES, [], now, taken=taken)}
    assert by_start[paris(2026, 12, 5, 10, 30)].remaining == 1
    assert by_start[paris(2026, 12, 5, 11, 0)].remaining == 0
    assert by_start[paris(2026, 12, 5, 10, 0)].remaining == 4


def test_slots_keep_their_wall_clock_time_across_dst() -> None:
    # Clocks go back on Sunday 25 Oct 2026; Saturday 24 (summer) and 31 (winter).
    slots = upcoming_slots(RULES, [], paris(2026, 10, 23, 12, 0), days=9)
    tens = [s for s in slots if s.start.time() == time(10)]
    assert [s.start.astimezone(UTC).hour for s in tens] == [8, 9]
    saturdays = [s for s in slots if s.start.weekday() == 5]
    assert len(saturdays) == 8
    assert all(
        s.end.astimezone(UTC) - s.start.astimezone(UTC) == timedelta(minutes=30) for s in saturdays
    )


def test_night_slots_in_the_dst_gap_do_not_exist() -> None:
    night = [(6, time(1, 30), time(3, 30), 30, 1)]
    # 29 March 2026: 02:00-03:00 does not exist in Paris.
    slots = upcoming_slots(night, [], paris(2026, 3, 29, 0, 0), days=1, min_lead_minutes=0)
    assert [s.start.strftime("%H:%M") for s in slots] == ["01:30", "03:00"]
    # 01:30 CET is 00:30 UTC; the slot lasts 30 minutes and ends at 03:00 summer time.
    assert slots[0].end == paris(2026, 3, 29, 3, 0)
    assert slots[0].end.astimezone(UTC) - slots[0].start.astimezone(UTC) == timedelta(minutes=30)


def test_slot_is_offered() -> None:
    offered = slot_is_offered(RULES, [], datetime(2026, 12, 5, 10, 30, tzinfo=UTC))
    assert offered == Slot(paris(2026, 12, 5, 11, 30), paris(2026, 12, 5, 12, 0), 4, 4)
    assert slot_is_offered(RULES, [], paris(2026, 12, 5, 10, 15)) is None  # not on the grid
    assert slot_is_offered(RULES, [], paris(2026, 12, 5, 12, 0)) is None  # past the rule
    assert slot_is_offered(RULES, [], paris(2026, 12, 4, 10, 0)) is None  # Friday
    assert (
        slot_is_offered(RULES, [(date(2026, 12, 5), date(2026, 12, 6))], paris(2026, 12, 5, 10, 0))
        is None
    )


def test_slot_is_offered_in_summer_time() -> None:
    # 08:00 UTC is 10:00 in Paris in July (UTC+2), not 09:00.
    assert slot_is_offered(RULES, [], datetime(2026, 7, 4, 8, 0, tzinfo=UTC)) is not None
    assert slot_is_offered(RULES, [], datetime(2026, 7, 4, 9, 0, tzinfo=UTC)) is not None
    assert slot_is_offered(RULES, [], datetime(2026, 7, 4, 7, 30, tzinfo=UTC)) is None
