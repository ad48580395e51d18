"""Driving the console under AppTest: log in through a real session, open a page, act."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from comptoir.models import User
from comptoir.services.sessions import open_session

APP = Path(__file__).resolve().parents[2] / "admin_ui" / "app.py"
# Generous: a page run may wait for Postgres and Temporal on a busy 2-core machine.
RUN_TIMEOUT = 30


def console(db: Session, user: User | None = None) -> AppTest:
    """The console after one run, logged in as `user` (through a real session) if given."""
    app = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    if user is not None:
        issued = open_session(db, user)
        db.commit()
        app.session_state["operator_session_token"] = issued.token
    return app.run()


def open_page(db: Session, user: User, page: str, **state: object) -> AppTest:
    """The console logged in as `user`, on `views/<page>.py`, with widget `state` preset."""
    app = console(db, user)
    for key, value in state.items():
        app.session_state[key] = value
    return app.switch_page(f"views/{page}.py").run()


def open_order(
    db: Session, user: User, order_id: int, action: str = "", **state: object
) -> AppTest:
    """The Orders page showing order `order_id`, with `action` chosen in its actions."""
    state["orders_open_id"] = order_id
    if action:
        state[f"order_action_{order_id}"] = action
    return open_page(db, user, "orders", **state)


def errors_of(app: AppTest) -> list[str]:
    """Texts of st.error boxes and of exceptions the page raised."""
    return [e.value for e in app.error] + [str(e.value) for e in app.exception]


def act(app: AppTest, key: str, reason: str, *, confirm: bool = True) -> AppTest:
    """Fill and submit the confirmed-action form `key`."""
    app.text_area(key=f"{key}_reason").input(reason)
    app.checkbox(key=f"{key}_confirm").set_value(confirm)
    return app.button(key=f"{key}_submit").click().run()
