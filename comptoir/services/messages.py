"""Messages between a shopper and a shop (about an order or not), and the contact form.

Who may read a conversation is the same question as who may read the order:
`comptoir.services.scoping` answers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session

from comptoir.errors import NotFound, Unprocessable
from comptoir.models import (
    ContactMessage,
    Message,
    Order,
    Role,
    Shop,
    ShopStatus,
    User,
    VendorOrder,
)
from comptoir.services import outbox
from comptoir.services.contact_fields import normalize_email
from comptoir.services.message_notices import message_notice
from comptoir.services.scoping import (
    ORDER_NOT_FOUND,
    VENDOR_ORDER_NOT_FOUND,
    first_owned_shop,
    get_readable_order,
    get_readable_vendor_order,
    owned_shop_ids,
)

MAX_MESSAGE_LENGTH = 4000


def _now() -> datetime:
    return datetime.now(UTC)


# --- views ------------------------------------------------------------------------------


@dataclass
class ThreadSummary:
    """A conversation between one shopper and one shop."""

    shop_id: int
    shop_name: str
    shop_slug: str
    shopper_id: int
    shopper_name: str
    last_at: datetime
    last_body: str
    unread: int
    order_id: int | None


@dataclass
class MessageView:
    id: int
    shop_id: int
    shop_name: str
    order_id: int | None
    from_shop: bool
    body: str
    created_at: datetime
    read_at: datetime | None


# --- scoping ----------------------------------------------------------------------------


def _message_views(db: Session, query: Select[tuple[Message]]) -> list[MessageView]:
    rows = db.execute(
        query.add_columns(Shop.name)
        .join(Shop, Shop.id == Message.shop_id)
        .order_by(Message.created_at, Message.id)
    ).all()
    return [
        MessageView(
            id=m.id,
            shop_id=m.shop_id,
            shop_name=shop_name,
            order_id=m.order_id,
            from_shop=m.from_shop,
            body=m.body,
            created_at=m.created_at,
            read_at=m.read_at,
        )
        for m, shop_name in rows
    ]


def _mark_read(db: Session, *conditions: ColumnElement[bool], from_shop: bool) -> None:
    db.execute(
        update(Message)
        .where(*conditions, Message.from_shop.is_(from_shop), Message.read_at.is_(None))
        .values(read_at=_now())
    )


def _clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise Unprocessable("Votre message est vide.", code="empty_message")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise Unprocessable(
            f"Votre message est trop long (au plus {MAX_MESSAGE_LENGTH} caractères).",
            code="message_too_long",
        )
    return text


def order_messages(db: Session, user: User, order_id: int) -> list[MessageView]:
    """The messages about an order between its shopper and its shops; marks the shops' read."""
    order = get_readable_order(db, user, order_id)
    query = select(Message).where(Message.order_id == order.id)
    if user.role == Role.shopper:
        query = query.where(Message.shopper_id == user.id)
        _mark_read(db, Message.order_id == order.id, Message.shopper_id == user.id, from_shop=True)
    return _message_views(db, query)


def post_order_message(
    db: Session, shopper: User, order_id: int, shop_id: int, body: str
) -> MessageView:
    """A shopper writes to one shop of their order."""
    order = get_readable_order(db, shopper, order_id)
    if shopper.role != Role.shopper:
        raise NotFound(ORDER_NOT_FOUND, code="order_not_found")
    in_order = db.scalar(
        select(VendorOrder.id).where(
            VendorOrder.order_id == order.id, VendorOrder.shop_id == shop_id
        )
    )
    if in_order is None:
        raise Unprocessable(
            "Cette boutique ne fait pas partie de la commande.", code="shop_not_in_order"
        )
    return _add_message(db, shop_id, shopper.id, order.id, shopper.id, False, body)


def vendor_order_messages(db: Session, user: User, vendor_order_id: int) -> list[MessageView]:
    """The conversation about a vendor order; the merchant reading it marks the shopper's read."""
    part = get_readable_vendor_order(db, user, vendor_order_id)
    conditions = (Message.order_id == part.order_id, Message.shop_id == part.shop_id)
    if user.role == Role.merchant:
        _mark_read(db, *conditions, from_shop=False)
    return _message_views(db, select(Message).where(*conditions))


def post_vendor_order_message(
    db: Session, merchant: User, vendor_order_id: int, body: str
) -> MessageView:
    """The shop answers about a vendor order."""
    if merchant.role != Role.merchant:
        raise NotFound(VENDOR_ORDER_NOT_FOUND, code="vendor_order_not_found")
    part = get_readable_vendor_order(db, merchant, vendor_order_id)
    shopper_id = db.scalar(select(Order.shopper_id).where(Order.id == part.order_id))
    return _add_message(db, part.shop_id, shopper_id, part.order_id, merchant.id, True, body)


