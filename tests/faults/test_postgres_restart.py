"""PostgreSQL restarting under a live order: every connection cut, new ones refused for a
while, then the server back. The API answers 503 meanwhile (never 500), the worker's
activities retry, and the order completes charged once with its data intact."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from comptoir.db import reset_engine
from tests.conftest import MailSink, restore_env, set_env
from tests.faults.conftest import check_order_money
from tests.faults.tcp_proxy import TcpRestartProxy
from tests.lifecycle_support import (
    build_town,
    merchant_step,
    pay,
    place_order,
    vendor_orders,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)

pytestmark = [pytest.mark.timeout(240), pytest.mark.usefixtures("live_platform")]


@pytest.fixture
def database_behind_proxy(database_url: str, db: Session) -> Iterator[TcpRestartProxy]:
    """The API and the worker reach the test database through a restartable TCP proxy."""
    url = make_url(database_url)
    socket_dir = str(url.query.get("host", ""))
    if url.host:
        proxy = TcpRestartProxy(url.host, url.port or 5432).start()
    else:  # the embedded server listens on a unix socket
        socket = f"{socket_dir}/.s.PGSQL.{url.port or 5432}"
        proxy = TcpRestartProxy("", 0, unix_socket=socket).start()
    through = url.set(host="127.0.0.1", port=proxy.port, query={})
    previous = set_env(
        {
            "DATABASE_URL": through.render_as_string(hide_password=False),
            "COMPTOIR_DB_POOL_TIMEOUT_SECONDS": "5",
        }
    )
    reset_engine()  # the app and the worker now connect through the proxy
    try:
        yield proxy
    finally:
        restore_env(previous)
        reset_engine()
        proxy.stop()


def test_order_survives_a_database_restart(
    client: TestClient, db: Session, live_platform: MailSink, database_behind_proxy: TcpRestartProxy,
    localstripe: str,
) -> None:
    proxy = database_behind_proxy
    town = build_town(db, client)
    initial = {p.id: p.stock for p in town.products}
    order_id = place_order(client, db, town)
    wait_status(db, order_id, "awaiting_payment")
    intent_id = pay(client, town, order_id)
    pickup, delivery = wait_paid_and_dispatched(db, order_id)

    proxy.down()  # PostgreSQL "restarts": connections cut, new ones refused
    try:
        during = client.get(f"/api/orders/{order_id}", headers=town.shopper_headers)
        assert during.status_code == 503, during.text
        assert "réessayez" in during.json()["message"]
        step = merchant_step(client, town, 0, pickup.id, "prepare")
        assert step.status_code == 503, step.text
        time.sleep(2)
    finally:
        proxy.up()

    # Back: stale pooled connections are replaced (pre-ping) and everything goes on.
    answer = wait_for(
        lambda: (r := merchant_step(client, town, 0, pickup.id, "prepare")).status_code == 200 and r,
        timeout=60, what="the merchant's step to go through again",
    )  # fmt: skip
    assert answer.json()["status"] == "preparing"
    merchant_step(client, town, 0, pickup.id, "ready")
    code = vendor_orders(db, order_id)[0].pickup_code
    merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": code})
    merchant_step(client, town, 1, delivery.id, "ship", {"carrier": "Vélo", "tracking_number": "9"})
    assert merchant_step(client, town, 1, delivery.id, "complete").status_code == 200
    wait_status(db, order_id, "completed", timeout=60)
    assert client.get(f"/api/orders/{order_id}", headers=town.shopper_headers).status_code == 200
    check_order_money(db, localstripe, order_id, initial)
    assert intent_id
