"""Montlouvier-sur-Loire, an invented town of the Loire valley, and its shops.

The data lives in `demo/data/shops.json` and `accounts.json`; `demo.load` turns it into
rows. Telephone numbers are in the ranges ARCEP reserves for fiction (02 61 91 …, 06 39 98 …), e-mail domains end
in `.test` (reserved, never routable), and the SIRET numbers are made up but pass INSEE's
Luhn check like real ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from comptoir.models.shops import DeliveryKind, ShopStatus

TOWN_NAME = "Montlouvier-sur-Loire"
POSTAL_CODE = "49350"
MERCHANT_DOMAIN = "montlouvier.test"

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MON_TO_SAT = (MON, TUE, WED, THU, FRI, SAT)
TUE_TO_SAT = (TUE, WED, THU, FRI, SAT)
TUE_TO_SUN = (TUE, WED, THU, FRI, SAT, SUN)

OpeningRange = tuple[int, time, time]  # weekday (0 = Monday), opens, closes


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _span(text: str) -> tuple[time, time]:
    """'7:00-13:00' → (07:00, 13:00)."""
    start, end = text.split("-")
    return _time(start), _time(end)


def weekly(*groups: tuple[Sequence[int], Sequence[str]]) -> tuple[OpeningRange, ...]:
    """Opening ranges from (weekdays, ['7:00-13:00', '15:30-19:30']) groups."""
    ranges: list[OpeningRange] = []
    for weekdays, spans in groups:
        for weekday in weekdays:
            ranges += [(weekday, *_span(span)) for span in spans]
    return tuple(sorted(ranges))


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class PickupSlots:
    """Pickup slots of `slot_minutes` within `span` on `weekdays`, `capacity` orders each."""

    weekdays: tuple[int, ...]
    span: str
    slot_minutes: int
    capacity: int

    def rules(self) -> list[tuple[int, time, time, int, int]]:
        """One (weekday, starts, ends, slot_minutes, capacity) rule per weekday."""
        starts, ends = _span(self.span)
        return [(day, starts, ends, self.slot_minutes, self.capacity) for day in self.weekdays]


@dataclass(frozen=True)
class Closure:
    """An exceptional closure: every year from `month_day`, or `in_days` after the load."""

    reason: str
    days: int
    month_day: tuple[int, int] | None = None
    in_days: int | None = None

    def dates(self, today: date) -> tuple[date, date]:
        """First and last closed day, the first one always after `today`."""
        if self.month_day is not None:
            month, day = self.month_day
            start = date(today.year, month, day)
            if start <= today:
                start = date(today.year + 1, month, day)
        else:
            start = today + timedelta(days=self.in_days or 1)
        return start, start + timedelta(days=self.days - 1)


@dataclass(frozen=True)
class Delivery:
    kind: DeliveryKind
    label: str
    price_cents: int = 0
    free_above_cents: int | None = None


PICKUP = Delivery(DeliveryKind.pickup, "Retrait en boutique")


def bike(price_cents: int, free_above_cents: int | None) -> Delivery:
    """Local delivery by cargo bike within the town."""
    return Delivery(
        DeliveryKind.local_delivery,
        f"Livraison à vélo dans {TOWN_NAME} et ses hameaux (le jour même ou le lendemain)",
        price_cents,
        free_above_cents,
    )


def colissimo(price_cents: int, free_above_cents: int | None = None, note: str = "") -> Delivery:
    """Postal shipping anywhere in metropolitan France."""
    label = "Colissimo, France métropolitaine (2 à 4 jours ouvrés)" + (f" – {note}" if note else "")
    return Delivery(DeliveryKind.shipping, label, price_cents, free_above_cents)


def return_policy(returnable: str, excluded: str, extra: str = "") -> str:
    """Each shop's own conditions, always within the legal 14-day right of withdrawal."""
    text = (
        f"Droit de rétractation : {returnable} peuvent être retournés dans les 14 jours suivant "
        "leur réception (le délai exact de chaque commande figure dans votre espace "
        "« Commandes »), dans leur état et leur emballage d'origine, sans avoir à vous "
        "justifier. Demandez le retour depuis votre commande : le remboursement est fait "
        "automatiquement sur la carte utilisée pour le paiement. Exceptions prévues par "
        f"l'article L.221-28 du Code de la consommation : {excluded}"
    )
    return f"{text} {extra}".strip()


