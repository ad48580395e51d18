"""The merchant's dashboard: what needs their action now, and the shop awaiting approval."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import (
    Shop,
    ShopStatus,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services.messages import ThreadSummary, shop_threads
from comptoir.services.order_reads import VendorOrderSummary, vendor_summaries
from comptoir.services.shops import merchant_shop

# The merchant's "what needs action now" queues, in the order the dashboard shows them.
MERCHANT_QUEUES: dict[str, VendorOrderStatus] = {
    "to_confirm": VendorOrderStatus.awaiting_confirmation,
    "to_prepare": VendorOrderStatus.confirmed,
    "preparing": VendorOrderStatus.preparing,
    "ready_for_pickup": VendorOrderStatus.ready_for_pickup,
    "returns": VendorOrderStatus.return_requested,
}


@dataclass
class MerchantDashboard:
    shop_id: int
    shop_name: str
    shop_status: str
    queues: dict[str, list[VendorOrderSummary]]
    unread_threads: list[ThreadSummary] = field(default_factory=list)

    @property
    def unread_count(self) -> int:
        return sum(t.unread for t in self.unread_threads)


def merchant_dashboard(db: Session, merchant: User) -> MerchantDashboard:
    """What needs the merchant's action now: one queue per status, and unread messages."""
    shop = merchant_shop(db, merchant)
    summaries = vendor_summaries(
        db,
        select(VendorOrder)
        .where(
            VendorOrder.shop_id == shop.id,
            VendorOrder.status.in_(list(MERCHANT_QUEUES.values())),
        )
        # The oldest first: it is the one waiting longest.
        .order_by(VendorOrder.pickup_slot_start.asc().nulls_last(), VendorOrder.id),
    )
    queues: dict[str, list[VendorOrderSummary]] = {name: [] for name in MERCHANT_QUEUES}
    by_status = {status.value: name for name, status in MERCHANT_QUEUES.items()}
    for summary in summaries:
        queues[by_status[summary.status]].append(summary)
    threads = [t for t in shop_threads(db, merchant) if t.unread]
    return MerchantDashboard(
        shop_id=shop.id,
        shop_name=shop.name,
        shop_status=shop.status.value,
        queues=queues,
        unread_threads=threads,
    )


def pending_shop_of(db: Session, merchant_id: int) -> Shop | None:
    """The merchant's shop while it awaits the operators' approval (for the banner)."""
    return db.scalar(
        select(Shop)
        .where(Shop.owner_id == merchant_id, Shop.status == ShopStatus.pending)
        .order_by(Shop.id)
        .limit(1)
    )
