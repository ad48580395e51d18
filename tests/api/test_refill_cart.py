""""Remettre dans mon panier": an order that did not go through puts its products back in
the shopper's cart, within stock, saying what could not be; only the owner may, and only for
a cancelled or unpaid order."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import CartItem, LineStatus, OrderLine, OrderStatus, Role
from tests.factories import (
    create_order_with_line,
    create_product,
    create_shop,
    create_user,
    login_headers,
)
from tests.storefront.formtools import browser_login, post_form


def _cart(db: Session, user_id: int) -> dict[int, int]:
    db.expire_all()
    rows = db.execute(
        select(CartItem.product_id, CartItem.quantity).where(CartItem.user_id == user_id)
    ).tuples()
    return {product_id: quantity for product_id, quantity in rows}


def test_refill_cart_from_a_cancelled_order(client: TestClient, db: Session) -> None:
    shopper = create_user(db)
    shop = create_shop(db)
    tart = create_product(db, shop, name="Tarte aux pommes", stock=10)
    last = create_product(db, shop, name="Dernier pain de seigle", stock=1)
    gone = create_product(db, shop, name="Galette des rois", stock=5)
    order, part, _line = create_order_with_line(db, shopper, tart, quantity=2)
    for product, quantity in ((last, 3), (gone, 1)):
        db.add(
            OrderLine(
                vendor_order_id=part.id, product_id=product.id, product_name=product.name,
                unit_price_cents=product.price_cents, vat_rate_bp=product.vat_rate_bp,
                quantity=quantity, status=LineStatus.confirmed,
            )
        )  # fmt: skip
    order.status = OrderStatus.cancelled
    gone.active = False
    completed, _part, _ = create_order_with_line(db, shopper, tart)
    completed.status = OrderStatus.completed
    rival = create_user(db)
    merchant = create_user(db, Role.merchant)
    db.commit()
    path = f"/api/orders/{order.id}/refill-cart"

    assert client.post(path).status_code == 401
    assert client.post(path, headers=login_headers(client, rival)).status_code == 404
    assert client.post(path, headers=login_headers(client, merchant)).status_code == 403
    headers = login_headers(client, shopper)
    refused = client.post(f"/api/orders/{completed.id}/refill-cart", headers=headers)
    assert refused.status_code == 409 and refused.json()["error"] == "order_not_refillable"
    assert _cart(db, rival.id) == {} and _cart(db, shopper.id) == {}

    refilled = client.post(path, headers=headers)
    assert refilled.status_code == 200, refilled.text
    assert refilled.json() == {
        "added": [
            {"product_id": tart.id, "name": "Tarte aux pommes", "quantity": 2, "wanted": 2},
            {"product_id": last.id, "name": "Dernier pain de seigle", "quantity": 1, "wanted": 3},
        ],
        "unavailable": ["Galette des rois"],
    }
    assert _cart(db, shopper.id) == {tart.id: 2, last.id: 1}
    # Twice changes nothing beyond the stock: the last loaf is already in the cart.
    again = client.post(path, headers=headers).json()
    assert [line["product_id"] for line in again["added"]] == [tart.id]
    assert _cart(db, shopper.id) == {tart.id: 4, last.id: 1}


def test_refill_button_on_the_order_page(client: TestClient, db: Session) -> None:
    shopper = create_user(db)
    product = create_product(db, create_shop(db), name="Comté 18 mois", stock=4)
    order, _part, _line = create_order_with_line(db, shopper, product, quantity=2)
    order.status = OrderStatus.payment_failed
    db.commit()
    browser_login(client, shopper)
    page = client.get(f"/commandes/{order.id}").text
    assert 'id="refill-cart"' in page and "Remettre dans mon panier" in page
    sent = post_form(client, f"/commandes/{order.id}/panier", page=f"/commandes/{order.id}")
    assert sent.status_code == 303 and sent.headers["location"] == "/panier"
    assert _cart(db, shopper.id) == {product.id: 2}
    cart_page = client.get("/panier").text
    assert "2 produits remis dans votre panier." in cart_page and "Comté 18 mois" in cart_page
