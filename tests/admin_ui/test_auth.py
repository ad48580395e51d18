"""Console login: operators only, the session lives server-side, logout ends it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import LoginSession, Role, User
from tests.admin_ui.console import console, errors_of
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.timeout(120)


def log_in(db: Session, email: str, password: str):  # type: ignore[no-untyped-def]
    app = console(db)
    app.text_input(key="login_email").input(email)
    app.text_input(key="login_password").input(password)
    return app.button(key="login_submit").click().run()


def sessions_of(db: Session, user: User) -> int:
    db.expire_all()
    return (
        db.scalar(
            select(func.count()).select_from(LoginSession).where(LoginSession.user_id == user.id)
        )
        or 0
    )


def test_anonymous_visitor_sees_only_the_login_form(db: Session) -> None:
    app = console(db)
    assert not app.exception
    assert [t.value for t in app.title] == ["Comptoir — console des opérateurs"]
    assert app.text_input(key="login_email") is not None
    with pytest.raises(ValueError):  # the operator pages are not even registered
        app.switch_page("views/merchants.py")


def test_operator_logs_in_and_out(db: Session, operator: User) -> None:
    app = log_in(db, operator.email, PASSWORD)
    assert not errors_of(app)
    assert "À traiter" in [t.value for t in app.title]
    assert any(operator.email in c.value for c in app.sidebar.caption)
    assert sessions_of(db, operator) == 1

    app.button(key="logout").click().run()
    assert sessions_of(db, operator) == 0
    assert [t.value for t in app.title] == ["Comptoir — console des opérateurs"]


@pytest.mark.parametrize("role", [Role.shopper, Role.merchant])
def test_non_operators_are_refused_and_keep_no_session(db: Session, role: Role) -> None:
    user = create_user(db, role)
    db.commit()
    app = log_in(db, user.email, PASSWORD)
    assert errors_of(app) == ["Cette console est réservée aux opérateurs de la plateforme."]
    assert sessions_of(db, user) == 0
    assert [t.value for t in app.title] == ["Comptoir — console des opérateurs"]


def test_wrong_password_is_refused_with_a_clear_message(db: Session, operator: User) -> None:
    app = log_in(db, operator.email, "pas-le-bon-mot-de-passe")
    assert errors_of(app) == ["Adresse e-mail ou mot de passe incorrect."]
    assert sessions_of(db, operator) == 0


def test_a_session_ended_elsewhere_closes_the_console(db: Session, operator: User) -> None:
    app = console(db, operator)
    assert "À traiter" in [t.value for t in app.title]
    db.query(LoginSession).filter_by(user_id=operator.id).delete()
    db.commit()
    app.run()
    assert [t.value for t in app.title] == ["Comptoir — console des opérateurs"]


def test_an_operator_demoted_loses_access(db: Session, operator: User) -> None:
    app = console(db, operator)
    db.get(User, operator.id).role = Role.shopper  # type: ignore[union-attr]
    db.commit()
    app.run()
    assert [t.value for t in app.title] == ["Comptoir — console des opérateurs"]
