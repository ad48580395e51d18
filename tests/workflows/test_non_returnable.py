"""Goods a shop does not take back (perishables): the return form leaves them out, the API
answers 422, the vendor-order workflow refuses them too, and what is returnable still goes
back. Real worker, Temporal, localstripe."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from comptoir.models import AuditLog, OrderLine, Product
from tests.factories import create_product
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
from tests.storefront.formtools import browser_login, post_form

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("live_platform")]


def test_non_returnable_lines_are_kept_out_of_returns(client: TestClient, db: Session) -> None:
    town = build_town(db, client)
    eclair = create_product(
        db, town.shops[0], name="Éclair au chocolat", price_cents=350, returnable=False
    )
    db.commit()
    added = client.post(
        "/api/cart/items", json={"product_id": eclair.id, "quantity": 1},
        headers=town.shopper_headers,
    )  # fmt: skip
    assert added.status_code == 201, added.text
    order_id = place_order(client, db, town, quantities=(2, 0))
    wait_status(db, order_id, "awaiting_payment")
    pay(client, town, order_id)
    (part,) = wait_paid_and_dispatched(db, order_id)
    merchant_step(client, town, 0, part.id, "ready")
    code = vendor_orders(db, order_id)[0].pickup_code
    assert merchant_step(client, town, 0, part.id, "complete", {"pickup_code": code}).status_code == 200
    lines = {line.product_name: line for line in lines_of(db, part.id)}
    tart, kept = lines["Tarte aux pommes"], lines["Éclair au chocolat"]
    assert tart.returnable and not kept.returnable  # the product's choice, kept on the line

    browser_login(client, town.shopper)
    page = client.get(f"/commandes/{order_id}").text
    form = page.split(f'id="return-form-{part.id}"')[1].split("</form>")[0]
    assert f'name="qty_{tart.id}"' in form and f'name="qty_{kept.id}"' not in form
    assert "Éclair au chocolat : non repris par la boutique" in form

    returns_path = f"/api/orders/{order_id}/vendor-orders/{part.id}/returns"
    asked = client.post(
        returns_path,
        json={"lines": [{"line_id": kept.id, "quantity": 1}], "reason": "Trop sucré"},
        headers=town.shopper_headers,
    )
    assert asked.status_code == 422, asked.text
    assert asked.json()["error"] == "not_returnable"
    assert "« Éclair au chocolat » : non repris par la boutique" in asked.json()["message"]

    # Past the API's check (its row says otherwise), the workflow still refuses: it kept the
    # line as it was bought.
    db.execute(update(OrderLine).where(OrderLine.id == kept.id).values(returnable=True))
    db.commit()
    refused = client.post(
        returns_path,
        json={"lines": [{"line_id": kept.id, "quantity": 1}], "reason": "Trop sucré"},
        headers=town.shopper_headers,
    )
    assert refused.status_code == 409, refused.text
    assert "n'est pas repris par la boutique" in refused.json()["message"]
    db.execute(update(OrderLine).where(OrderLine.id == kept.id).values(returnable=False))
    db.commit()

    # Returning every returnable line is not a full withdrawal: the éclair stays sold.
    asked = client.post(
        returns_path,
        json={"lines": [{"line_id": tart.id, "quantity": 2}], "reason": "Tartes écrasées"},
        headers=town.shopper_headers,
    )
    assert asked.status_code == 201, asked.text
    accepted = merchant_step(client, town, 0, part.id, f"returns/{asked.json()['return_id']}/accept")
    assert accepted.status_code == 200, accepted.text
    wait_for(
        lambda: (p := vendor_orders(db, order_id)[0]).refunded_cents == 3700
        and p.status.value == "refunded",  # the refund first, then the return's closing
        what="the refund and the return to be closed",
    )
    page = client.get(f"/commandes/{order_id}").text
    assert f'id="return-form-{part.id}"' not in page
    assert "Les articles de cette boutique ne sont pas repris" in page

    # The merchant puts the returned tarts back on sale from the order page, once.
    return_id = asked.json()["return_id"]
    tart_id = town.products[0].id
    assert _stock(db, tart_id) == 8
    browser_login(client, town.merchants[0])
    merchant_page = client.get(f"/vendeur/commandes/{part.id}").text
    restock_form = merchant_page.split(f'id="restock-{return_id}"')[1].split("</form>")[0]
    assert f'name="line_{tart.id}"' in restock_form and f"line_{kept.id}" not in restock_form
    restocked = post_form(
        client,
        f"/vendeur/commandes/{part.id}/retours/{return_id}/stock",
        {f"line_{tart.id}": "on"},
    )
    assert restocked.status_code == 303
    assert _stock(db, tart_id) == 10
    again = client.post(
        f"/api/merchant/vendor-orders/{part.id}/returns/{return_id}/restock",
        json={"line_ids": [tart.id]},
        headers=town.merchant_headers[0],
    )
    assert again.status_code == 409 and again.json()["error"] == "already_restocked"
    assert _stock(db, tart_id) == 10
    shown = client.get(f"/vendeur/commandes/{part.id}").text
    assert "remis en stock le" in shown.split(f'id="restock-{return_id}"')[1].split("</div>")[0]
    logged = db.scalars(
        select(AuditLog.details).where(AuditLog.action == "return.restock")
    ).all()
    assert logged == [{"return_id": return_id, "lines": {str(tart.id): 2}}]


def _stock(db: Session, product_id: int) -> int:
    db.expire_all()
    return int(db.scalar(select(Product.stock).where(Product.id == product_id)) or 0)
