"""The console's Temporal calls (through `comptoir.orders.gateway`), run from sync pages.

Streamlit runs pages synchronously, so each call opens a client inside its own `asyncio.run`
with a short timeout: an unreachable Temporal becomes `TemporalUnavailable` (a French
message for the page), never a hung or blank page.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import Client, WorkflowExecutionDescription, WorkflowExecutionStatus

from comptoir.errors import ServiceUnavailable
from comptoir.orders import gateway
from comptoir.orders.contracts import OrderState, order_workflow_id, vendor_order_workflow_id
from comptoir.settings import get_settings
from comptoir.temporal import connect

T = TypeVar("T")
Started = list[tuple[int, datetime | None]]  # (order id, workflow start)
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
    except (TimeoutError, OSError, RuntimeError) as error:
        # The gateway maps Temporal's answers; what is left is not reaching it at all
        # (Client.connect reports a refused connection as a RuntimeError).
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


def _panel(described: WorkflowExecutionDescription | None) -> WorkflowPanel | None:
    if described is None:
        return None
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
        order = _panel(await gateway.describe(client, order_workflow_id(order_id)))
        if order is not None:
            try:
                state = await gateway.order_state(client, order_id, timedelta(seconds=3))
                order = replace(order, state=state)
            except Exception as error:  # a closed or busy workflow may not answer queries
                order = replace(order, state_error=str(error) or type(error).__name__)
        parts = await asyncio.gather(
            *(gateway.describe(client, vendor_order_workflow_id(i)) for i in vendor_order_ids)
        )
        panels = [_panel(part) for part in parts]
        return OrderPanel(order, dict(zip(vendor_order_ids, panels, strict=True)))

    return call(read)


# --- acting ---------------------------------------------------------------------------------


def send_operator_action(workflow_id: str, action: str, reason: str, operator_id: int) -> None:
    """Signal `operator_action` (retry, skip or cancel) to a running workflow."""
    call(lambda client: gateway.operator_action(client, workflow_id, action, reason, operator_id))


def start_operator_refund(refund_id: int, order_id: int, reason: str) -> None:
    """Start the workflow of an operator's recorded refund."""
    call(
        lambda client: gateway.start_operator_refund(
            client, refund_id=refund_id, order_id=order_id, reason=reason
        )
    )


def start_order(order_id: int) -> bool:
    """Start the order's workflow; False when it had been started already."""
    return call(lambda client: gateway.start_order(client, order_id))


def terminate(workflow_id: str, reason: str) -> None:
    """Terminate the workflow (last resort: no compensation runs)."""
    call(lambda client: gateway.terminate(client, workflow_id, reason))


def reset_to_last_good_point(workflow_id: str, reason: str) -> tuple[int, str]:
    """Reset to the last completed workflow task before the first failure (event id, new run)."""
    return call(lambda client: gateway.reset_to_last_good_point(client, workflow_id, reason))


def order_workflow_states(
    closed_since: datetime, limit: int = 1000
) -> tuple[Started, Started]:
    """(order id, start) of order workflows closed since `closed_since`, and of running ones."""

    async def read(client: Client) -> tuple[Started, Started]:
        closed = await gateway.order_workflows(client, closed_since=closed_since, limit=limit)
        running = await gateway.order_workflows(client, limit=limit)
        return [(i, start) for i, _, start in closed], [(i, start) for i, _, start in running]

    closed, running = call(read)
    return closed, running
