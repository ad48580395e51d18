"""The shopper's orders: checkout, list, detail with timeline, cancel, return requests."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from pydantic import Field
from sqlalchemy import select

from api.deps import ShopperUser
from api.schemas import Public, Strict
from comptoir.domain.labels import format_datetime_fr
from comptoir.errors import Conflict, NotFound
from comptoir.models import VendorOrder
from comptoir.orders import gateway
from comptoir.services import place_order as order_placing
from comptoir.services import reorder, returns, scoping
from comptoir.services.checkout import BillingAddress, CheckoutRequest, ShopChoice
from comptoir.web.deps import SessionDep, send_to_workflow, start_workflow_now

log = logging.getLogger("comptoir.api.orders")
router = APIRouter(prefix="/api", tags=["orders"])


class BillingAddressIn(Strict):
    name: str = Field(default="", max_length=200)
    line1: str = Field(default="", max_length=300)
    line2: str = Field(default="", max_length=300)
    postal_code: str = Field(default="", max_length=10)
    city: str = Field(default="", max_length=120)
    country: str = Field(default="FR", max_length=2)


class ShopChoiceIn(Strict):
    shop_id: int
    delivery_mode_id: int
    pickup_slot_start: datetime | None = None
    shipping_name: str = Field(default="", max_length=200)
    shipping_address: str = Field(default="", max_length=600)


class CheckoutIn(Strict):
    # Optional here so that a missing address gets checkout's clear French message.
    billing_address: BillingAddressIn | None = None
    shops: list[ShopChoiceIn] = Field(default_factory=list, max_length=50)
    # Required when a shop delivers; checked by checkout (French format, clear message).
    phone: str = Field(default="", max_length=40)


class CheckoutOut(Public):
    order_id: int
    status: str
    total_cents: int
    workflow_started: bool
    next_step: str


@router.post("/checkout", response_model=CheckoutOut, status_code=201)
def place_order(body: CheckoutIn, request: Request, db: SessionDep, shopper: ShopperUser) -> CheckoutOut:
    """Turn the cart into an order: stock reserved now, then confirmation or payment."""
    billing = (
        BillingAddress(**body.billing_address.model_dump()) if body.billing_address else None
    )
    placed = order_placing.place_order(
        db,
        shopper,
        CheckoutRequest(
            billing=billing,
            shops=[ShopChoice(**choice.model_dump()) for choice in body.shops],
            phone=body.phone,
        ),
        start=lambda order_id: start_workflow_now(request, order_id),
    )
    order = placed.order
    next_step = (
        "Les vendeurs doivent confirmer votre réservation ; vous pourrez payer ensuite."
        if order.status == "awaiting_confirmation"
        else "Vous pouvez payer votre commande."
    )
    return CheckoutOut(
        order_id=order.id,
        status=order.status.value,
        total_cents=order.total_cents,
        workflow_started=placed.workflow_started,
        next_step=next_step,
    )


# --- after checkout: the shopper's actions on an order ----------------------------------------


class OrderStatusOut(Public):
    order_id: int
    status: str
    stage: str


class CancelIn(Strict):
    reason: str = Field(default="", max_length=500)


class ReturnLineIn(Strict):
    line_id: int
    quantity: int = Field(ge=1, le=999)


class ReturnIn(Strict):
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class ReceiptOut(Public):
    vendor_order_id: int
    status: str
    return_deadline: datetime | None


class ReturnOut(Public):
    return_id: int
    vendor_order_id: int
    status: str


class RefilledLineOut(Public):
    product_id: int
    name: str
    quantity: int
    wanted: int


class RefillOut(Public):
    added: list[RefilledLineOut]
    unavailable: list[str] = Field(description="produits qui ne sont plus en vente ou en stock")


@router.post("/orders/{order_id}/refill-cart", response_model=RefillOut)
def refill_cart(order_id: int, db: SessionDep, shopper: ShopperUser) -> RefillOut:
    """Put the products of an expired, cancelled or unpaid order back in the cart."""
    refill = reorder.refill_cart(db, shopper, order_id)
    return RefillOut(
        added=[RefilledLineOut(**vars(line)) for line in refill.added],
        unavailable=refill.unavailable,
    )


@router.post("/orders/{order_id}/cancel", response_model=OrderStatusOut)
def cancel_order(
    order_id: int, body: CancelIn, request: Request, db: SessionDep, shopper: ShopperUser
) -> OrderStatusOut:
    """Cancel an order that is not paid yet; a paid order is refunded through a return."""
    order = scoping.get_readable_order(db, shopper, order_id)
    send_to_workflow(
        request,
        gateway.cancel_order,
        order_id=order_id,
        actor_kind="shopper",
        actor_id=shopper.id,
        reason=body.reason,
    )
    db.refresh(order)  # as the workflow left it
    return OrderStatusOut(order_id=order.id, status=order.status.value, stage=order.stage)


@router.post(
    "/orders/{order_id}/vendor-orders/{vendor_order_id}/returns",
    response_model=ReturnOut,
    status_code=201,
)
def request_return(
    order_id: int,
    vendor_order_id: int,
    body: ReturnIn,
    request: Request,
    db: SessionDep,
    shopper: ShopperUser,
) -> ReturnOut:
    """Ask for a return/refund of some lines of a shop's part, within its return window."""
    part = _shoppers_part(db, shopper, order_id, vendor_order_id)
    if part.return_deadline is not None and datetime.now(UTC) > part.return_deadline:
        raise Conflict(
            "Le délai de retour de cette commande est dépassé : il courait jusqu'au "
            f"{format_datetime_fr(part.return_deadline)}.",
            code="return_window_closed",
        )
    returns.refuse_non_returnable(db, part.id, (line.line_id for line in body.lines))
    return_id = send_to_workflow(
        request,
        gateway.request_return,
        vendor_order_id=vendor_order_id,
        lines=[(line.line_id, line.quantity) for line in body.lines],
        reason=body.reason,
        actor_id=shopper.id,
    )
    return ReturnOut(return_id=return_id, vendor_order_id=vendor_order_id, status="requested")


def _shoppers_part(
    db: SessionDep, shopper: ShopperUser, order_id: int, vendor_order_id: int
) -> VendorOrder:
    """A shop's part of one of the shopper's own orders (404 otherwise)."""
    scoping.get_readable_order(db, shopper, order_id)
    part = db.scalar(
        select(VendorOrder).where(VendorOrder.id == vendor_order_id, VendorOrder.order_id == order_id)
    )
    if part is None:
        raise NotFound("Commande boutique introuvable.")
    return part


@router.post(
    "/orders/{order_id}/vendor-orders/{vendor_order_id}/receipt", response_model=ReceiptOut
)
def confirm_receipt(
    order_id: int, vendor_order_id: int, request: Request, db: SessionDep, shopper: ShopperUser
) -> ReceiptOut:
    """The shopper received a shipped part: it is completed and its return window opens now."""
    part = _shoppers_part(db, shopper, order_id, vendor_order_id)
    send_to_workflow(
        request, gateway.confirm_receipt, vendor_order_id=vendor_order_id, actor_id=shopper.id
    )
    db.refresh(part)  # as the workflow left it
    return ReceiptOut(
        vendor_order_id=part.id, status=part.status.value, return_deadline=part.return_deadline
    )
