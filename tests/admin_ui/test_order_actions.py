"""Order actions that need no Temporal (resend an e-mail, issue a missing invoice), and the
Temporal ones failing cleanly when it is down."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import AuditLog, Invoice, PaymentStatus, Role, SentEmail, User
from devstack.services import SmtpSink, wait_for_mail
from tests.admin_ui.console import act, errors_of, open_order
from tests.admin_ui.order_factories import (
    add_attention,
    add_invoice,
    add_payment,
    make_order,
    parts_of,
)
from tests.conftest import text_of
from tests.factories import create_shop, create_user

pytestmark = pytest.mark.timeout(120)


def test_resend_the_shipping_email_of_one_shop(
    db: Session, operator: User, admin_mail_sink: SmtpSink
) -> None:
    shopper = create_user(db, Role.shopper, email="nina@example.test", first_name="Nina")
    order = make_order(
        db, shopper=shopper, shops=[create_shop(db), create_shop(db, name="Cave Roux")]
    )
    wine = parts_of(db, order)[1]
    wine.carrier, wine.tracking_number = "Colissimo", "6A123456789"
    db.commit()
    app = open_order(
        db,
        operator,
        order.id,
        "resend_email",
        **{
            f"order_{order.id}_resend_email_template": "shipped",
            f"order_{order.id}_resend_email_part": wine.id,
        },
    )
    app = act(
        app, f"order_{order.id}_resend_email_shipped_{wine.id}", "La cliente ne l'a pas reçu."
    )
    assert not errors_of(app), errors_of(app)
    assert app.success[0].value == "E-mail « Commande expédiée (client) » renvoyé."
    mail = wait_for_mail(admin_mail_sink.maildir, to="nina@example.test")
    assert "Cave Roux" in str(mail["Subject"])
    assert "6A123456789" in text_of(mail)
    db.expire_all()
    audit = db.scalars(select(AuditLog)).one()
    assert (audit.action, audit.reason, audit.details) == (
        "order.resend_email",
        "La cliente ne l'a pas reçu.",
        {"template": "shipped", "vendor_order_id": wine.id},
    )
    assert db.scalars(select(SentEmail.email_key)).all() == [f"operator-resend:{audit.id}"]
    # The e-mail shows in the order's detail after the rerun.
    assert any(
        "objet" in t.value.columns and "Cave Roux" in t.value["objet"].iloc[0] for t in app.table
    )


def test_resend_with_the_mail_server_down_says_so_and_records_nothing(
    db: Session, operator: User, temporal_down: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comptoir.settings import get_settings

    monkeypatch.setenv("COMPTOIR_SMTP_PORT", temporal_down.rsplit(":", 1)[1])  # a closed port
    get_settings.cache_clear()
    order = make_order(db)
    db.commit()
    app = open_order(db, operator, order.id, "resend_email")
    app = act(app, f"order_{order.id}_resend_email_order_paid_0", "Relance.")
    assert errors_of(app) == [
        "Le serveur d'e-mails est injoignable : rien n'a été envoyé, réessayez plus tard."
    ]
    db.expire_all()
    assert db.scalars(select(AuditLog)).first() is None
    get_settings.cache_clear()


def test_issue_the_missing_invoice_of_a_paid_shop(db: Session, operator: User) -> None:
    order = make_order(db, shops=[create_shop(db), create_shop(db, name="Cave Roux")])
    bread, wine = parts_of(db, order)
    add_payment(db, order, PaymentStatus.succeeded)
    add_invoice(db, bread)
    db.commit()
    app = open_order(db, operator, order.id, "invoice")
    # Only the shop without an invoice is offered.
    assert app.selectbox(key=f"order_{order.id}_invoice_part").options == ["Cave Roux"]
    app = act(app, f"order_{order.id}_invoice_{wine.id}", "L'étape de facturation a échoué.")
    assert not errors_of(app), errors_of(app)
    db.expire_all()
    issued = db.scalars(select(Invoice).where(Invoice.vendor_order_id == wine.id)).one()
    assert app.success[0].value == f"Facture {issued.number} émise."
    pdf = db.scalar(select(Invoice.pdf).where(Invoice.id == issued.id))
    assert pdf is not None and pdf.startswith(b"%PDF")
    assert db.scalars(select(AuditLog.action)).all() == ["order.issue_invoice"]
    # Every shop has its invoice now: the action is no longer offered.
    assert "Émettre une facture manquante" not in _offered(app.run())


def test_an_unpaid_order_gets_no_invoice(db: Session, operator: User) -> None:
    order = make_order(db)
    part = parts_of(db, order)[0]
    add_payment(db, order, PaymentStatus.pending)
    db.commit()
    app = open_order(db, operator, order.id, "invoice")
    app = act(app, f"order_{order.id}_invoice_{part.id}", "Facture demandée.")
    assert errors_of(app) == ["La facture n'est émise qu'une fois la commande payée."]
    db.expire_all()
    assert db.scalars(select(Invoice)).all() == [] and db.scalars(select(AuditLog)).all() == []


@pytest.mark.parametrize("action", ["retry", "cancel", "terminate", "reset"])
def test_temporal_actions_fail_cleanly_when_temporal_is_down(
    db: Session, operator: User, action: str
) -> None:
    order = make_order(db, stage="needs_attention")
    item = add_attention(db, order)  # retry is offered only to an order waiting for one
    db.commit()
    app = open_order(db, operator, order.id, action)
    key = f"order_{order.id}_{action}" + (f"_{item.id}" if action in ("retry", "cancel") else "")
    app = act(app, key, "Essai.")
    errors = errors_of(app)
    assert len(errors) == 1 and ("injoignable" in errors[0] or "indisponible" in errors[0])
    assert not app.exception
    db.expire_all()
    assert db.scalars(select(AuditLog)).first() is None


def _offered(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The actions the order page offers."""
    boxes = [s for s in app.selectbox if str(s.key).startswith("order_action_")]
    return list(boxes[0].options) if boxes else []


def test_only_the_actions_that_apply_are_offered(db: Session, operator: User) -> None:
    from comptoir.models import OrderStatus

    labels = {
        "start": "Démarrer le workflow",
        "retry": "Relancer l'étape en échec",
        "cancel": "Annuler la commande",
        "invoice": "Émettre une facture manquante",
    }
    unpaid = make_order(db, status=OrderStatus.awaiting_payment, stage="awaiting_payment")
    never_started = make_order(db, status=OrderStatus.awaiting_payment, stage="start_pending")
    stuck = make_order(db, stage="needs_attention")
    add_attention(db, stuck)
    invoiced = make_order(db)
    add_invoice(db, parts_of(db, invoiced)[0])
    cancelled = make_order(db, status=OrderStatus.cancelled, stage="closed")
    db.commit()

    offered = _offered(open_order(db, operator, unpaid.id))
    assert labels["cancel"] in offered and labels["retry"] not in offered
    assert labels["start"] not in offered and labels["invoice"] not in offered  # not paid
    assert "Renvoyer un e-mail" not in offered
    started = _offered(open_order(db, operator, never_started.id))
    assert set(started) == {labels["start"], labels["cancel"]}
    assert labels["retry"] in _offered(open_order(db, operator, stuck.id))
    paid = _offered(open_order(db, operator, invoiced.id))
    assert labels["retry"] not in paid and labels["invoice"] not in paid
    assert "Renvoyer un e-mail" in paid and labels["cancel"] in paid
    app = open_order(db, operator, cancelled.id)
    assert _offered(app) == []
    assert any("Aucune action ne s'applique" in c.value for c in app.caption)
