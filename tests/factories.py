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
    OpeningHours,
    PickupSlotRule,
    Product,
    Role,
    Shop,
    ShopStatus,
    User,
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
