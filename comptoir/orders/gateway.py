"""The one place that talks to Temporal about orders: start, updates, signals, console calls.

An update is validated by the workflow before anything happens and answered once it is
recorded, so a step that is not allowed now comes back as `Conflict` with the workflow's
own French sentence (HTTP 409). Temporal being unreachable is `ServiceUnavailable` (503).
Every call goes through `_temporal_errors`, the single mapping of Temporal's errors to
`comptoir.errors`. Callers check who may act on what before calling.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowUpdateFailedError,
)
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from comptoir.errors import Conflict, DomainError, NotFound, ServiceUnavailable
from comptoir.orders.contracts import (
    ACCEPT_RETURN,
    CANCEL_NO_SHOW,
    CANCEL_ORDER,
    COMPLETE,
    CONFIRM_LINES,
    CONFIRM_RECEIPT,
    MARK_UNAVAILABLE,
    OPERATOR_ACTION_SIGNAL,
    OPERATOR_ACTIONS,
    OPERATOR_REFUND_WORKFLOW,
    ORDER_ID_ATTRIBUTE,
    ORDER_STAGE_ATTRIBUTE,
    ORDER_WORKFLOW,
    PAYMENT_EVENT_SIGNAL,
    READY_FOR_PICKUP,
    REFUSE_RETURN,
    REQUEST_RETURN,
    SHIP,
    START_PREPARING,
    STATE_QUERY,
    CancelNoShowInput,
    CancelOrderInput,
    CompleteInput,
    ConfirmLinesInput,
    ConfirmReceiptInput,
    MarkUnavailableInput,
    MerchantStepInput,
    OperatorAction,
    OperatorRefundInput,
    OrderState,
    OrderWorkflowInput,
    PaymentEvent,
    ReturnDecisionInput,
    ReturnLine,
    ReturnRequestInput,
    ShipInput,
    Timing,
    VendorOrderState,
    operator_refund_workflow_id,
    order_id_of,
    order_workflow_id,
    vendor_order_workflow_id,
)
from comptoir.settings import Settings, get_settings

log = logging.getLogger("comptoir.orders.gateway")
T = TypeVar("T")

UPDATE_TIMEOUT = timedelta(seconds=30)
SIGNAL_TIMEOUT = timedelta(seconds=5)
ENGINE_DOWN = "Le moteur de commandes est momentanément indisponible ; réessayez dans un instant."
# Stripe delivers an event again until it gets a 2xx: the shopper has nothing to retry.
PAYMENT_EVENT_DOWN = (
    "Le moteur de commandes est momentanément indisponible ; l'événement sera relivré."
)
ORDER_CLOSED = "Cette commande est close : elle n'accepte plus ce changement."
VENDOR_ORDER_CLOSED = (
    "Cette commande boutique n'accepte pas ce changement maintenant "
    "(elle n'est pas encore payée, ou elle est close)."
)
WORKFLOW_OVER = "Ce workflow est terminé : il n'attend plus rien."
UNKNOWN_WORKFLOW = "Ce workflow est inconnu de Temporal."
ORDER_ID_KEY = SearchAttributeKey.for_keyword(ORDER_ID_ATTRIBUTE)
ORDER_STAGE_KEY = SearchAttributeKey.for_keyword(ORDER_STAGE_ATTRIBUTE)


class WorkflowMissing(Conflict):
    """The workflow does not exist (never started, or closed and gone)."""


def _reason_of(error: WorkflowUpdateFailedError) -> str:
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.message:
        return cause.message
    return str(cause or error) or "Ce changement n'est pas possible maintenant."


@contextmanager
def _temporal_errors(
    what: str, workflow_id: str, *, missing: DomainError, down: str = ENGINE_DOWN
) -> Iterator[None]:
    """Turn Temporal's errors into comptoir errors; `missing` when the workflow is not there."""
    try:
        yield
    except DomainError:
        raise
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type == "StepFailed":
            raise ServiceUnavailable(cause.message) from exc
        raise Conflict(_reason_of(exc), code="step_not_allowed") from exc
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise missing from exc
        if exc.status in (RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.FAILED_PRECONDITION):
            raise Conflict(f"Temporal refuse l'opération : {exc.message}") from exc
        log.warning("%s of %s failed: %s", what, workflow_id, exc)
        raise ServiceUnavailable(down) from exc
    except Exception as exc:  # connection refused, timeouts
        log.warning("%s of %s failed: %s", what, workflow_id, exc)
        raise ServiceUnavailable(down) from exc


