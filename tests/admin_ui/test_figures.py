"""Figures page: orders per day, sales and fees, funnel, median preparation delay, refunds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from comptoir.domain.paris_time import to_paris
from comptoir.models import OrderStatus, User
from tests.admin_ui.console import errors_of, open_page
from tests.admin_ui.order_factories import (
    add_attention,
    add_event,
    add_refund,
    add_sale,
    make_order,
    parts_of,
)
from tests.factories import create_shop

pytestmark = pytest.mark.timeout(120)


def test_figures_of_the_period(db: Session, operator: User) -> None:
    now = datetime.now(UTC)
    bakery = create_shop(db, name="Boulangerie Martin")
    cheese = create_shop(db, name="Fromagerie Durand")
    two_days_ago = now - timedelta(days=2)
    # Bakery: ready 1 h and 3 h after payment (median 2 h); cheese: shipped after 30 min.
    fast = make_order(db, shops=[bakery], price_cents=1000, created_at=two_days_ago)
    slow = make_order(db, shops=[bakery], price_cents=2000, created_at=two_days_ago)
    shipped = make_order(db, shops=[cheese], price_cents=3000, created_at=two_days_ago)
    for order, delay, status in (
        (fast, timedelta(hours=1), "ready_for_pickup"),
        (slow, timedelta(hours=3), "ready_for_pickup"),
        (shipped, timedelta(minutes=30), "shipped"),
    ):
        add_sale(db, order, fee_cents=40, at=two_days_ago)
        part = parts_of(db, order)[0]
        add_event(db, order, "preparing", vendor_order=part, at=two_days_ago + delay / 2)
        add_event(db, order, status, vendor_order=part, at=two_days_ago + delay)
    add_refund(db, slow, 500)
    unpaid = make_order(
        db, status=OrderStatus.awaiting_payment, stage="waiting_payment", created_at=now
    )
    add_attention(db, unpaid)
    make_order(db, created_at=now - timedelta(days=20), price_cents=9900)  # outside 7 days
    db.commit()

    app = open_page(db, operator, "figures")
    assert not errors_of(app)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Commandes"] == "4"
    assert metrics["Ventes"] == "60,00\u00a0€"
    assert metrics["Commissions"] == "1,20\u00a0€"
    assert metrics["Taux de remboursement"] == "8,3\u00a0%"  # on amounts: 5 € of 60 €
    assert any(
        "5,00\u00a0€ remboursés sur 60,00\u00a0€ encaissés (8,3\u00a0%) ; 1 commande "
        "remboursée sur 3 payées (33,3\u00a0%)." == c.value
        for c in app.caption
    )
    assert metrics["Commandes à traiter"] == "1"

    tables = {tuple(t.value.columns): t.value for t in app.table}
    daily = tables[("jour", "commandes", "ventes", "commissions", "remboursements")]
    assert len(daily) == 7
    by_day = daily.set_index("jour")
    day = to_paris(two_days_ago).strftime("%d/%m/%Y")
    today = to_paris(now).strftime("%d/%m/%Y")
    assert by_day.loc[day, "commandes"] == 3 and by_day.loc[day, "ventes"] == "60,00\u00a0€"
    assert by_day.loc[today, "commandes"] == 1
    funnel = dict(zip(*tables[("statut", "commandes")].T.values, strict=True))
    assert funnel["En cours"] == 3 and funnel["En attente de paiement"] == 1
    assert funnel["Terminée"] == 0
    delays = tables[("boutique", "commandes", "délai médian")]
    assert delays.values.tolist() == [
        ["Boulangerie Martin", 2, "2 h 00"],
        ["Fromagerie Durand", 1, "30 min"],
    ]

    app.radio(key="figures_period").set_value(30).run()
    assert {m.label: m.value for m in app.metric}["Commandes"] == "5"


def test_chart_days_stay_in_calendar_order_across_a_month() -> None:
    from datetime import date

    from admin_ui.figures_chart import daily_chart_frame
    from comptoir.services.operations.figures import DayFigures

    days = [date(2026, 11, 28) + timedelta(days=n) for n in range(7)]  # 28/11 → 04/12
    frame = daily_chart_frame(
        [DayFigures(day=d, orders=n, sales_cents=100 * n, fees_cents=0, refunds_cents=0)
         for n, d in enumerate(days)]  # fmt: skip
    )
    assert frame.index.is_monotonic_increasing
    assert [d.date() for d in frame.index] == days
    assert list(frame["commandes"]) == list(range(7))
