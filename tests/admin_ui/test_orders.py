"""Orders page: filters, search, and the detail of one order (without Temporal)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from comptoir.db import get_engine
from comptoir.domain.paris_time import PARIS
from comptoir.models import OrderStatus, ReturnRequest, ReturnStatus, Role, User
from comptoir.services.operations import orders as order_queries
from tests.admin_ui.console import errors_of, open_page
from tests.admin_ui.order_factories import (
    add_attention,
    add_event,
    add_invoice,
    add_message,
    add_payment,
    add_refund,
    add_sale,
    add_sent_email,
    make_order,
    parts_of,
)
from tests.factories import create_shop, create_user

pytestmark = pytest.mark.timeout(120)


def listed(app) -> list[int]:  # type: ignore[no-untyped-def]
    """Order numbers in the page's list (empty when it shows none)."""
    tables = [t.value for t in app.table if "n°" in t.value.columns and "client" in t.value.columns]
    return [int(n) for n in tables[0]["n°"]] if tables else []


def test_filters_narrow_the_list(db: Session, operator: User) -> None:
    bakery = create_shop(db, name="Boulangerie Martin")
    cheese = create_shop(db, name="Fromagerie Durand")
    alice = create_user(db, Role.shopper, email="alice@example.test")
    paris_day = datetime(2026, 3, 10, 0, 30, tzinfo=PARIS)  # 9 March 23:30 UTC
    early = make_order(db, shops=[bakery], shopper=alice, created_at=paris_day, price_cents=1200)
    paying = make_order(
        db,
        shops=[cheese],
        status=OrderStatus.awaiting_payment,
        stage="waiting_payment",
        price_cents=3000,
    )
    both = make_order(db, shops=[bakery, cheese], price_cents=5000, needs_attention=True)
    done = make_order(db, shops=[cheese], status=OrderStatus.completed, stage="finished")
    db.commit()

    app = open_page(db, operator, "orders")
    assert not errors_of(app)
    assert listed(app) == [done.id, both.id, paying.id, early.id]
    row = app.table[0].value.iloc[1]
    assert row["boutiques"] == "Boulangerie Martin, Fromagerie Durand"
    assert row["montant"] == "100,00\u00a0€"  # two lines of 50 €
    assert row["statut"] == "En cours"

    app.multiselect(key="orders_status").set_value(["awaiting_payment", "completed"]).run()
    assert listed(app) == [done.id, paying.id]
    app.multiselect(key="orders_status").set_value([]).run()

    app.selectbox(key="orders_stage").set_value("waiting_payment").run()
    assert listed(app) == [paying.id]
    app.selectbox(key="orders_stage").set_value("").run()

    app.selectbox(key="orders_shop").set_value(bakery.id).run()
    assert listed(app) == [both.id, early.id]
    app.selectbox(key="orders_shop").set_value(None).run()

    # Paris calendar days: 10 March in Paris is still 9 March in UTC for this order.
    app.date_input(key="orders_from").set_value(date(2026, 3, 10)).run()
    app.date_input(key="orders_to").set_value(date(2026, 3, 10)).run()
    assert listed(app) == [early.id]
    app.date_input(key="orders_to").set_value(date(2026, 3, 9)).run()
    assert listed(app) == []
    assert "Aucune commande ne correspond à ces filtres." in [i.value for i in app.info]
    app.date_input(key="orders_from").set_value(None).run()
    app.date_input(key="orders_to").set_value(None).run()

    app.number_input(key="orders_min").set_value(30.0).run()
    app.number_input(key="orders_max").set_value(99.0).run()
    assert listed(app) == [paying.id]
    app.number_input(key="orders_min").set_value(None).run()
    app.number_input(key="orders_max").set_value(None).run()

    app.checkbox(key="orders_attention").check().run()
    assert listed(app) == [both.id]
    app.checkbox(key="orders_attention").uncheck().run()

    app.text_input(key="orders_search").input("ALICE@").run()
    assert listed(app) == [early.id]
    assert not errors_of(app)