# --- starting an order's workflow ---------------------------------------------------------------


def lifecycle_timing(settings: Settings | None = None) -> Timing:
    """The delays of a new order, read from the settings when it starts."""
    s = settings or get_settings()
    return Timing(
        confirmation_deadline_seconds=s.confirmation_deadline_hours * 3600,
        confirmation_reminder_seconds=s.confirmation_reminder_hours * 3600,
        payment_deadline_seconds=s.payment_deadline_minutes * 60,
        payment_after_confirmation_seconds=s.payment_after_confirmation_hours * 3600,
        merchant_reminder_seconds=s.merchant_reminder_hours * 3600,
        merchant_escalation_seconds=s.merchant_escalation_hours * 3600,
        pickup_reminder_seconds=s.pickup_reminder_days * 86400,
        pickup_no_show_seconds=s.pickup_no_show_days * 86400,
        delivery_auto_complete_seconds=s.delivery_auto_complete_days * 86400,
        return_window_days=s.return_window_days,
        return_window_kind=s.return_window_kind,
        activity_max_attempts=s.activity_max_attempts,
        activity_initial_interval_seconds=s.activity_initial_interval_seconds,
        activity_maximum_interval_seconds=s.activity_maximum_interval_seconds,
        activity_timeout_seconds=s.activity_timeout_seconds,
        documents_task_queue=s.documents_task_queue,
    )


async def start_order(client: Client, order_id: int, settings: Settings | None = None) -> bool:
    """Start the order's workflow; False when it was started before (idempotent).

    Temporal's own errors are left raw: callers keep the order `start_pending` and retry.
    """
    settings = settings or get_settings()
    try:
        await client.start_workflow(
            ORDER_WORKFLOW,
            OrderWorkflowInput(order_id=order_id, timing=lifecycle_timing(settings)),
            id=order_workflow_id(order_id),
            task_queue=settings.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(ORDER_ID_KEY, str(order_id)),
                    SearchAttributePair(ORDER_STAGE_KEY, "created"),
                ]
            ),
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


async def start_operator_refund(
    client: Client, *, refund_id: int, order_id: int, reason: str, settings: Settings | None = None
) -> None:
    """Start the workflow of an operator's (committed, pending) refund; once per refund row."""
    settings = settings or get_settings()
    workflow_id = operator_refund_workflow_id(refund_id)
    with _temporal_errors("start", workflow_id, missing=NotFound(UNKNOWN_WORKFLOW)):
        try:
            await client.start_workflow(
                OPERATOR_REFUND_WORKFLOW,
                OperatorRefundInput(
                    refund_id=refund_id,
                    order_id=order_id,
                    reason=reason,
                    documents_task_queue=settings.documents_task_queue,
                ),
                id=workflow_id,
                task_queue=settings.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=TypedSearchAttributes(
                    [SearchAttributePair(ORDER_ID_KEY, str(order_id))]
                ),
            )
        except WorkflowAlreadyStartedError:
            pass  # started before: the refund happens once all the same


async def start_pending_orders(client: Client, order_ids: Iterable[int]) -> int:
    """Start the workflows of these orders; the number that were started now."""
    started = 0
    for order_id in order_ids:
        try:
            if await start_order(client, order_id):
                started += 1
        except Exception:  # Temporal still down: the next sweep tries again
            log.warning("could not start the workflow of order %s", order_id, exc_info=True)
            break
    return started


# --- updates -------------------------------------------------------------------------------------


async def _update(
    client: Client, workflow_id: str, update: str, arg: Any, result_type: type[T], closed: str
) -> T:
    handle = client.get_workflow_handle(workflow_id)
    with _temporal_errors(
        f"update {update}", workflow_id, missing=WorkflowMissing(closed, code="workflow_closed")
    ):
        return await handle.execute_update(
            update, arg, result_type=result_type, rpc_timeout=UPDATE_TIMEOUT
        )


async def _order_update(client: Client, order_id: int, update: str, arg: Any) -> OrderState:
    return await _update(
        client, order_workflow_id(order_id), update, arg, OrderState, ORDER_CLOSED
    )


