"""A merchant moves its shop's part of an order on: reservations, preparation, hand-over,
unavailable lines, returns. Each step is a workflow update (409 when not allowed now)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from api.deps import MerchantUser
from api.schemas import Public, Strict
from comptoir.models import User
from comptoir.orders import gateway
from comptoir.services import returns, scoping
from comptoir.web.deps import SessionDep, send_to_workflow

router = APIRouter(prefix="/api/merchant/vendor-orders", tags=["merchant orders"])


class VendorOrderStepOut(Public):
    vendor_order_id: int
    order_id: int
    status: str
    pickup_code: str
    return_deadline: str | None = None


class LineDecisionsIn(Strict):
    confirmed: list[int] = Field(default_factory=list, max_length=500)
    declined: list[int] = Field(default_factory=list, max_length=500)


class UnavailableIn(Strict):
    line_ids: list[int] = Field(min_length=1, max_length=500)
    reason: str = Field(default="", max_length=500)


class ShipIn(Strict):
    # Required for a parcel, optional for the shop's own local delivery (the workflow says).
    carrier: str = Field(default="", max_length=80)
    tracking_number: str = Field(default="", max_length=120)


class NoShowIn(Strict):
    reason: str = Field(default="", max_length=500)


class CompleteIn(Strict):
    pickup_code: str = Field(default="", max_length=12)


class RestockIn(Strict):
    line_ids: list[int] = Field(min_length=1, max_length=200, description="lignes du retour")


class RestockedLineOut(Public):
    line_id: int
    product_id: int | None
    product_name: str
    quantity: int


class RestockOut(Public):
    return_id: int
    restocked: list[RestockedLineOut]


class RefusalIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


def _out(db: SessionDep, merchant: User, vendor_order_id: int) -> VendorOrderStepOut:
    part = scoping.get_readable_vendor_order(db, merchant, vendor_order_id)
    db.refresh(part)  # as the workflow left it
    return VendorOrderStepOut(
        vendor_order_id=part.id,
        order_id=part.order_id,
        status=part.status.value,
        pickup_code="",  # the shopper shows it; the merchant checks it at hand-over
        return_deadline=part.return_deadline.isoformat() if part.return_deadline else None,
    )


def _step(
    request: Request,
    db: SessionDep,
    merchant: User,
    vendor_order_id: int,
    step: Callable[..., Coroutine[Any, Any, Any]],
    **arguments: Any,
) -> VendorOrderStepOut:
    """Check the part is the merchant's, send the step to its workflow, answer its new state."""
    scoping.get_readable_vendor_order(db, merchant, vendor_order_id)
    send_to_workflow(
        request, step, vendor_order_id=vendor_order_id, actor_id=merchant.id, **arguments
    )
    return _out(db, merchant, vendor_order_id)


@router.post("/{vendor_order_id}/confirm", response_model=VendorOrderStepOut)
def confirm_reservation(
    vendor_order_id: int,
    body: LineDecisionsIn,
    request: Request,
    db: SessionDep,
    merchant: MerchantUser,
) -> VendorOrderStepOut:
    """Confirm and/or decline lines waiting for a reservation confirmation."""
    part = scoping.get_readable_vendor_order(db, merchant, vendor_order_id)
    send_to_workflow(
        request,
        gateway.confirm_lines,
        order_id=part.order_id,
        vendor_order_id=part.id,
        confirmed=body.confirmed,
        declined=body.declined,
        actor_id=merchant.id,
    )
    return _out(db, merchant, vendor_order_id)


@router.post("/{vendor_order_id}/prepare", response_model=VendorOrderStepOut)
def start_preparing(
    vendor_order_id: int, request: Request, db: SessionDep, merchant: MerchantUser
) -> VendorOrderStepOut:
    """Start preparing a paid order."""
    return _step(request, db, merchant, vendor_order_id, gateway.start_preparing)


@router.post("/{vendor_order_id}/unavailable", response_model=VendorOrderStepOut)
def mark_unavailable(
    vendor_order_id: int,
    body: UnavailableIn,
    request: Request,
    db: SessionDep,
    merchant: MerchantUser,
) -> VendorOrderStepOut:
    """Lines out of stock after all: the shopper is refunded for them automatically."""
    return _step(
        request,
        db,
        merchant,
        vendor_order_id,
        gateway.mark_unavailable,
        line_ids=body.line_ids,
        reason=body.reason,
    )


@router.post("/{vendor_order_id}/ready", response_model=VendorOrderStepOut)
def ready_for_pickup(
    vendor_order_id: int, request: Request, db: SessionDep, merchant: MerchantUser
) -> VendorOrderStepOut:
    """The order waits in the shop; the shopper receives a pickup code."""
    return _step(request, db, merchant, vendor_order_id, gateway.ready_for_pickup)


@router.post("/{vendor_order_id}/ship", response_model=VendorOrderStepOut)
def ship(
    vendor_order_id: int, body: ShipIn, request: Request, db: SessionDep, merchant: MerchantUser
) -> VendorOrderStepOut:
    """The order leaves with a carrier (or the shop's own delivery) and a tracking number."""
    return _step(
        request,
        db,
        merchant,
        vendor_order_id,
        gateway.ship,
        carrier=body.carrier,
        tracking_number=body.tracking_number,
    )


@router.post("/{vendor_order_id}/complete", response_model=VendorOrderStepOut)
def complete(
    vendor_order_id: int, body: CompleteIn, request: Request, db: SessionDep, merchant: MerchantUser
) -> VendorOrderStepOut:
    """Handed over (the shopper's pickup code is checked) or delivered."""
    return _step(
        request, db, merchant, vendor_order_id, gateway.complete, pickup_code=body.pickup_code
    )


@router.post("/{vendor_order_id}/no-show", response_model=VendorOrderStepOut)
def cancel_no_show(
    vendor_order_id: int, body: NoShowIn, request: Request, db: SessionDep, merchant: MerchantUser
) -> VendorOrderStepOut:
    """The shopper never collected the part: cancelled, refunded, stock back on sale."""
    return _step(
        request, db, merchant, vendor_order_id, gateway.cancel_no_show, reason=body.reason
    )


@router.post("/{vendor_order_id}/returns/{return_id}/accept", response_model=VendorOrderStepOut)
def accept_return(
    vendor_order_id: int, return_id: int, request: Request, db: SessionDep, merchant: MerchantUser
) -> VendorOrderStepOut:
    """The goods came back: the shopper is refunded to the card that paid."""
    return _step(
        request, db, merchant, vendor_order_id, gateway.accept_return, return_id=return_id
    )


@router.post("/{vendor_order_id}/returns/{return_id}/restock", response_model=RestockOut)
def restock_return(
    vendor_order_id: int, return_id: int, body: RestockIn, db: SessionDep, merchant: MerchantUser
) -> RestockOut:
    """Put returned goods back on sale (once per return, after it was accepted)."""
    done = returns.restock_return(db, merchant, vendor_order_id, return_id, body.line_ids)
    return RestockOut(
        return_id=return_id,
        restocked=[RestockedLineOut(**vars(line)) for line in done],
    )


@router.post("/{vendor_order_id}/returns/{return_id}/refuse", response_model=VendorOrderStepOut)
def refuse_return(
    vendor_order_id: int,
    return_id: int,
    body: RefusalIn,
    request: Request,
    db: SessionDep,
    merchant: MerchantUser,
) -> VendorOrderStepOut:
    """Refuse a return, telling the shopper why."""
    return _step(
        request,
        db,
        merchant,
        vendor_order_id,
        gateway.refuse_return,
        return_id=return_id,
        reason=body.reason,
    )
