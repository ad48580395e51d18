"""The merchant's opening hours, closures, pickup slots and delivery modes, on one page.

Hours and slot ranges are typed per weekday the way a shopkeeper writes them on the door:
"9h-12h30, 14h-19h" (empty: closed / no slot that day).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from comptoir.domain.labels import NBSP, WEEKDAYS_FR, format_time_fr
from comptoir.errors import DomainError, Unprocessable
from comptoir.models import DeliveryKind, Shop
from comptoir.services import products, shops
from comptoir.web.deps import SessionDep
from storefront.deps import Form, MerchantPage, checkbox, numeric_id, text
from storefront.i18n import _
from storefront.templating import redirect, render

router = APIRouter()

PAGE = "/vendeur/boutique/horaires"
_TIME = r"(\d{1,2})\s*(?:[h:.]\s*(\d{2})?)?"
_RANGE = re.compile(rf"^{_TIME}\s*(?:-|–|à)\s*{_TIME}$", re.IGNORECASE)


def _time_of(hours: str, minutes: str | None, typed: str) -> time:
    hour, minute = int(hours), int(minutes or 0)
    if hour == 24 and minute == 0:
        return time(23, 59)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise Unprocessable(_("Heure invalide dans « %(typed)s ».", typed=typed))
    return time(hour, minute)


def parse_day_ranges(typed: str, weekday: int) -> list[tuple[int, time, time]]:
    """'9h-12h30, 14h-19h' → [(weekday, 09:00, 12:30), (weekday, 14:00, 19:00)]."""
    ranges = []
    for part in (p.strip() for p in re.split(r"[,;/]|\bet\b", typed) if p.strip()):
        found = _RANGE.match(part)
        if not found:
            raise Unprocessable(
                _(
                    "Le %(day)s, « %(part)s » n'est pas une plage horaire (exemple : 9h-12h30).",
                    day=WEEKDAYS_FR[weekday],
                    part=part,
                )
            )
        ranges.append(
            (weekday, _time_of(found[1], found[2], part), _time_of(found[3], found[4], part))
        )
    return ranges


def format_day_ranges(ranges: list[tuple[time, time]]) -> str:
    """The inverse of `parse_day_ranges`, in the shop's own notation."""
    return ", ".join(f"{format_time_fr(s)}-{format_time_fr(e)}".replace(NBSP, "") for s, e in ranges)


def _per_day(rows: list[Any], start: str, end: str) -> list[str]:
    days: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    for row in rows:
        days[row.weekday].append((getattr(row, start), getattr(row, end)))
    return [format_day_ranges(sorted(day)) for day in days]


