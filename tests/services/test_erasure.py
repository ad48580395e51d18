"""Erasing an account: refused while an order is open, otherwise anonymised, invoices kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import Conflict, NotFound
from comptoir.models import (
    AuditLog,
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
    Role,
    SentEmail,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.security import verify_password
from comptoir.services.accounts import request_deletion
from comptoir.services.erasure import erase_account, erased_address, open_orders_of
from comptoir.services.sessions import open_session
from tests.factories import PASSWORD, create_order, create_product, create_shop, create_user


def shopper_with_request(db: Session) -> tuple[User, DeletionRequest]:
    user = create_user(db, Role.shopper, email="Claire.Dupont@example.test", phone="0612345678")
    request, _ = request_deletion(db, user, "Je déménage.")
    return user, request


def order_of(db: Session, user: User, order_status: OrderStatus, **vendor: object) -> Order:
    product = create_product(db, create_shop(db))
    order = create_order(db, user, [(product, 1)], status=order_status)
    for name, value in vendor.items():
        for part in db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id)):
            setattr(part, name, value)
    db.flush()
    return order


@pytest.mark.parametrize(
    "status",
    [OrderStatus.awaiting_confirmation, OrderStatus.awaiting_payment, OrderStatus.processing],
)
def test_refused_while_an_order_is_open(db: Session, status: OrderStatus) -> None:
    user, request = shopper_with_request(db)
    order = order_of(db, user, status)
    operator = create_user(db, Role.operator)
    with pytest.raises(Conflict) as refused:
        erase_account(db, request.id, operator.id, "Demande RGPD")
    assert f"n° {order.id}" in refused.value.message
    db.refresh(user)
    assert user.erased_at is None and user.email == "Claire.Dupont@example.test"


def test_refused_while_a_return_is_still_possible(db: Session) -> None:
    user, request = shopper_with_request(db)
    order = order_of(
        db,
        user,
        OrderStatus.completed,
        status=VendorOrderStatus.completed,
        return_deadline=datetime.now(UTC) + timedelta(days=3),
    )
    assert open_orders_of(db, [user.id]) == {user.id: [order.id]}
    with pytest.raises(Conflict):
        erase_account(db, request.id, create_user(db, Role.operator).id, "RGPD")


def test_a_merchant_with_an_order_to_prepare_is_refused(db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant)
    order = create_order(
        db, create_user(db), [(create_product(db, shop), 1)], status=OrderStatus.processing
    )
    request, _ = request_deletion(db, merchant)
    assert open_orders_of(db, [merchant.id]) == {merchant.id: [order.id]}
    with pytest.raises(Conflict):
        erase_account(db, request.id, create_user(db, Role.operator).id, "RGPD")


def test_erasure_anonymises_personal_data_and_keeps_invoices(db: Session) -> None:
    user, request = shopper_with_request(db)
    operator = create_user(db, Role.operator)
    past = datetime.now(UTC) - timedelta(days=1)
    done = order_of(
        db,
        user,
        OrderStatus.completed,
        status=VendorOrderStatus.completed,
        return_deadline=past,
        shipping_name="Claire Dupont",
        shipping_address="3 rue des Lilas, 69003 Lyon",
    )
    cancelled = order_of(db, user, OrderStatus.cancelled)
    part = db.scalars(select(VendorOrder).where(VendorOrder.order_id == done.id)).one()
    invoice = Invoice(
        vendor_order_id=part.id,
        shop_id=part.shop_id,
        sequence=1,
        number="F-0001-000001",
        issued_at=past,
        total_ht_cents=400,
        total_vat_cents=50,
        total_ttc_cents=450,
        pdf=b"%PDF Claire Dupont 3 rue des Lilas",
    )
    db.add(invoice)
    db.add(
        Message(
            shop_id=part.shop_id,
            shopper_id=user.id,
            order_id=done.id,
            sender_id=user.id,
            from_shop=False,
            body="Mon digicode est 1234B",
        )
    )
    db.add(
        Message(
            shop_id=part.shop_id,
            shopper_id=user.id,
            order_id=done.id,
            sender_id=None,
            from_shop=True,
            body="Bien reçu.",
        )
    )
    db.add(
        ContactMessage(
            name="Claire",
            email="claire.dupont@example.test",
            subject="Idée",
            body="Ajoutez le primeur de ma rue",
        )
    )
    db.add(SentEmail(email_key="k1", to_address="claire.dupont@example.test", subject="Bienvenue"))
    db.add(LoginAttempt(email="claire.dupont@example.test", ip="1.2.3.4", succeeded=False))
    db.add(CartItem(user_id=user.id, product_id=create_product(db, create_shop(db)).id, quantity=1))
    open_session(db, user)
    other = create_user(db, email="voisin@example.test")
    db.flush()

    result = erase_account(db, request.id, operator.id, "Demande RGPD du 3 mars")
    db.commit()
    db.expire_all()

    assert (result.orders_anonymised, result.invoices_kept, result.messages_redacted) == (2, 1, 1)
    erased = db.get_one(User, user.id)
    placeholder = erased_address(user.id)
    assert (erased.email, erased.first_name, erased.last_name, erased.phone) == (
        placeholder,
        "",
        "",
        "",
    )
    assert not erased.is_active and erased.erased_at is not None
    assert not verify_password(PASSWORD, erased.password_hash)
    for order in (db.get_one(Order, done.id), db.get_one(Order, cancelled.id)):
        assert order.shopper_email == placeholder
        assert (order.billing_name, order.billing_line1, order.billing_city) == ("", "", "")
        assert order.total_cents == 450  # amounts are accounting, not personal data
    part = db.get_one(VendorOrder, part.id)
    assert (part.shipping_name, part.shipping_address) == ("", "")
    kept = db.scalars(select(Invoice)).one()
    assert (kept.number, kept.pdf) == ("F-0001-000001", b"%PDF Claire Dupont 3 rue des Lilas")
    bodies = sorted(m.body for m in db.scalars(select(Message)))
    assert bodies == ["Bien reçu.", "[supprimé à la demande de la personne]"]
    contact = db.scalars(select(ContactMessage)).one()
    assert (contact.email, contact.name) == (placeholder, "")
    assert db.scalars(select(SentEmail.to_address)).all() == [placeholder]
    assert db.scalars(select(LoginAttempt)).all() == []
    assert db.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all() == []
    assert db.scalars(select(CartItem)).all() == []
    handled = db.get_one(DeletionRequest, request.id)
    assert (handled.status, handled.handled_by, handled.email_at_request) == (
        DeletionStatus.completed,
        operator.id,
        placeholder,
    )
    audit = db.scalars(select(AuditLog)).one()
    assert (audit.action, audit.target, audit.reason) == (
        "account.erase",
        f"user:{user.id}",
        "Demande RGPD du 3 mars",
    )
    assert db.get_one(User, other.id).email == "voisin@example.test"  # nobody else touched

    with pytest.raises(Conflict):  # a request is carried out once
        erase_account(db, request.id, operator.id, "encore")


def test_unknown_request(db: Session) -> None:
    with pytest.raises(NotFound):
        erase_account(db, 4242, create_user(db, Role.operator).id, "RGPD")
