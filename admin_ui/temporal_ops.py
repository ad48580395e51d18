"""The console's Temporal calls: describe and query a workflow, signal, start, terminate, reset.

Streamlit runs pages synchronously, so each call opens a client inside its own `asyncio.run`
with a short timeout: an unreachable Temporal becomes `TemporalUnavailable` (a French
message for the page), never a hung or blank page.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, PendingActivityState
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from comptoir.errors import Conflict, NotFound, ServiceUnavailable
from comptoir.settings import get_settings
from comptoir.temporal import connect
from comptoir.orders.contracts import (
    OPERATOR_ACTION_SIGNAL,
    ORDER_WORKFLOW,
    STATE_QUERY,
    OperatorAction,
    OrderState,
    order_workflow_id,
    vendor_order_workflow_id,
)

T = TypeVar("T")
CALL_TIMEOUT_SECONDS = 8.0
# A server that drops packets would otherwise hold every page for the whole call timeout.
CONNECT_TIMEOUT_SECONDS = 3.0

STATUS_LABELS = {
    WorkflowExecutionStatus.RUNNING: "En cours d'exécution",
    WorkflowExecutionStatus.COMPLETED: "Terminé",
    WorkflowExecutionStatus.FAILED: "En échec",
    WorkflowExecutionStatus.CANCELED: "Annulé",
    WorkflowExecutionStatus.TERMINATED: "Arrêté de force",
    WorkflowExecutionStatus.CONTINUED_AS_NEW: "Poursuivi (continue-as-new)",
    WorkflowExecutionStatus.TIMED_OUT: "Expiré",
}


class TemporalUnavailable(ServiceUnavailable):
    """Temporal did not answer in time (down, unreachable, overloaded)."""


def workflow_ui_url(workflow_id: str) -> str:
    """The workflow's page in the Temporal Web UI."""
    settings = get_settings()
    base = settings.temporal_ui_url.rstrip("/")
    return f"{base}/namespaces/{settings.temporal_namespace}/workflows/{workflow_id}"


def call(operation: Callable[[Client], Awaitable[T]], timeout: float = CALL_TIMEOUT_SECONDS) -> T:
    """Run `operation(client)` against the configured Temporal; TemporalUnavailable if it cannot."""

    async def main() -> T:
        client = await asyncio.wait_for(connect(), min(timeout, CONNECT_TIMEOUT_SECONDS))
        return await asyncio.wait_for(operation(client), timeout)

    try:
        return asyncio.run(main())
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise NotFound("Ce workflow est inconnu de Temporal.") from error
        if error.status in (RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.FAILED_PRECONDITION):
            raise Conflict(f"Temporal refuse l'opération : {error.message}") from error
        raise TemporalUnavailable(f"Temporal a répondu par une erreur : {error.message}") from error
    except (TimeoutError, OSError, RuntimeError) as error:
        # Client.connect reports a refused connection as a RuntimeError.
        raise TemporalUnavailable(
            "Temporal est injoignable : les informations en direct et les actions sur les "
            "workflows sont indisponibles pour l'instant."
        ) from error
    finally:
        gc.collect()  # sdk-python#300: a client collected late can crash the interpreter


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingActivity:
    activity_type: str
    attempt: int
    maximum_attempts: int
    state: str
    last_failure: str
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class WorkflowPanel:
    """What Temporal says about one workflow right now."""

    workflow_id: str
    run_id: str
    status: WorkflowExecutionStatus | None
    started_at: datetime | None
    closed_at: datetime | None
    history_length: int
    pending: list[PendingActivity] = field(default_factory=list)
    state: OrderState | None = None
    state_error: str = ""

    @property
    def status_label(self) -> str:
        """French label of the execution status."""
        return STATUS_LABELS.get(self.status, "inconnu") if self.status else "inconnu"


def _pending(raw: Any) -> list[PendingActivity]:
    found = []
    for info in raw.pending_activities:
        next_at = info.next_attempt_schedule_time
        found.append(
            PendingActivity(
                activity_type=info.activity_type.name,
                attempt=info.attempt,
                maximum_attempts=info.maximum_attempts,
                state=_state_name(info.state),
                last_failure=info.last_failure.message if info.HasField("last_failure") else "",
                next_attempt_at=(
                    next_at.ToDatetime(tzinfo=UTC)
                    if info.HasField("next_attempt_schedule_time")
                    else None
                ),
            )
        )
    return found


def _state_name(value: int) -> str:
    name = PendingActivityState.Name(value)  # type: ignore[arg-type]
    return name.removeprefix("PENDING_ACTIVITY_STATE_").lower()


async def _describe(client: Client, workflow_id: str) -> WorkflowPanel | None:
    try:
        described = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return WorkflowPanel(
        workflow_id=described.id,
        run_id=described.run_id,
        status=described.status,
        started_at=described.start_time,
        closed_at=described.close_time,
        history_length=described.history_length,
        pending=_pending(described.raw_description),
    )


@dataclass(frozen=True)
class OrderPanel:
    """The order's workflow (None when Temporal never heard of it) and its shops' children."""

    order: WorkflowPanel | None
    parts: dict[int, WorkflowPanel | None] = field(default_factory=dict)


