"""The console speaks French: stages and audited actions by their labels; pending merchant
approvals on the "À traiter" page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from comptoir.domain.labels import console_audit_action_label, console_stage_label
from comptoir.models import AuditLog, ShopStatus, User
from tests.admin_ui.console import errors_of, open_order, open_page
from tests.admin_ui.order_factories import make_order
from tests.factories import create_shop

pytestmark = pytest.mark.timeout(120)


def test_stage_and_action_codes_have_french_labels() -> None:
    assert console_stage_label("fulfilment") == "Préparation par les boutiques"
    assert console_stage_label("closed") == "Clôturée"
    assert console_stage_label("awaiting_payment") == "En attente de paiement"
    assert console_audit_action_label("shop.approve") == "Boutique validée"
    assert console_audit_action_label("order.retry") == "Étape relancée"
    assert console_stage_label("inconnu") == "inconnu"  # never hidden


def test_order_and_merchant_pages_show_labels_not_codes(db: Session, operator: User) -> None:
    order = make_order(db, stage="fulfilment")
    shop = create_shop(db, name="Savonnerie de la Levée")
    db.add(AuditLog(actor_id=operator.id, action="shop.approve", target=f"shop:{shop.id}",
                    reason="Commerce du territoire"))  # fmt: skip
    db.commit()
    app = open_order(db, operator, order.id)
    assert not errors_of(app)
    assert {m.label: m.value for m in app.metric}["Étape"] == "Préparation par les boutiques"
    listed = [t.value for t in app.table if "étape" in t.value.columns][0]
    assert list(listed["étape"]) == ["Préparation par les boutiques"]
    merchants = open_page(db, operator, "merchants")
    decisions = [t.value for t in merchants.table if "action" in t.value.columns][0]
    assert list(decisions["action"]) == ["Boutique validée"]


def test_pending_approvals_are_on_the_stuck_page(db: Session, operator: User) -> None:
    create_shop(db, name="Savonnerie de la Levée", status=ShopStatus.pending,
                created_at=datetime.now(UTC) - timedelta(days=2))  # fmt: skip
    create_shop(db, name="Boulangerie Martin")  # approved: not listed
    db.commit()
    app = open_page(db, operator, "stuck")
    assert not errors_of(app)
    assert {m.label: m.value for m in app.metric}["Boutiques à valider"] == "1"
    (pending,) = [d.value for d in app.dataframe if "boutique" in d.value.columns]
    assert list(pending["boutique"]) == ["Savonnerie de la Levée"]
    assert pending.iloc[0]["attente"].startswith("2 j")
    app.button(key="stuck_open_merchants").click().run()
    assert not errors_of(app)
    assert "Commerçants" in [t.value for t in app.title]
