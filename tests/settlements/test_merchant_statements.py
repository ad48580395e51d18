"""`/vendeur/ventes` shows each settlement of the merchant's own shop, in French."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import Role, VendorOrderStatus
from comptoir.models.settlements import SettlementState, ShopPayoutAccount
from comptoir.settlements import service
from comptoir.settlements.periods import period_containing
from tests.factories import create_shop, create_user
from tests.settlements.support import close, paid_order, refund_in_ledger
from tests.storefront.formtools import browser_login, post_form

NBSP, NNBSP = "\u00a0", "\u202f"
PAYOUT_PAGE = "/vendeur/ventes/compte-de-versement"


def test_merchant_sees_its_settlements_and_not_another_shops(
    client: TestClient, db: Session
) -> None:
    merchant, other = create_user(db, Role.merchant), create_user(db, Role.merchant)
    shop = create_shop(db, merchant, name="Fromagerie des Halles")
    other_shop = create_shop(db, other, name="Le Fournil")
    # Week 1: a part cancelled after payment and refunded: only its fee share, carried.
    order_1, parts_1 = paid_order(db, {shop: 1000})
    refund_in_ledger(db, parts_1[shop.id], 1000)
    parts_1[shop.id].status = VendorOrderStatus.cancelled
    db.commit()
    carried = service.create_settlement(db, shop.id, period_containing(date(2026, 11, 23)),
                                        datetime.now(UTC))  # fmt: skip
    # Week 2: a sale of 123,45 € whose return window closed.
    order_2, parts_2 = paid_order(db, {shop: 12_345, other_shop: 500})
    close(db, parts_2[shop.id])
    planned = service.create_settlement(db, shop.id, period_containing(date(2026, 11, 30)),
                                        datetime.now(UTC))  # fmt: skip
    db.commit()
    assert carried is not None and planned is not None
    assert carried.state == SettlementState.carried and planned.state == SettlementState.planned

    browser_login(client, merchant)
    page = client.get("/vendeur/ventes")
    assert page.status_code == 200
    html = page.text
    assert "Versements" in html
    assert "du lundi 23 novembre 2026 au dimanche 29 novembre 2026" in html
    assert f"n° {order_1.id}" in html and f"n° {order_2.id}" in html
    assert f"123,45{NBSP}€" in html
    assert f"{carried.net_cents / 100:.2f}".replace(".", ",") + f"{NBSP}€" in html
    assert "Reporté" in html and "Prévu" in html and "Virement SEPA" in html
    assert f"-{planned.fee_cents / 100:.2f}".replace(".", ",") in html

    client.cookies.clear()
    browser_login(client, other)
    theirs = client.get("/vendeur/ventes")
    assert theirs.status_code == 200
    assert f"n° {order_1.id}" not in theirs.text
    assert "Aucun versement pour l'instant" in theirs.text


def test_merchant_records_its_bank_account_checked_with_schwifty(
    client: TestClient, db: Session
) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant)
    db.commit()
    assert client.get(PAYOUT_PAGE, follow_redirects=False).status_code in (303, 401)
    browser_login(client, merchant)
    assert "Compte de versement" in client.get(PAYOUT_PAGE).text
    wrong = post_form(client, PAYOUT_PAGE, {"iban": "FR76 3000 6000 0112 3456 7890 188",
                                            "holder": "Fromagerie"}, page=PAYOUT_PAGE)  # fmt: skip
    assert wrong.status_code == 422
    assert "IBAN invalide" in wrong.text
    saved = post_form(client, PAYOUT_PAGE, {"iban": "FR76 3000 6000 0112 3456 7890 189",
                                            "holder": "Fromagerie des Halles"}, page=PAYOUT_PAGE)  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"] == "/vendeur/ventes"
    db.expire_all()
    account = db.get_one(ShopPayoutAccount, shop.id)
    assert (account.iban, account.bic) == ("FR7630006000011234567890189", "AGRIFRPPXXX")
    assert "FR7630006000011234567890189" in client.get(PAYOUT_PAGE).text
