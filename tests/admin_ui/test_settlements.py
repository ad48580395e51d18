"""The console's settlements page: filters, the SEPA file, mark paid, payout retry; audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import xmlschema
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from comptoir.models import AuditLog, CreditNote, LedgerEntry, LedgerKind, User
from comptoir.models.settlements import SepaBatch, Settlement, SettlementState
from comptoir.services import commission
from comptoir.services.operations import orders as order_queries
from comptoir.services.operations import settlements as settlement_operations
from comptoir.settlements import payouts, service
from comptoir.settlements.payout_details import set_payout_account
from comptoir.settlements.periods import period_containing
from tests.admin_ui.console import act, errors_of, open_order, open_page
from tests.admin_ui.order_factories import add_invoice, add_refund, make_order, parts_of
from tests.conftest import restore_env, set_env
from tests.factories import create_shop
from tests.lifecycle_support import wait_for
from tests.settlements.support import close, paid_order
from tests.settlements.test_payouts import PAIN_001

pytestmark = pytest.mark.timeout(120)
WEEK = period_containing(date(2026, 11, 23))


def _settled(db: Session, name: str, price: int, **payout: str) -> Settlement:
    shop = create_shop(db, name=name)
    set_payout_account(db, shop.id, **payout)
    _, parts = paid_order(db, {shop: price})
    close(db, parts[shop.id])
    settlement = service.create_settlement(db, shop.id, WEEK, datetime.now(UTC))
    db.commit()
    assert settlement is not None
    return settlement


def test_operator_writes_the_sepa_file_then_marks_a_settlement_paid(
    db: Session, operator: User
) -> None:
    sepa_one = _settled(db, "Boulangerie Roux", 4200, iban="FR7630006000011234567890189",
                        holder="Boulangerie Roux")  # fmt: skip
    _settled(db, "Fromagerie", 2500, stripe_account_id="acct_1Fromagerie")
    app = open_page(db, operator, "settlements")
    assert not errors_of(app)
    table = app.dataframe[0].value
    assert sorted(table["boutique"]) == ["Boulangerie Roux", "Fromagerie"]
    assert set(table["état"]) == {"Prévu"}
    app = act(app, "settlements_sepa", "Virements de la semaine 48.")
    assert not errors_of(app), errors_of(app)
    assert "1 virement," in app.success[0].value
    batch = db.scalars(select(SepaBatch)).one()
    xmlschema.XMLSchema(str(PAIN_001)).validate(batch.xml)
    db.expire_all()
    assert db.get_one(Settlement, sepa_one.id).state == SettlementState.sent
    assert any(b.label.startswith(f"Fichier n° {batch.id}") for b in app.get("download_button"))

    app = open_page(db, operator, "settlements", settlements_chosen=sepa_one.id)
    app = act(app, f"settlements_paid_{sepa_one.id}", "Relevé bancaire du 9 décembre.")
    assert not errors_of(app), errors_of(app)
    db.expire_all()
    assert db.get_one(Settlement, sepa_one.id).state == SettlementState.paid
    journal = db.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(a.action, a.target) for a in journal] == [
        ("settlement.sepa_file", f"sepa:{batch.id}"),
        ("settlement.mark_paid", f"settlement:{sepa_one.id}"),
    ]
    assert all(a.actor_id == operator.id for a in journal)


def test_operator_filters_by_state_and_retries_a_failed_payout(
    db: Session, operator: User, localstripe: str, order_worker: object, temporal_server: str
) -> None:
    # The console talks to the run's dev server, where the real worker polls; the retry's
    # workflow id derives from the settlement id, which must not repeat on that server.
    previous = set_env({"COMPTOIR_TEMPORAL_ADDRESS": temporal_server})
    db.execute(text("SELECT setval(pg_get_serial_sequence('settlements', 'id'), 900000)"))
    db.commit()
    try:
        _retry_a_failed_payout(db, operator)
    finally:
        restore_env(previous)


def _retry_a_failed_payout(db: Session, operator: User) -> None:
    failed = _settled(db, "Caviste", 3000, stripe_account_id="acct_fermé")
    _settled(db, "Primeur", 1200, iban="FR7630006000011234567890189", holder="Primeur")
    assert payouts.pay_settlement(db, failed.id).state == SettlementState.failed
    db.commit()
    account = str(payouts.stripe_client().v1.accounts.create(params={}).id)
    set_payout_account(db, failed.shop_id, stripe_account_id=account)
    db.commit()
    app = open_page(db, operator, "settlements", settlements_state="failed")
    assert list(app.dataframe[0].value["boutique"]) == ["Caviste"]
    app = act(app, f"settlements_retry_{failed.id}", "Compte Connect corrigé par le commerçant.")
    assert not errors_of(app), errors_of(app)
    assert "Virement relancé" in app.success[0].value

    def paid() -> Settlement | None:
        db.expire_all()
        row = db.get_one(Settlement, failed.id)
        return row if row.state == SettlementState.paid else None

    done = wait_for(paid, timeout=60, what="the retried payout")
    transfers = payouts.stripe_client().v1.transfers.list(params={"destination": account}).data
    assert [t.id for t in transfers] == [done.stripe_transfer_id]
    audit = db.scalars(select(AuditLog)).one()
    assert (audit.action, audit.target) == ("settlement.retry_payout", f"settlement:{failed.id}")


def test_operator_downloads_commission_invoices_and_credit_notes(
    db: Session, operator: User
) -> None:
    cellar, florist = create_shop(db, name="Caviste Morel"), create_shop(db, name="Fleuriste")
    order = make_order(db, shops=[cellar], price_cents=2400)
    db.add(LedgerEntry(entry_key=f"fee:{order.id}", shop_id=cellar.id, order_id=order.id,
                       kind=LedgerKind.fee, amount_cents=-59,
                       created_at=datetime(2026, 11, 12, 10, tzinfo=UTC)))  # fmt: skip
    db.commit()
    invoice = commission.issue_commission_invoice(db, cellar.id, date(2026, 11, 1))
    db.commit()
    assert invoice is not None
    label = f"{invoice.number} — Caviste Morel, novembre 2026 : 0,59\u00a0€ TTC (1 paiement(s))"

    app = open_page(db, operator, "settlements")
    assert not errors_of(app), errors_of(app)
    assert label in [b.label for b in app.get("download_button")]
    pdf = settlement_operations.commission_invoice_pdf(invoice.id)
    assert pdf.startswith(b"%PDF") and pdf == bytes(
        commission.get_commission_invoice(db, invoice.id, with_pdf=True).pdf
    )
    # Another shop chosen: not its invoice.
    app = open_page(db, operator, "settlements", settlements_shop=florist.id)
    assert label not in [b.label for b in app.get("download_button")]
    assert "Aucune facture de commission pour ces filtres." in [c.value for c in app.caption]

    # The order page: the invoice and the credit note that corrects it, both to download.
    [part] = parts_of(db, order)
    shop_invoice = add_invoice(db, part)
    refund = add_refund(db, order, 500, reason="Bouteille bouchonnée")
    db.add(CreditNote(refund_id=refund.id, invoice_id=shop_invoice.id, vendor_order_id=part.id,
                      shop_id=cellar.id, sequence=1, number=f"A-{cellar.id:04d}-000001",
                      issued_at=datetime.now(UTC), credited={"delivery": 0}, total_ht_cents=417,
                      total_vat_cents=83, total_ttc_cents=500, pdf=b"%PDF-1.4 avoir"))  # fmt: skip
    db.commit()
    app = open_order(db, operator, order.id)
    assert not errors_of(app), errors_of(app)
    assert [b.label for b in app.get("download_button")] == [
        f"Télécharger la facture {shop_invoice.number}",
        f"Télécharger l'avoir A-{cellar.id:04d}-000001",
    ]
    notes = [t.value for t in app.table if "émis le" in t.value.columns]
    assert notes[0]["facture d'origine"].tolist() == [shop_invoice.number]
    note_id = db.scalars(select(CreditNote.id)).one()
    assert order_queries.credit_note_pdf(note_id) == b"%PDF-1.4 avoir"
