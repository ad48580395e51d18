"""Merchants: shop applications to approve or refuse, shops to suspend or reinstate."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from admin_ui.auth import require_operator
from admin_ui.confirm import confirmed_action, show_flash
from admin_ui.display import audit_action, when
from admin_ui.markdown_text import plain_frame
from comptoir.db import session_scope
from comptoir.models import ShopStatus, User
from comptoir.services import audit as audit_log
from comptoir.services import outbox
from comptoir.services.shops import (
    SHOP_STATUS_LABELS,
    TRANSITIONS,
    ShopDecision,
    count_shops,
    decide_shop,
    list_shops,
)

DECISION_LABELS = {
    ShopDecision.approve: "Valider la boutique",
    ShopDecision.refuse: "Refuser la demande",
    ShopDecision.suspend: "Suspendre la boutique",
    ShopDecision.reinstate: "Rétablir la boutique",
}
DECISION_DONE = {
    ShopDecision.approve: "validée",
    ShopDecision.refuse: "refusée",
    ShopDecision.suspend: "suspendue",
    ShopDecision.reinstate: "rétablie",
}

operator = require_operator()
st.title("Commerçants")
show_flash()

with session_scope() as db:
    counts = {status: count_shops(db, status) for status in ShopStatus}
columns = st.columns(len(ShopStatus))
for column, each in zip(columns, ShopStatus, strict=True):
    column.metric(SHOP_STATUS_LABELS[each].capitalize(), counts[each])

ALL = "all"
status_code = st.selectbox(
    "Statut",
    [*(s.value for s in ShopStatus), ALL],
    format_func=lambda s: "toutes" if s == ALL else SHOP_STATUS_LABELS[ShopStatus(s)],
    key="merchants_status",
)
status = None if status_code == ALL else ShopStatus(status_code)
with session_scope() as db:
    # expire_on_commit is off: the loaded columns stay readable after the session closes.
    shops = list_shops(db, status)

if not shops:
    st.info("Aucune boutique dans ce statut.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "n°": shop.id,
                    "boutique": shop.name,
                    "activité": shop.trade,
                    "raison sociale": shop.legal_name,
                    "SIRET": shop.siret,
                    "ville": f"{shop.postal_code} {shop.city}".strip(),
                    "téléphone": shop.phone,
                    "e-mail boutique": shop.email,
                    "compte commerçant": owner_email or "",
                    "statut": SHOP_STATUS_LABELS[shop.status],
                    "motif": shop.status_reason,
                    "demande du": when(shop.created_at),
                }
                for shop, owner_email in shops
            ]
        ),
        hide_index=True,
    )

    st.subheader("Décider")
    by_id = {shop.id: shop for shop, _ in shops}
    shop_id = int(
        st.selectbox(
            "Boutique",
            list(by_id),
            format_func=lambda i: (
                f"n° {i} — {by_id[i].name} ({SHOP_STATUS_LABELS[by_id[i].status]})"
            ),
            key="merchants_shop",
        )
    )
    chosen = by_id[shop_id]
    allowed = [d for d, t in TRANSITIONS.items() if chosen.status in t.allowed_from]
    decision = st.radio(
        "Décision", allowed, format_func=lambda d: DECISION_LABELS[d], key="merchants_decision"
    )

    def decide(reason: str) -> str:
        with session_scope() as db:
            actor = db.get(User, operator.id)
            assert actor is not None  # require_operator just resolved this account
            shop, mail = decide_shop(db, actor, shop_id, decision, reason)
            name = shop.name
        sent = outbox.send(mail) if mail else False
        if mail is None:
            told = " Aucune adresse e-mail pour prévenir le commerçant."
        elif sent:
            told = f" Le commerçant est prévenu par e-mail ({mail.to})."
        else:
            told = " L'e-mail au commerçant n'a pas pu partir (serveur d'e-mails injoignable)."
        return f"Boutique « {name} » {DECISION_DONE[decision]}.{told}"

    if decision is not None:
        # Keyed by shop and decision: if the list changed under the operator's feet, the
        # submitted form no longer exists and nothing runs (never another shop or verb).
        confirmed_action(
            f"merchants_decide_{shop_id}_{decision.value}",
            DECISION_LABELS[decision],
            decide,
            confirm_text=f"Je confirme : {DECISION_LABELS[decision].lower()} « {chosen.name} ».",
        )

st.subheader("Dernières décisions")
audit = audit_log.recent("shop:", limit=20)
if audit:
    st.table(
        plain_frame(
            [
                {
                    "le": when(a.at),
                    "par": a.actor,
                    "action": audit_action(a.action),
                    "cible": a.target,
                    "motif": a.reason,
                }
                for a in audit
            ]
        )
    )
else:
    st.caption("Aucune décision enregistrée.")