ALCOHOL_NOTICE = (
    "La vente de boissons alcooliques est interdite aux mineurs : une pièce d'identité peut "
    "vous être demandée au retrait ou à la livraison."
)

@dataclass(frozen=True)
class Payout:
    """Where a demo shop is paid: a Stripe Connect account made on the local Stripe at load
    time, or a bank account for the SEPA file."""

    stripe_connect: bool = False
    iban: str = ""
    holder: str = ""


@dataclass(frozen=True)
class DemoShop:
    """One shop of the town, its owner's login and what it sells (`assortment`)."""

    assortment: str  # key of demo.assortments.ASSORTMENTS
    sku_prefix: str
    slug: str
    name: str
    trade: str
    legal_name: str
    siret: str
    vat_number: str
    address_line: str
    phone: str
    email: str
    description: str
    return_policy: str
    hours: tuple[OpeningRange, ...]
    deliveries: tuple[Delivery, ...]
    owner: Person
    pickup_slots: tuple[PickupSlots, ...] = ()
    closures: tuple[Closure, ...] = ()
    status: ShopStatus = ShopStatus.approved
    payout: Payout | None = None  # how the platform pays it (None: the merchant says later)


DATA_DIR = Path(__file__).resolve().parent / "data"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DELIVERY_LABELS = {"pickup": PICKUP.label}


def _days(names: Sequence[str]) -> tuple[int, ...]:
    return tuple(DAYS.index(name) for name in names)


def _delivery(data: dict[str, Any]) -> Delivery:
    """A delivery mode of shops.json; the labels are the platform's wording per kind."""
    kind = DeliveryKind(data["kind"])
    if kind == DeliveryKind.pickup:
        return PICKUP
    if kind == DeliveryKind.local_delivery:
        return bike(data.get("price_cents", 0), data.get("free_above_cents"))
    return colissimo(data.get("price_cents", 0), data.get("free_above_cents"), data.get("note", ""))


def _person(data: dict[str, str]) -> Person:
    return Person(data["first_name"], data["last_name"], data["email"], data.get("phone", ""))


def _shop(data: dict[str, Any]) -> DemoShop:
    """One shop of shops.json."""
    plain = {key: value for key, value in data.items() if isinstance(value, str)}
    plain.pop("status", None)
    return DemoShop(
        **plain,
        hours=weekly(*[(_days(group["days"]), group["hours"]) for group in data["hours"]]),
        pickup_slots=tuple(
            PickupSlots(_days(slot["days"]), slot["hours"], slot["slot_minutes"], slot["capacity"])
            for slot in data.get("pickup_slots", ())
        ),
        deliveries=tuple(_delivery(item) for item in data["deliveries"]),
        closures=tuple(
            Closure(
                item["reason"],
                item["days"],
                tuple(item["month_day"]) if "month_day" in item else None,  # type: ignore[arg-type]
                item.get("in_days"),
            )
            for item in data.get("closures", ())
        ),
        owner=_person(data["owner"]),
        status=ShopStatus(data.get("status", "approved")),
        payout=Payout(**data["payout"]) if "payout" in data else None,
    )


def _read(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text("utf-8"))


SHOPS: tuple[DemoShop, ...] = tuple(_shop(item) for item in _read("shops.json"))
_ACCOUNTS = _read("accounts.json")
SHOPPERS: tuple[Person, ...] = tuple(_person(item) for item in _ACCOUNTS["shoppers"])
OPERATOR = _person(_ACCOUNTS["operator"])


def shop_by_assortment(assortment: str) -> DemoShop:
    """The demo shop selling `assortment` (KeyError when there is none)."""
    for shop in SHOPS:
        if shop.assortment == assortment:
            return shop
    raise KeyError(assortment)
