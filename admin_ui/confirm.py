"""The one way an operator acts: a form with a required reason and an explicit confirmation.

The action runs only when both are given; its outcome is kept as a flash message across
the rerun that follows, so the page shows fresh data *and* what just happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from admin_ui.markdown_text import plain
from comptoir.errors import DomainError

log = logging.getLogger("comptoir.admin")
FLASH_KEY = "admin_flash"


def show_flash() -> None:
    """Show (once) the outcome of the last action of this browser session."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, message = flash
        (st.success if kind == "success" else st.error)(plain(message))


def flash(kind: str, message: str) -> None:
    """Keep a message for the next run (after `st.rerun()`)."""
    st.session_state[FLASH_KEY] = (kind, message)


def confirmed_action(
    key: str,
    label: str,
    run: Callable[[str], str],
    *,
    warning: str = "",
    confirm_text: str = "Je confirme cette action.",
) -> None:
    """A form (reason + confirmation) that calls `run(reason)` and flashes its message.

    `run` raises a `DomainError` with a French message when the step is not allowed.
    """
    with st.form(key, clear_on_submit=False):
        if warning:
            st.warning(plain(warning))
        reason = st.text_area(
            "Motif (obligatoire, conservé dans le journal d'audit)", key=f"{key}_reason"
        )
        confirmed = st.checkbox(plain(confirm_text), key=f"{key}_confirm")
        submitted = st.form_submit_button(label, type="primary", key=f"{key}_submit")
    if not submitted:
        return
    if not reason.strip():
        st.error("Indiquez le motif de l'action : il est conservé dans le journal d'audit.")
        return
    if not confirmed:
        st.error("Cochez la case de confirmation pour lancer l'action.")
        return
    try:
        message = run(reason.strip())
    except DomainError as error:
        flash("error", error.message)
    except Exception:  # the operator must see a failure, not a blank page
        log.exception("admin action %s failed", key)
        flash(
            "error",
            "L'action a échoué de façon inattendue ; le détail est dans le journal de la console.",
        )
    else:
        flash("success", message)
    st.rerun()
