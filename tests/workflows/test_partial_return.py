"""A return of part of a shop's goods reads "Partiellement remboursée" everywhere: the
shopper's and the merchant's API and pages. Real worker, Temporal, localstripe."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.lifecycle_support import (
    build_town,
    lines_of,
    merchant_step,
    pay,
    place_order,
    vendor_orders,
    wait_for,
    wait_paid_and_dispatched,
    wait_status,
)
from tests.storefront.formtools import browser_login

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("live_platform")]
PARTLY = "Partiellement remboursée"


def test_partial_return_reads_partially_refunded(client: TestClient, db: Session) -> None:
    town = build_town(db, client)
    order_id = place_order(client, db, town, quantities=(2, 0))
    wait_status(db, order_id, "awaiting_payment")
    pay(client, town, order_id)
    (pickup,) = wait_paid_and_dispatched(db, order_id)
    merchant_step(client, town, 0, pickup.id, "ready")
    code = vendor_orders(db, order_id)[0].pickup_code
    assert merchant_step(client, town, 0, pickup.id, "complete", {"pickup_code": code}).status_code == 200
    line = lines_of(db, pickup.id)[0]
    asked = client.post(
        f"/api/orders/{order_id}/vendor-orders/{pickup.id}/returns",
        json={"lines": [{"line_id": line.id, "quantity": 1}], "reason": "Une tarte écrasée"},
        headers=town.shopper_headers,
    )
    assert asked.status_code in (200, 201), asked.text
    accepted = merchant_step(client, town, 0, pickup.id, f"returns/{asked.json()['return_id']}/accept")
    assert accepted.status_code == 200, accepted.text
    wait_for(lambda: vendor_orders(db, order_id)[0].refunded_cents == 1850, what="the refund")
    wait_status(db, order_id, "partially_refunded")
    assert vendor_orders(db, order_id)[0].status.value == "refunded"  # stored as before

    shopper_view = client.get(f"/api/orders/{order_id}", headers=town.shopper_headers).json()
    assert shopper_view["vendor_orders"][0]["status_label"] == PARTLY
    listed = client.get("/api/orders", headers=town.shopper_headers).json()
    assert listed[0]["shops"][0]["status_label"] == PARTLY
    merchant = town.merchant_headers[0]
    part = client.get(f"/api/merchant/vendor-orders/{pickup.id}", headers=merchant).json()
    assert part["status_label"] == PARTLY and part["status"] == "refunded"
    queue = client.get("/api/merchant/vendor-orders", headers=merchant).json()
    assert [p["status_label"] for p in queue if p["id"] == pickup.id] == [PARTLY]
    browser_login(client, town.shopper)
    page = client.get(f"/commandes/{order_id}").text
    assert PARTLY in page.split(f'id="boutique-{pickup.id}"')[1].split("</div>")[0]
