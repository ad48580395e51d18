"""The vendor-order transition table: which step fits which status and delivery kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from comptoir.domain import vendor_order_rules as rules
from comptoir.domain.labels import VENDOR_ORDER_STEP_LABELS, vendor_order_status_label
from comptoir.domain.vendor_order_rules import shown_status
from comptoir.models.orders import LineStatus, VendorOrderStatus
from comptoir.orders import contracts

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("step", "statuses"),
    [
        (contracts.START_PREPARING, {"confirmed"}),
        (contracts.MARK_UNAVAILABLE, {"confirmed", "preparing"}),
        (contracts.READY_FOR_PICKUP, {"confirmed", "preparing"}),
        (contracts.SHIP, {"confirmed", "preparing"}),
        (contracts.COMPLETE, {"ready_for_pickup", "shipped"}),
        (contracts.CONFIRM_RECEIPT, {"shipped"}),
        (contracts.CANCEL_NO_SHOW, {"ready_for_pickup"}),
        (contracts.ACCEPT_RETURN, {"return_requested"}),
        (contracts.REFUSE_RETURN, {"return_requested"}),
    ],
)
def test_each_step_is_allowed_from_exactly_its_statuses(step: str, statuses: set[str]) -> None:
    allowed = {s.value for s in VendorOrderStatus if s in rules.STEPS[step].from_statuses}
    assert allowed == statuses
    for status in VendorOrderStatus:
        refusal = rules.status_refusal(step, status)
        assert (refusal == "") == (status.value in statuses)


def test_the_refusal_sentence_is_the_workflows_one() -> None:
    assert rules.status_refusal(contracts.SHIP, "shipped") == (
        "Impossible d'expédier la commande : la commande boutique est « Expédiée »."
    )
    assert rules.status_refusal(contracts.START_PREPARING, VendorOrderStatus.preparing) == (
        "Impossible de commencer la préparation : la commande boutique est « En préparation »."
    )
    assert rules.status_refusal(contracts.ACCEPT_RETURN, "closed") == (
        "Impossible d'accepter le retour : la commande boutique est « Clôturée »."
    )


def test_every_refusal_names_the_status_in_french_with_the_right_elision() -> None:
    for step in rules.STEPS:
        for status in VendorOrderStatus:
            refusal = rules.status_refusal(step, status)
            if refusal:
                assert f"« {status.value} »" not in refusal
                assert "de e" not in refusal and "de a" not in refusal, refusal


def test_ready_for_pickup_only_for_pickup_and_ship_only_for_delivery() -> None:
    assert rules.is_allowed(contracts.READY_FOR_PICKUP, "preparing", "pickup")
    assert not rules.is_allowed(contracts.READY_FOR_PICKUP, "preparing", "local_delivery")
    assert not rules.is_allowed(contracts.SHIP, "preparing", "pickup")
    for kind in ("local_delivery", "shipping"):
        assert rules.is_allowed(contracts.SHIP, "confirmed", kind)
    assert rules.STEPS[contracts.SHIP].wrong_delivery.startswith("Cette commande est à retirer")
    assert rules.is_allowed(contracts.MARK_UNAVAILABLE, "preparing", "pickup")
    assert rules.is_allowed(contracts.COMPLETE, "shipped", "shipping")


@pytest.mark.parametrize(
    ("status", "kind", "pending", "expected"),
    [
        ("awaiting_confirmation", "pickup", True, ["confirm_lines"]),
        ("awaiting_confirmation", "pickup", False, []),
        ("awaiting_payment", "pickup", False, []),
        ("confirmed", "pickup", False, ["start_preparing", "mark_unavailable"]),
        ("preparing", "pickup", False, ["ready_for_pickup", "mark_unavailable"]),
        ("preparing", "shipping", False, ["ship", "mark_unavailable"]),
        ("ready_for_pickup", "pickup", False, ["complete", "cancel_no_show"]),
        ("shipped", "local_delivery", False, ["complete"]),
        ("return_requested", "pickup", False, ["accept_return", "refuse_return"]),
        ("completed", "pickup", False, []),
        ("cancelled", "pickup", False, []),
        ("closed", "pickup", False, []),
    ],
)
def test_next_steps_offered_to_the_merchant(
    status: str, kind: str, pending: bool, expected: list[str]
) -> None:
    assert rules.next_steps(VendorOrderStatus(status), kind, pending) == expected


def test_every_offered_step_is_allowed_and_has_a_label() -> None:
    for status in VendorOrderStatus:
        for kind in ("pickup", "local_delivery", "shipping"):
            for step in rules.next_steps(status, kind, lines_to_confirm=True):
                assert rules.is_allowed(step, status, kind)
                assert VENDOR_ORDER_STEP_LABELS[step]


def test_status_groups_are_known_statuses() -> None:
    known = {s.value for s in VendorOrderStatus}
    groups = (
        rules.MERCHANT_TURN,
        rules.HANDOVER_WAIT,
        rules.AFTER_HANDOVER,
        rules.RETURN_IN_PROGRESS,
        rules.FINAL,
    )
    for group in groups:
        assert set(group) <= known
    assert not set(rules.AFTER_HANDOVER) & set(rules.MERCHANT_TURN)
    assert not set(rules.HANDOVER_WAIT) & (set(rules.MERCHANT_TURN) | set(rules.AFTER_HANDOVER))


def test_return_window() -> None:
    later, earlier = NOW + timedelta(days=3), NOW - timedelta(seconds=1)
    assert rules.return_refusal("completed", later, NOW, anything_left=True) == ""
    assert rules.return_refusal("refunded", later, NOW, anything_left=True) == ""
    assert "dépassé" in rules.return_refusal("completed", earlier, NOW, anything_left=True)
    assert "dépassé" in rules.return_refusal("completed", None, NOW, anything_left=True)
    assert "déjà été retournés" in rules.return_refusal("completed", later, NOW, False)
    for status in rules.RETURN_IN_PROGRESS:
        assert "déjà en cours" in rules.return_refusal(status, later, NOW, True)
    assert "close" in rules.return_refusal("closed", later, NOW, True)
    assert "annulée" in rules.return_refusal("cancelled", later, NOW, True)
    assert "une fois la commande terminée" in rules.return_refusal("shipped", None, NOW, True)
    assert LineStatus.confirmed == "confirmed"  # the model's enums compare as the table's strings


@pytest.mark.parametrize(
    ("status", "refunded", "shown"),
    [
        ("refunded", 1850, "partially_refunded"),  # one of two tarts returned
        ("refunded", 3700, "refunded"),
        ("completed", 500, "partially_refunded"),  # an operator's goodwill after hand-over
        ("closed", 3700, "refunded"),
        ("completed", 0, "completed"),
        ("preparing", 1850, "preparing"),  # before hand-over the step matters more
        ("cancelled", 3700, "cancelled"),
    ],
)
def test_shown_status_tells_partial_from_full_refunds(status: str, refunded: int, shown: str) -> None:
    assert shown_status(status, 3700, refunded) == shown
    assert vendor_order_status_label(shown) != shown


def test_return_refusal_when_only_non_returnable_goods_are_left() -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    later = now + timedelta(days=3)
    said = rules.return_refusal("completed", later, now, False, non_returnable_left=True)
    assert said.startswith("Les articles de cette boutique ne sont pas repris")
    assert rules.return_refusal("completed", later, now, True, True) == ""
    assert "déjà été retournés" in rules.return_refusal("completed", later, now, False)
