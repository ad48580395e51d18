"""Operators approve, refuse, suspend and reinstate shops; each decision is audited and
e-mailed to the merchant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query
from pydantic import Field

from api.deps import OperatorUser
from api.routes.merchant_shop import ShopSummaryOut
from api.schemas import Public, Strict
from comptoir.models import Shop, ShopStatus
from comptoir.services import outbox, shops
from comptoir.web.deps import SessionDep

router = APIRouter(prefix="/api/operator/shops", tags=["operator"])


class OperatorShopOut(ShopSummaryOut):
    owner_id: int | None
    owner_email: str | None = None


class OperatorShopPage(Public):
    items: list[OperatorShopOut]
    total: int
    page: int
    page_size: int


class ReasonIn(Strict):
    reason: str = Field(max_length=1000)


class OptionalReasonIn(Strict):
    reason: str = Field(default="", max_length=1000)


def _shop_out(shop: Shop, owner_email: str | None) -> OperatorShopOut:
    return OperatorShopOut.model_validate(shop).model_copy(update={"owner_email": owner_email})


@router.get("", response_model=OperatorShopPage)
def list_shops(
    operator: OperatorUser,
    db: SessionDep,
    status: ShopStatus | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> OperatorShopPage:
    """Shops, oldest application first, optionally only those with a status (e.g. pending)."""
    rows = shops.list_shops(db, status, limit=page_size, offset=(page - 1) * page_size)
    return OperatorShopPage(
        items=[_shop_out(shop, email) for shop, email in rows],
        total=shops.count_shops(db, status),
        page=page,
        page_size=page_size,
    )


@router.get("/{shop_id}", response_model=OperatorShopOut)
def read_shop(shop_id: int, operator: OperatorUser, db: SessionDep) -> OperatorShopOut:
    """One shop, whatever its status."""
    return _shop_out(*shops.get_shop(db, shop_id))


def _decide(
    db: SessionDep,
    operator: OperatorUser,
    background: BackgroundTasks,
    shop_id: int,
    decision: shops.ShopDecision,
    reason: str,
) -> OperatorShopOut:
    shop, mail = shops.decide_shop(db, operator, shop_id, decision, reason)
    if mail is not None:
        background.add_task(outbox.send, mail)
    return _shop_out(*shops.get_shop(db, shop.id))


@router.post("/{shop_id}/approve", response_model=OperatorShopOut)
def approve_shop(
    shop_id: int,
    operator: OperatorUser,
    background: BackgroundTasks,
    db: SessionDep,
    body: OptionalReasonIn | None = None,
) -> OperatorShopOut:
    """Make a pending (or previously refused) shop public."""
    reason = body.reason if body else ""
    return _decide(db, operator, background, shop_id, shops.ShopDecision.approve, reason)


@router.post("/{shop_id}/refuse", response_model=OperatorShopOut)
def refuse_shop(
    shop_id: int, body: ReasonIn, operator: OperatorUser, background: BackgroundTasks,
    db: SessionDep,
) -> OperatorShopOut:
    """Refuse a pending shop, with the reason sent to the merchant."""
    return _decide(db, operator, background, shop_id, shops.ShopDecision.refuse, body.reason)


@router.post("/{shop_id}/suspend", response_model=OperatorShopOut)
def suspend_shop(
    shop_id: int, body: ReasonIn, operator: OperatorUser, background: BackgroundTasks,
    db: SessionDep,
) -> OperatorShopOut:
    """Take an approved shop off the platform, with the reason sent to the merchant."""
    return _decide(db, operator, background, shop_id, shops.ShopDecision.suspend, body.reason)


@router.post("/{shop_id}/reinstate", response_model=OperatorShopOut)
def reinstate_shop(
    shop_id: int,
    operator: OperatorUser,
    background: BackgroundTasks,
    db: SessionDep,
    body: OptionalReasonIn | None = None,
) -> OperatorShopOut:
    """Put a suspended shop back online."""
    reason = body.reason if body else ""
    return _decide(db, operator, background, shop_id, shops.ShopDecision.reinstate, reason)
