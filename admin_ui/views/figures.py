"""Figures: orders per day, sales and fees, status funnel, preparation delays, refunds, stuck."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from admin_ui.auth import require_operator
from admin_ui.display import duration, eur, order_status, percent
from admin_ui.figures_chart import daily_chart_frame
from admin_ui.markdown_text import plain_frame
from comptoir.domain.labels import count_fr
from comptoir.services.operations import figures as figure_queries
from comptoir.services.operations import stuck as stuck_queries

PERIODS = {7: "7 derniers jours", 30: "30 derniers jours", 90: "90 derniers jours"}

require_operator()
st.title("Chiffres")
days = int(
    st.radio(
        "Période",
        list(PERIODS),
        format_func=PERIODS.__getitem__,
        horizontal=True,
        key="figures_period",
    )
)
period = figure_queries.last_days(days, datetime.now(UTC))
st.caption(f"Du {period.first:%d/%m/%Y} au {period.last:%d/%m/%Y} (jours de Paris).")

daily = figure_queries.per_day(period)
refunds = figure_queries.refund_rate(period)
stuck_orders = len({item.order_id for item in stuck_queries.stuck_items()})

cols = st.columns(5)
cols[0].metric("Commandes", sum(d.orders for d in daily))
cols[1].metric("Ventes", eur(sum(d.sales_cents for d in daily)))
cols[2].metric("Commissions", eur(sum(d.fees_cents for d in daily)))
# On amounts: one large refund weighs more than many small ones.
cols[3].metric("Taux de remboursement", percent(refunds.amount_rate))
cols[4].metric("Commandes à traiter", stuck_orders)
st.caption(
    f"{eur(refunds.refunded_cents)} remboursés sur {eur(refunds.paid_cents)} encaissés "
    f"({percent(refunds.amount_rate)}) ; "
    f"{count_fr(refunds.refunded_orders, 'commande remboursée', 'commandes remboursées')} "
    f"sur {count_fr(refunds.paid_orders, 'payée', 'payées')} "
    f"({percent(refunds.order_rate)})."
)

by_day = daily_chart_frame(daily)
st.subheader("Commandes par jour")
st.bar_chart(by_day["commandes"])
st.subheader("Ventes et commissions par jour")
st.line_chart(by_day[["ventes (€)", "commissions (€)", "remboursements (€)"]])
with st.expander("Détail par jour"):
    st.table(
        plain_frame(
            [
                {
                    "jour": d.day.strftime("%d/%m/%Y"),
                    "commandes": d.orders,
                    "ventes": eur(d.sales_cents),
                    "commissions": eur(d.fees_cents),
                    "remboursements": eur(d.refunds_cents),
                }
                for d in daily
            ]
        )
    )

st.subheader("Où en sont les commandes de la période")
st.table(
    plain_frame(
        [
            {"statut": order_status(status), "commandes": count}
            for status, count in figure_queries.status_funnel(period)
        ]
    )
)

st.subheader("Délai médian du paiement à « prête » ou « expédiée », par boutique")
delays = figure_queries.paid_to_ready(period)
if delays:
    st.table(
        plain_frame(
            [
                {
                    "boutique": d.shop,
                    "commandes": d.vendor_orders,
                    "délai médian": duration(timedelta(seconds=d.median_seconds)),
                }
                for d in delays
            ]
        )
    )
else:
    st.caption("Aucune commande payée de la période n'est encore prête ni expédiée.")
