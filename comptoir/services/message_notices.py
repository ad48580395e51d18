"""An e-mail when a message arrives: to the shop for a shopper's message, to the shopper for
the shop's answer; at most one per conversation and direction per `message_notice_minutes`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import Shop, User, VendorOrder
from comptoir.services.outbox import OutgoingMail
from comptoir.settings import get_settings

EXCERPT_LENGTH = 500


def _link(db: Session, shop: Shop, shopper_id: int, order_id: int | None, to_shop: bool) -> str:
    base = get_settings().public_url.rstrip("/")
    if to_shop:
        part_id = (
            db.scalar(
                select(VendorOrder.id).where(
                    VendorOrder.order_id == order_id, VendorOrder.shop_id == shop.id
                )
            )
            if order_id is not None
            else None
        )
        path = f"/vendeur/commandes/{part_id}" if part_id else f"/vendeur/messages/{shopper_id}"
        return base + path
    if order_id is not None:
        return f"{base}/commandes/{order_id}#messages-{shop.id}"
    return f"{base}/messages/{shop.slug}"


def _shop_address(db: Session, shop: Shop) -> str:
    owner_email = (
        db.scalar(select(User.email).where(User.id == shop.owner_id, User.erased_at.is_(None)))
        if shop.owner_id is not None
        else None
    )
    return owner_email or shop.email


def message_notice(
    db: Session,
    *,
    shop_id: int,
    shopper_id: int | None,
    order_id: int | None,
    from_shop: bool,
    body: str,
    now: datetime | None = None,
) -> OutgoingMail | None:
    """The e-mail telling the other side of the conversation that a message arrived (or None)."""
    shop = db.get(Shop, shop_id)
    shopper = db.get(User, shopper_id) if shopper_id is not None else None
    if shop is None or shopper is None:
        return None
    if from_shop:
        if shopper.erased_at is not None or not shopper.is_active:
            return None
        to, greeting = shopper.email, shopper.first_name
    else:
        to, greeting = _shop_address(db, shop), shop.name
    if not to:
        return None
    minutes = max(1, get_settings().message_notice_minutes)
    bucket = int((now or datetime.now(UTC)).timestamp() // (minutes * 60))
    direction = "to-shopper" if from_shop else "to-shop"
    excerpt = body if len(body) <= EXCERPT_LENGTH else body[:EXCERPT_LENGTH] + "…"
    return OutgoingMail(
        email_key=f"message-notice:{shop.id}:{shopper.id}:{direction}:{bucket}",
        to=to,
        template="message_received",
        context={
            "greeting": greeting,
            "shop_name": shop.name,
            "customer_name": f"{shopper.first_name} {shopper.last_name}".strip(),
            "to_shop": not from_shop,
            "about_order": order_id,
            "excerpt": excerpt,
            "link": _link(db, shop, shopper.id, order_id, to_shop=not from_shop),
        },
    )
