""""Livraison offerte dès X €": the cart's progress per shop and the fee waived at checkout."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import CartItem, DeliveryKind, DeliveryMode, Shop, User
from comptoir.services import cart, checkout
from comptoir.services.checkout import BillingAddress, CheckoutRequest, ShopChoice
from tests.factories import create_product, create_shop, create_user
from tests.storefront.formtools import browser_login

NBSP = "\u00a0"


def _fill_cart(db: Session, price_cents: int, quantity: int) -> tuple[User, Shop]:
    """A shopper whose cart holds `quantity` × `price_cents` from a shop delivering by bike
    for 4,90 €, free from 50 € (and shipping for 7,90 €, never free)."""
    shop = create_shop(db)
    shopper = create_user(db)
    product = create_product(db, shop, price_cents=price_cents, stock=quantity)
    db.add(CartItem(user_id=shopper.id, product_id=product.id, quantity=quantity))
    db.commit()
    return shopper, shop


def test_the_cart_shows_what_is_missing_for_free_delivery(client: TestClient, db: Session) -> None:
    shopper, shop = _fill_cart(db, 450, 11)  # 49,50 €
    view = cart.get_cart(db, shopper)
    assert view.shops[0].free_delivery_from_cents == 5000
    assert view.shops[0].free_delivery_missing_cents == 50
    browser_login(client, shopper)
    page = html.unescape(client.get("/panier").text)
    assert f"Plus que 0,50{NBSP}€ pour la livraison offerte (dès 50,00{NBSP}€)." in page
    assert '<progress max="5000" value="4950"' in page
    db.execute(CartItem.__table__.update().values(quantity=12))  # 54,00 €
    db.commit()
    page = html.unescape(client.get("/panier").text)
    assert "Livraison offerte" in page and "Plus que" not in page
    assert '<progress max="5000" value="5000"' in page


def test_a_shop_without_threshold_shows_no_progress(client: TestClient, db: Session) -> None:
    shopper, shop = _fill_cart(db, 450, 1)
    db.execute(DeliveryMode.__table__.update().values(free_above_cents=None))
    db.commit()
    assert cart.get_cart(db, shopper).shops[0].free_delivery_from_cents is None
    browser_login(client, shopper)
    assert 'id="free-delivery-' not in client.get("/panier").text


@pytest.mark.parametrize(
    ("price_cents", "quantity", "delivery_cents"),
    [(4999, 1, 490), (5000, 1, 0), (2500, 2, 0), (1666, 3, 490)],  # 49,98 € is still short
)
def test_the_delivery_fee_is_waived_at_the_threshold_exactly(
    db: Session, price_cents: int, quantity: int, delivery_cents: int
) -> None:
    shopper, shop = _fill_cart(db, price_cents, quantity)
    bike = db.scalar(
        select(DeliveryMode).where(
            DeliveryMode.shop_id == shop.id, DeliveryMode.kind == DeliveryKind.local_delivery
        )
    )
    assert bike is not None
    order = checkout.checkout(
        db,
        shopper,
        CheckoutRequest(
            billing=BillingAddress(
                name="Alix Martin", line1="3 rue des Lilas", postal_code="69003", city="Lyon"
            ),
            shops=[
                ShopChoice(
                    shop_id=shop.id,
                    delivery_mode_id=bike.id,
                    shipping_address="5 quai Saint-Vincent, 69001 Lyon",
                )
            ],
        ),
    )
    items = price_cents * quantity
    assert (order.items_cents, order.delivery_cents, order.total_cents) == (
        items,
        delivery_cents,
        items + delivery_cents,
    )
