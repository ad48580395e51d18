from datetime import UTC, datetime, timedelta

from comptoir.domain.payment_deadline import payment_deadline

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
HALF_HOUR, DAY = 30 * 60, 24 * 3600


def _deadline(confirmed: bool, slots: list[datetime]) -> datetime:
    return payment_deadline(
        NOW, ordinary_seconds=HALF_HOUR, after_confirmation_seconds=DAY, confirmed=confirmed,
        pickup_slots=slots,
    )  # fmt: skip


def test_right_after_checkout_the_ordinary_delay() -> None:
    assert _deadline(False, []) == NOW + timedelta(minutes=30)


def test_after_a_confirmation_a_day() -> None:
    assert _deadline(True, []) == NOW + timedelta(hours=24)


def test_never_past_the_first_pickup_slot() -> None:
    slots = [NOW + timedelta(hours=30), NOW + timedelta(hours=5)]
    assert _deadline(True, slots) == NOW + timedelta(hours=5)


def test_a_slot_that_close_still_leaves_the_ordinary_delay() -> None:
    assert _deadline(True, [NOW + timedelta(minutes=10)]) == NOW + timedelta(minutes=30)
