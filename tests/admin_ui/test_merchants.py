"""Merchants page: applications listed, approve / refuse / suspend with reason and audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import AuditLog, Role, Shop, ShopStatus, User
from devstack.services import SmtpSink, wait_for_mail
from tests.admin_ui.console import act, errors_of, open_page
from tests.conftest import text_of
from tests.factories import create_shop, create_user

pytestmark = pytest.mark.timeout(120)


def pending_shop(db: Session) -> Shop:
    owner = create_user(db, Role.merchant, email="fromager@example.test")
    shop = create_shop(db, owner, status=ShopStatus.pending, name="Fromagerie du Marché")
    db.commit()
    return shop


def test_pending_applications_are_listed_with_counts(db: Session, operator: User) -> None:
    shop = pending_shop(db)
    create_shop(db, name="Boulangerie Validée")
    db.commit()
    app = open_page(db, operator, "merchants")
    assert not errors_of(app)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["En attente de validation"] == "1" and metrics["Validée"] == "1"
    table = app.dataframe[0].value
    assert list(table["boutique"]) == ["Fromagerie du Marché"]
    assert list(table["compte commerçant"]) == ["fromager@example.test"]
    assert list(table["n°"]) == [shop.id]


def test_operator_approves_a_shop_the_merchant_is_told(
    db: Session, operator: User, admin_mail_sink: SmtpSink
) -> None:
    shop = pending_shop(db)
    app = open_page(db, operator, "merchants")
    app = act(app, f"merchants_decide_{shop.id}_approve", "Dossier complet, SIRET vérifié.")
    assert not errors_of(app)
    assert "Boutique « Fromagerie du Marché » validée." in app.success[0].value
    db.expire_all()
    assert db.get(Shop, shop.id).status == ShopStatus.approved  # type: ignore[union-attr]
    audit = db.scalars(select(AuditLog)).one()
    assert (audit.actor_id, audit.action, audit.target, audit.reason) == (
        operator.id,
        "shop.approve",
        f"shop:{shop.id}",
        "Dossier complet, SIRET vérifié.",
    )
    mail = wait_for_mail(admin_mail_sink.maildir, to="fromager@example.test")
    assert "Fromagerie du Marché" in text_of(mail) or "Fromagerie" in str(mail["Subject"])
    # The decision shows in the page's journal.
    assert "Dossier complet, SIRET vérifié." in app.table[0].value["motif"].tolist()


def test_refusing_needs_a_reason_and_a_confirmation(db: Session, operator: User) -> None:
    shop = pending_shop(db)
    app = open_page(db, operator, "merchants")
    app.radio(key="merchants_decision").set_value(app.radio(key="merchants_decision").options[1])
    app.run()
    app = act(app, f"merchants_decide_{shop.id}_refuse", "   ")
    assert errors_of(app) == [
        "Indiquez le motif de l'action : il est conservé dans le journal d'audit."
    ]
    app = act(app, f"merchants_decide_{shop.id}_refuse", "Activité hors commune.", confirm=False)
    assert "Cochez la case de confirmation pour lancer l'action." in errors_of(app)
    db.expire_all()
    assert db.get(Shop, shop.id).status == ShopStatus.pending  # type: ignore[union-attr]
    assert db.scalars(select(AuditLog)).first() is None


def test_operator_suspends_an_approved_shop(db: Session, operator: User) -> None:
    shop = create_shop(db, name="Primeur Suspendu")
    db.commit()
    app = open_page(db, operator, "merchants")
    app.selectbox(key="merchants_status").set_value("approved").run()
    assert app.radio(key="merchants_decision").options == ["Suspendre la boutique"]
    app = act(app, f"merchants_decide_{shop.id}_suspend", "Plaintes répétées de clients.")
    assert not errors_of(app), errors_of(app)
    db.expire_all()
    suspended = db.get(Shop, shop.id)
    assert suspended is not None and suspended.status == ShopStatus.suspended
    assert suspended.status_reason == "Plaintes répétées de clients."


def test_a_shop_changed_meanwhile_never_receives_another_decision(
    db: Session, operator: User
) -> None:
    shop = pending_shop(db)
    app = open_page(db, operator, "merchants")
    app.selectbox(key="merchants_status").set_value("all").run()
    app.text_area(key=f"merchants_decide_{shop.id}_approve_reason").input("Validation.")
    app.checkbox(key=f"merchants_decide_{shop.id}_approve_confirm").check()
    # Another operator approves it first: the only decision left would be "suspend".
    db.get(Shop, shop.id).status = ShopStatus.approved  # type: ignore[union-attr]
    db.commit()
    app.button(key=f"merchants_decide_{shop.id}_approve_submit").click().run()
    assert not errors_of(app) and not app.success
    db.expire_all()
    assert db.get(Shop, shop.id).status == ShopStatus.approved  # type: ignore[union-attr]
    assert db.scalars(select(AuditLog)).first() is None
    assert app.radio(key="merchants_decision").options == ["Suspendre la boutique"]
