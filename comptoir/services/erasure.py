"""Erasing an account on request (right to erasure): refused while an order is still open,
otherwise personal data is anonymised in place and invoices are kept as issued.

Invoices are accounting records the merchants must keep (Code de commerce L.123-22), so
their rows and PDFs are never touched; everything else that names the person is blanked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from comptoir.errors import Conflict, NotFound
from comptoir.models import (
    CartItem,
    ContactMessage,
    DeletionRequest,
    DeletionStatus,
    Invoice,
    LoginAttempt,
    LoginSession,
    Message,
    Order,
    OrderStatus,
    PasswordResetToken,
    SentEmail,
    Shop,
    SignUpAttempt,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services import audit
from comptoir.services.merchant_departure import (
    lock_shops_of,
    suspend_shops_of_departed_merchant,
)

OPEN_REQUEST_STATUSES = (DeletionStatus.requested, DeletionStatus.waiting)
# An order is over for its shopper once it reached one of these and no return is possible.
CLOSED_ORDER_STATUSES = (
    OrderStatus.completed,
    OrderStatus.cancelled,
    OrderStatus.payment_failed,
    OrderStatus.refunded,
    OrderStatus.partially_refunded,
)
# A shop's part is over for its merchant in these (returns aside).
CLOSED_VENDOR_STATUSES = (
    VendorOrderStatus.completed,
    VendorOrderStatus.cancelled,
    VendorOrderStatus.refunded,
    VendorOrderStatus.closed,
)
REDACTED = "[supprimé à la demande de la personne]"


def erased_address(user_id: int) -> str:
    """The placeholder e-mail an erased account keeps (unique, never deliverable)."""
    return f"compte-efface-{user_id}@comptoir.invalid"


def _return_possible(now: datetime) -> ColumnElement[bool]:
    return exists().where(
        VendorOrder.order_id == Order.id,
        VendorOrder.return_deadline.is_not(None),
        VendorOrder.return_deadline > now,
    )


def open_orders_of(
    db: Session, user_ids: Sequence[int], now: datetime | None = None
) -> dict[int, list[int]]:
    """Per user, the orders still open: as shopper, or in a shop they own (two queries)."""
    now = now or datetime.now(UTC)
    found: dict[int, list[int]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    as_shopper = select(Order.shopper_id, Order.id).where(
        Order.shopper_id.in_(user_ids),
        or_(Order.status.not_in(CLOSED_ORDER_STATUSES), _return_possible(now)),
    )
    as_merchant = (
        select(Shop.owner_id, VendorOrder.order_id)
        .join(VendorOrder, VendorOrder.shop_id == Shop.id)
        .where(
            Shop.owner_id.in_(user_ids),
            or_(
                VendorOrder.status.not_in(CLOSED_VENDOR_STATUSES),
                VendorOrder.return_deadline > now,
            ),
        )
    )
    for query in (as_shopper, as_merchant):
        for user_id, order_id in db.execute(query).tuples():
            if user_id is not None and order_id not in found[user_id]:
                found[user_id].append(order_id)
    for orders in found.values():
        orders.sort()
    return found


@dataclass(frozen=True)
class ErasureResult:
    user_id: int
    orders_anonymised: int
    invoices_kept: int
    messages_redacted: int


def erase_account(
    db: Session, request_id: int, operator_id: int, reason: str, now: datetime | None = None
) -> ErasureResult:
    """Carry out a deletion request; Conflict (nothing changed) while an order is open."""
    now = now or datetime.now(UTC)
    request = db.scalar(
        select(DeletionRequest).where(DeletionRequest.id == request_id).with_for_update()
    )
    if request is None:
        raise NotFound(f"La demande de suppression n° {request_id} n'existe pas.")
    if request.status not in OPEN_REQUEST_STATUSES:
        raise Conflict(f"La demande de suppression n° {request_id} est déjà traitée.")
    user = (
        db.scalar(select(User).where(User.id == request.user_id).with_for_update())
        if request.user_id is not None
        else None
    )
    if user is None or user.erased_at is not None:
        raise Conflict("Ce compte est déjà effacé.")
    shops = lock_shops_of(db, user.id)  # before the check: no order may slip in after it
    still_open = open_orders_of(db, [user.id], now)[user.id]
    if still_open:
        numbers = ", ".join(f"n° {i}" for i in still_open)
        raise Conflict(
            f"Le compte a encore des commandes en cours ({numbers}) : il ne peut être effacé "
            "qu'une fois celles-ci terminées et leur délai de retour passé."
        )

    old_email = user.email.lower()
    placeholder = erased_address(user.id)
    order_ids = list(db.scalars(select(Order.id).where(Order.shopper_id == user.id)))

    user.email = placeholder
    user.password_hash = ""  # an empty hash never verifies: nobody can log in again
    user.first_name = ""
    user.last_name = ""
    user.phone = ""
    user.is_active = False
    user.erased_at = now
    for model in (LoginSession, PasswordResetToken, CartItem):
        db.execute(delete(model).where(model.user_id == user.id))
    db.execute(delete(LoginAttempt).where(func.lower(LoginAttempt.email) == old_email))
    db.execute(delete(SignUpAttempt).where(func.lower(SignUpAttempt.email) == old_email))

    if order_ids:
        db.execute(
            update(Order)
            .where(Order.id.in_(order_ids))
            .values(
                shopper_email=placeholder,
                billing_name="",
                billing_line1="",
                billing_line2="",
                billing_postal_code="",
                billing_city="",
            )
        )
        db.execute(
            update(VendorOrder)
            .where(VendorOrder.order_id.in_(order_ids))
            .values(shipping_name="", shipping_address="", pickup_code="")
        )
    redacted = len(
        db.scalars(
            update(Message)
            .where(Message.sender_id == user.id)
            .values(body=REDACTED, sender_id=None)
            .returning(Message.id)
        ).all()
    )
    db.execute(
        update(ContactMessage)
        .where(func.lower(ContactMessage.email) == old_email)
        .values(name="", email=placeholder, body=REDACTED)
    )
    db.execute(
        update(SentEmail)
        .where(func.lower(SentEmail.to_address) == old_email)
        .values(to_address=placeholder)
    )
    db.execute(
        update(DeletionRequest)
        .where(DeletionRequest.user_id == user.id)
        .values(email_at_request=placeholder)
    )
    flagged = suspend_shops_of_departed_merchant(db, shops, operator_id, now)
    request.status = DeletionStatus.completed
    request.completed_at = now
    request.handled_by = operator_id
    invoices = (
        db.scalar(
            select(func.count())
            .select_from(Invoice)
            .join(VendorOrder, VendorOrder.id == Invoice.vendor_order_id)
            .where(VendorOrder.order_id.in_(order_ids))
        )
        or 0
    )
    result = ErasureResult(
        user_id=user.id,
        orders_anonymised=len(order_ids),
        invoices_kept=invoices,
        messages_redacted=redacted,
    )
    audit.record(
        db,
        operator_id,
        "account.erase",
        audit.user_target(user.id),
        reason,
        {
            "deletion_request_id": request.id,
            "orders_anonymised": result.orders_anonymised,
            "invoices_kept": result.invoices_kept,
            "messages_redacted": result.messages_redacted,
            "shops_suspended": [shop.id for shop in shops],
            "order_parts_flagged": flagged,
        },
    )
    db.flush()
    return result
