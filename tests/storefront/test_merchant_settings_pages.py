"""The merchant's hours, closures, pickup slots and delivery modes page."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.errors import Unprocessable
from comptoir.models import DeliveryMode, OpeningHours, PickupSlotRule, Role, ShopClosure
from storefront.pages.merchant_settings import format_day_ranges, parse_day_ranges
from tests.factories import create_shop, create_user
from tests.storefront.formtools import browser_login, post_form

PAGE = "/vendeur/boutique/horaires"


def test_day_ranges_are_read_as_shopkeepers_write_them() -> None:
    assert parse_day_ranges("9h-12h30, 14h-19h", 1) == [
        (1, time(9), time(12, 30)), (1, time(14), time(19)),
    ]  # fmt: skip
    assert parse_day_ranges("9:00 – 18:15", 0) == [(0, time(9), time(18, 15))]
    assert parse_day_ranges("", 3) == []
    assert format_day_ranges([(time(9), time(12, 30))]) == "9h00-12h30"
    with pytest.raises(Unprocessable, match="mardi"):
        parse_day_ranges("matin", 1)


def test_hours_slots_closures_and_modes(client: TestClient, db: Session) -> None:
    merchant = create_user(db, Role.merchant)
    shop = create_shop(db, merchant)
    stranger = create_user(db, Role.merchant)
    create_shop(db, stranger)
    db.commit()
    assert client.get(PAGE, follow_redirects=False).status_code == 303
    browser_login(client, merchant)
    page = client.get(PAGE)
    assert page.status_code == 200 and 'value="9h00-19h00"' in page.text

    hours = {f"hours_{d}": "9h-12h30, 14h-19h" for d in range(6)} | {"hours_6": ""}
    slots = {f"slots_{d}": "" for d in range(7)} | {"slots_5": "10h-12h"}
    bad = post_form(client, PAGE, {**hours, **slots, "hours_2": "midi", "slot_minutes": "30",
                                   "capacity": "4"}, page=PAGE)  # fmt: skip
    assert bad.status_code == 422 and "mercredi" in bad.text
    saved = post_form(client, PAGE, {**hours, **slots, "slot_minutes": "30", "capacity": "4"},
                      page=PAGE)  # fmt: skip
    assert saved.status_code == 303
    db.expire_all()
    assert len(db.scalars(select(OpeningHours).where(OpeningHours.shop_id == shop.id)).all()) == 12
    rules = db.scalars(select(PickupSlotRule).where(PickupSlotRule.shop_id == shop.id)).all()
    assert [(r.weekday, r.starts, r.ends, r.slot_minutes, r.capacity) for r in rules] == [
        (5, time(10), time(12), 30, 4)
    ]

    day = (date.today() + timedelta(days=3)).isoformat()
    added = post_form(client, PAGE + "/fermetures", {"start_date": day, "reason": "Inventaire"},
                      page=PAGE)  # fmt: skip
    assert added.status_code == 303
    closure = db.scalars(select(ShopClosure).where(ShopClosure.shop_id == shop.id)).one()
    assert "Inventaire" in client.get(PAGE).text

    new = post_form(client, PAGE + "/livraison",
                    {"kind": "local_delivery", "label": "Livraison en triporteur", "price": "3,50",
                     "free_above": "40", "active": "1"}, page=PAGE)  # fmt: skip
    assert new.status_code == 303
    mode = db.scalars(
        select(DeliveryMode).where(DeliveryMode.label == "Livraison en triporteur")
    ).one()
    assert (mode.price_cents, mode.free_above_cents) == (350, 4000)
    changed = post_form(
        client,
        PAGE + f"/livraison/{mode.id}",
        {"label": "Triporteur", "price": "4", "free_above": ""},
        page=PAGE,
    )
    assert changed.status_code == 303
    db.expire_all()
    assert (mode.label, mode.price_cents, mode.free_above_cents, mode.active) == (
        "Triporteur",
        400,
        None,
        False,
    )

    # Another merchant cannot touch these.
    client.cookies.clear()
    browser_login(client, stranger)
    assert post_form(client, PAGE + f"/livraison/{mode.id}", {"supprimer": "1"}).status_code == 404
    assert post_form(client, PAGE + f"/fermetures/{closure.id}/supprimer").status_code == 404
    assert db.get(DeliveryMode, mode.id) is not None
