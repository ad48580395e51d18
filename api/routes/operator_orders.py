"""Operators act on any order's workflow: retry or skip a failed step, cancel (with refund),
and refund any amount left outside the return flow."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import Field

from api.deps import OperatorUser
from api.schemas import Public, Strict
from comptoir.errors import NotFound, ServiceUnavailable
from comptoir.models import Order
from comptoir.orders import gateway
from comptoir.orders.contracts import operator_refund_workflow_id
from comptoir.services import operator_refunds
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


class OperatorRefundIn(Strict):
    amount_cents: int = Field(gt=0, le=100_000_000)
    reason: str = Field(min_length=1, max_length=500)
    vendor_order_id: int | None = None


class OperatorRefundOut(Public):
    refund_id: int
    order_id: int
    vendor_order_id: int | None
    amount_cents: int
    status: str
    workflow_id: str


@router.post("/{order_id}/refunds", response_model=OperatorRefundOut, status_code=202)
def refund_order(
    order_id: int, body: OperatorRefundIn, request: Request, db: SessionDep, operator: OperatorUser
) -> OperatorRefundOut:
    """Refund an amount of a paid order outside the return flow (its own workflow); audited."""
    if db.get(Order, order_id) is None:
        raise NotFound("Commande introuvable.")
    row = operator_refunds.request_refund(
        db,
        order_id=order_id,
        amount_cents=body.amount_cents,
        reason=body.reason,
        operator_id=operator.id,
        vendor_order_id=body.vendor_order_id,
    )
    try:
        send_to_workflow(
            request,
            gateway.start_operator_refund,
            refund_id=row.id,
            order_id=order_id,
            reason=row.reason,
        )
    except ServiceUnavailable:
        operator_refunds.give_up(db, row.id, "Temporal injoignable au lancement")
        db.commit()
        raise
    return OperatorRefundOut(
        refund_id=row.id,
        order_id=order_id,
        vendor_order_id=row.vendor_order_id,
        amount_cents=row.amount_cents,
        status=row.status.value,
        workflow_id=operator_refund_workflow_id(row.id),
    )
