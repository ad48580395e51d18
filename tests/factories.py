"""Builders of test data against the real database (accounts, shops, products, logins)."""

from __future__ import annotations

import itertools
from datetime import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import (
    Category,
    DeliveryKind,
    DeliveryMode,
    LineStatus,
    OpeningHours,
    Order,
    OrderLine,
    OrderStatus,
    PickupSlotRule,
    Product,
    Role,
    Shop,
    ShopStatus,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.security import hash_password

PASSWORD = "Mot-de-passe-solide-42"
_counter = itertools.count(1)
_HASH = hash_password(PASSWORD)  # hashing once keeps factories fast


def create_user(db: Session, role: Role = Role.shopper, **fields: Any) -> User:
    """A user whose password is PASSWORD."""
    n = next(_counter)
    values: dict[str, Any] = {
        "email": f"{role.value}{n}@example.test",
        "password_hash": _HASH,
        "role": role,
        "first_name": "Camille",
        "last_name": f"Test{n}",
    }
    values.update(fields)
    user = User(**values)
    db.add(user)
    db.flush()
    return user


def create_shop(
    db: Session,
    owner: User | None = None,
    status: ShopStatus = ShopStatus.approved,
    with_slots: bool = False,
    **fields: Any,
) -> Shop:
    """A shop open Monday–Saturday 9–19 with pickup, local delivery and shipping."""
    n = next(_counter)
    owner = owner or create_user(db, Role.merchant)
    values: dict[str, Any] = {
        "owner_id": owner.id,
        "slug": f"boutique-{n}",
        "name": f"Boutique {n}",
        "trade": "epicerie",
        "legal_name": f"Boutique {n} SARL",
        "siret": f"{12345678900000 + n}",
        # A VAT-registered shop: it charges VAT (without a number: franchise, no VAT).
        "vat_number": "FR32123456789",
        "address_line": f"{n} rue de la République",
        "postal_code": "69001",
        "city": "Lyon",
        "email": f"shop{n}@example.test",
        "return_policy": "Retours acceptés sous 14 jours, produit non ouvert.",
        "status": status,
    }
    values.update(fields)
    shop = Shop(**values)
    db.add(shop)
    db.flush()
    for weekday in range(6):
        db.add(OpeningHours(shop_id=shop.id, weekday=weekday, opens=time(9), closes=time(19)))
    db.add_all(
        [
            DeliveryMode(shop_id=shop.id, kind=DeliveryKind.pickup, label="Retrait en boutique", price_cents=0),
            DeliveryMode(
                shop_id=shop.id,
                kind=DeliveryKind.local_delivery,
                label="Livraison à vélo",
                price_cents=490,
                free_above_cents=5000,
            ),
            DeliveryMode(shop_id=shop.id, kind=DeliveryKind.shipping, label="Colissimo", price_cents=790),
        ]
    )
    if with_slots:
        for weekday in range(6):
            db.add(
                PickupSlotRule(
                    shop_id=shop.id, weekday=weekday, starts=time(10), ends=time(18),
                    slot_minutes=60, capacity=3,
                )
            )
    db.flush()
    return shop


def create_category(db: Session, slug: str = "epicerie", name: str = "Épicerie") -> Category:
    """A category, reused when the slug exists."""
    existing = db.query(Category).filter_by(slug=slug).one_or_none()
    if existing:
        return existing
    category = Category(slug=slug, name=name)
    db.add(category)
    db.flush()
    return category


def create_product(db: Session, shop: Shop, **fields: Any) -> Product:
    """An active product with stock 10 at 4,50 € (5.5 % VAT)."""
    n = next(_counter)
    values: dict[str, Any] = {
        "shop_id": shop.id,
        "name": f"Produit {n}",
        "description": "Un bon produit local.",
        "price_cents": 450,
        "vat_rate_bp": 550,
        "stock": 10,
        "sku": f"SKU-{n}",
    }
    values.update(fields)
    product = Product(**values)
    db.add(product)
    db.flush()
    return product


def login_headers(client: TestClient, user: User, password: str = PASSWORD) -> dict[str, str]:
    """Log `user` in through the API and return the bearer header."""
    response = client.post("/api/auth/login", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # bearer only: cookie-authenticated writes would need CSRF
    return {"Authorization": f"Bearer {response.json()['token']}"}


def create_order_with_line(
    db: Session, shopper: User, product: Product, quantity: int = 1
) -> tuple[Order, VendorOrder, OrderLine]:
    """A paid order of `shopper` with one line of `product` (rows only, no workflow)."""
    amount = product.price_cents * quantity
    order = Order(
        shopper_id=shopper.id,
        status=OrderStatus.processing,
        items_cents=amount,
        total_cents=amount,
        billing_name=f"{shopper.first_name} {shopper.last_name}",
        billing_line1="1 place de la Mairie",
        billing_postal_code="69001",
        billing_city="Lyon",
        shopper_email=shopper.email,
    )
    db.add(order)
    db.flush()
    vendor_order = VendorOrder(
        order_id=order.id,
        shop_id=product.shop_id,
        status=VendorOrderStatus.confirmed,
        delivery_kind=DeliveryKind.pickup,
        delivery_label="Retrait en boutique",
        items_cents=amount,
        total_cents=amount,
    )
    db.add(vendor_order)
    db.flush()
    line = OrderLine(
        vendor_order_id=vendor_order.id,
        product_id=product.id,
        product_name=product.name,
        unit_price_cents=product.price_cents,
        vat_rate_bp=product.vat_rate_bp,
        quantity=quantity,
        status=LineStatus.confirmed,
    )
    db.add(line)
    db.flush()
    return order, vendor_order, line


VENDOR_STATUS_OF = {
    OrderStatus.awaiting_confirmation: VendorOrderStatus.awaiting_confirmation,
    OrderStatus.awaiting_payment: VendorOrderStatus.awaiting_payment,
    OrderStatus.processing: VendorOrderStatus.confirmed,
    OrderStatus.completed: VendorOrderStatus.completed,
    OrderStatus.cancelled: VendorOrderStatus.cancelled,
    OrderStatus.payment_failed: VendorOrderStatus.cancelled,
}


def create_order(
    db: Session,
    shopper: User,
    items: list[tuple[Product, int]],
    status: OrderStatus = OrderStatus.awaiting_payment,
    delivery_cents: dict[int, int] | None = None,
) -> Order:
    """An order of `shopper` with one vendor order per shop of `items` (product, quantity).

    Totals add up like checkout's; `delivery_cents` maps a shop id to its delivery price
    (pickup, free, otherwise). Rows only, no workflow.
    """
    by_shop: dict[int, list[tuple[Product, int]]] = {}
    for product, quantity in items:
        by_shop.setdefault(product.shop_id, []).append((product, quantity))
    items_of = {s: sum(p.effective_price_cents * q for p, q in it) for s, it in by_shop.items()}
    delivery_of = {s: (delivery_cents or {}).get(s, 0) for s in by_shop}
    order = Order(
        shopper_id=shopper.id,
        status=status,
        items_cents=sum(items_of.values()),
        delivery_cents=sum(delivery_of.values()),
        total_cents=sum(items_of.values()) + sum(delivery_of.values()),
        billing_name=f"{shopper.first_name} {shopper.last_name}",
        billing_line1="3 rue des Lilas",
        billing_postal_code="69003",
        billing_city="Lyon",
        shopper_email=shopper.email,
    )
    db.add(order)
    db.flush()
    for shop_id, shop_items in by_shop.items():
        delivery = delivery_of[shop_id]
        vendor_order = VendorOrder(
            order_id=order.id,
            shop_id=shop_id,
            status=VENDOR_STATUS_OF.get(status, VendorOrderStatus.confirmed),
            delivery_kind=DeliveryKind.local_delivery if delivery else DeliveryKind.pickup,
            delivery_label="Livraison à vélo" if delivery else "Retrait en boutique",
            delivery_cents=delivery,
            items_cents=items_of[shop_id],
            total_cents=items_of[shop_id] + delivery,
        )
        db.add(vendor_order)
        db.flush()
        for product, quantity in shop_items:
            db.add(
                OrderLine(
                    vendor_order_id=vendor_order.id,
                    product_id=product.id,
                    product_name=product.name,
                    unit_price_cents=product.effective_price_cents,
                    vat_rate_bp=product.vat_rate_bp,
                    quantity=quantity,
                    requires_confirmation=product.requires_confirmation,
                    status=LineStatus.confirmed,
                )
            )
    db.flush()
    return order
