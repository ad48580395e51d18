"""`python -m demo.load`: load the demo town of Montlouvier-sur-Loire.

Safe to run again (`COMPTOIR_LOAD_DEMO=force make run`): an account, a shop or a product
that is already there is left as it is (the merchant may have changed it since), only
what is missing is added. Some shops are paid through Stripe Connect (an account is opened
for them on the local Stripe), others by SEPA transfer (an IBAN), so both payout paths show. Everything is loaded in one transaction, so an interrupted load
leaves nothing half done. Shop settings go through the same services the merchants use,
so the demo data obeys the platform's rules; products are validated, then bulk-inserted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import stripe
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from tqdm import tqdm

from comptoir.db import session_scope
from comptoir.domain.paris_time import to_paris
from comptoir.errors import DomainError
from comptoir.media.drawn import give_drawn_photos
from comptoir.models import Category, Message, Product, Role, Shop, ShopStatus, User
from comptoir.models.settlements import ShopPayoutAccount
from comptoir.security import hash_password
from comptoir.services.accounts import check_password_strength
from comptoir.services.payments import stripe_client
from comptoir.services.products import product_problems
from comptoir.services.shops import (
    add_closure,
    add_delivery_mode,
    replace_opening_hours,
    replace_pickup_slot_rules,
    update_shop,
)
from comptoir.settlements.payout_details import set_payout_account
from demo.accounts import DEMO_PASSWORD
from demo.assortments import ASSORTMENTS
from demo.catalogue import CATEGORIES, ProductDraft, generate_products
from demo.messages import CONVERSATIONS
from demo.town import OPERATOR, POSTAL_CODE, SHOPPERS, SHOPS, TOWN_NAME, DemoShop, Person


@dataclass
class LoadReport:
    """What one load added (zero everywhere when everything was already there)."""

    users: int = 0
    shops: int = 0
    products: int = 0
    messages: int = 0
    payout_accounts: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"demo data: {self.users} accounts, {self.shops} shops, {self.products} products, "
            f"{self.messages} messages, {self.payout_accounts} payout accounts added in "
            f"{self.seconds:.1f} s"
        )


def _now() -> datetime:
    return datetime.now(UTC)


def ensure_categories(db: Session) -> dict[str, int]:
    """The shared categories (inserted when missing), as slug → id."""
    db.execute(
        insert(Category)
        .values([{"slug": slug, "name": name} for slug, name in CATEGORIES])
        .on_conflict_do_nothing(index_elements=["slug"])
    )
    slugs = [slug for slug, _ in CATEGORIES]
    rows = db.execute(select(Category.slug, Category.id).where(Category.slug.in_(slugs)))
    return {slug: category_id for slug, category_id in rows.tuples()}


def ensure_user(
    db: Session, person: Person, role: Role, password_hash: str, report: LoadReport
) -> User:
    """The account of `person`, created with the demo password unless it exists already."""
    existing = db.scalar(select(User).where(func.lower(User.email) == person.email.lower()))
    if existing is not None:
        # Never reset a password or a role someone may have changed while trying the demo.
        return existing
    user = User(
        email=person.email,
        password_hash=password_hash,
        role=role,
        first_name=person.first_name,
        last_name=person.last_name,
        phone=person.phone,
    )
    db.add(user)
    db.flush()
    report.users += 1
    return user


def create_shop(db: Session, demo: DemoShop, owner: User, today: date) -> Shop:
    """A new shop with its settings, each checked by the services merchants use."""
    approved = demo.status == ShopStatus.approved
    shop = Shop(
        owner_id=owner.id,
        slug=demo.slug,
        status=demo.status,
        approved_at=_now() if approved else None,
    )
    db.add(shop)
    update_shop(
        db,
        shop,
        {
            "name": demo.name,
            "trade": demo.trade,
            "legal_name": demo.legal_name,
            "siret": demo.siret,
            "vat_number": demo.vat_number,
            "description": demo.description,
            "address_line": demo.address_line,
            "postal_code": POSTAL_CODE,
            "city": TOWN_NAME,
            "phone": demo.phone,
            "email": demo.email,
            "return_policy": demo.return_policy,
        },
    )
    replace_opening_hours(db, shop, list(demo.hours))
    slot_rules = [rule for slots in demo.pickup_slots for rule in slots.rules()]
    replace_pickup_slot_rules(db, shop, slot_rules)
    for closure in demo.closures:
        start, end = closure.dates(today)
        add_closure(db, shop, start, end, closure.reason)
    for mode in demo.deliveries:
        add_delivery_mode(db, shop, mode.kind, mode.label, mode.price_cents, mode.free_above_cents)
    return shop


def add_payout_account(db: Session, shop: Shop, demo: DemoShop, report: LoadReport) -> None:
    """Where the shop is paid, unless it says so already: a Connect account opened on the
    (local) Stripe, or its IBAN; checked by the service merchants use."""
    if demo.payout is None or db.get(ShopPayoutAccount, shop.id) is not None:
        return
    account_id = ""
    if demo.payout.stripe_connect:
        try:
            account = stripe_client().v1.accounts.create(
                params={"type": "express", "country": "FR", "email": demo.email,
                        "metadata": {"demo_shop": demo.slug}}
            )  # fmt: skip
        except stripe.StripeError as error:  # no Stripe reachable: paid by SEPA, or not yet
            print(f"demo data: no Connect account for {demo.slug}: {error}", file=sys.stderr)
            return
        account_id = str(account.id)
    set_payout_account(
        db, shop.id, stripe_account_id=account_id, iban=demo.payout.iban, holder=demo.payout.holder
    )
    report.payout_accounts += 1


def _product_row(shop_id: int, category_id: int, draft: ProductDraft) -> dict[str, object]:
    row: dict[str, object] = {
        "shop_id": shop_id,
        "category_id": category_id,
        "sku": draft.sku,
        "name": draft.name,
        "brand": draft.brand,
        "description": draft.description,
        "price_cents": draft.price_cents,
        "promo_price_cents": draft.promo_price_cents,
        "vat_rate_bp": draft.vat_rate_bp,
        "stock": draft.stock,
        "requires_confirmation": draft.requires_confirmation,
        "unit_label": draft.unit_label,
        "returnable": draft.returnable,
        "active": True,
    }
    problems = product_problems(row)
    if problems:  # a mistake in the demo data, not a user's: say which product
        raise ValueError(f"demo product {draft.sku} ({draft.name}): {'; '.join(problems)}")
    return row


def add_missing_products(
    db: Session, shop: Shop, drafts: Iterable[ProductDraft], categories: dict[str, int]
) -> int:
    """Insert the drafts whose SKU the shop does not have yet; how many were inserted."""
    existing = set(db.scalars(select(Product.sku).where(Product.shop_id == shop.id)))
    rows = [
        _product_row(shop.id, categories[draft.category], draft)
        for draft in drafts
        if draft.sku not in existing
    ]
    if rows:
        # One executemany instead of ~50 ORM flushes per shop.
        db.execute(insert(Product), rows)
    return len(rows)


def add_conversations(db: Session, report: LoadReport) -> None:
    """The demo messages, for each conversation that does not exist yet."""
    now = _now()
    for conversation in CONVERSATIONS:
        shopper = db.scalar(
            select(User).where(func.lower(User.email) == conversation.shopper_email.lower())
        )
        shop = db.scalar(select(Shop).where(Shop.slug == conversation.shop_slug))
        if shopper is None or shop is None:
            continue
        already = db.scalar(
            select(Message.id)
            .where(Message.shop_id == shop.id, Message.shopper_id == shopper.id)
            .limit(1)
        )
        if already is not None:
            continue
        for demo in conversation.messages:
            sent_at = now - timedelta(hours=demo.hours_ago)
            db.add(
                Message(
                    shop_id=shop.id,
                    shopper_id=shopper.id,
                    sender_id=shop.owner_id if demo.from_shop else shopper.id,
                    from_shop=demo.from_shop,
                    body=demo.body,
                    created_at=sent_at,
                    read_at=sent_at + timedelta(hours=1) if demo.read else None,
                )
            )
            report.messages += 1
    db.flush()


def load_demo(db: Session, today: date | None = None, progress: bool = False) -> LoadReport:
    """Add whatever part of the demo town is missing; the caller commits."""
    started = time.perf_counter()
    report = LoadReport()
    check_password_strength(DEMO_PASSWORD)  # the documented logins must be usable
    today = today or to_paris(_now()).date()
    # Every demo account has the same published password: one Argon2 hash (~0.1 s) serves
    # them all, instead of nineteen that would make most of the load time.
    password_hash = hash_password(DEMO_PASSWORD)
    categories = ensure_categories(db)
    ensure_user(db, OPERATOR, Role.operator, password_hash, report)
    for shopper in SHOPPERS:
        ensure_user(db, shopper, Role.shopper, password_hash, report)
    bar = tqdm(SHOPS, desc="Montlouvier-sur-Loire", unit="shop", disable=not progress)
    for demo in bar:
        bar.set_postfix_str(demo.name, refresh=False)
        owner = ensure_user(db, demo.owner, Role.merchant, password_hash, report)
        shop = db.scalar(select(Shop).where(Shop.slug == demo.slug))
        if shop is None:
            shop = create_shop(db, demo, owner, today)
            report.shops += 1
        add_payout_account(db, shop, demo, report)
        drafts = generate_products(demo.sku_prefix, ASSORTMENTS[demo.assortment], demo.slug)
        report.products += add_missing_products(db, shop, drafts, categories)
    bar.close()
    give_drawn_photos(db)
    add_conversations(db, report)
    report.seconds = time.perf_counter() - started
    return report


def main() -> int:
    """Load the demo town into DATABASE_URL's database (or the embedded one)."""
    try:
        with session_scope() as db:
            report = load_demo(db, progress=True)
    except DomainError as error:  # the demo data broke a platform rule: say which
        print(f"demo data refused: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
