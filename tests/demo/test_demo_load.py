"""Loading the demo town into a real database: what it creates, that a second load adds
nothing, that the documented logins work through the API and that search finds the products."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import (
    DeliveryKind,
    DeliveryMode,
    Message,
    OpeningHours,
    PickupSlotRule,
    Product,
    Role,
    Shop,
    ShopClosure,
    ShopStatus,
    User,
)
from comptoir.models.settlements import (
    PayoutMethod,
    SettlementState,
    ShopPayoutAccount,
)
from comptoir.services.payments import stripe_client
from comptoir.settlements import payouts, service
from comptoir.settlements.periods import period_containing
from demo.accounts import DEMO_LOGINS, DEMO_PASSWORD, MERCHANT_LABEL, OPERATOR_LABEL
from demo.load import LoadReport, load_demo
from demo.town import OPERATOR, SHOPS, shop_by_assortment
from tests.conftest import MailSink
from tests.settlements.support import close, paid_order

# The load opens Stripe Connect accounts for some shops: on the run's localstripe.
pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("localstripe")]

ROLE_OF_LABEL = {OPERATOR_LABEL: Role.operator, MERCHANT_LABEL: Role.merchant}


def load(db: Session) -> LoadReport:
    report = load_demo(db)
    db.commit()  # the API reads through its own sessions
    return report


def count(db: Session, model: type, *conditions: object) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*conditions)) or 0  # type: ignore[arg-type]


def table_counts(db: Session) -> dict[str, int]:
    models = (User, Shop, OpeningHours, ShopClosure, PickupSlotRule, DeliveryMode, Product, Message)
    return {model.__tablename__: count(db, model) for model in models}


def login(client: TestClient, email: str, password: str) -> dict[str, object]:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, (email, response.text)
    body: dict[str, object] = response.json()
    return body


def search(client: TestClient, q: str, **params: object) -> dict[str, object]:
    response = client.get("/api/products/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def names(result: dict[str, object]) -> list[str]:
    return [item["name"] for item in result["items"]]  # type: ignore[index,union-attr,attr-defined]


def test_the_load_creates_the_town_with_its_settings(db: Session) -> None:
    report = load(db)
    approved = db.scalars(select(Shop).where(Shop.status == ShopStatus.approved)).all()
    assert len(approved) >= 12
    assert len({shop.trade for shop in approved}) == len(approved)
    assert all(shop.approved_at is not None and shop.return_policy for shop in approved)
    pending = db.scalars(select(Shop).where(Shop.status == ShopStatus.pending)).all()
    assert [shop.slug for shop in pending] == [shop_by_assortment("savonnerie").slug]
    assert report.shops == len(SHOPS)

    approved_ids = [shop.id for shop in approved]
    public_products = count(db, Product, Product.shop_id.in_(approved_ids), Product.active)
    assert public_products >= 600
    assert count(db, Product, Product.requires_confirmation) >= 30
    assert count(db, Product, Product.promo_price_cents.is_not(None)) >= 30
    assert count(db, Product, Product.stock == 0) >= len(SHOPS)
    assert count(db, Product, Product.category_id.is_(None)) == 0

    for shop in approved:
        assert count(db, OpeningHours, OpeningHours.shop_id == shop.id) >= 5, shop.slug
        assert count(db, ShopClosure, ShopClosure.shop_id == shop.id) >= 1, shop.slug
        assert count(db, DeliveryMode, DeliveryMode.shop_id == shop.id) >= 1, shop.slug
    assert count(db, ShopClosure, ShopClosure.start_date <= date.today()) == 0
    assert count(db, PickupSlotRule) > 0
    shipping = db.scalars(
        select(DeliveryMode).where(DeliveryMode.kind == DeliveryKind.shipping)
    ).all()
    assert shipping and all(mode.price_cents > 0 for mode in shipping)
    assert any(mode.free_above_cents for mode in shipping)
    assert count(db, DeliveryMode, DeliveryMode.kind == DeliveryKind.local_delivery) >= 3

    roles = dict(
        db.execute(select(User.role, func.count()).group_by(User.role)).tuples().all()
    )
    assert roles == {Role.operator: 1, Role.shopper: 3, Role.merchant: len(SHOPS)}
    owners = db.execute(select(Shop.slug, User.email).join(User, User.id == Shop.owner_id))
    assert dict(owners.tuples().all()) == {shop.slug: shop.owner.email for shop in SHOPS}
    assert count(db, Message) == report.messages > 0


def test_loading_twice_adds_nothing_and_a_removed_product_comes_back(db: Session) -> None:
    first = load(db)
    counts = table_counts(db)
    assert first.products == counts["products"]

    second = load(db)
    assert (second.users, second.shops, second.products, second.messages) == (0, 0, 0, 0)
    assert second.payout_accounts == 0
    assert table_counts(db) == counts

    # What a merchant changed stays changed; what is missing is added back, nothing else.
    croissant = db.scalar(select(Product).where(Product.name.startswith("Croissant pur beurre")))
    assert croissant is not None
    croissant.price_cents = 150
    db.delete(db.scalar(select(Product).where(Product.name == "Baguette classique")))
    db.commit()
    third = load(db)
    assert third.products == 1
    assert table_counts(db) == counts
    db.refresh(croissant)
    assert croissant.price_cents == 150


def test_every_demo_login_works_through_the_api(db: Session, client: TestClient) -> None:
    load(db)
    for label, email, password in DEMO_LOGINS:
        assert password == DEMO_PASSWORD
        session = login(client, email, password)
        user = session["user"]
        assert user["email"] == email  # type: ignore[index]
        expected = ROLE_OF_LABEL.get(label, Role.shopper if "@exemple" in email else Role.merchant)
        assert user["role"] == expected.value, label  # type: ignore[index]
    wrong = client.post("/api/auth/login", json={"email": OPERATOR.email, "password": "nope"})
    assert wrong.status_code == 401


def test_search_finds_demo_products_despite_typos_and_missing_accents(
    db: Session, client: TestClient
) -> None:
    load(db)
    assert names(search(client, "croisant"))[0].startswith("Croissant pur beurre")
    assert names(search(client, "baguete tradition"))[0] == "Baguette de tradition française"
    assert "Pâte à tartiner noisette" in names(search(client, "pate a tartiner"))
    cheeses = search(client, "chevre", shop="fromagerie-le-petit-affineur")
    assert "Sainte-Maure-de-Touraine AOP" in names(cheeses)
    wines = search(client, "saumur champigny")
    assert names(wines) and all("Saumur-Champigny" in name for name in names(wines))
    facets = search(client, "", page_size=1)["facets"]
    assert len(facets["shops"]) == len(SHOPS) - 1  # type: ignore[index]
    # The merchant still waiting for approval is not public yet.
    assert search(client, "savon au lait d'anesse")["total"] == 0


def test_the_operator_approves_the_waiting_merchant_and_its_products_appear(
    db: Session, client: TestClient, mail_sink: MailSink
) -> None:
    load(db)
    waiting = shop_by_assortment("savonnerie")
    shop_id = db.scalar(select(Shop.id).where(Shop.slug == waiting.slug))
    token = login(client, OPERATOR.email, DEMO_PASSWORD)["token"]
    mail_sink.clear()

    response = client.post(
        f"/api/operator/shops/{shop_id}/approve",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200, response.text
    assert names(search(client, "savon au lait d'anesse"))[0] == "Savon au lait d'ânesse"
    assert mail_sink.to(waiting.owner.email), "the merchant is told their shop is open"


def test_demo_shops_are_paid_through_connect_or_by_sepa_transfer(db: Session) -> None:
    report = load(db)
    accounts = db.scalars(select(ShopPayoutAccount).order_by(ShopPayoutAccount.shop_id)).all()
    connect = [a for a in accounts if a.stripe_account_id]
    sepa = [a for a in accounts if a.iban and not a.stripe_account_id]
    assert len(connect) >= 3 and len(sepa) >= 3 and report.payout_accounts == len(accounts)
    for account in connect:  # opened on the local Stripe at load time
        opened = stripe_client().v1.accounts.retrieve(account.stripe_account_id)
        assert opened.id == account.stripe_account_id and opened.payouts_enabled
    assert all(a.bic and a.holder for a in sepa)

    # A week of sales of one shop of each kind: one is paid by a Transfer, the other waits
    # for the operator's SEPA file.
    week = period_containing(date(2026, 11, 23))
    paths: dict[PayoutMethod, SettlementState] = {}
    for account in (connect[0], sepa[0]):
        shop = db.get_one(Shop, account.shop_id)
        _, parts = paid_order(db, {shop: 2500})
        close(db, parts[shop.id])
        settlement = service.create_settlement(db, shop.id, week, datetime.now(UTC))
        assert settlement is not None
        settlement = payouts.pay_settlement(db, settlement.id)
        db.commit()
        paths[settlement.payout_method] = settlement.state
    assert paths == {PayoutMethod.connect: SettlementState.paid, PayoutMethod.sepa: SettlementState.planned}
