"""Contact: what visitors wrote through the public contact form (read-only, newest first)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from admin_ui.auth import require_operator
from admin_ui.display import when
from comptoir.services.operations import contact as contact_queries

require_operator()
st.title("Messages de contact")
st.caption(
    f"Messages du formulaire « Nous contacter » (suggestions de commerces, questions), "
    f"les plus récents d'abord ; les {contact_queries.CONTACT_PAGE_SIZE} derniers au plus. "
    "Répondez depuis votre messagerie à l'adresse indiquée."
)
rows = contact_queries.contact_messages()
if not rows:
    st.info("Aucun message reçu.")
else:
    # st.dataframe shows cells as plain text: what a visitor typed is never rendered.
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "reçu le": when(r.received_at),
                    "nom": r.name,
                    "e-mail": r.email,
                    "sujet": r.subject,
                    "message": r.body,
                }
                for r in rows
            ]
        ),
        hide_index=True,
        key="contact_messages",
    )