async def _vendor_update(
    client: Client, vendor_order_id: int, update: str, arg: Any, result_type: type[T]
) -> T:
    return await _update(
        client,
        vendor_order_workflow_id(vendor_order_id),
        update,
        arg,
        result_type,
        VENDOR_ORDER_CLOSED,
    )


async def confirm_lines(
    client: Client,
    *,
    order_id: int,
    vendor_order_id: int,
    confirmed: list[int],
    declined: list[int],
    actor_id: int | None,
) -> None:
    """A merchant confirms and/or declines reservation lines of its part of the order."""
    await _order_update(
        client,
        order_id,
        CONFIRM_LINES,
        ConfirmLinesInput(vendor_order_id, list(confirmed), list(declined), actor_id),
    )


async def cancel_order(
    client: Client, *, order_id: int, actor_kind: str, actor_id: int | None, reason: str = ""
) -> None:
    """Cancel an order that is not paid yet (its stock goes back on the shelf)."""
    await _order_update(
        client,
        order_id,
        CANCEL_ORDER,
        CancelOrderInput(actor_id=actor_id, actor_kind=actor_kind, reason=reason),
    )


async def start_preparing(client: Client, *, vendor_order_id: int, actor_id: int | None) -> None:
    """The merchant starts preparing."""
    await _vendor_update(
        client, vendor_order_id, START_PREPARING, MerchantStepInput(actor_id), VendorOrderState
    )


async def mark_unavailable(
    client: Client,
    *,
    vendor_order_id: int,
    line_ids: list[int],
    actor_id: int | None,
    reason: str = "",
) -> None:
    """Lines the shop cannot supply: they are refunded automatically."""
    await _vendor_update(
        client,
        vendor_order_id,
        MARK_UNAVAILABLE,
        MarkUnavailableInput(list(line_ids), actor_id, reason),
        VendorOrderState,
    )


async def ready_for_pickup(client: Client, *, vendor_order_id: int, actor_id: int | None) -> None:
    """The order waits in the shop; the shopper receives a pickup code."""
    await _vendor_update(
        client, vendor_order_id, READY_FOR_PICKUP, MerchantStepInput(actor_id), VendorOrderState
    )


async def ship(
    client: Client, *, vendor_order_id: int, carrier: str, tracking_number: str, actor_id: int | None
) -> None:
    """The order leaves with a carrier and a tracking number."""
    await _vendor_update(
        client,
        vendor_order_id,
        SHIP,
        ShipInput(carrier, tracking_number, actor_id),
        VendorOrderState,
    )


async def complete(
    client: Client, *, vendor_order_id: int, pickup_code: str = "", actor_id: int | None
) -> None:
    """Handed over (the pickup code is checked) or delivered."""
    await _vendor_update(
        client, vendor_order_id, COMPLETE, CompleteInput(pickup_code, actor_id), VendorOrderState
    )


async def confirm_receipt(client: Client, *, vendor_order_id: int, actor_id: int | None) -> None:
    """The shopper received a shipped part: it completes and the return window opens."""
    await _vendor_update(
        client, vendor_order_id, CONFIRM_RECEIPT, ConfirmReceiptInput(actor_id), VendorOrderState
    )


async def cancel_no_show(
    client: Client, *, vendor_order_id: int, actor_id: int | None, reason: str = ""
) -> None:
    """The merchant cancels a part the shopper never collected: refunded, stock back."""
    await _vendor_update(
        client,
        vendor_order_id,
        CANCEL_NO_SHOW,
        CancelNoShowInput(actor_id, reason),
        VendorOrderState,
    )


async def request_return(
    client: Client,
    *,
    vendor_order_id: int,
    lines: list[tuple[int, int]],
    reason: str,
    actor_id: int | None,
) -> int:
    """The shopper asks to return (line id, quantity) pairs; the return request's id."""
    return await _vendor_update(
        client,
        vendor_order_id,
        REQUEST_RETURN,
        ReturnRequestInput([ReturnLine(i, q) for i, q in lines], reason, actor_id),
        int,
    )


async def accept_return(
    client: Client, *, vendor_order_id: int, return_id: int, actor_id: int | None
) -> None:
    """The merchant accepts a return: the shopper is refunded."""
    await _vendor_update(
        client,
        vendor_order_id,
        ACCEPT_RETURN,
        ReturnDecisionInput(return_id, "", actor_id),
        VendorOrderState,
    )


