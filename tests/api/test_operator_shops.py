"""Operators approve, refuse, suspend and reinstate shops: audited, e-mailed, 409 when invalid."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import Role, Shop, ShopStatus
from tests.factories import create_shop, create_user, login_headers


@pytest.fixture
def operator_headers(client: TestClient, db: Session) -> dict[str, str]:
    operator = create_user(db, Role.operator)
    db.commit()
    return login_headers(client, operator)


def pending_shop(db: Session, **fields: object) -> Shop:
    owner = create_user(db, Role.merchant, email=f"owner-{db.scalar(select(Shop.id).order_by(Shop.id.desc())) or 0}@example.test")
    shop = create_shop(db, owner=owner, status=ShopStatus.pending, **fields)
    db.commit()
    return shop


def test_only_operators_reach_shop_decisions(client: TestClient, db: Session) -> None:
    shop = pending_shop(db)
    merchant, shopper = create_user(db, Role.merchant), create_user(db, Role.shopper)
    db.commit()
    owner_headers = login_headers(client, merchant)
    shopper_headers = login_headers(client, shopper)
    routes = [
        ("GET", "/api/operator/shops", None),
        ("GET", f"/api/operator/shops/{shop.id}", None),
        ("POST", f"/api/operator/shops/{shop.id}/approve", None),
        ("POST", f"/api/operator/shops/{shop.id}/refuse", {"reason": "x"}),
        ("POST", f"/api/operator/shops/{shop.id}/suspend", {"reason": "x"}),
        ("POST", f"/api/operator/shops/{shop.id}/reinstate", None),
    ]
    for method, path, body in routes:
        assert client.request(method, path, json=body).status_code == 401, path
        for headers in (owner_headers, shopper_headers):
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (path, response.text)
            assert "opérateur" in response.json()["message"]
    db.refresh(shop)
    assert shop.status == ShopStatus.pending