def _page(
    request: Request,
    shop: Shop,
    hours: list[str] | None = None,
    slots: list[str] | None = None,
    slot_minutes: str = "",
    capacity: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    rules = shop.pickup_slot_rules
    return render(
        request,
        "merchant/hours.html",
        {
            "shop": shop,
            "weekdays": WEEKDAYS_FR,
            "hours": hours or _per_day(shop.opening_hours, "opens", "closes"),
            "slots": slots or _per_day(rules, "starts", "ends"),
            "slot_minutes": slot_minutes or (str(rules[0].slot_minutes) if rules else "30"),
            "capacity": capacity or (str(rules[0].capacity) if rules else "5"),
            "closures": shop.closures,
            "modes": shop.delivery_modes,
            "kinds": [k.value for k in DeliveryKind],
            "error": error,
            "today": date.today().isoformat(),
        },
        status_code=status_code,
    )


def _shop(db: SessionDep, merchant: Any) -> Shop:
    return shops.shop_with_settings(db, shops.merchant_shop(db, merchant).id)


@router.get(PAGE)
def hours_page(request: Request, db: SessionDep, merchant: MerchantPage) -> Response:
    """Opening hours, closures, pickup slots and delivery modes."""
    return _page(request, _shop(db, merchant))


@router.post(PAGE)
def save_hours(request: Request, form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Replace the weekly opening hours and pickup slot rules."""
    shop = _shop(db, merchant)
    hours = [text(form, f"hours_{d}", 200) for d in range(7)]
    slots = [text(form, f"slots_{d}", 200) for d in range(7)]
    minutes, capacity = text(form, "slot_minutes", 6), text(form, "capacity", 6)
    try:
        opening = [r for d in range(7) for r in parse_day_ranges(hours[d], d)]
        slot_ranges = [r for d in range(7) for r in parse_day_ranges(slots[d], d)]
        if slot_ranges and not (minutes.isdigit() and capacity.isdigit()):
            raise Unprocessable(_("Indiquez la durée d'un créneau et le nombre de commandes."))
        shops.replace_opening_hours(db, shop, opening)
        shops.replace_pickup_slot_rules(
            db, shop, [(d, s, e, int(minutes), int(capacity)) for d, s, e in slot_ranges]
        )
    except DomainError as exc:
        db.rollback()
        return _page(request, _shop(db, merchant), hours, slots, minutes, capacity,
                     exc.message, exc.status_code)  # fmt: skip
    return redirect(PAGE, _("Horaires et créneaux enregistrés."))


@router.post(PAGE + "/fermetures")
def add_closure(form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Add an exceptional closure (both dates included)."""
    shop = shops.merchant_shop(db, merchant)
    try:
        start = date.fromisoformat(text(form, "start_date", 10))
        end = date.fromisoformat(text(form, "end_date", 10) or text(form, "start_date", 10))
        shops.add_closure(db, shop, start, end, text(form, "reason", 300))
    except ValueError:
        return redirect(PAGE + "#fermetures", _("Indiquez des dates valides."), "error")
    except DomainError as exc:
        return redirect(PAGE + "#fermetures", exc.message, "error")
    return redirect(PAGE + "#fermetures", _("Fermeture ajoutée."))


@router.post(PAGE + "/fermetures/{closure_id}/supprimer")
def delete_closure(closure_id: str, form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Remove a closure."""
    shop = shops.merchant_shop(db, merchant)
    shops.delete_closure(db, shop, numeric_id(closure_id, _("Cette fermeture n'existe pas.")))
    return redirect(PAGE + "#fermetures", _("Fermeture supprimée."))


def _mode_values(form: FormData) -> dict[str, Any]:
    price, free_above = text(form, "price", 20), text(form, "free_above", 20)
    try:
        return {
            "label": text(form, "label", 200),
            "price_cents": products.parse_euros(price) if price else 0,
            "free_above_cents": products.parse_euros(free_above) if free_above else None,
            "active": checkbox(form, "active"),
        }
    except ValueError as exc:
        raise Unprocessable(str(exc)[:1].upper() + str(exc)[1:] + ".") from exc


@router.post(PAGE + "/livraison")
def add_mode(form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Add a way to hand orders over."""
    shop = shops.merchant_shop(db, merchant)
    try:
        kind = DeliveryKind(text(form, "kind", 20))
        values = _mode_values(form)
        shops.add_delivery_mode(db, shop, kind, values["label"], values["price_cents"],
                                values["free_above_cents"], values["active"])  # fmt: skip
    except ValueError:
        return redirect(PAGE + "#livraison", _("Choisissez un type de mode."), "error")
    except DomainError as exc:
        return redirect(PAGE + "#livraison", exc.message, "error")
    return redirect(PAGE + "#livraison", _("Mode ajouté."))


@router.post(PAGE + "/livraison/{mode_id}")
def update_mode(mode_id: str, form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Change a mode, or remove it (`supprimer`)."""
    shop = shops.merchant_shop(db, merchant)
    mid = numeric_id(mode_id, _("Ce mode de livraison n'existe pas."))
    try:
        if form.get("supprimer") is not None:
            shops.delete_delivery_mode(db, shop, mid)
            return redirect(PAGE + "#livraison", _("Mode supprimé."))
        shops.update_delivery_mode(db, shop, mid, _mode_values(form))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return redirect(PAGE + "#livraison", exc.message, "error")
    return redirect(PAGE + "#livraison", _("Mode enregistré."))