def test_search_by_number_opens_the_order_with_everything_attached(
    db: Session, operator: User
) -> None:
    bakery = create_shop(db, name="Boulangerie Martin")
    cheese = create_shop(db, name="Fromagerie Durand")
    merchant = create_user(db, Role.merchant, email="martin@example.test")
    order = make_order(db, shops=[bakery, cheese], price_cents=1000)
    other = make_order(db)
    bread, brie = parts_of(db, order)
    add_payment(db, order)
    add_sale(db, order, fee_cents=31)
    add_refund(db, order, 250, reason="Baguette manquante")
    add_invoice(db, bread)
    add_message(db, order, "Pouvez-vous la couper en tranches ?")
    add_sent_email(db, order, "Commande confirmée : merci !")
    add_event(db, order, "processing", from_status="awaiting_payment")
    add_event(db, order, "preparing", from_status="confirmed", vendor_order=bread, actor=merchant)
    add_attention(db, order, step="issue_invoice", error="PDF illisible", vendor_order=brie)
    db.add(
        ReturnRequest(
            vendor_order_id=brie.id,
            status=ReturnStatus.requested,
            reason="Brie trop fait",
            amount_cents=1000,
        )
    )
    db.commit()

    app = open_page(db, operator, "orders")
    app.text_input(key="orders_search").input(f"n° {order.id}").run()
    assert listed(app) == [order.id]
    assert not errors_of(app)
    assert [h.value for h in app.header] == [f"Commande n° {order.id}"]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Statut"] == "En cours" and metrics["Remboursé"] == "2,50\u00a0€"
    assert any("Cette commande attend un opérateur" in w.value for w in app.warning)

    link = [m.value for m in app.markdown if "Temporal Web UI" in m.value]
    assert link == [
        f"[Voir le workflow order-{order.id} dans Temporal Web UI]"
        f"(http://127.0.0.1:8233/namespaces/default/workflows/order-{order.id})"
    ]
    parts = [m.value for m in app.markdown if m.value.startswith("**")]
    assert parts[0].startswith("**Boulangerie Martin** — Confirmée")
    assert parts[1].startswith("**Fromagerie Durand**")

    tables = [t.value for t in app.table]

    def table_with(column: str) -> list[dict[str, object]]:
        found = [t for t in tables if column in t.columns]
        assert found, column
        return found[0].to_dict("records")  # type: ignore[no-any-return]

    lines = [t for t in tables if "produit" in t.columns]
    assert len(lines) == 2 and lines[0]["total"].tolist() == ["10,00\u00a0€"]
    assert table_with("PaymentIntent")[0]["statut"] == "Réussi"
    assert table_with("Stripe")[0]["motif"] == "Baguette manquante"
    ledger = table_with("type")
    assert [(r["boutique"], r["type"], r["montant"]) for r in ledger] == [
        ("Boulangerie Martin", "Vente", "10,00\u00a0€"),
        ("Boulangerie Martin", "Commission", "-0,31\u00a0€"),
        ("Fromagerie Durand", "Vente", "10,00\u00a0€"),
        ("Fromagerie Durand", "Commission", "-0,31\u00a0€"),
    ]
    assert table_with("numéro")[0]["boutique"] == "Boulangerie Martin"
    assert [b.label for b in app.get("download_button")] == [
        f"Télécharger la facture F-{bread.shop_id:04d}-000001"
    ]
    assert table_with("message")[0]["message"] == "Pouvez-vous la couper en tranches ?"
    assert table_with("objet")[0]["objet"] == "Commande confirmée : merci !"
    history = table_with("vers")
    assert [(h["partie"], h["de"], h["vers"], h["par"]) for h in history] == [
        ("commande", "En attente de paiement", "En cours", "système"),
        ("Boulangerie Martin", "Confirmée", "En préparation", "commerçant martin@example.test"),
    ]
    attention = table_with("erreur")[0]
    assert (attention["nature"], attention["étape"], attention["boutique"]) == (
        "Étape en échec",
        "issue_invoice",
        "Fromagerie Durand",
    )
    returned = next(t for t in tables if {"n°", "motif"} <= set(t.columns)).to_dict("records")
    assert [(r["boutique"], r["statut"], r["motif"]) for r in returned] == [
        ("Fromagerie Durand", "Demandé", "Brie trop fait")
    ]
    # Temporal is down in these tests: the live panel says so instead of failing.
    assert any("Temporal est injoignable" in w.value for w in app.warning)
    assert other.id not in listed(app)


def test_opening_an_unknown_order_says_so(db: Session, operator: User) -> None:
    app = open_page(db, operator, "orders")
    app.number_input(key="orders_open_id").set_value(999).run()
    assert "La commande n° 999 n'existe pas." in errors_of(app)


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_list_and_detail_take_a_fixed_number_of_queries(db: Session) -> None:
    small = make_order(db)
    big = make_order(db, shops=[create_shop(db) for _ in range(4)])
    for part in parts_of(db, big):
        add_event(db, big, "preparing", vendor_order=part)
        add_invoice(db, part)
    db.commit()
    with counted_queries() as one:
        order_queries.order_detail(small.id)
    with counted_queries() as many:
        detail = order_queries.order_detail(big.id)
    assert len(one) == len(many)
    assert len(detail.parts) == 4 and len(detail.invoices) == 4 and len(detail.history) == 4
    with counted_queries() as listing:
        rows = order_queries.list_orders(order_queries.OrderFilter())
    assert len(listing) == 1 and len(rows) == 2
