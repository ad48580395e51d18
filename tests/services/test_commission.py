"""The platform's monthly commission invoice to each shop: the fees it bore, VAT 20 %
included, once per shop and month, numbered without gaps, Factur-X."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from facturx import facturx as fx
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.db import get_sessionmaker
from comptoir.invoices.commission import main as commission_cli
from comptoir.models import CommissionInvoice, LedgerEntry, LedgerKind
from comptoir.services import commission
from tests.factories import create_order, create_product, create_shop, create_user

pytestmark = pytest.mark.timeout(120)
NOVEMBER = date(2026, 11, 1)


def _fee(
    db: Session, shop_id: int, cents: int, at: datetime, kind: LedgerKind = LedgerKind.fee
) -> None:
    order = create_order(
        db, create_user(db), [(create_product(db, db.get_one(commission.Shop, shop_id)), 1)]
    )
    db.add(
        LedgerEntry(
            entry_key=f"{kind.value}:{order.id}",
            shop_id=shop_id,
            order_id=order.id,
            kind=kind,
            amount_cents=-cents,
            created_at=at,
        )
    )
    db.flush()


def test_monthly_commission_invoice_of_the_fees_borne(db: Session) -> None:
    shop = create_shop(db, legal_name="Fromagerie des Halles SARL")
    _fee(db, shop.id, 151, datetime(2026, 11, 3, 10, tzinfo=UTC))
    _fee(db, shop.id, 89, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))  # 1 Dec in Paris
    _fee(db, shop.id, 200, datetime(2026, 11, 20, tzinfo=UTC))
    _fee(db, shop.id, -50, datetime(2026, 11, 21, tzinfo=UTC), LedgerKind.fee_adjustment)
    _fee(db, shop.id, 999, datetime(2026, 10, 31, 22, 59, tzinfo=UTC))  # 31 Oct in Paris
    db.commit()
    invoice = commission.issue_commission_invoice(db, shop.id, NOVEMBER)
    db.commit()
    assert invoice is not None and invoice.number == "C-000001"
    assert invoice.payments_count == 2
    # 151 + 200 - 50 = 301 TTC at 20 %: 251 HT + 50 VAT.
    assert (invoice.total_ttc_cents, invoice.total_ht_cents, invoice.total_vat_cents) == (
        301,
        251,
        50,
    )
    again = commission.issue_commission_invoice(db, shop.id, date(2026, 11, 17))
    assert again is not None and again.id == invoice.id
    pdf = bytes(commission.get_commission_invoice(db, invoice.id, with_pdf=True).pdf)
    _, xml = fx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert fx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert b"<ram:RateApplicablePercent>20.00</ram:RateApplicablePercent>" in xml
    assert b"Fromagerie des Halles SARL" in xml and b"Comptoir SAS" in xml
    text = " ".join(
        subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode()
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
        .split()
    )
    assert "FACTURE" in text and "Période novembre 2026" in text
    assert "Frais de paiement en ligne de novembre 2026 (2 paiements" in text
    assert "Comptoir SAS (SAS), capital de 10 000,00 €" in text
    assert "Pas d'escompte pour paiement anticipé." in text  # B2B mentions
    assert "mandat de facturation" not in text  # the platform bills in its own name


def test_no_invoice_without_fees_and_numbers_without_gaps(db: Session) -> None:
    shops = [create_shop(db) for _ in range(4)]
    idle = create_shop(db)
    for shop in shops:
        _fee(db, shop.id, 100, datetime(2026, 11, 10, tzinfo=UTC))
    db.commit()
    assert commission.issue_commission_invoice(db, idle.id, NOVEMBER) is None

    def issue(shop_id: int) -> str:
        with get_sessionmaker()() as session:
            invoice = commission.issue_commission_invoice(session, shop_id, NOVEMBER)
            assert invoice is not None
            session.commit()
            return invoice.number

    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(pool.map(issue, [s.id for s in shops] * 2))
    assert numbers[:4] == numbers[4:]
    assert sorted(numbers[:4]) == ["C-000001", "C-000002", "C-000003", "C-000004"]


def test_cli_issues_the_month_once(db: Session, capsys: pytest.CaptureFixture[str]) -> None:
    shop = create_shop(db)
    _fee(db, shop.id, 120, datetime(2026, 11, 10, tzinfo=UTC))
    db.commit()
    commission_cli(["--month", "2026-11"])
    commission_cli(["--month", "2026-11"])
    assert "1 facture de commission pour novembre 2026." in capsys.readouterr().out
    db.rollback()
    assert len(db.scalars(select(CommissionInvoice)).all()) == 1
    with pytest.raises(SystemExit):
        commission_cli(["--month", "novembre"])
