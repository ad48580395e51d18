"""Pure rules of the Temporal helpers: where a reset goes, which workflow ids are orders."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from comptoir.orders.contracts import order_id_of
from comptoir.orders.gateway import last_good_event_id

E = EventType


def history(*types: EventType.ValueType) -> list[HistoryEvent]:
    return [HistoryEvent(event_id=n, event_type=t) for n, t in enumerate(types, start=1)]


def test_reset_goes_to_the_last_completed_task_before_the_first_failure() -> None:
    events = history(
        E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,  # 2
        E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
        E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,  # 4: last good
        E.EVENT_TYPE_ACTIVITY_TASK_FAILED,
        E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,  # after the failure: not good
    )
    assert last_good_event_id(events) == 4


def test_without_failure_the_last_completed_task_is_used() -> None:
    events = history(
        E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
        E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    )
    assert last_good_event_id(events) == 4
    assert last_good_event_id(history(E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)) is None


def test_only_order_workflow_ids_name_an_order() -> None:
    assert order_id_of("order-42") == 42
    assert order_id_of("vendor-order-42") is None
    assert order_id_of("order-abc") is None
