"""Checkout: stock reserved atomically, the billing address required, slots never overbooked."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.db import get_sessionmaker
from comptoir.errors import Conflict, DomainError, Unprocessable
from comptoir.models import CartItem, DeliveryKind, Order, Product, User, VendorOrder
from comptoir.services.cart import add_item, get_cart
from comptoir.services.checkout import BillingAddress, CheckoutRequest, ShopChoice, checkout
from comptoir.services.contact_fields import check_french_phone
from tests.factories import create_product, create_shop, create_user
from tests.lifecycle_support import mode_of

BILLING = BillingAddress("Jules Petit", "8 rue Haute", "49350", "Montlouvier-sur-Loire")


def _race(db: Session, shoppers: list[User], request: CheckoutRequest) -> list[object]:
    """Every shopper checks out at the same instant, each in its own session."""
    barrier = threading.Barrier(len(shoppers))
    outcomes: list[object] = [None] * len(shoppers)

    def run(index: int, shopper_id: int) -> None:
        session = get_sessionmaker()()
        try:
            shopper = session.get_one(User, shopper_id)
            barrier.wait()
            order = checkout(session, shopper, request)
            session.commit()
            outcomes[index] = order.id
        except DomainError as exc:
            session.rollback()
            outcomes[index] = exc
        finally:
            session.close()

    threads = [threading.Thread(target=run, args=(i, s.id)) for i, s in enumerate(shoppers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.mark.parametrize("racers", [2, 6])
def test_the_last_item_goes_to_exactly_one_shopper(db: Session, racers: int) -> None:
    shop = create_shop(db)
    product = create_product(db, shop, name="Dernière galette", stock=1)
    shoppers = [create_user(db) for _ in range(racers)]
    db.commit()
    for shopper in shoppers:
        add_item(db, shopper, product.id, 1)
    db.commit()
    request = CheckoutRequest(BILLING, [ShopChoice(shop.id, mode_of(db, shop, DeliveryKind.pickup))])
    outcomes = _race(db, shoppers, request)
    won = [o for o in outcomes if isinstance(o, int)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == racers - 1, outcomes
    assert all(exc.code == "out_of_stock" and "épuisé" in exc.message for exc in lost)
    db.rollback()
    assert db.scalar(select(Product.stock).where(Product.id == product.id)) == 0
    assert db.scalar(select(Order.id)) == won[0]
    # The losers keep their cart (nothing is lost), the winner's is emptied.
    carts = {s.id: db.scalar(select(CartItem.id).where(CartItem.user_id == s.id)) for s in shoppers}
    assert sum(1 for item in carts.values() if item is None) == 1


def test_billing_address_is_mandatory_and_nothing_is_reserved(db: Session) -> None:
    shop = create_shop(db)
    product = create_product(db, shop, stock=5)
    shopper = create_user(db)
    db.commit()
    add_item(db, shopper, product.id, 2)
    choice = [ShopChoice(shop.id, mode_of(db, shop, DeliveryKind.pickup))]
    with pytest.raises(Unprocessable, match="adresse de facturation est obligatoire"):
        checkout(db, shopper, CheckoutRequest(None, choice))
    with pytest.raises(Unprocessable, match="ville"):
        checkout(db, shopper, CheckoutRequest(BillingAddress("A", "1 rue", "49350", " "), choice))
    db.rollback()
    assert db.scalar(select(Product.stock).where(Product.id == product.id)) == 5
    assert db.scalar(select(Order.id)) is None


def test_a_full_pickup_slot_is_refused(db: Session) -> None:
    shop = create_shop(db, with_slots=True)  # 3 orders per hourly slot
    product = create_product(db, shop, stock=50)
    shoppers = [create_user(db) for _ in range(4)]
    db.commit()
    slot = None
    for shopper in shoppers:
        add_item(db, shopper, product.id, 1)
        slot = slot or get_cart(db, shopper).shops[0].pickup_slots[0].start
    db.commit()
    assert slot is not None and slot > datetime.now(UTC) + timedelta(minutes=59)
    request = CheckoutRequest(
        BILLING, [ShopChoice(shop.id, mode_of(db, shop, DeliveryKind.pickup), pickup_slot_start=slot)]
    )
    outcomes = _race(db, shoppers, request)
    assert sum(isinstance(o, int) for o in outcomes) == 3
    full = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(full) == 1 and full[0].code == "slot_full"


def _reads_and_writes_of_a_checkout(db: Session, shops: int, lines: int) -> tuple[int, int]:
    from tests.api.test_catalogue import counting_statements

    shopper = create_user(db)
    choices = []
    for _ in range(shops):
        shop = create_shop(db)
        for _ in range(lines):
            add_item(db, shopper, create_product(db, shop, stock=5).id, 1)
        choices.append(ShopChoice(shop.id, mode_of(db, shop, DeliveryKind.pickup)))
    db.commit()
    with counting_statements() as statements:
        checkout(db, shopper, CheckoutRequest(BILLING, choices))
        db.commit()
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    return len(reads), len(statements) - len(reads)


def test_checkout_reads_do_not_grow_with_the_cart(db: Session) -> None:
    small_reads, small_writes = _reads_and_writes_of_a_checkout(db, shops=1, lines=1)
    big_reads, big_writes = _reads_and_writes_of_a_checkout(db, shops=3, lines=3)
    # Pinned: the cart, its products, their shops with delivery modes, slot rules and
    # closures (one statement each), and the stock check's read: no N+1.
    assert small_reads == big_reads == 6, (small_reads, big_reads)
    # Writes grow by one conditional stock UPDATE per product and, per shop, its part and
    # one batched INSERT of its lines: 8 more products and 2 more shops here.
    assert big_writes - small_writes == 8 + 2 * 2, (small_writes, big_writes)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0612345678", "06 12 34 56 78"),
        ("06.12.34.56.78", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("0033 4 72 00 00 00", "04 72 00 00 00"),
    ],
)
def test_french_phone_numbers_are_written_one_way(typed: str, stored: str) -> None:
    assert check_french_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "12 34", "00 12 34 56 78", "+44 20 7946 0958", "06 12 34 56 7"])
def test_a_delivery_needs_a_valid_french_phone(typed: str) -> None:
    with pytest.raises(Unprocessable, match="téléphone") as refused:
        check_french_phone(typed)
    assert refused.value.code in ("phone_required", "invalid_phone")


def test_the_phone_is_kept_on_delivered_parts_only(db: Session) -> None:
    shopper = create_user(db)
    delivering, pickup_only = create_shop(db), create_shop(db)
    for shop in (delivering, pickup_only):
        add_item(db, shopper, create_product(db, shop, stock=5).id, 1)
    db.commit()
    choices = [
        ShopChoice(delivering.id, mode_of(db, delivering, DeliveryKind.local_delivery)),
        ShopChoice(pickup_only.id, mode_of(db, pickup_only, DeliveryKind.pickup)),
    ]
    with pytest.raises(Unprocessable, match="numéro de téléphone"):
        checkout(db, shopper, CheckoutRequest(BILLING, choices))
    db.rollback()
    order = checkout(db, shopper, CheckoutRequest(BILLING, choices, phone="06 11 22 33 44"))
    phones = {p.shop_id: p.contact_phone for p in db.scalars(
        select(VendorOrder).where(VendorOrder.order_id == order.id))}  # fmt: skip
    assert phones == {delivering.id: "06 11 22 33 44", pickup_only.id: ""}


def test_a_pickup_needs_no_phone(db: Session) -> None:
    shopper = create_user(db)
    shop = create_shop(db)
    add_item(db, shopper, create_product(db, shop, stock=5).id, 1)
    db.commit()
    order = checkout(
        db, shopper, CheckoutRequest(BILLING, [ShopChoice(shop.id, mode_of(db, shop, DeliveryKind.pickup))])
    )
    assert order.id
