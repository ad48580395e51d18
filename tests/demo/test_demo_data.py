"""The demo town as plain data: enough shops and products, valid by the platform's own rules,
and the logins README.md documents are the ones the loader creates."""

from __future__ import annotations

from collections import Counter
from datetime import date

from comptoir.models import DeliveryKind, ShopStatus
from comptoir.services.contact_fields import check_phone, check_siret, check_vat_number
from comptoir.services.products import VAT_RATES_BP, product_problems
from demo.accounts import DEMO_LOGINS, DEMO_PASSWORD
from demo.assortments import ASSORTMENTS
from demo.catalogue import ProductDraft, generate_products
from demo.town import OPERATOR, SHOPPERS, SHOPS, DemoShop
from tests.conftest import ROOT

APPROVED = [shop for shop in SHOPS if shop.status == ShopStatus.approved]


def drafts_of(shop: DemoShop) -> list[ProductDraft]:
    return generate_products(shop.sku_prefix, ASSORTMENTS[shop.assortment], shop.slug)


def test_at_least_twelve_approved_shops_of_different_trades_and_one_pending() -> None:
    assert len(APPROVED) >= 12
    assert len({shop.trade for shop in APPROVED}) == len(APPROVED)
    for trade in ("boulangerie", "fromagerie", "librairie", "fleuriste", "caviste", "primeur"):
        assert trade in {shop.assortment for shop in APPROVED}
    assert [shop.status for shop in SHOPS if shop not in APPROVED] == [ShopStatus.pending]


def test_every_shop_has_hours_delivery_modes_and_a_return_policy() -> None:
    kinds: Counter[DeliveryKind] = Counter()
    for shop in SHOPS:
        assert shop.hours, shop.slug
        assert DeliveryKind.pickup in {mode.kind for mode in shop.deliveries}, shop.slug
        assert "14 jours" in shop.return_policy, shop.slug
        kinds.update(mode.kind for mode in shop.deliveries)
        for mode in shop.deliveries:
            assert isinstance(mode.price_cents, int) and mode.price_cents >= 0
            if mode.kind == DeliveryKind.pickup:
                assert mode.price_cents == 0
    assert kinds[DeliveryKind.local_delivery] >= 3
    assert kinds[DeliveryKind.shipping] >= 3
    shipping = [m for s in SHOPS for m in s.deliveries if m.kind == DeliveryKind.shipping]
    assert all(mode.price_cents > 0 for mode in shipping)
    assert any(mode.free_above_cents for mode in shipping)
    assert any(mode.free_above_cents is None for mode in shipping)
    assert sum(1 for shop in APPROVED if shop.pickup_slots) >= 6
    assert sum(1 for shop in APPROVED if shop.closures) == len(APPROVED)


def test_closures_always_start_after_the_load_day() -> None:
    # add_closure refuses past closures: a date already gone this year must move to next year.
    for today in (date(2026, 1, 1), date(2026, 8, 12), date(2026, 12, 31)):
        for shop in SHOPS:
            for closure in shop.closures:
                start, end = closure.dates(today)
                assert today < start <= end, (shop.slug, closure.reason, today)


def test_legal_identifiers_pass_the_platform_checks() -> None:
    for shop in SHOPS:
        assert check_siret(shop.siret) == shop.siret
        assert check_vat_number(shop.vat_number) == shop.vat_number
        assert shop.siret[:9] == shop.vat_number[4:], shop.slug  # same SIREN
        check_phone(shop.phone, required=True)


def test_at_least_600_valid_products_in_the_approved_shops() -> None:
    approved_drafts = [draft for shop in APPROVED for draft in drafts_of(shop)]
    assert len(approved_drafts) >= 600
    for shop in SHOPS:
        drafts = drafts_of(shop)
        assert len({d.sku for d in drafts}) == len(drafts), shop.slug
        assert len({d.name for d in drafts}) == len(drafts), shop.slug
        assert any(d.stock == 0 for d in drafts) and any(d.promo_price_cents for d in drafts)
    for draft in approved_drafts:
        values = {
            "name": draft.name, "sku": draft.sku, "brand": draft.brand,
            "unit_label": draft.unit_label, "price_cents": draft.price_cents,
            "promo_price_cents": draft.promo_price_cents, "vat_rate_bp": draft.vat_rate_bp,
            "stock": draft.stock,
        }  # fmt: skip
        assert product_problems(values) == [], draft
        assert draft.description
    assert {d.vat_rate_bp for d in approved_drafts} <= set(VAT_RATES_BP)
    assert {550, 1000, 2000} <= {d.vat_rate_bp for d in approved_drafts}
    assert sum(d.requires_confirmation for d in approved_drafts) >= 30
    assert sum(d.promo_price_cents is not None for d in approved_drafts) >= 30


def test_products_are_the_same_on_every_run() -> None:
    shop = APPROVED[0]
    assert drafts_of(shop) == drafts_of(shop)


def test_demo_logins_cover_every_account_with_the_documented_password() -> None:
    emails = [email for _, email, _ in DEMO_LOGINS]
    expected = [OPERATOR.email, *(p.email for p in SHOPPERS), *(s.owner.email for s in SHOPS)]
    assert emails == expected
    assert {password for _, _, password in DEMO_LOGINS} == {DEMO_PASSWORD}
    readme = (ROOT / "README.md").read_text()
    assert "<!-- DEMO-LOGINS -->" not in readme
    assert f"`{DEMO_PASSWORD}`" in readme
    for email in emails:
        local, domain = email.split("@")
        # Merchants are listed by the part before "@montlouvier.test".
        assert f"`{email}`" in readme or (domain == "montlouvier.test" and f"`{local}`" in readme)
