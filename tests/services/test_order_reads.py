"""The order read side: scoping per role, return window, merchant queues and conversations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from comptoir.errors import NotFound, Unprocessable
from comptoir.models import (
    DeliveryKind,
    LineStatus,
    OrderLine,
    OrderStatus,
    Role,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services import merchant_dashboard as dashboards
from comptoir.services import messages as shop_messages
from comptoir.services import order_reads, scoping
from tests.factories import create_order, create_product, create_shop, create_user
from tests.order_factories import add_message, add_return, complete_vendor_order, set_vendor_status


def _part(db: Session, order_id: int) -> VendorOrder:
    return db.scalars(
        select(VendorOrder)
        .where(VendorOrder.order_id == order_id)
        .options(selectinload(VendorOrder.lines))
    ).one()


def test_each_role_reads_only_its_own(db: Session) -> None:
    merchant, stranger_merchant = create_user(db, Role.merchant), create_user(db, Role.merchant)
    shop = create_shop(db, merchant)
    create_shop(db, stranger_merchant)
    shopper, stranger = create_user(db), create_user(db)
    operator = create_user(db, Role.operator)
    order = create_order(db, shopper, [(create_product(db, shop), 2)])
    part = _part(db, order.id)

    assert scoping.get_readable_order(db, shopper, order.id).id == order.id
    assert scoping.get_readable_order(db, operator, order.id).id == order.id
    for outsider in (stranger, merchant):
        with pytest.raises(NotFound):
            scoping.get_readable_order(db, outsider, order.id)
    for reader in (merchant, shopper, operator):
        assert scoping.get_readable_vendor_order(db, reader, part.id).id == part.id
    for outsider in (stranger_merchant, stranger):
        with pytest.raises(NotFound):
            order_reads.vendor_order_detail(db, outsider, part.id)
    assert order_reads.list_orders(db, stranger) == []
    assert order_reads.list_vendor_orders(db, stranger_merchant) == []


def test_return_window_opens_only_while_completed_before_the_deadline(db: Session) -> None:
    shopper = create_user(db)
    order = create_order(db, shopper, [(create_product(db, create_shop(db)), 1)])
    part = _part(db, order.id)
    now = datetime.now(UTC)
    assert order_reads.return_window(part, now)[0] is False
    complete_vendor_order(db, part, return_days_left=1)
    assert order_reads.return_window(part, now) == (True, "")
    later = now + timedelta(days=2)
    is_open, why = order_reads.return_window(part, later)
    assert not is_open and "dépassé" in why
    add_return(db, part, {1: 1})
    set_vendor_status(db, part, VendorOrderStatus.return_requested)
    is_open, why = order_reads.return_window(part, now)
    assert not is_open and "déjà en cours" in why
    detail = order_reads.order_detail(db, shopper, order.id, now=now)
    assert detail.vendor_orders[0].returns[0].status_label == "Demandé"


def test_after_a_partial_refund_the_rest_may_still_be_returned(db: Session) -> None:
    shopper = create_user(db)
    product = create_product(db, create_shop(db))
    order = create_order(db, shopper, [(product, 2)])
    part = _part(db, order.id)
    complete_vendor_order(db, part, return_days_left=3)
    now = datetime.now(UTC)
    line = part.lines[0]
    line.returned_quantity = 1
    set_vendor_status(db, part, VendorOrderStatus.refunded)
    assert order_reads.return_window(part, now) == (True, "")
    line.returned_quantity = 2
    db.flush()
    is_open, why = order_reads.return_window(part, now)
    assert not is_open and "déjà été retournés" in why
    is_open, why = order_reads.return_window(part, now + timedelta(days=4))
    assert not is_open and "dépassé" in why


def test_merchant_next_steps_follow_the_status_and_the_delivery_kind(db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    order = create_order(db, create_user(db), [(create_product(db, create_shop(db, merchant)), 1)])
    part = db.scalars(select(VendorOrder).where(VendorOrder.id == _part(db, order.id).id)).one()

    def steps() -> list[str]:
        return order_reads.vendor_order_detail(db, merchant, part.id).next_steps

    line = db.scalars(select(OrderLine).where(OrderLine.vendor_order_id == part.id)).one()
    line.status = LineStatus.pending_confirmation
    part.status = VendorOrderStatus.awaiting_confirmation
    db.flush()
    assert steps() == ["confirm_lines"]
    part.status = VendorOrderStatus.confirmed
    db.flush()
    assert steps() == ["start_preparing", "mark_unavailable"]
    part.status = VendorOrderStatus.preparing
    db.flush()
    assert steps() == ["ready_for_pickup", "mark_unavailable"]
    part.delivery_kind = DeliveryKind.shipping
    db.flush()
    assert steps() == ["ship", "mark_unavailable"]
    part.status = VendorOrderStatus.shipped
    db.flush()
    assert steps() == ["complete"]
    part.status = VendorOrderStatus.cancelled
    db.flush()
    assert steps() == []


def test_dashboard_queues_and_unread_messages(db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant)
    other_shop = create_shop(db)
    shopper = create_user(db, first_name="Alix", last_name="Martin")
    wanted = {
        VendorOrderStatus.awaiting_confirmation: "to_confirm",
        VendorOrderStatus.confirmed: "to_prepare",
        VendorOrderStatus.preparing: "preparing",
        VendorOrderStatus.ready_for_pickup: "ready_for_pickup",
        VendorOrderStatus.return_requested: "returns",
        VendorOrderStatus.completed: None,
    }
    ids: dict[str, int] = {}
    for status, queue in wanted.items():
        order = create_order(db, shopper, [(create_product(db, shop), 1)], OrderStatus.processing)
        part = _part(db, order.id)
        part.status = status
        if queue:
            ids[queue] = part.id
    foreign = create_order(
        db, shopper, [(create_product(db, other_shop), 1)], OrderStatus.processing
    )
    add_message(db, _part(db, foreign.id), shopper, "Pour l'autre boutique")
    mine = _part(db, create_order(db, shopper, [(create_product(db, shop), 1)]).id)
    add_message(db, mine, shopper, "Bonjour")
    add_message(db, mine, shopper, "Vous êtes là ?")
    db.flush()

    dashboard = dashboards.merchant_dashboard(db, merchant)
    assert {name: [s.id for s in items] for name, items in dashboard.queues.items()} == {
        name: [ids[name]] for name in dashboards.MERCHANT_QUEUES
    }
    assert dashboard.unread_count == 2
    thread = dashboard.unread_threads[0]
    assert thread.shopper_name == "Alix Martin" and thread.last_body == "Vous êtes là ?"

    name, messages = shop_messages.customer_conversation(db, merchant, shopper.id)
    assert name == "Alix Martin" and [m.body for m in messages] == ["Bonjour", "Vous êtes là ?"]
    assert dashboards.merchant_dashboard(db, merchant).unread_count == 0
    with pytest.raises(NotFound):
        shop_messages.customer_conversation(db, merchant, create_user(db).id)


def test_shopper_conversation_with_a_shop(db: Session) -> None:
    shop = create_shop(db)
    shopper = create_user(db)
    shop_messages.post_shop_message(db, shopper, shop.slug, "Avez-vous du comté 36 mois ?")
    _, messages = shop_messages.shop_conversation(db, shopper, shop.slug)
    assert [(m.body, m.from_shop, m.order_id) for m in messages] == [
        ("Avez-vous du comté 36 mois ?", False, None)
    ]
    with pytest.raises(Unprocessable):
        shop_messages.post_shop_message(db, shopper, shop.slug, "  ")
    with pytest.raises(NotFound):
        shop_messages.shop_conversation(db, shopper, "pas-de-boutique")
