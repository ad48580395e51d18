"""The console against a real Temporal server: live panel, signals, start, terminate, reset,
and workflows that disagree with Postgres on the Stuck page."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import WorkflowExecutionStatus

from comptoir.models import AuditLog, OrderStatus, User
from tests.admin_ui.console import act, errors_of, open_order, open_page
from tests.admin_ui.order_factories import add_attention, add_refund, ago, make_order, parts_of
from tests.admin_ui.temporal_harness import FLAKY, TemporalHarness
from tests.factories import create_shop

pytestmark = pytest.mark.timeout(180)


def audit_of(db: Session) -> list[tuple[str, str, str, dict[str, object]]]:
    db.expire_all()
    return [
        (a.action, a.target, a.reason, a.details)
        for a in db.scalars(select(AuditLog).order_by(AuditLog.id))
    ]


def wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def status_of(temporal: TemporalHarness, workflow_id: str) -> WorkflowExecutionStatus | None:
    return temporal.run(temporal.client.get_workflow_handle(workflow_id).describe()).status


def test_live_panel_shows_pending_activity_attempts_and_the_workflow_state(
    db: Session, operator: User, temporal: TemporalHarness
) -> None:
    order = make_order(db, stage="needs_attention", shops=[create_shop(db), create_shop(db)])
    failing, quiet = parts_of(db, order)
    add_refund(db, order, 450)  # a refund the order's workflow did not make
    db.commit()
    handle = temporal.start(f"order-{order.id}", order.id, FLAKY)
    child = temporal.start(f"vendor-order-{failing.id}", order.id, FLAKY)

    def retried() -> bool:
        return all(
            (pending := temporal.run(h.describe()).raw_description.pending_activities)
            and pending[0].attempt >= 2
            for h in (handle, child)
        )

    wait_for(retried)
    app = open_order(db, operator, order.id)
    assert not errors_of(app)
    assert not [w.value for w in app.warning if "Temporal" in w.value]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Exécution"] == "En cours d'exécution"
    pending = next(t.value for t in app.table if "activité" in t.value.columns)
    assert pending["activité"].tolist() == ["issue_invoice"]
    assert int(pending["tentative"].iloc[0]) >= 2
    assert pending["dernier échec"].iloc[0] == "Serveur SMTP injoignable"
    state = next(t.value for t in app.table if "nature de l'échéance" in t.value.columns)
    assert (state["statut"].iloc[0], state["étape"].iloc[0], state["à traiter"].iloc[0]) == (
        "En cours",
        "Attend un opérateur",  # the stage's French label, not its code
        "oui",
    )
    assert state["remboursé (PostgreSQL)"].iloc[0] == "4,50\u00a0€"  # PostgreSQL's figure
    children = next(t.value for t in app.table if "workflow" in t.value.columns)
    assert children["workflow"].tolist() == [
        f"vendor-order-{failing.id}",
        f"vendor-order-{quiet.id}",
    ]
    assert children["exécution"].tolist() == ["En cours d'exécution", "pas démarré"]
    assert children["activités en attente"].iloc[0].startswith("issue_invoice (tentative ")
    assert children["activités en attente"].iloc[0].endswith(") : Serveur SMTP injoignable")
    for h in (handle, child):
        temporal.run(h.terminate(reason="fin du test"))  # stop their retries


def test_an_order_unknown_to_temporal_is_said_so(
    db: Session, operator: User, temporal: TemporalHarness
) -> None:
    order = make_order(db, stage="start_pending")
    db.commit()
    app = open_order(db, operator, order.id)
    assert any("n'a jamais démarré" in w.value for w in app.warning)


def test_retry_signals_the_order_workflow_and_is_audited(
    db: Session, operator: User, temporal: TemporalHarness
) -> None:
    order = make_order(db, stage="needs_attention")
    item = add_attention(db, order)
    db.commit()
    temporal.start(f"order-{order.id}", order.id)
    app = open_order(db, operator, order.id, "retry")
    app = act(app, f"order_{order.id}_retry_{item.id}", "SMTP rétabli.")
    assert not errors_of(app), errors_of(app)
    assert f"Demande de relance de l'étape en échec envoyée au workflow order-{order.id}" in (
        app.success[0].value
    )
    assert temporal.state(f"order-{order.id}").stage == f"retry par {operator.id} : SMTP rétabli."
    assert audit_of(db) == [
        (
            "order.retry",
            f"order:{order.id}",
            "SMTP rétabli.",
            {"workflow_id": f"order-{order.id}", "attention_item_id": item.id},
        )
    ]


def test_cancel_of_a_shop_item_goes_to_the_vendor_order_workflow(
    db: Session, operator: User, temporal: TemporalHarness
) -> None:
    order = make_order(db)
    part = parts_of(db, order)[0]
    item = add_attention(db, order, kind="merchant_late", vendor_order=part)
    db.commit()
    temporal.start(f"order-{order.id}", order.id)
    temporal.start(f"vendor-order-{part.id}", order.id)
    app = open_order(db, operator, order.id, "cancel")
    app = act(app, f"order_{order.id}_cancel_{item.id}", "Boutique fermée pour travaux.")
    assert not errors_of(app), errors_of(app)
    wait_for(
        lambda: status_of(temporal, f"vendor-order-{part.id}") == WorkflowExecutionStatus.COMPLETED
    )
    assert status_of(temporal, f"order-{order.id}") == WorkflowExecutionStatus.RUNNING
    assert audit_of(db)[0][3]["workflow_id"] == f"vendor-order-{part.id}"


def test_a_signal_to_a_missing_workflow_is_an_error_and_not_audited(
    db: Session, operator: User, temporal: TemporalHarness
) -> None:
    order = make_order(db, stage="needs_attention")
    item = add_attention(db, order)
    db.commit()
    app = open_order(db, operator, order.id, "retry")
    app = act(app, f"order_{order.id}_retry_{item.id}", "Relance.")
    # The gateway words it (the signal's NOT_FOUND); Temporal's own wording is accepted too.
    assert set(errors_of(app)) & {
        "Ce workflow est terminé : il n'attend plus rien.",
        "Ce workflow est inconnu de Temporal.",
    }
    assert not app.success
    assert audit_of(db) == []


def test_operator_starts_a_workflow_that_never_started(
    db: Session, operator: User, temporal: TemporalHarness
) -> None:
    order = make_order(db, status=OrderStatus.awaiting_payment, stage="start_pending")
    db.commit()
    app = open_order(db, operator, order.id, "start")
    app = act(app, f"order_{order.id}_start", "Temporal était en maintenance.")
    assert not errors_of(app), errors_of(app)
    assert app.success[0].value == f"Workflow order-{order.id} démarré."
    assert status_of(temporal, f"order-{order.id}") == WorkflowExecutionStatus.RUNNING
    # The projection has not moved yet (no real worker here): a second start finds the first.
    app.selectbox(key=f"order_action_{order.id}").set_value("start").run()
    app = act(app, f"order_{order.id}_start", "Encore.")
    assert app.success[0].value == f"Le workflow order-{order.id} existait déjà : rien à démarrer."
    assert [a[3] for a in audit_of(db)] == [{"started": True}, {"started": False}]


def test_terminate_and_reset(db: Session, operator: User, temporal: TemporalHarness) -> None:
    order = make_order(db)
    db.commit()
    first = temporal.start(f"order-{order.id}", order.id)
    wait_for(lambda: temporal.state(f"order-{order.id}").order_id == order.id)

    app = open_order(db, operator, order.id, "reset")
    app = act(app, f"order_{order.id}_reset", "Bogue corrigé, on rejoue.")
    assert not errors_of(app), errors_of(app)
    reset = audit_of(db)[0]
    assert reset[0] == "order.reset"
    new_run = reset[3]["new_run_id"]
    assert new_run and new_run != first.result_run_id
    described = temporal.run(temporal.client.get_workflow_handle(f"order-{order.id}").describe())
    assert described.run_id == new_run and described.status == WorkflowExecutionStatus.RUNNING

    app.selectbox(key=f"order_action_{order.id}").set_value("terminate").run()
    app = act(app, f"order_{order.id}_terminate", "Commande frauduleuse.")
    assert not errors_of(app), errors_of(app)
    assert status_of(temporal, f"order-{order.id}") == WorkflowExecutionStatus.TERMINATED
    assert audit_of(db)[1][:3] == ("order.terminate", f"order:{order.id}", "Commande frauduleuse.")


def test_stuck_page_lists_workflows_that_disagree_with_postgres(
    db: Session, operator: User, temporal: TemporalHarness
) -> None:
    still_open = make_order(db)  # processing in Postgres, its workflow is over
    closed = make_order(db, status=OrderStatus.cancelled, stage="closed")  # workflow still runs
    closing = make_order(db, status=OrderStatus.cancelled, stage="closed")  # just closed: ends soon
    fine = make_order(db)
    db.flush()
    closed.updated_at = ago(minutes=10)
    db.commit()
    done = temporal.start(f"order-{still_open.id}", still_open.id)
    temporal.run(done.terminate(reason="test"))
    temporal.start(f"order-{closed.id}", closed.id)
    temporal.start(f"order-{closing.id}", closing.id)
    temporal.start(f"order-{fine.id}", fine.id)

    def listed() -> bool:
        found = temporal.run(temporal.client.count_workflows(f"WorkflowId = 'order-{fine.id}'"))
        return found.count == 1

    wait_for(listed)  # visibility is eventually consistent
    app = open_page(db, operator, "stuck")
    assert not errors_of(app)
    assert not [w.value for w in app.warning]
    table = app.table[0].value
    assert sorted(zip(table["commande"], table["motif"], strict=True)) == [
        (still_open.id, "Workflow terminé alors que la commande est en cours"),
        (closed.id, "Workflow encore actif alors que la commande est close"),
    ]
