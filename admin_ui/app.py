"""Entry of the operators' console: `streamlit run admin_ui/app.py`.

Streamlit puts this file's folder on sys.path, not the repository root; the root is
added here so `comptoir` and `admin_ui` import however the console is started.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import streamlit as st  # noqa: E402

from admin_ui import auth  # noqa: E402

st.set_page_config(page_title="Comptoir — console", page_icon="🧺", layout="wide")

operator = auth.current_operator()
if operator is None:
    st.navigation([st.Page(auth.login_page, title="Connexion", url_path="connexion")]).run()
else:
    auth.sidebar(operator)
    st.navigation(
        {
            "Suivi": [
                st.Page("views/stuck.py", title="À traiter", icon="🚨", default=True),
                st.Page("views/orders.py", title="Commandes", icon="🧾"),
                st.Page("views/figures.py", title="Chiffres", icon="📊"),
            ],
            "Plateforme": [
                st.Page("views/merchants.py", title="Commerçants", icon="🏪"),
                st.Page("views/settlements.py", title="Versements", icon="💶"),
                st.Page("views/accounts.py", title="Comptes", icon="👤"),
                st.Page("views/contact.py", title="Messages de contact", icon="✉️"),
            ],
        }
    ).run()
