"""Accounts: deletion requests (erase when no order is open) and personal-data exports."""

from __future__ import annotations

import streamlit as st

from admin_ui.auth import require_operator
from admin_ui.confirm import confirmed_action, show_flash
from admin_ui.display import when
from admin_ui.markdown_text import plain_frame
from comptoir.db import session_scope
from comptoir.domain.labels import count_fr
from comptoir.services import audit as audit_log
from comptoir.services.erasure import erase_account
from comptoir.services.operations import accounts as account_queries

operator = require_operator()
st.title("Comptes")
show_flash()

st.subheader("Demandes de suppression")
open_only = st.toggle("Seulement celles à traiter", value=True, key="accounts_open_only")
rows = account_queries.deletion_requests(open_only)
if not rows:
    st.info("Aucune demande de suppression à traiter.")
else:
    st.table(
        plain_frame(
            [
                {
                    "n°": r.id,
                    "compte": r.email,
                    "nom": r.name,
                    "demandée le": when(r.requested_at),
                    "motif": r.reason,
                    "statut": account_queries.DELETION_STATUS_LABELS.get(r.status, r.status),
                    "commandes en cours": ", ".join(f"n° {i}" for i in r.open_orders),
                    "traitée le": when(r.completed_at),
                    "par": r.handled_by,
                }
                for r in rows
            ]
        )
    )
    by_id = {r.id: r for r in rows}
    request_id = int(
        st.selectbox(
            "Demande",
            list(by_id),
            format_func=lambda i: f"n° {i} — {by_id[i].email}",
            key="accounts_request",
        )
    )
    chosen = by_id[request_id]
    if chosen.user_id is not None and chosen.status != "completed":
        user_id = chosen.user_id
        st.download_button(
            "Télécharger ses données personnelles (JSON)",
            data=lambda: account_queries.personal_data_export(user_id),
            file_name=f"donnees-compte-{user_id}.json",
            mime="application/json",
            key=f"accounts_export_{user_id}",
        )
    if chosen.status in ("requested", "waiting"):
        if chosen.open_orders:
            st.warning(
                "Ce compte a encore des commandes en cours : l'effacement sera refusé tant "
                "qu'elles ne sont pas terminées et leur délai de retour passé."
            )

        def erase(reason: str) -> str:
            with session_scope() as db:
                result = erase_account(db, request_id, operator.id, reason)
            return (
                "Compte effacé : "
                f"{count_fr(result.orders_anonymised, 'commande anonymisée', 'commandes anonymisées')}, "
                f"{count_fr(result.invoices_kept, 'facture conservée', 'factures conservées')}, "
                f"{count_fr(result.messages_redacted, 'message effacé', 'messages effacés')}."
            )

        confirmed_action(
            f"accounts_erase_{request_id}",
            "Effacer le compte",
            erase,
            warning="Irréversible : les données personnelles sont effacées, les factures restent.",
            confirm_text=f"Je confirme l'effacement définitif du compte {chosen.email}.",
        )

st.subheader("Derniers effacements")
audit = audit_log.recent("user:", limit=20)
if audit:
    st.table(
        plain_frame(
            [
                {"le": when(a.at), "par": a.actor, "cible": a.target, "motif": a.reason}
                for a in audit
            ]
        )
    )
else:
    st.caption("Aucun effacement enregistré.")
