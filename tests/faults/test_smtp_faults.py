"""The SMTP sink unreachable while an order is paid: the confirmation e-mail step fails,
the order waits in needs_attention (e-mail steps are skippable), an operator retries or
skips once the port is back, and the order goes on; no e-mail ever goes out twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import AttentionItem, SentEmail
from devstack.services import free_port
from tests.conftest import MailSink, restore_env, set_env
from tests.faults.conftest import check_order_money, operator_action, operator_headers
from tests.lifecycle_support import (
    Town,
    attention_settled,
    build_town,
    merchant_step,
    order_row,
    pay,
    place_order,
    vendor_orders,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)

pytestmark = [pytest.mark.timeout(90), pytest.mark.usefixtures("live_platform")]


class SmtpOutage:
    """The platform's SMTP port pointed at a closed port, and back."""

    def __init__(self) -> None:
        self.previous: dict[str, str | None] | None = None

    def start(self) -> None:
        self.previous = set_env({"COMPTOIR_SMTP_PORT": str(free_port())})  # nobody listens

    def end(self) -> None:
        if self.previous is not None:
            restore_env(self.previous)
            self.previous = None


@pytest.fixture
def smtp_outage() -> Iterator[SmtpOutage]:
    outage = SmtpOutage()
    try:
        yield outage
    finally:
        outage.end()


def _open_item(db: Session, order_id: int, step: str) -> AttentionItem:
    def found() -> AttentionItem | None:
        db.rollback()
        return db.scalar(select(AttentionItem).where(
            AttentionItem.order_id == order_id, AttentionItem.step == step,
            AttentionItem.resolved_at.is_(None)))  # fmt: skip

    return wait_for(found, timeout=60, what=f"the failed step {step} to reach operators")


def _sent_keys(db: Session, order_id: int) -> list[str]:
    db.rollback()
    return list(db.scalars(select(SentEmail.email_key).where(SentEmail.order_id == order_id)))


def _wait_sent(db: Session, order_id: int, town: Town, shopper: bool = True) -> None:
    """Wait for the confirmation (unless skipped) and each shop's new-order e-mail."""
    parts = vendor_orders(db, order_id)
    wanted = {f"vendor-order:{p.id}:paid" for p in parts} | (
        {f"order:{order_id}:paid"} if shopper else set())  # fmt: skip
    wait_for(lambda: wanted <= set(_sent_keys(db, order_id)), what=f"the e-mails {wanted}")


def _complete_both(client: TestClient, db: Session, town: Town, order_id: int) -> None:
    pickup, delivery = vendor_orders(db, order_id)
    assert merchant_step(client, town, 0, pickup.id, "ready").status_code == 200
    code = vendor_orders(db, order_id)[0].pickup_code
    done = merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": code})
    assert done.status_code == 200, done.text
    shipped = merchant_step(client, town, 1, delivery.id, "ship",
                            {"carrier": "Vélo", "tracking_number": "42"})  # fmt: skip
    assert shipped.status_code == 200, shipped.text
    assert merchant_step(client, town, 1, delivery.id, "complete").status_code == 200
    wait_status(db, order_id, "completed")
    # Each hand-over e-mail goes out just after its step: wait for both before counting.
    handed_over = {f"vendor-order:{p.id}:completed" for p in (pickup, delivery)}
    wait_for(lambda: handed_over <= set(_sent_keys(db, order_id)), what="the hand-over e-mails")


def _no_mail_twice(db: Session, sink: MailSink, order_id: int) -> None:
    """Each e-mail key went out once: as many caught messages as sent_emails rows.

    An e-mail is sent, then its row is committed: the two counts may differ for an instant
    after the last step (the hand-over e-mail follows the order's completion), never for
    good unless something went out twice."""

    def settled() -> bool:
        return len(sink.messages()) == len(_sent_keys(db, order_id))

    try:
        wait_for(settled, timeout=15, what="the caught e-mails to match their keys")
    except AssertionError:
        pass  # the assertions below say what differs
    keys = _sent_keys(db, order_id)
    caught = [(str(m["To"]), str(m["Subject"])) for m in sink.messages()]
    assert len(keys) == len(set(keys))
    assert len(caught) == len(keys), f"{len(caught)} caught for {len(keys)} keys: {caught}"


def test_smtp_down_at_payment_then_operator_retry_sends_the_confirmation_once(
    client: TestClient, db: Session, live_platform: MailSink, smtp_outage: SmtpOutage,
    localstripe: str,
) -> None:
    town = build_town(db, client)
    initial = {p.id: p.stock for p in town.products}
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    smtp_outage.start()
    pay(client, town, order_id)
    item = _open_item(db, order_id, "email:order_paid")
    assert item.kind == "activity_failed" and "refused" in item.error.lower()
    order = order_row(db, order_id)
    assert order.status.value == "processing" and order.needs_attention
    assert order.stage == "needs_attention"
    # The shops have their parts already: the paperwork waits, the order does not.
    wait_paid_and_dispatched(db, order_id)
    assert f"order:{order_id}:paid" not in _sent_keys(db, order_id)
    assert live_platform.messages() == []
    smtp_outage.end()
    answer = operator_action(client, operator_headers(client, db), order_id, "retry")
    assert answer.status_code == 202, answer.text
    _wait_sent(db, order_id, town)
    wait_for(lambda: attention_settled(db, order_id), what="the item to be resolved")
    paid = [m for m in live_platform.to(town.shopper.email)
            if str(m["Subject"]).startswith(f"Commande n° {order_id} confirmée")]  # fmt: skip
    caught = [str(m["Subject"]) for m in live_platform.messages()]
    assert len(paid) == 1, f"caught {caught}"
    assert _sent_keys(db, order_id).count(f"order:{order_id}:paid") == 1
    for merchant in town.merchants:
        assert len(live_platform.to(merchant.email)) == 1
    _complete_both(client, db, town, order_id)
    _no_mail_twice(db, live_platform, order_id)
    check_order_money(db, localstripe, order_id, initial)


def test_smtp_down_operator_skips_the_confirmation_then_retries_the_next_mail(
    client: TestClient, db: Session, live_platform: MailSink, smtp_outage: SmtpOutage,
    localstripe: str,
) -> None:
    town = build_town(db, client)
    initial = {p.id: p.stock for p in town.products}
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    smtp_outage.start()
    pay(client, town, order_id)
    first = _open_item(db, order_id, "email:order_paid")
    operator = operator_headers(client, db)
    # Skipped while the SMTP server is still down: the next e-mail fails in turn.
    assert operator_action(client, operator, order_id, "skip").status_code == 202
    second = _open_item(db, order_id, "email:new_vendor_order")
    assert second.item_key != first.item_key
    db.rollback()
    skipped = db.get_one(AttentionItem, first.id, populate_existing=True)
    assert skipped.resolved_at is not None and skipped.resolution.startswith("skip")
    assert order_row(db, order_id).needs_attention is True
    smtp_outage.end()
    assert operator_action(client, operator, order_id, "retry").status_code == 202
    _wait_sent(db, order_id, town, shopper=False)
    wait_for(lambda: attention_settled(db, order_id), what="every item to be resolved")
    keys = _sent_keys(db, order_id)
    assert f"order:{order_id}:paid" not in keys  # skipped: never sent, never sent late
    assert live_platform.to(town.shopper.email) == []
    for merchant in town.merchants:
        assert len(live_platform.to(merchant.email)) == 1
    _complete_both(client, db, town, order_id)
    _no_mail_twice(db, live_platform, order_id)
    check_order_money(db, localstripe, order_id, initial)
