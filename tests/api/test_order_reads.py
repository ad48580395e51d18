"""Order read routes: who reads what (401/403/404/200), what they show, statements pinned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import (
    ContactMessage,
    LedgerEntry,
    LedgerKind,
    Message,
    Order,
    OrderStatus,
    Role,
    Shop,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from tests.api.test_catalogue import counting_statements
from tests.factories import create_order, create_product, create_shop, create_user, login_headers
from tests.order_factories import (
    add_event,
    add_invoice,
    add_message,
    complete_vendor_order,
    set_vendor_status,
)


@dataclass
class World:
    shopper: User
    other_shopper: User
    merchant: User
    other_merchant: User
    operator: User
    shop: Shop
    other_shop: Shop
    order: Order
    vendor_order: VendorOrder  # the part of `order` sold by `shop`
    other_part: VendorOrder  # the part of `order` sold by `other_shop`


@pytest.fixture
def world(db: Session) -> World:
    """One paid order of two shops; a second shopper and an operator."""
    merchant = create_user(db, Role.merchant)
    other_merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles")
    other_shop = create_shop(db, other_merchant, name="Le Fournil")
    comte = create_product(db, shop, name="Comté 18 mois", price_cents=123456)
    pain = create_product(db, other_shop, name="Pain de campagne", price_cents=420)
    shopper = create_user(db)
    order = create_order(db, shopper, [(comte, 1), (pain, 2)], status=OrderStatus.processing)
    parts = db.scalars(
        select(VendorOrder).where(VendorOrder.order_id == order.id).order_by(VendorOrder.id)
    ).all()
    mine = next(p for p in parts if p.shop_id == shop.id)
    other = next(p for p in parts if p.shop_id == other_shop.id)
    add_event(db, order, "awaiting_payment")
    add_event(db, order, "processing", from_status="awaiting_payment")
    set_vendor_status(db, mine, VendorOrderStatus.ready_for_pickup, pickup_code="K7Q2PX")
    world = World(
        shopper=shopper,
        other_shopper=create_user(db),
        merchant=merchant,
        other_merchant=other_merchant,
        operator=create_user(db, Role.operator),
        shop=shop,
        other_shop=other_shop,
        order=order,
        vendor_order=mine,
        other_part=other,
    )
    db.commit()
    return world


Headers = Callable[[User], dict[str, str]]


@pytest.fixture
def as_(client: TestClient) -> Headers:
    """Bearer headers of a user (logged in once per test)."""
    cache: dict[int, dict[str, str]] = {}

    def headers(user: User) -> dict[str, str]:
        if user.id not in cache:
            cache[user.id] = login_headers(client, user)
        return cache[user.id]

    return headers


# --- the three tests of every {id} route ---------------------------------------------------


def _id_routes(w: World) -> list[tuple[str, User, User]]:
    """(path, owner, another tenant of the same role)."""
    return [
        (f"/api/orders/{w.order.id}", w.shopper, w.other_shopper),
        (f"/api/orders/{w.order.id}/messages", w.shopper, w.other_shopper),
        (f"/api/merchant/vendor-orders/{w.vendor_order.id}", w.merchant, w.other_merchant),
        (f"/api/merchant/vendor-orders/{w.vendor_order.id}/messages", w.merchant, w.other_merchant),
    ]


def test_every_id_route_is_401_anonymous_404_to_others_200_to_the_owner(
    client: TestClient, world: World, as_: Headers
) -> None:
    for path, owner, stranger in _id_routes(world):
        assert client.get(path).status_code == 401, path
        other = client.get(path, headers=as_(stranger))
        assert other.status_code == 404, path
        assert other.json()["error"].endswith("not_found")
        assert client.get(path, headers=as_(owner)).status_code == 200, path
        assert client.get(path, headers=as_(world.operator)).status_code == 200, path


def test_posting_messages_is_401_anonymous_404_to_others_201_to_the_owner(
    client: TestClient, world: World, as_: Headers
) -> None:
    w = world
    shopper_post = (f"/api/orders/{w.order.id}/messages", {"shop_id": w.shop.id, "body": "Bonjour"})
    merchant_post = (f"/api/merchant/vendor-orders/{w.vendor_order.id}/messages", {"body": "Oui"})
    for (path, body), owner, stranger in (
        (shopper_post, w.shopper, w.other_shopper),
        (merchant_post, w.merchant, w.other_merchant),
    ):
        assert client.post(path, json=body).status_code == 401
        assert client.post(path, json=body, headers=as_(stranger)).status_code == 404
        created = client.post(path, json=body, headers=as_(owner))
        assert created.status_code == 201, created.text
        assert created.json()["body"] == body["body"]


def test_wrong_role_is_403(client: TestClient, world: World, as_: Headers) -> None:
    assert client.get("/api/orders", headers=as_(world.merchant)).status_code == 403
    assert client.get("/api/merchant/vendor-orders", headers=as_(world.shopper)).status_code == 403
    assert client.get("/api/merchant/ledger", headers=as_(world.shopper)).status_code == 403
    assert client.get("/api/merchant/ledger", headers=as_(world.operator)).status_code == 403


def test_unknown_and_absurd_ids_are_404(client: TestClient, world: World, as_: Headers) -> None:
    for path in ("/api/orders/999999", "/api/orders/99999999999999"):
        assert client.get(path, headers=as_(world.shopper)).status_code == 404


# --- what they show -----------------------------------------------------------------------


def test_shopper_reads_each_shop_part_with_pickup_code_and_timeline(
    client: TestClient, world: World, as_: Headers
) -> None:
    body = client.get(f"/api/orders/{world.order.id}", headers=as_(world.shopper)).json()
    assert body["status"] == "processing" and body["status_label"] == "En cours"
    assert body["total_cents"] == 123456 + 840
    assert [e["label"] for e in body["timeline"]] == ["En attente de paiement", "En cours"]
    parts = {p["shop_name"]: p for p in body["vendor_orders"]}
    halles = parts["Fromagerie des Halles"]
    assert halles["status_label"] == "Prête à retirer"
    assert halles["pickup_code"] == "K7Q2PX"
    assert [e["to_status"] for e in halles["timeline"]] == ["ready_for_pickup"]
    assert halles["lines"][0]["product_name"] == "Comté 18 mois"
    assert halles["next_steps"] == [] and halles["customer_name"] == ""  # merchant-only fields
    assert halles["return_open"] is False and "terminée" in halles["return_closed_reason"]
    assert parts["Le Fournil"]["timeline"] == []
    assert body["can_cancel"] is False and body["can_pay"] is False


def test_return_window_and_invoice(
    client: TestClient, db: Session, world: World, as_: Headers
) -> None:
    complete_vendor_order(db, world.vendor_order, return_days_left=3)
    complete_vendor_order(db, world.other_part, return_days_left=-1)
    invoice = add_invoice(db, world.vendor_order)
    db.commit()
    body = client.get(f"/api/orders/{world.order.id}", headers=as_(world.shopper)).json()
    parts = {p["shop_id"]: p for p in body["vendor_orders"]}
    assert parts[world.shop.id]["return_open"] is True
    assert parts[world.shop.id]["invoice"]["url"] == f"/api/invoices/{invoice.id}.pdf"
    assert parts[world.other_shop.id]["return_open"] is False
    assert "dépassé" in parts[world.other_shop.id]["return_closed_reason"]


def test_merchant_reads_only_its_part_without_the_pickup_code(
    client: TestClient, world: World, as_: Headers
) -> None:
    listing = client.get("/api/merchant/vendor-orders", headers=as_(world.merchant)).json()
    assert [v["id"] for v in listing] == [world.vendor_order.id]
    detail = client.get(
        f"/api/merchant/vendor-orders/{world.vendor_order.id}", headers=as_(world.merchant)
    ).json()
    assert detail["pickup_code"] == ""  # the customer tells it at hand-over
    assert detail["next_steps"] == ["complete", "cancel_no_show"]  # a ready pickup
    assert detail["customer_name"] == world.order.billing_name
    filtered = client.get(
        "/api/merchant/vendor-orders", params={"status": "preparing"}, headers=as_(world.merchant)
    ).json()
    assert filtered == []
    bad = client.get(
        "/api/merchant/vendor-orders", params={"status": "nope"}, headers=as_(world.merchant)
    )
    assert bad.status_code == 422


def test_operator_reads_every_order(
    client: TestClient, db: Session, world: World, as_: Headers
) -> None:
    create_order(db, world.other_shopper, [(create_product(db, world.shop), 1)])
    db.commit()
    mine = client.get("/api/orders", headers=as_(world.shopper)).json()
    assert [o["id"] for o in mine] == [world.order.id]
    everything = client.get("/api/orders", headers=as_(world.operator)).json()
    assert len(everything) == 2
    parts = client.get("/api/merchant/vendor-orders", headers=as_(world.operator)).json()
    assert len(parts) == 3


def test_order_list_statements_do_not_grow_with_orders(
    client: TestClient, db: Session, world: World, as_: Headers
) -> None:
    headers = as_(world.shopper)
    with counting_statements() as few:
        assert len(client.get("/api/orders", headers=headers).json()) == 1
    products = [create_product(db, create_shop(db)) for _ in range(4)]
    for _ in range(6):
        create_order(db, world.shopper, [(p, 1) for p in products])
    db.commit()
    with counting_statements() as many:
        assert len(client.get("/api/orders", headers=headers).json()) == 7
    # the session lookup, then orders, vendor orders, shops, lines
    assert len(many) == len(few) == 5, many


def test_order_detail_statements_are_fixed(
    client: TestClient, db: Session, world: World, as_: Headers
) -> None:
    headers = as_(world.shopper)
    with counting_statements() as statements:
        assert client.get(f"/api/orders/{world.order.id}", headers=headers).status_code == 200
    # session, order, vendor orders, shops, lines, events, invoices, returns, refunds, payment
    assert len(statements) == 10, statements


# --- messages, ledger, contact --------------------------------------------------------------


def test_messages_between_shopper_and_shop_are_marked_read_by_the_reader(
    client: TestClient, db: Session, world: World, as_: Headers
) -> None:
    w = world
    add_message(db, w.vendor_order, w.shopper, "Puis-je venir à 18 h ?")
    add_message(db, w.other_part, w.shopper, "Pain bien cuit svp")
    db.commit()
    thread = client.get(
        f"/api/merchant/vendor-orders/{w.vendor_order.id}/messages", headers=as_(w.merchant)
    ).json()
    assert [m["body"] for m in thread] == ["Puis-je venir à 18 h ?"]  # not the other shop's
    db.expire_all()
    unread_of_shop = db.scalars(
        select(Message).where(Message.shop_id == w.shop.id, Message.read_at.is_(None))
    ).all()
    assert unread_of_shop == []
    answer = client.post(
        f"/api/merchant/vendor-orders/{w.vendor_order.id}/messages",
        json={"body": "Oui, à 18 h."},
        headers=as_(w.merchant),
    )
    assert answer.status_code == 201 and answer.json()["from_shop"] is True
    mine = client.get(f"/api/orders/{w.order.id}/messages", headers=as_(w.shopper)).json()
    assert [m["body"] for m in mine] == [
        "Puis-je venir à 18 h ?",
        "Pain bien cuit svp",
        "Oui, à 18 h.",
    ]


def test_shopper_cannot_write_to_a_shop_outside_the_order(
    client: TestClient, db: Session, world: World, as_: Headers
) -> None:
    stranger_shop = create_shop(db)
    db.commit()
    response = client.post(
        f"/api/orders/{world.order.id}/messages",
        json={"shop_id": stranger_shop.id, "body": "Bonjour"},
        headers=as_(world.shopper),
    )
    assert response.status_code == 422
    empty = client.post(
        f"/api/orders/{world.order.id}/messages",
        json={"shop_id": world.shop.id, "body": "   "},
        headers=as_(world.shopper),
    )
    assert empty.status_code == 422


def test_ledger_sums_only_the_merchants_shop(
    client: TestClient, db: Session, world: World, as_: Headers
) -> None:
    w = world
    for shop, kind, amount in (
        (w.shop, LedgerKind.sale, 123456),
        (w.shop, LedgerKind.fee, -1753),
        (w.shop, LedgerKind.refund, -1000),
        (w.other_shop, LedgerKind.sale, 840),
    ):
        db.add(
            LedgerEntry(
                entry_key=f"{shop.id}-{kind}",
                shop_id=shop.id,
                order_id=w.order.id,
                kind=kind,
                amount_cents=amount,
            )
        )
    db.commit()
    assert client.get("/api/merchant/ledger").status_code == 401
    body = client.get("/api/merchant/ledger", headers=as_(w.merchant)).json()
    assert (body["sales_cents"], body["fees_cents"], body["refunds_cents"], body["net_cents"]) == (
        123456,
        1753,
        1000,
        120703,
    )


def test_contact_form_is_public_and_checked(client: TestClient, db: Session) -> None:
    sent = client.post(
        "/api/contact",
        json={
            "name": "Alix",
            "email": "alix@example.test",
            "subject": "Un commerce",
            "body": "La librairie de la place !",
        },
    )
    assert sent.status_code == 201, sent.text
    assert db.scalars(select(ContactMessage.subject)).all() == ["Un commerce"]
    bad = client.post("/api/contact", json={"name": "", "email": "nope", "subject": "", "body": ""})
    assert bad.status_code == 422
    unknown = client.post("/api/contact", json={"name": "A", "admin": True})
    assert unknown.status_code == 422


def test_vendor_order_list_statements_do_not_grow_with_orders(
    client: TestClient, db: Session, world: World, as_: Headers
) -> None:
    headers = as_(world.merchant)
    with counting_statements() as few:
        assert len(client.get("/api/merchant/vendor-orders", headers=headers).json()) == 1
    for _ in range(5):
        products = [create_product(db, world.shop) for _ in range(3)]
        create_order(db, create_user(db), [(p, 2) for p in products])
    db.commit()
    with counting_statements() as many:
        assert len(client.get("/api/merchant/vendor-orders", headers=headers).json()) == 6
    # the session lookup, then vendor orders with their order's billing name, then lines
    assert len(many) == len(few) == 3, many


def test_merchant_dashboard_lists_what_needs_action(
    client: TestClient, db: Session, world: World, as_: Headers
) -> None:
    add_message(db, world.vendor_order, world.shopper, "Je passe à 18 h")
    db.commit()
    assert client.get("/api/merchant/dashboard").status_code == 401
    assert client.get("/api/merchant/dashboard", headers=as_(world.shopper)).status_code == 403
    body = client.get("/api/merchant/dashboard", headers=as_(world.merchant)).json()
    assert [v["id"] for v in body["queues"]["ready_for_pickup"]] == [world.vendor_order.id]
    assert body["queues"]["to_confirm"] == [] and body["unread_count"] == 1
    other = client.get("/api/merchant/dashboard", headers=as_(world.other_merchant)).json()
    assert [v["id"] for v in other["queues"]["to_prepare"]] == [world.other_part.id]
    assert other["unread_count"] == 0
