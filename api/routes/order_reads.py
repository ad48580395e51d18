"""Reading orders: the shopper's orders, the merchant's vendor orders and ledger, messages.

What a caller may read is decided by `comptoir.services.scoping` only; these routes
pick the role and shape the answer. Writes that change an order go through Temporal
elsewhere; here the only writes are messages and the public contact form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from api.deps import OptionalUser, require_role
from api.schemas import Public, Strict
from comptoir.errors import NotFound
from comptoir.models import Role, User, VendorOrderStatus
from comptoir.services import ledger, order_reads, scoping, shops
from comptoir.services import merchant_dashboard as dashboards
from comptoir.services import messages as shop_messages
from comptoir.web.deps import SessionDep

router = APIRouter(prefix="/api", tags=["order reads"])

ShopperOrOperator = Annotated[User, Depends(require_role(Role.shopper, Role.operator))]
MerchantOrOperator = Annotated[User, Depends(require_role(Role.merchant, Role.operator))]
Shopper = Annotated[User, Depends(require_role(Role.shopper))]
Merchant = Annotated[User, Depends(require_role(Role.merchant))]


# --- schemas ----------------------------------------------------------------------------


class DashboardOut(Public):
    shop_id: int
    shop_name: str
    shop_status: str
    queues: dict[str, list[order_reads.VendorOrderSummary]]
    unread_threads: list[shop_messages.ThreadSummary]
    unread_count: int


class LedgerOut(Public):
    shop_id: int
    since: datetime | None
    until: datetime | None
    sales_cents: int
    fees_cents: int
    refunds_cents: int
    net_cents: int


class ShopperMessageIn(Strict):
    shop_id: int = Field(ge=1, le=2**31 - 1)
    body: str = Field(min_length=1, max_length=shop_messages.MAX_MESSAGE_LENGTH)


class MerchantMessageIn(Strict):
    body: str = Field(min_length=1, max_length=shop_messages.MAX_MESSAGE_LENGTH)


class ContactIn(Strict):
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)
    subject: str = Field(default="", max_length=200)
    body: str = Field(default="", max_length=shop_messages.MAX_MESSAGE_LENGTH)


class ContactOut(Public):
    id: int
    message: str


# --- the shopper's orders -----------------------------------------------------------------


def _id(value: int) -> int:
    # Path ids beyond int4 cannot exist: answer 404 rather than a database error.
    if not 1 <= value <= 2**31 - 1:
        raise NotFound(scoping.ORDER_NOT_FOUND, code="order_not_found")
    return value


@router.get("/orders", response_model=list[order_reads.OrderSummary])
def list_orders(
    db: SessionDep,
    user: ShopperOrOperator,
    limit: Annotated[int, Query(ge=1, le=order_reads.LIST_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[order_reads.OrderSummary]:
    """My orders, newest first (operators: every order)."""
    return order_reads.list_orders(db, user, limit=limit, offset=offset)


@router.get("/orders/{order_id}", response_model=order_reads.OrderDetail)
def get_order(order_id: int, db: SessionDep, user: ShopperOrOperator) -> order_reads.OrderDetail:
    """One order: each shop's part with lines, status timeline, pickup, invoices, returns."""
    return order_reads.order_detail(db, user, _id(order_id))


@router.get("/orders/{order_id}/messages", response_model=list[shop_messages.MessageView])
def order_messages(
    order_id: int, db: SessionDep, user: ShopperOrOperator
) -> list[shop_messages.MessageView]:
    """The messages about this order between me and its shops."""
    return shop_messages.order_messages(db, user, _id(order_id))


@router.post("/orders/{order_id}/messages", response_model=shop_messages.MessageView, status_code=201)
def write_to_shop(
    order_id: int, body: ShopperMessageIn, db: SessionDep, shopper: Shopper
) -> shop_messages.MessageView:
    """Write to one shop of my order."""
    return shop_messages.post_order_message(db, shopper, _id(order_id), body.shop_id, body.body)


# --- the merchant's vendor orders ---------------------------------------------------------


@router.get("/merchant/vendor-orders", response_model=list[order_reads.VendorOrderSummary])
def list_vendor_orders(
    db: SessionDep,
    user: MerchantOrOperator,
    status: VendorOrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=order_reads.LIST_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[order_reads.VendorOrderSummary]:
    """My shop's orders, newest first, optionally of one status (operators: every shop's)."""
    return order_reads.list_vendor_orders(db, user, status=status, limit=limit, offset=offset)


@router.get("/merchant/vendor-orders/{vendor_order_id}", response_model=order_reads.VendorOrderView)
def get_vendor_order(
    vendor_order_id: int, db: SessionDep, user: MerchantOrOperator
) -> order_reads.VendorOrderView:
    """One of my shop's orders, with the steps allowed now."""
    return order_reads.vendor_order_detail(db, user, _id(vendor_order_id))


@router.get("/merchant/vendor-orders/{vendor_order_id}/messages", response_model=list[shop_messages.MessageView])
def vendor_order_messages(
    vendor_order_id: int, db: SessionDep, user: MerchantOrOperator
) -> list[shop_messages.MessageView]:
    """The conversation with the customer about this order (marks their messages read)."""
    return shop_messages.vendor_order_messages(db, user, _id(vendor_order_id))


@router.post(
    "/merchant/vendor-orders/{vendor_order_id}/messages", response_model=shop_messages.MessageView, status_code=201
)
def answer_customer(
    vendor_order_id: int, body: MerchantMessageIn, db: SessionDep, merchant: Merchant
) -> shop_messages.MessageView:
    """Write to the customer of this order."""
    return shop_messages.post_vendor_order_message(db, merchant, _id(vendor_order_id), body.body)


@router.get("/merchant/dashboard", response_model=DashboardOut)
def merchant_dashboard(db: SessionDep, merchant: Merchant) -> dashboards.MerchantDashboard:
    """What needs action now: vendor orders per queue, and the customers' unread messages."""
    return dashboards.merchant_dashboard(db, merchant)


@router.get("/merchant/ledger", response_model=LedgerOut)
def merchant_ledger(
    db: SessionDep,
    merchant: Merchant,
    since: datetime | None = None,
    until: datetime | None = None,
) -> LedgerOut:
    """My shop's sales, payment fees, refunds and net over a period (all time by default)."""
    shop = shops.merchant_shop(db, merchant)
    balance = ledger.shop_balance(db, shop.id, since, until)
    return LedgerOut(
        shop_id=shop.id,
        since=since,
        until=until,
        sales_cents=balance.sales_cents,
        fees_cents=balance.fees_cents,
        refunds_cents=balance.refunds_cents,
        net_cents=balance.net_cents,
    )


# --- the public contact form --------------------------------------------------------------


@router.post("/contact", response_model=ContactOut, status_code=201)
def contact(body: ContactIn, db: SessionDep, user: OptionalUser) -> ContactOut:
    """Write to the platform's team (a question, a shop to suggest); no login needed."""
    saved = shop_messages.save_contact_message(db, body.name, body.email, body.subject, body.body)
    return ContactOut(
        id=saved.id, message="Merci, votre message est bien envoyé à l'équipe Comptoir."
    )
