"""Orders: filter and search every order, then open one (detail, live workflow, actions)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from admin_ui.auth import require_operator
from admin_ui.confirm import show_flash
from admin_ui.display import eur, order_status, when
from admin_ui.display import stage as stage_label
from admin_ui.markdown_text import plain_frame
from admin_ui.order_view import show_order
from comptoir.domain.labels import ORDER_STATUS_LABELS, count_fr
from comptoir.services.operations import orders as order_queries

FOCUS_KEY = "orders_focus"  # set by other pages to open an order here

operator = require_operator()
st.title("Commandes")
show_flash()

if FOCUS_KEY in st.session_state:
    st.session_state["orders_open_id"] = int(st.session_state.pop(FOCUS_KEY))


def _cents(euros: float | None) -> int | None:
    return None if euros is None else round(euros * 100)


with st.expander("Filtres", expanded=True):
    row1 = st.columns(4)
    statuses = row1[0].multiselect(
        "Statut",
        list(ORDER_STATUS_LABELS),
        format_func=ORDER_STATUS_LABELS.__getitem__,
        placeholder="tous",
        key="orders_status",
    )
    stage = row1[1].selectbox(
        "Étape du workflow",
        ["", *order_queries.order_stages()],
        format_func=lambda s: stage_label(s) if s else "toutes",
        key="orders_stage",
    )
    shops = dict(order_queries.shop_choices())
    shop_id = row1[2].selectbox(
        "Boutique",
        [None, *shops],
        format_func=lambda i: "toutes" if i is None else shops[i],
        key="orders_shop",
    )
    search = row1[3].text_input("N° de commande ou e-mail du client", key="orders_search")
    row2 = st.columns(5)
    created_from: date | None = row2[0].date_input(
        "Créée à partir du", value=None, format="DD/MM/YYYY", key="orders_from"
    )
    created_to: date | None = row2[1].date_input(
        "Créée jusqu'au", value=None, format="DD/MM/YYYY", key="orders_to"
    )
    min_eur = row2[2].number_input(
        "Montant minimum (€)", min_value=0.0, value=None, step=1.0, key="orders_min"
    )
    max_eur = row2[3].number_input(
        "Montant maximum (€)", min_value=0.0, value=None, step=1.0, key="orders_max"
    )
    attention_only = row2[4].checkbox("À traiter seulement", key="orders_attention")

rows = order_queries.list_orders(
    order_queries.OrderFilter(
        statuses=tuple(statuses),
        stage=stage or "",
        shop_id=shop_id,
        created_from=created_from,
        created_to=created_to,
        min_cents=_cents(min_eur),
        max_cents=_cents(max_eur),
        needs_attention=attention_only,
        search=search,
    )
)
st.caption(f"{count_fr(len(rows), 'commande', 'commandes')} (les 200 plus récentes au plus).")
if rows:
    st.table(
        plain_frame(
            [
                {
                    "n°": r.id,
                    "créée le": when(r.created_at),
                    "client": r.shopper_email,
                    "statut": order_status(r.status),
                    "étape": stage_label(r.stage),
                    "boutiques": r.shops,
                    "montant": eur(r.total_cents),
                    "remboursé": eur(r.refunded_cents) if r.refunded_cents else "",
                    "à traiter": "⚠️ oui" if r.needs_attention else "",
                }
                for r in rows
            ]
        )
    )
else:
    st.info("Aucune commande ne correspond à ces filtres.")

chosen = st.number_input(
    "Ouvrir la commande n°", min_value=1, value=None, step=1, key="orders_open_id"
)
# A search that finds a single order opens it.
order_id = chosen or (rows[0].id if len(rows) == 1 else None)
if order_id:
    show_order(int(order_id), operator)