def _add_message(
    db: Session,
    shop_id: int,
    shopper_id: int | None,
    order_id: int | None,
    sender_id: int,
    from_shop: bool,
    body: str,
) -> MessageView:
    message = Message(
        shop_id=shop_id,
        shopper_id=shopper_id,
        order_id=order_id,
        sender_id=sender_id,
        from_shop=from_shop,
        body=_clean_body(body),
    )
    db.add(message)
    db.flush()
    db.refresh(message)
    outbox.send_after_commit(db, message_notice(
        db, shop_id=shop_id, shopper_id=shopper_id, order_id=order_id, from_shop=from_shop,
        body=message.body))  # fmt: skip
    shop_name = db.scalar(select(Shop.name).where(Shop.id == shop_id)) or ""
    return MessageView(
        id=message.id,
        shop_id=shop_id,
        shop_name=shop_name,
        order_id=order_id,
        from_shop=from_shop,
        body=message.body,
        created_at=message.created_at,
        read_at=None,
    )


def shop_threads(db: Session, user: User) -> list[ThreadSummary]:
    """Conversations of a shopper (with shops) or of a merchant's shop (with shoppers)."""
    if user.role == Role.shopper:
        scope = Message.shopper_id == user.id
        unread_side = True
    elif user.role == Role.merchant:
        scope = Message.shop_id.in_(owned_shop_ids(user))
        unread_side = False
    else:
        return []
    latest = (
        select(
            Message.shop_id,
            Message.shopper_id,
            func.max(Message.id).label("last_id"),
            func.count()
            .filter(Message.from_shop.is_(unread_side), Message.read_at.is_(None))
            .label("unread"),
        )
        .where(scope, Message.shopper_id.is_not(None))
        .group_by(Message.shop_id, Message.shopper_id)
        .subquery()
    )
    rows = db.execute(
        select(Message, Shop.name, Shop.slug, User.first_name, User.last_name, latest.c.unread)
        .join(latest, latest.c.last_id == Message.id)
        .join(Shop, Shop.id == Message.shop_id)
        .join(User, User.id == Message.shopper_id)
        .order_by(Message.id.desc())
    ).all()
    return [
        ThreadSummary(
            shop_id=m.shop_id,
            shop_name=shop_name,
            shop_slug=slug,
            shopper_id=m.shopper_id or 0,
            shopper_name=f"{first} {last}".strip(),
            last_at=m.created_at,
            last_body=m.body[:140],
            unread=int(unread),
            order_id=m.order_id,
        )
        for m, shop_name, slug, first, last, unread in rows
    ]


def shop_conversation(db: Session, shopper: User, shop_slug: str) -> tuple[Shop, list[MessageView]]:
    """A shopper's whole conversation with a public shop (about orders or not); marks it read."""
    shop = db.scalar(select(Shop).where(Shop.slug == shop_slug, Shop.status == ShopStatus.approved))
    if shop is None or shopper.role != Role.shopper:
        raise NotFound("Cette boutique n'existe pas.", code="shop_not_found")
    conditions = (Message.shop_id == shop.id, Message.shopper_id == shopper.id)
    _mark_read(db, *conditions, from_shop=True)
    return shop, _message_views(db, select(Message).where(*conditions))


def post_shop_message(db: Session, shopper: User, shop_slug: str, body: str) -> MessageView:
    """A shopper writes to a shop outside any order (a question about a product…)."""
    shop, _ = shop_conversation(db, shopper, shop_slug)
    return _add_message(db, shop.id, shopper.id, None, shopper.id, False, body)


def customer_conversation(
    db: Session, merchant: User, shopper_id: int
) -> tuple[str, list[MessageView]]:
    """A merchant's conversation with one shopper who wrote to the shop; marks it read."""
    conditions = (
        Message.shop_id.in_(owned_shop_ids(merchant)),
        Message.shopper_id == shopper_id,
    )
    if (
        merchant.role != Role.merchant
        or db.scalar(select(Message.id).where(*conditions).limit(1)) is None
    ):
        raise NotFound("Cette conversation n'existe pas.", code="thread_not_found")
    _mark_read(db, *conditions, from_shop=False)
    name = db.execute(select(User.first_name, User.last_name).where(User.id == shopper_id)).one()
    return f"{name[0]} {name[1]}".strip(), _message_views(db, select(Message).where(*conditions))


def answer_customer(db: Session, merchant: User, shopper_id: int, body: str) -> MessageView:
    """The shop answers a shopper in their conversation (outside any particular order)."""
    customer_conversation(db, merchant, shopper_id)
    shop = first_owned_shop(db, merchant)
    assert shop is not None  # the conversation exists, so the shop does
    return _add_message(db, shop.id, shopper_id, None, merchant.id, True, body)


# --- the public contact form ----------------------------------------------------------------


def save_contact_message(
    db: Session, name: str, email: str, subject: str, body: str
) -> ContactMessage:
    """Keep a message of the contact form (e.g. a shop to suggest) for the operators."""
    problems = []
    if not name.strip():
        problems.append("votre nom")
    if not subject.strip():
        problems.append("le sujet")
    if not body.strip():
        problems.append("le message")
    if problems:
        raise Unprocessable("Indiquez " + ", ".join(problems) + ".", code="contact_incomplete")
    message = ContactMessage(
        name=name.strip()[:200],
        email=normalize_email(email),
        subject=subject.strip()[:200],
        body=_clean_body(body),
    )
    db.add(message)
    db.flush()
    return message
