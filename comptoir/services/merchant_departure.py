"""When a merchant's account is erased, its shops leave the platform without losing an order.

Each shop the account owned is suspended (out of search and shop pages, no new order), the
decision is audited, and any part of an order the shop still had open is flagged for the
operators (an attention item and `needs_attention`), who then finish or refund it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.models import AttentionItem, Order, Shop, ShopStatus, VendorOrder
from comptoir.models import VendorOrderStatus as Status
from comptoir.services import audit

SUSPENSION_REASON = "Compte du commerçant effacé à sa demande : boutique retirée de la plateforme."
ATTENTION_KIND = "merchant_erased"
FINISHED = (Status.completed, Status.cancelled, Status.refunded, Status.closed)


def lock_shops_of(db: Session, owner_id: int) -> list[Shop]:
    """The shops the account owns, locked so no checkout races their suspension."""
    return list(
        db.scalars(
            select(Shop).where(Shop.owner_id == owner_id).order_by(Shop.id).with_for_update()
        )
    )


def suspend_shops_of_departed_merchant(
    db: Session, shops: list[Shop], operator_id: int, now: datetime
) -> list[int]:
    """Suspend `shops` and flag their open order parts; the ids of the flagged parts."""
    flagged: list[int] = []
    for shop in shops:
        if shop.status != ShopStatus.suspended:
            audit.record(
                db,
                operator_id,
                "shop.suspend",
                audit.shop_target(shop.id),
                SUSPENSION_REASON,
                {"previous_status": shop.status.value, "cause": "account.erase"},
            )
        shop.status = ShopStatus.suspended
        shop.status_reason = SUSPENSION_REASON
        open_parts = db.execute(
            select(VendorOrder.id, VendorOrder.order_id).where(
                VendorOrder.shop_id == shop.id, VendorOrder.status.not_in(FINISHED)
            )
        ).all()
        for part_id, order_id in open_parts:
            db.execute(
                insert(AttentionItem)
                .values(
                    order_id=order_id,
                    vendor_order_id=part_id,
                    item_key=f"{ATTENTION_KIND}:{part_id}",
                    kind=ATTENTION_KIND,
                    step="merchant_account_erased",
                    error=f"La boutique « {shop.name} » a quitté la plateforme (compte effacé) : "
                    "cette commande doit être terminée ou remboursée par un opérateur.",
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=[AttentionItem.item_key])
            )
            flagged.append(part_id)
        if open_parts:
            ids = [part_id for part_id, _ in open_parts]
            db.execute(update(VendorOrder).where(VendorOrder.id.in_(ids)).values(needs_attention=True))
            db.execute(
                update(Order)
                .where(Order.id.in_({order_id for _, order_id in open_parts}))
                .values(needs_attention=True)
            )
    db.flush()
    return flagged
