"""Stuck page: every order needing a human, with its reason and age (Temporal down here)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from comptoir.models import OrderStatus, User
from tests.admin_ui.console import errors_of, open_page
from tests.admin_ui.order_factories import add_attention, ago, make_order, parts_of
from tests.factories import create_shop

pytestmark = pytest.mark.timeout(120)


def test_every_reason_is_listed_oldest_first(db: Session, operator: User) -> None:
    shop = create_shop(db, name="Épicerie Lenoir")
    failed = make_order(db, shops=[shop], stage="needs_attention")
    add_attention(
        db, failed, step="issue_invoice", error="SMTP injoignable", created_at=ago(hours=3)
    )
    late = make_order(db, shops=[shop])
    add_attention(
        db,
        late,
        kind="merchant_late",
        step="prepare",
        error="",
        vendor_order=parts_of(db, late)[0],
        created_at=ago(days=2, hours=1),
    )
    flagged = make_order(db, needs_attention=True)
    unpaid = make_order(
        db,
        status=OrderStatus.awaiting_payment,
        stage="waiting_payment",
        payment_deadline=ago(minutes=45),
    )
    unconfirmed = make_order(
        db,
        status=OrderStatus.awaiting_confirmation,
        stage="waiting_confirmation",
        confirmation_deadline=ago(hours=5),
    )
    never_started = make_order(
        db, status=OrderStatus.awaiting_payment, stage="start_pending", created_at=ago(minutes=10)
    )
    # Not stuck: a fresh start_pending, a payment still in time, a resolved item.
    make_order(
        db, status=OrderStatus.awaiting_payment, stage="start_pending", created_at=ago(seconds=5)
    )
    make_order(db, status=OrderStatus.awaiting_payment, payment_deadline=ago(minutes=-20))
    resolved = make_order(db)
    item = add_attention(db, resolved)
    item.resolved_at = ago(minutes=1)
    resolved.needs_attention = False
    db.commit()

    app = open_page(db, operator, "stuck")
    assert not errors_of(app)
    table = app.table[0].value
    rows = list(zip(table["commande"], table["motif"], strict=True))
    assert rows == [
        (late.id, "Commerçant en retard"),
        (unconfirmed.id, "Confirmation du commerçant attendue au-delà de l'échéance"),
        (failed.id, "Étape en échec après ses tentatives"),
        (unpaid.id, "Paiement attendu au-delà de l'échéance"),
        (never_started.id, "Workflow jamais démarré"),
        (flagged.id, "Marquée « à traiter » sans point d'attention ouvert"),
    ]
    by_order = {int(r["commande"]): r for r in table.to_dict("records")}
    assert by_order[late.id]["attente"] == "2 j 1 h"
    assert by_order[late.id]["boutique"] == "Épicerie Lenoir"
    assert by_order[failed.id]["détail"] == "issue_invoice: SMTP injoignable"
    assert by_order[failed.id]["attente"] == "3 h 00"
    assert by_order[unpaid.id]["attente"] == "45 min"
    assert by_order[unpaid.id]["statut"] == "En attente de paiement"
    assert {m.label: m.value for m in app.metric}["Commandes à traiter"] == "6"
    # Temporal's side cannot be checked: said, not failed.
    assert any("Temporal est injoignable" in w.value for w in app.warning)


def test_nothing_to_do_is_said_plainly(db: Session, operator: User) -> None:
    make_order(db)
    db.commit()
    app = open_page(db, operator, "stuck")
    assert [s.value for s in app.success] == ["Aucune commande n'attend d'opérateur."]
    assert {m.label: m.value for m in app.metric}["Commandes à traiter"] == "0"


def test_opening_a_stuck_order_shows_it_on_the_orders_page(db: Session, operator: User) -> None:
    order = make_order(db, needs_attention=True)
    db.commit()
    app = open_page(db, operator, "stuck")
    app.button(key="stuck_open").click().run()
    assert not errors_of(app)
    assert [h.value for h in app.header] == [f"Commande n° {order.id}"]
