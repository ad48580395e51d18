"""Accounts page: deletion requests listed, erasure refused while an order is open, export."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import AuditLog, DeletionRequest, DeletionStatus, OrderStatus, Role, User
from comptoir.services.accounts import request_deletion
from comptoir.services.operations import accounts as account_queries
from tests.admin_ui.console import act, errors_of, open_page
from tests.admin_ui.order_factories import make_order
from tests.factories import create_user

pytestmark = pytest.mark.timeout(120)


def requested(db: Session, email: str, reason: str = "") -> tuple[User, DeletionRequest]:
    user = create_user(db, Role.shopper, email=email)
    request, _ = request_deletion(db, user, reason)
    return user, request


def test_requests_are_listed_with_what_blocks_them(db: Session, operator: User) -> None:
    _, first = requested(db, "paul@example.test", "Plus besoin du service.")
    busy, second = requested(db, "lea@example.test")
    order = make_order(db, shopper=busy, status=OrderStatus.processing)
    db.commit()
    app = open_page(db, operator, "accounts")
    assert not errors_of(app)
    table = app.table[0].value
    assert table["compte"].tolist() == ["paul@example.test", "lea@example.test"]
    assert table["statut"].tolist() == ["À traiter", "À traiter"]
    assert table["commandes en cours"].tolist() == ["", f"n° {order.id}"]
    assert table["motif"].tolist()[0] == "Plus besoin du service."
    assert [b.label for b in app.get("download_button")] == [
        "Télécharger ses données personnelles (JSON)"
    ]
    assert first.id != second.id


def test_erasure_is_refused_while_an_order_is_open(db: Session, operator: User) -> None:
    user, request = requested(db, "lea@example.test")
    order = make_order(db, shopper=user, status=OrderStatus.awaiting_payment)
    db.commit()
    app = open_page(db, operator, "accounts")
    assert any("commandes en cours" in w.value for w in app.warning)
    app = act(app, f"accounts_erase_{request.id}", "Demande RGPD.")
    assert errors_of(app) == [
        f"Le compte a encore des commandes en cours (n° {order.id}) : il ne peut être effacé "
        "qu'une fois celles-ci terminées et leur délai de retour passé."
    ]
    db.expire_all()
    assert db.get_one(User, user.id).erased_at is None
    assert db.scalars(select(AuditLog)).first() is None


def test_operator_erases_an_account(db: Session, operator: User) -> None:
    user, request = requested(db, "paul@example.test")
    make_order(db, shopper=user, status=OrderStatus.completed)
    db.commit()
    app = open_page(db, operator, "accounts")
    app = act(app, f"accounts_erase_{request.id}", "Demande RGPD du 2 mars.")
    assert not errors_of(app), errors_of(app)
    assert app.success[0].value == (
        "Compte effacé : 1 commande anonymisée, 0 facture conservée, "
        "0 message effacé."
    )
    db.expire_all()
    erased = db.get_one(User, user.id)
    assert erased.erased_at is not None and erased.email.endswith("@comptoir.invalid")
    assert db.get_one(DeletionRequest, request.id).status == DeletionStatus.completed
    # Handled requests leave the default list; the journal shows the erasure.
    assert "Aucune demande de suppression à traiter." in [i.value for i in app.info]
    assert app.table[0].value["motif"].tolist() == ["Demande RGPD du 2 mars."]
    app.toggle(key="accounts_open_only").set_value(False).run()
    assert app.table[0].value["statut"].tolist() == ["Effacé"]
    assert app.table[0].value["par"].tolist() == [operator.email]


def test_personal_data_export_holds_the_account_and_its_orders(db: Session) -> None:
    user, _ = requested(db, "paul@example.test")
    order = make_order(db, shopper=user)
    db.commit()
    exported = json.loads(account_queries.personal_data_export(user.id))
    assert exported["account"]["email"] == "paul@example.test"
    assert "password_hash" not in exported["account"]
    assert [o["id"] for o in exported["orders"]] == [order.id]
