"""Operators act on any order's workflow: retry or skip a failed step, cancel (with refund)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import Field
from sqlalchemy import select

from api.deps import OperatorUser, SessionDep, send_to_workflow
from api.schemas import Public, Strict
from comptoir.errors import NotFound
from comptoir.models import AuditLog, Order, VendorOrder
from comptoir.orders import gateway
from comptoir.orders.contracts import order_workflow_id, vendor_order_workflow_id

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
    if db.get(Order, order_id) is None:
        raise NotFound("Commande introuvable.")
    workflow_id = order_workflow_id(order_id)
    if body.vendor_order_id is not None:
        part = db.scalar(
            select(VendorOrder).where(
                VendorOrder.id == body.vendor_order_id, VendorOrder.order_id == order_id
            )
        )
        if part is None:
            raise NotFound("Commande boutique introuvable.")
        workflow_id = vendor_order_workflow_id(part.id)
    send_to_workflow(
        request,
        gateway.operator_action,
        workflow_id=workflow_id,
        action=body.action,
        reason=body.reason,
        operator_id=operator.id,
    )
    db.add(
        AuditLog(
            actor_id=operator.id,
            action=f"order.{body.action}",
            target=workflow_id,
            reason=body.reason,
            details={"order_id": order_id, "vendor_order_id": body.vendor_order_id},
        )
    )
    return OperatorActionOut(order_id=order_id, workflow_id=workflow_id, action=body.action)
