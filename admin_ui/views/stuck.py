"""Stuck: every order that needs a human, with the reason and how long it has waited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from admin_ui import temporal_ops
from admin_ui.auth import require_operator
from admin_ui.display import age, order_status, stage, when
from admin_ui.markdown_text import plain, plain_frame
from comptoir.db import session_scope
from comptoir.errors import DomainError
from comptoir.models import ShopStatus
from comptoir.services.operations import stuck as stuck_queries
from comptoir.services.shops import list_shops

REFRESH_SECONDS = 30
DISAGREEMENT_WINDOW = timedelta(days=30)

require_operator()
st.title("À traiter")
st.caption(
    f"Commandes qui attendent un opérateur, les plus anciennes d'abord ; "
    f"actualisé toutes les {REFRESH_SECONDS} s."
)


def temporal_disagreements() -> list[stuck_queries.StuckItem]:
    """Orders whose workflow contradicts Postgres; a warning (and none) when Temporal is down."""
    try:
        closed, running = temporal_ops.order_workflow_states(
            datetime.now(UTC) - DISAGREEMENT_WINDOW
        )
    except DomainError as error:
        st.warning(
            f"{plain(error.message)} Les écarts entre Temporal et la base ne sont pas vérifiés."
        )
        return []
    return stuck_queries.workflow_disagreements(closed, running)


@st.fragment(run_every=REFRESH_SECONDS)
def stuck_list() -> None:
    """The list, redrawn on its own every REFRESH_SECONDS."""
    items = stuck_queries.stuck_items() + temporal_disagreements()
    items.sort(key=lambda i: (i.since, i.order_id))
    orders = sorted({i.order_id for i in items})
    st.metric("Commandes à traiter", len(orders))
    if not items:
        st.success("Aucune commande n'attend d'opérateur.")
        return
    st.table(
        plain_frame(
            [
                {
                    "commande": i.order_id,
                    "motif": i.reason_label,
                    "détail": i.detail,
                    "boutique": i.shop,
                    "depuis": when(i.since),
                    "attente": age(i.since),
                    "statut": order_status(i.status),
                    "étape": stage(i.stage),
                }
                for i in items
            ]
        )
    )
    st.caption(f"Mis à jour le {when(datetime.now(UTC))}.")
    chosen = st.selectbox("Commande", orders, key="stuck_order")
    if st.button("Ouvrir la commande", key="stuck_open"):
        st.session_state["orders_focus"] = chosen
        st.switch_page("views/orders.py")


stuck_list()


def pending_approvals() -> None:
    """Merchants waiting for the community's approval, the longest waiting first."""
    with session_scope() as db:
        pending = [
            (shop.name, shop.city, email or "", shop.created_at)
            for shop, email in list_shops(db, ShopStatus.pending)
        ]
    st.subheader("Commerçants en attente de validation")
    st.metric("Boutiques à valider", len(pending))
    if not pending:
        st.caption("Aucune boutique n'attend de validation.")
        return
    # st.dataframe shows cells as plain text: a shop's name is never rendered as markdown.
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "boutique": name,
                    "ville": city,
                    "compte commerçant": email,
                    "demande du": when(since),
                    "attente": age(since),
                }
                for name, city, email, since in pending
            ]
        ),
        hide_index=True,
        key="stuck_pending_shops",
    )
    if st.button("Valider ou refuser sur la page Commerçants", key="stuck_open_merchants"):
        st.switch_page("views/merchants.py")


pending_approvals()
