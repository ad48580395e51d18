"""The gateway's one mapping of Temporal's errors to comptoir errors (pure: errors built by hand).

The calls themselves run against a real Temporal in tests/workflows, tests/api and tests/admin_ui.
"""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from comptoir.errors import Conflict, DomainError, NotFound, ServiceUnavailable
from comptoir.orders.gateway import ENGINE_DOWN, WorkflowMissing, _temporal_errors, lifecycle_timing
from comptoir.settings import Settings

GONE = WorkflowMissing("La commande est close.", code="workflow_closed")


def mapped(error: BaseException, missing: DomainError = GONE, down: str = ENGINE_DOWN) -> DomainError:
    with pytest.raises(DomainError) as caught:
        with _temporal_errors("test", "order-1", missing=missing, down=down):
            raise error
    assert caught.value.__cause__ is error or caught.value is error
    return caught.value


def test_a_refused_update_is_a_conflict_with_the_workflows_sentence() -> None:
    error = mapped(WorkflowUpdateFailedError(ApplicationError("Indiquez le transporteur.")))
    assert type(error) is Conflict
    assert (error.message, error.code, error.status_code) == (
        "Indiquez le transporteur.", "step_not_allowed", 409,
    )


def test_a_step_that_failed_inside_the_update_is_a_503() -> None:
    cause = ApplicationError("Le paiement n'a pas pu être enregistré.", type="StepFailed")
    error = mapped(WorkflowUpdateFailedError(cause))
    assert isinstance(error, ServiceUnavailable)
    assert error.message == "Le paiement n'a pas pu être enregistré."


def test_a_missing_workflow_is_the_callers_error() -> None:
    error = mapped(RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b""))
    assert error is GONE and error.status_code == 409
    unknown = NotFound("Ce workflow est inconnu de Temporal.")
    assert mapped(RPCError("nope", RPCStatusCode.NOT_FOUND, b""), missing=unknown) is unknown


def test_temporal_refusing_the_request_is_a_conflict() -> None:
    error = mapped(RPCError("bad reset point", RPCStatusCode.INVALID_ARGUMENT, b""))
    assert type(error) is Conflict
    assert error.message == "Temporal refuse l'opération : bad reset point"


@pytest.mark.parametrize(
    "error",
    [
        RPCError("overloaded", RPCStatusCode.UNAVAILABLE, b""),
        RPCError("deadline", RPCStatusCode.DEADLINE_EXCEEDED, b""),
        TimeoutError(),
        ConnectionRefusedError(),
        RuntimeError("Failed client connect"),
    ],
)
def test_temporal_down_or_slow_is_a_503_with_the_callers_message(error: BaseException) -> None:
    assert mapped(error).message == ENGINE_DOWN
    relivered = mapped(error, down="L'événement sera relivré.")
    assert isinstance(relivered, ServiceUnavailable) and relivered.status_code == 503
    assert relivered.message == "L'événement sera relivré."


def test_comptoir_errors_pass_through_unchanged() -> None:
    own = Conflict("Ce workflow n'a aucun point de reprise (aucune tâche terminée).")
    assert mapped(own) is own


def test_hand_over_delays_are_read_from_the_settings_into_the_timing() -> None:
    timing = lifecycle_timing(
        Settings(pickup_reminder_days=1, pickup_no_show_days=3, delivery_auto_complete_days=5)
    )
    assert timing.pickup_reminder_seconds == 86400
    assert timing.pickup_no_show_seconds == 3 * 86400
    assert timing.delivery_auto_complete_seconds == 5 * 86400
    defaults = lifecycle_timing(Settings())
    assert (defaults.pickup_reminder_seconds, defaults.delivery_auto_complete_seconds) == (
        2 * 86400,
        7 * 86400,
    )
