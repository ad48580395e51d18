"""Login for the console: operators only, the session token kept in `st.session_state`.

The token is resolved against Postgres on every run, so a session ended elsewhere (logout,
password change, erasure, deactivated account) closes the console at the next click.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from admin_ui.markdown_text import plain
from comptoir.db import session_scope
from comptoir.errors import DomainError
from comptoir.models import Role
from comptoir.services import sessions

TOKEN_KEY = "operator_session_token"
# Rate limiting counts failures per address; when Streamlit cannot tell it, all console
# logins share this one, which errs on the side of locking out guessers.
UNKNOWN_ADDRESS = "admin-console"


@dataclass(frozen=True)
class Operator:
    """The logged-in operator, as the pages need it (no ORM object crosses reruns)."""

    id: int
    email: str
    name: str


def current_operator() -> Operator | None:
    """The operator of this browser session, or None (and the stale token forgotten)."""
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        return None
    with session_scope() as db:
        found = sessions.resolve_session(db, token)
        if found is None or found[1].role != Role.operator:
            st.session_state.pop(TOKEN_KEY, None)
            return None
        user = found[1]
        return Operator(id=user.id, email=user.email, name=user.display_name)


def require_operator() -> Operator:
    """The operator, or stop the page (every page calls this, not only the entry script)."""
    operator = current_operator()
    if operator is None:
        st.error("Session expirée : reconnectez-vous.")
        st.stop()
    return operator


def log_in(email: str, password: str) -> str | None:
    """Open a session for an operator; the French reason when refused, None on success."""
    seen = st.context.ip_address
    address = seen if isinstance(seen, str) and seen else UNKNOWN_ADDRESS
    try:
        with session_scope() as db:
            issued = sessions.login(db, email, password, ip=address)
            if issued.user.role != Role.operator:
                # The password was right but this console is not theirs: no session kept.
                sessions.logout(db, issued.token)
                return "Cette console est réservée aux opérateurs de la plateforme."
            st.session_state[TOKEN_KEY] = issued.token
    except DomainError as error:
        return error.message
    return None


def log_out() -> None:
    """End the session server-side and forget it."""
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        with session_scope() as db:
            sessions.logout(db, token)


def login_page() -> None:
    """The only page an anonymous visitor sees."""
    st.title("Comptoir — console des opérateurs")
    with st.form("login"):
        email = st.text_input("Adresse e-mail", key="login_email")
        password = st.text_input("Mot de passe", type="password", key="login_password")
        submitted = st.form_submit_button("Se connecter", type="primary", key="login_submit")
    if submitted:
        if not email.strip() or not password:
            st.error("Indiquez votre adresse e-mail et votre mot de passe.")
            return
        refusal = log_in(email, password)
        if refusal:
            st.error(refusal)
            return
        st.rerun()


def sidebar(operator: Operator) -> None:
    """Who is logged in, and the logout button."""
    with st.sidebar:
        st.caption(f"Connecté : {plain(operator.name)} ({plain(operator.email)})")
        if st.button("Se déconnecter", key="logout"):
            log_out()
            st.rerun()
