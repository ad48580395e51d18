"""What people do to an order, sent to its workflow as Temporal updates (or signals).

An update is validated by the workflow before anything happens and answered once it is
recorded, so a step that is not allowed now comes back here as `Conflict` with the
workflow's own French sentence (HTTP 409). Temporal being unreachable is
`ServiceUnavailable` (503). Callers check who may act on what before calling.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from comptoir.errors import Conflict, ServiceUnavailable
from comptoir.orders.contracts import (
    OPERATOR_ACTION_SIGNAL,
    CancelOrderInput,
    CompleteInput,
    ConfirmLinesInput,
    MarkUnavailableInput,
    MerchantStepInput,
    OperatorAction,
    ReturnDecisionInput,
    ReturnLine,
    ReturnRequestInput,
    ShipInput,
    order_workflow_id,
    vendor_order_workflow_id,
)

log = logging.getLogger("comptoir.order_actions")

UPDATE_TIMEOUT = timedelta(seconds=30)
ENGINE_DOWN = "Le moteur de commandes est momentanément indisponible ; réessayez dans un instant."
NOT_RUNNING = {
    "order": "Cette commande est close : elle n'accepte plus ce changement.",
    "vendor": "Cette commande boutique n'accepte pas ce changement maintenant "
    "(elle n'est pas encore payée, ou elle est close).",
}


def _reason_of(error: WorkflowUpdateFailedError) -> str:
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.message:
        return cause.message
    return str(cause or error) or "Ce changement n'est pas possible maintenant."


async def _update(client: Client, workflow_id: str, kind: str, update: str, arg: Any) -> Any:
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(update, arg, rpc_timeout=UPDATE_TIMEOUT)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type == "StepFailed":
            raise ServiceUnavailable(cause.message) from exc
        raise Conflict(_reason_of(exc), code="step_not_allowed") from exc
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise Conflict(NOT_RUNNING[kind], code="workflow_closed") from exc
        log.warning("update %s of %s failed: %s", update, workflow_id, exc)
        raise ServiceUnavailable(ENGINE_DOWN) from exc
    except Exception as exc:  # connection refused, timeouts
        log.warning("update %s of %s failed: %s", update, workflow_id, exc)
        raise ServiceUnavailable(ENGINE_DOWN) from exc


# --- before payment (the order's workflow) -----------------------------------------------------


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
    await _update(
        client,
        order_workflow_id(order_id),
        "order",
        "confirm_lines",
        ConfirmLinesInput(vendor_order_id, list(confirmed), list(declined), actor_id),
    )


async def cancel_order(
    client: Client, *, order_id: int, actor_kind: str, actor_id: int | None, reason: str = ""
) -> None:
    """Cancel an order that is not paid yet (its stock goes back on the shelf)."""
    await _update(
        client,
        order_workflow_id(order_id),
        "order",
        "cancel",
        CancelOrderInput(actor_id=actor_id, actor_kind=actor_kind, reason=reason),
    )


# --- after payment (the shop's part) ------------------------------------------------------------


async def _vendor(client: Client, vendor_order_id: int, update: str, arg: Any) -> Any:
    return await _update(client, vendor_order_workflow_id(vendor_order_id), "vendor", update, arg)


async def start_preparing(client: Client, *, vendor_order_id: int, actor_id: int | None) -> None:
    """The merchant starts preparing."""
    await _vendor(client, vendor_order_id, "start_preparing", MerchantStepInput(actor_id))


async def mark_unavailable(
    client: Client,
    *,
    vendor_order_id: int,
    line_ids: list[int],
    actor_id: int | None,
    reason: str = "",
) -> None:
    """Lines the shop cannot supply: they are refunded automatically."""
    await _vendor(
        client,
        vendor_order_id,
        "mark_unavailable",
        MarkUnavailableInput(list(line_ids), actor_id, reason),
    )


async def ready_for_pickup(client: Client, *, vendor_order_id: int, actor_id: int | None) -> None:
    """The order waits in the shop; the shopper receives a pickup code."""
    await _vendor(client, vendor_order_id, "ready_for_pickup", MerchantStepInput(actor_id))


async def ship(
    client: Client, *, vendor_order_id: int, carrier: str, tracking_number: str, actor_id: int | None
) -> None:
    """The order leaves with a carrier and a tracking number."""
    await _vendor(client, vendor_order_id, "ship", ShipInput(carrier, tracking_number, actor_id))


async def complete(
    client: Client, *, vendor_order_id: int, pickup_code: str = "", actor_id: int | None
) -> None:
    """Handed over (the pickup code is checked) or delivered."""
    await _vendor(client, vendor_order_id, "complete", CompleteInput(pickup_code, actor_id))


async def request_return(
    client: Client,
    *,
    vendor_order_id: int,
    lines: list[tuple[int, int]],
    reason: str,
    actor_id: int | None,
) -> int:
    """The shopper asks to return (line id, quantity) pairs; the return request's id."""
    return int(
        await _vendor(
            client,
            vendor_order_id,
            "request_return",
            ReturnRequestInput([ReturnLine(i, q) for i, q in lines], reason, actor_id),
        )
    )


async def accept_return(
    client: Client, *, vendor_order_id: int, return_id: int, actor_id: int | None
) -> None:
    """The merchant accepts a return: the shopper is refunded."""
    await _vendor(
        client, vendor_order_id, "accept_return", ReturnDecisionInput(return_id, "", actor_id)
    )


async def refuse_return(
    client: Client, *, vendor_order_id: int, return_id: int, reason: str, actor_id: int | None
) -> None:
    """The merchant refuses a return, saying why."""
    await _vendor(
        client, vendor_order_id, "refuse_return", ReturnDecisionInput(return_id, reason, actor_id)
    )


# --- operators ----------------------------------------------------------------------------------


async def operator_action(
    client: Client, workflow_id: str, action: str, reason: str, operator_id: int | None
) -> None:
    """Tell a stuck (or any) order or shop's part what to do: retry, skip or cancel."""
    if action not in ("retry", "skip", "cancel"):
        raise Conflict(f"Action inconnue : {action}.")
    try:
        await client.get_workflow_handle(workflow_id).signal(
            OPERATOR_ACTION_SIGNAL, OperatorAction(action, reason, operator_id)
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise Conflict("Ce workflow est terminé : il n'attend plus rien.") from exc
        raise ServiceUnavailable(ENGINE_DOWN) from exc


__all__ = [
    "accept_return",
    "cancel_order",
    "complete",
    "confirm_lines",
    "mark_unavailable",
    "operator_action",
    "ready_for_pickup",
    "refuse_return",
    "request_return",
    "ship",
    "start_preparing",
]
