"""Operators act on any order's workflow: retry or skip a failed step, cancel (with refund)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import Field

from api.deps import OperatorUser
from api.schemas import Public, Strict
from comptoir.orders import gateway
from comptoir.services.operations import decisions
from comptoir.web.deps import SessionDep, send_to_workflow

router = APIRouter(prefix="/api/operator/orders", tags=["operator"])


class OperatorActionIn(Strict):
    action: Literal["retry", "skip", "cancel"]
    reason: str = Field(min_length=1, max_length=1000)
    vendor_order_id: int | None = None


class OperatorActionOut(Public):
    order_id: int
    workflow_id: str
    action: str


@router.post("/{order_id}/actions", response_model=OperatorActionOut, status_code=202)
def act_on_order(
    order_id: int, body: OperatorActionIn, request: Request, db: SessionDep, operator: OperatorUser
) -> OperatorActionOut:
    """Send an operator's decision to the order's workflow (or one shop's part); audited."""
    workflow_id = decisions.send_operator_decision(
        db,
        operator.id,
        order_id,
        body.action,
        body.reason,
        lambda workflow_id: send_to_workflow(
            request,
            gateway.operator_action,
            workflow_id=workflow_id,
            action=body.action,
            reason=body.reason,
            operator_id=operator.id,
        ),
        vendor_order_id=body.vendor_order_id,
    )
    return OperatorActionOut(order_id=order_id, workflow_id=workflow_id, action=body.action)