def order_panel(order_id: int, vendor_order_ids: list[int]) -> OrderPanel:
    """Describe `order-<id>` (and query its `state`) and each `vendor-order-<id>`."""

    async def read(client: Client) -> OrderPanel:
        order = await _describe(client, order_workflow_id(order_id))
        if order is not None:
            try:
                state = await client.get_workflow_handle(order.workflow_id).query(
                    STATE_QUERY, result_type=OrderState, rpc_timeout=timedelta(seconds=3)
                )
                order = replace(order, state=state)
            except Exception as error:  # a closed or busy workflow may not answer queries
                order = replace(order, state_error=str(error) or type(error).__name__)
        parts = await asyncio.gather(
            *(_describe(client, vendor_order_workflow_id(i)) for i in vendor_order_ids)
        )
        return OrderPanel(order, dict(zip(vendor_order_ids, parts, strict=True)))

    return call(read)


@dataclass(frozen=True)
class WorkflowSummary:
    workflow_id: str
    status: WorkflowExecutionStatus | None
    started_at: datetime | None


# --- acting ---------------------------------------------------------------------------------


def _shared_operator_action() -> Callable[..., Awaitable[Any]] | None:
    """`comptoir.services.order_actions.operator_action` when that module exists."""
    try:
        module = importlib.import_module("comptoir.services.order_actions")
    except ModuleNotFoundError:
        return None
    helper = getattr(module, "operator_action", None)
    return helper if callable(helper) else None


def send_operator_action(workflow_id: str, action: str, reason: str, operator_id: int) -> None:
    """Signal `operator_action` (retry or cancel) to a running workflow."""

    async def act(client: Client) -> None:
        helper = _shared_operator_action()
        if helper is not None:
            await helper(client, workflow_id, action, reason, operator_id)
            return
        handle = client.get_workflow_handle(workflow_id)
        await handle.signal(
            OPERATOR_ACTION_SIGNAL,
            OperatorAction(action=action, reason=reason, operator_id=operator_id),
        )

    call(act)


def start_order(order_id: int) -> bool:
    """Start the order's workflow; False when it had been started already."""
    from comptoir.services.checkout import start_order_workflow

    return call(lambda client: start_order_workflow(client, order_id))


def terminate(workflow_id: str, reason: str) -> None:
    """Terminate the workflow (last resort: no compensation runs)."""
    call(lambda client: client.get_workflow_handle(workflow_id).terminate(reason=reason))


def reset_to_last_good_point(workflow_id: str, reason: str) -> tuple[int, str]:
    """Reset to the last completed workflow task before the first failure.

    Returns the event id reset to and the new run id.
    """

    async def reset(client: Client) -> tuple[int, str]:
        handle = client.get_workflow_handle(workflow_id)
        history = await handle.fetch_history()
        event_id = last_good_event_id(history.events)
        if event_id is None:
            raise Conflict("Ce workflow n'a aucun point de reprise (aucune tâche terminée).")
        described = await handle.describe()
        response = await client.workflow_service.reset_workflow_execution(
            ResetWorkflowExecutionRequest(
                namespace=client.namespace,
                workflow_execution=WorkflowExecution(
                    workflow_id=workflow_id, run_id=described.run_id
                ),
                reason=reason,
                workflow_task_finish_event_id=event_id,
                request_id=str(uuid.uuid4()),
            )
        )
        return event_id, response.run_id

    return call(reset)


FAILURE_EVENTS = frozenset(
    {
        EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
        EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
        EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
        EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
    }
)


def last_good_event_id(events: Any) -> int | None:
    """Id of the last WorkflowTaskCompleted before the first failure (or the last one at all)."""
    last_good: int | None = None
    for event in events:
        if event.event_type in FAILURE_EVENTS:
            break
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_good = event.event_id
    return last_good


def order_id_of(workflow_id: str) -> int | None:
    """The order number of an `order-<id>` workflow id; None for any other workflow."""
    number = workflow_id.removeprefix("order-")
    return int(number) if number != workflow_id and number.isdigit() else None


def order_workflow_states(
    closed_since: datetime, limit: int = 1000
) -> tuple[list[tuple[int, datetime | None]], list[tuple[int, datetime | None]]]:
    """(order id, start) of order workflows closed since `closed_since`, and of running ones."""
    since = closed_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    base = f"WorkflowType = '{ORDER_WORKFLOW}'"

    async def read(client: Client) -> tuple[list[WorkflowSummary], list[WorkflowSummary]]:
        async def listed(query: str) -> list[WorkflowSummary]:
            return [
                WorkflowSummary(e.id, e.status, e.start_time)
                async for e in client.list_workflows(query, limit=limit)
            ]

        closed = await listed(f"{base} AND ExecutionStatus != 'Running' AND CloseTime > '{since}'")
        running = await listed(f"{base} AND ExecutionStatus = 'Running'")
        return closed, running

    closed, running = call(read)

    def ids(found: list[WorkflowSummary]) -> list[tuple[int, datetime | None]]:
        return [
            (order_id, w.started_at)
            for w in found
            if (order_id := order_id_of(w.workflow_id)) is not None
        ]

    return ids(closed), ids(running)