async def refuse_return(
    client: Client, *, vendor_order_id: int, return_id: int, reason: str, actor_id: int | None
) -> None:
    """The merchant refuses a return, saying why."""
    await _vendor_update(
        client,
        vendor_order_id,
        REFUSE_RETURN,
        ReturnDecisionInput(return_id, reason, actor_id),
        VendorOrderState,
    )


# --- signals -------------------------------------------------------------------------------------


async def forward_payment_event(
    client: Client,
    *,
    order_id: int,
    event_id: str,
    payment_intent_id: str,
    succeeded: bool,
    failure_message: str = "",
) -> bool:
    """Signal a verified Stripe event to the order; False when the order's workflow is gone."""
    workflow_id = order_workflow_id(order_id)
    try:
        with _temporal_errors(
            "payment event",
            workflow_id,
            missing=WorkflowMissing(WORKFLOW_OVER),
            down=PAYMENT_EVENT_DOWN,
        ):
            await client.get_workflow_handle(workflow_id).signal(
                PAYMENT_EVENT_SIGNAL,
                PaymentEvent(event_id, payment_intent_id, succeeded, failure_message),
                rpc_timeout=SIGNAL_TIMEOUT,
            )
    except WorkflowMissing:
        return False
    return True


async def operator_action(
    client: Client, workflow_id: str, action: str, reason: str, operator_id: int | None
) -> None:
    """Tell a stuck (or any) order or shop's part what to do: retry, skip or cancel."""
    if action not in OPERATOR_ACTIONS:
        raise Conflict(f"Action inconnue : {action}.")
    with _temporal_errors("operator action", workflow_id, missing=Conflict(WORKFLOW_OVER)):
        await client.get_workflow_handle(workflow_id).signal(
            OPERATOR_ACTION_SIGNAL, OperatorAction(action, reason, operator_id)
        )


# --- what operators read and do in the console ---------------------------------------------------


async def describe(client: Client, workflow_id: str) -> WorkflowExecutionDescription | None:
    """What Temporal says about a workflow now; None when Temporal never heard of it."""
    try:
        with _temporal_errors("describe", workflow_id, missing=NotFound(UNKNOWN_WORKFLOW)):
            return await client.get_workflow_handle(workflow_id).describe()
    except NotFound:
        return None


async def order_state(client: Client, order_id: int, timeout: timedelta) -> OrderState:
    """The order workflow's answer to its `state` query (raw errors: a closed one may not answer)."""
    return await client.get_workflow_handle(order_workflow_id(order_id)).query(
        STATE_QUERY, result_type=OrderState, rpc_timeout=timeout
    )


async def terminate(client: Client, workflow_id: str, reason: str) -> None:
    """Terminate the workflow (last resort: no compensation runs)."""
    with _temporal_errors("terminate", workflow_id, missing=NotFound(UNKNOWN_WORKFLOW)):
        await client.get_workflow_handle(workflow_id).terminate(reason=reason)


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


async def reset_to_last_good_point(client: Client, workflow_id: str, reason: str) -> tuple[int, str]:
    """Reset to the last completed workflow task before the first failure.

    Returns the event id reset to and the new run id.
    """
    handle = client.get_workflow_handle(workflow_id)
    with _temporal_errors("reset", workflow_id, missing=NotFound(UNKNOWN_WORKFLOW)):
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


async def order_workflows(
    client: Client, *, closed_since: datetime | None = None, limit: int = 1000
) -> list[tuple[int, WorkflowExecutionStatus | None, datetime | None]]:
    """(order id, status, start) of running order workflows, or of those closed since then."""
    query = f"WorkflowType = '{ORDER_WORKFLOW}'"
    if closed_since is None:
        query += " AND ExecutionStatus = 'Running'"
    else:
        since = closed_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        query += f" AND ExecutionStatus != 'Running' AND CloseTime > '{since}'"
    found: list[tuple[int, WorkflowExecutionStatus | None, datetime | None]] = []
    with _temporal_errors("list", ORDER_WORKFLOW, missing=NotFound(UNKNOWN_WORKFLOW)):
        async for execution in client.list_workflows(query, limit=limit):
            order_id = order_id_of(execution.id)
            if order_id is not None:
                found.append((order_id, execution.status, execution.start_time))
    return found
