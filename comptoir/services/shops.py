"""Shops: the application made at merchant sign-up, the merchant's own settings (hours,
closures, pickup slots, delivery modes) and the operators' approval decisions.

A merchant reaches only the shop they own (`merchant_shop`); an operator reaches any.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from comptoir.domain.hours import OpeningRange
from comptoir.domain.labels import WEEKDAYS_FR, elide_de, format_time_fr
from comptoir.domain.paris_time import to_paris
from comptoir.domain.slots import SlotRule
from comptoir.errors import Conflict, Forbidden, NotFound, Unprocessable
from comptoir.models import (
    Category,
    DeliveryKind,
    DeliveryMode,
    OpeningHours,
    PickupSlotRule,
    Role,
    Shop,
    ShopClosure,
    ShopStatus,
    User,
)
from comptoir.services import audit
from comptoir.services.contact_fields import (
    check_phone,
    check_postal_code,
    check_required,
    check_share_capital,
    check_siret,
    check_vat_number,
    normalize_email,
    slugify,
)
from comptoir.services.outbox import OutgoingMail
from comptoir.services.scoping import first_owned_shop

SHOP_STATUS_LABELS = {
    ShopStatus.pending: "en attente de validation",
    ShopStatus.approved: "validée",
    ShopStatus.refused: "refusée",
    ShopStatus.suspended: "suspendue",
}
# What a merchant may change in their shop; status, owner and slug belong to the platform.
# Form fields stored under another name (the capital is typed in euros, kept in cents).
COLUMN_OF_FIELD = {"share_capital": "share_capital_cents"}
EDITABLE_SHOP_FIELDS = frozenset(
    {
        "name", "trade", "description", "phone", "email", "address_line", "postal_code",
        "city", "return_policy", "legal_name", "siret", "vat_number", "legal_form",
        "registration", "share_capital", "cgv_text",
    }
)  # fmt: skip
MAX_DELIVERY_PRICE_CENTS = 100_000
MAX_FREE_ABOVE_CENTS = 10_000_000
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 8 * 60
MAX_SLOT_CAPACITY = 1000


def _now() -> datetime:
    return datetime.now(UTC)


# --- the application made at sign-up ---------------------------------------------------


@dataclass(frozen=True)
class ShopApplication:
    """What a merchant says about their shop when signing up."""

    name: str
    trade: str
    legal_name: str
    siret: str
    address_line: str
    postal_code: str
    city: str
    phone: str
    email: str


def unique_shop_slug(db: Session, name: str) -> str:
    """A slug for the shop's public address, suffixed (-2, -3…) when the name is taken."""
    base = slugify(name) or "boutique"
    taken = set(db.scalars(select(Shop.slug).where(Shop.slug.startswith(base))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_pending_shop(db: Session, owner: User, application: ShopApplication) -> Shop:
    """The merchant's shop, `pending` (not public) until an operator approves it."""
    shop = Shop(
        owner_id=owner.id,
        name=check_required(application.name, "nom de la boutique"),
        trade=check_required(application.trade, "activité"),
        legal_name=check_required(application.legal_name, "raison sociale"),
        siret=check_siret(application.siret),
        address_line=check_required(application.address_line, "adresse"),
        postal_code=check_postal_code(application.postal_code),
        city=check_required(application.city, "ville"),
        phone=check_phone(application.phone, required=True),
        email=normalize_email(application.email, "adresse e-mail de la boutique"),
        status=ShopStatus.pending,
    )
    shop.slug = unique_shop_slug(db, shop.name)
    db.add(shop)
    db.flush()
    # Every shop offers pickup in store from the start, so it always has one active mode.
    db.add(
        DeliveryMode(
            shop_id=shop.id, kind=DeliveryKind.pickup, label="Retrait en boutique", price_cents=0
        )
    )
    db.flush()
    return shop


# --- the merchant's own shop ------------------------------------------------------------


def merchant_shop(db: Session, user: User) -> Shop:
    """The shop `user` owns; 404 when they have none."""
    shop = first_owned_shop(db, user)
    if shop is None:
        raise NotFound("Aucune boutique n'est rattachée à votre compte.", code="no_shop")
    return shop


def shop_with_settings(db: Session, shop_id: int) -> Shop:
    """A shop with its hours, closures, pickup slot rules and delivery modes loaded."""
    shop = db.scalar(
        select(Shop)
        .where(Shop.id == shop_id)
        .options(
            selectinload(Shop.opening_hours),
            selectinload(Shop.closures),
            selectinload(Shop.pickup_slot_rules),
            selectinload(Shop.delivery_modes),
        )
        .execution_options(populate_existing=True)
    )
    if shop is None:
        raise NotFound("Cette boutique n'existe pas.")
    return shop


def update_shop(db: Session, shop: Shop, changes: Mapping[str, str]) -> Shop:
    """Change the merchant-editable fields given (each checked); others are refused."""
    unknown = set(changes) - EDITABLE_SHOP_FIELDS
    if unknown:
        raise Unprocessable(
            "Ces champs ne peuvent pas être modifiés : " + ", ".join(sorted(unknown)) + "."
        )
    checks: dict[str, Callable[[str], object]] = {
        "name": lambda v: check_required(v, "nom de la boutique"),
        "trade": lambda v: check_required(v, "activité"),
        "legal_name": lambda v: check_required(v, "raison sociale"),
        "siret": check_siret,
        "vat_number": check_vat_number,
        "address_line": lambda v: check_required(v, "adresse"),
        "postal_code": check_postal_code,
        "city": lambda v: check_required(v, "ville"),
        "phone": lambda v: check_phone(v, required=True),
        "email": lambda v: normalize_email(v, "adresse e-mail de la boutique"),
        "legal_form": lambda v: v.strip()[:60],
        "registration": lambda v: v.strip()[:120],
        "share_capital": check_share_capital,
    }
    for name, value in changes.items():
        check = checks.get(name)
        setattr(shop, COLUMN_OF_FIELD.get(name, name), check(value) if check else value.strip())
    db.flush()
    return shop


def _overlaps(day_ranges: list[tuple[time, time]]) -> tuple[time, time, time, time] | None:
    """The first two overlapping ranges of one day, or None (touching ranges are fine)."""
    ordered = sorted(day_ranges)
    for (a_start, a_end), (b_start, b_end) in zip(ordered, ordered[1:], strict=False):
        if b_start < a_end:
            return a_start, a_end, b_start, b_end
    return None


def _check_weekly_ranges(ranges: Sequence[tuple[int, time, time]], what: str) -> None:
    """Weekdays in 0–6, start before end, no two ranges of a day overlapping."""
    per_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in ranges:
        if not 0 <= weekday <= 6:
            raise Unprocessable(f"Jour invalide ({weekday}) : 0 = lundi … 6 = dimanche.")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise Unprocessable("Indiquez des heures locales sans fuseau (exemple : 09:00).")
        if start >= end:
            raise Unprocessable(
                f"{what.capitalize()} du {WEEKDAYS_FR[weekday]} : l'heure de début "
                f"({format_time_fr(start)}) doit précéder l'heure de fin ({format_time_fr(end)})."
            )
        per_day.setdefault(weekday, []).append((start, end))
    for weekday, day_ranges in sorted(per_day.items()):
        overlap = _overlaps(day_ranges)
        if overlap:
            a1, a2, b1, b2 = (format_time_fr(t) for t in overlap)
            raise Unprocessable(
                f"Le {WEEKDAYS_FR[weekday]}, les {what}s {a1} – {a2} et {b1} – {b2} "
                "se chevauchent."
            )


def replace_opening_hours(
    db: Session, shop: Shop, ranges: Sequence[OpeningRange]
) -> list[OpeningHours]:
    """Replace the whole weekly schedule (a day without ranges is a closed day)."""
    _check_weekly_ranges(ranges, "plage d'ouverture")
    db.execute(delete(OpeningHours).where(OpeningHours.shop_id == shop.id))
    rows = [OpeningHours(shop_id=shop.id, weekday=d, opens=o, closes=c) for d, o, c in ranges]
    db.add_all(rows)
    db.flush()
    return sorted(rows, key=lambda r: (r.weekday, r.opens))


def list_closures(db: Session, shop: Shop) -> list[ShopClosure]:
    """The shop's exceptional closures, earliest first."""
    return list(
        db.scalars(
            select(ShopClosure)
            .where(ShopClosure.shop_id == shop.id)
            .order_by(ShopClosure.start_date, ShopClosure.id)
        )
    )


def add_closure(
    db: Session, shop: Shop, start_date: date, end_date: date, reason: str = ""
) -> ShopClosure:
    """Record an exceptional closure (both days included); past closures are refused."""
    if start_date > end_date:
        raise Unprocessable("La date de fin de fermeture doit suivre (ou égaler) la date de début.")
    if end_date < to_paris(_now()).date():
        raise Unprocessable("Cette fermeture est entièrement passée ; indiquez des dates à venir.")
    closure = ShopClosure(
        shop_id=shop.id, start_date=start_date, end_date=end_date, reason=reason.strip()
    )
    db.add(closure)
    db.flush()
    return closure


def delete_closure(db: Session, shop: Shop, closure_id: int) -> None:
    """Remove one of the shop's closures (404 for another shop's)."""
    closure = db.get(ShopClosure, closure_id)
    if closure is None or closure.shop_id != shop.id:
        raise NotFound("Cette fermeture n'existe pas.")
    db.delete(closure)
    db.flush()


def replace_pickup_slot_rules(
    db: Session, shop: Shop, rules: Sequence[SlotRule]
) -> list[PickupSlotRule]:
    """Replace the weekly pickup slot rules; none means pickup during opening hours."""
    _check_weekly_ranges([(d, s, e) for d, s, e, _, _ in rules], "plage de retrait")
    for weekday, starts, ends, minutes, capacity in rules:
        if not MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES:
            raise Unprocessable(
                f"La durée d'un créneau doit être comprise entre {MIN_SLOT_MINUTES} minutes "
                f"et {MAX_SLOT_MINUTES // 60} heures."
            )
        span = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
        if minutes > span:
            raise Unprocessable(
                f"Le {WEEKDAYS_FR[weekday]}, la plage {format_time_fr(starts)} – "
                f"{format_time_fr(ends)} est plus courte qu'un créneau de {minutes} minutes."
            )
        if not 1 <= capacity <= MAX_SLOT_CAPACITY:
            raise Unprocessable(
                f"Le nombre de commandes par créneau doit être compris entre 1 et "
                f"{MAX_SLOT_CAPACITY}."
            )
    db.execute(delete(PickupSlotRule).where(PickupSlotRule.shop_id == shop.id))
    rows = [
        PickupSlotRule(
            shop_id=shop.id, weekday=d, starts=s, ends=e, slot_minutes=m, capacity=c
        )
        for d, s, e, m, c in rules
    ]
    db.add_all(rows)
    db.flush()
    return sorted(rows, key=lambda r: (r.weekday, r.starts))


# --- delivery modes ---------------------------------------------------------------------


def list_delivery_modes(db: Session, shop: Shop) -> list[DeliveryMode]:
    """Every delivery mode of the shop, active or not."""
    return list(
        db.scalars(
            select(DeliveryMode).where(DeliveryMode.shop_id == shop.id).order_by(DeliveryMode.id)
        )
    )


def _delivery_mode_of(db: Session, shop: Shop, mode_id: int) -> DeliveryMode:
    # The shop row lock serialises concurrent changes, so "keep one active mode" holds.
    db.execute(select(Shop.id).where(Shop.id == shop.id).with_for_update())
    mode = db.get(DeliveryMode, mode_id, populate_existing=True)
    if mode is None or mode.shop_id != shop.id:
        raise NotFound("Ce mode de livraison n'existe pas.")
    return mode


def _check_delivery_mode(mode: DeliveryMode) -> None:
    mode.label = check_required(mode.label, "libellé")
    if not 0 <= mode.price_cents <= MAX_DELIVERY_PRICE_CENTS:
        raise Unprocessable("Le prix de livraison doit être compris entre 0 et 1 000 €.")
    if mode.kind == DeliveryKind.pickup and mode.price_cents != 0:
        raise Unprocessable("Le retrait en boutique est gratuit : son prix doit être 0.")
    if mode.free_above_cents is not None and not 0 <= mode.free_above_cents <= MAX_FREE_ABOVE_CENTS:
        raise Unprocessable("Le seuil de gratuité doit être compris entre 0 et 100 000 €.")


def _ensure_other_active_mode(db: Session, shop: Shop, mode: DeliveryMode) -> None:
    others = db.scalar(
        select(func.count())
        .select_from(DeliveryMode)
        .where(
            DeliveryMode.shop_id == shop.id,
            DeliveryMode.active.is_(True),
            DeliveryMode.id != mode.id,
        )
    )
    if not others:
        raise Conflict(
            "Votre boutique doit garder au moins un mode de retrait ou de livraison actif : "
            "ajoutez-en un autre avant de retirer celui-ci.",
            code="last_delivery_mode",
        )


def add_delivery_mode(
    db: Session,
    shop: Shop,
    kind: DeliveryKind,
    label: str,
    price_cents: int,
    free_above_cents: int | None = None,
    active: bool = True,
) -> DeliveryMode:
    """A new way for the shop to hand orders over."""
    mode = DeliveryMode(
        shop_id=shop.id,
        kind=kind,
        label=label,
        price_cents=price_cents,
        free_above_cents=free_above_cents,
        active=active,
    )
    _check_delivery_mode(mode)
    db.add(mode)
    db.flush()
    return mode


def update_delivery_mode(
    db: Session, shop: Shop, mode_id: int, changes: Mapping[str, Any]
) -> DeliveryMode:
    """Change label, price, threshold, kind or active flag; the last active mode stays on."""
    mode = _delivery_mode_of(db, shop, mode_id)
    allowed = {"kind", "label", "price_cents", "free_above_cents", "active"}
    for name, value in changes.items():
        if name not in allowed:
            raise Unprocessable(f"Le champ « {name} » ne peut pas être modifié.")
        setattr(mode, name, value)
    _check_delivery_mode(mode)
    if changes.get("active") is False:
        _ensure_other_active_mode(db, shop, mode)
    db.flush()
    return mode


def delete_delivery_mode(db: Session, shop: Shop, mode_id: int) -> None:
    """Remove a delivery mode (past orders keep their own copy of its label and price)."""
    mode = _delivery_mode_of(db, shop, mode_id)
    if mode.active:
        _ensure_other_active_mode(db, shop, mode)
    db.delete(mode)
    db.flush()


# --- operators' decisions ---------------------------------------------------------------


class ShopDecision(enum.StrEnum):
    approve = "approve"
    refuse = "refuse"
    suspend = "suspend"
    reinstate = "reinstate"


@dataclass(frozen=True)
class _Transition:
    allowed_from: frozenset[ShopStatus]
    to: ShopStatus
    verb: str  # French infinitive, for the 409 message
    template: str
    reason_required: bool


TRANSITIONS: Mapping[ShopDecision, _Transition] = {
    # A refused shop may be reconsidered once the merchant has fixed what was wrong.
    ShopDecision.approve: _Transition(
        frozenset({ShopStatus.pending, ShopStatus.refused}), ShopStatus.approved,
        "valider", "shop_approved", False,
    ),
    ShopDecision.refuse: _Transition(
        frozenset({ShopStatus.pending}), ShopStatus.refused, "refuser", "shop_refused", True
    ),
    ShopDecision.suspend: _Transition(
        frozenset({ShopStatus.approved}), ShopStatus.suspended, "suspendre", "shop_suspended",
        True,
    ),
    ShopDecision.reinstate: _Transition(
        frozenset({ShopStatus.suspended}), ShopStatus.approved, "rétablir", "shop_reinstated",
        False,
    ),
}  # fmt: skip


def list_shops(
    db: Session, status: ShopStatus | None = None, limit: int = 200, offset: int = 0
) -> list[tuple[Shop, str | None]]:
    """Shops (oldest application first) with their owner's e-mail, optionally by status."""
    query = select(Shop, User.email).outerjoin(User, User.id == Shop.owner_id)
    if status is not None:
        query = query.where(Shop.status == status)
    rows = db.execute(query.order_by(Shop.created_at, Shop.id).limit(limit).offset(offset))
    return [(shop, email) for shop, email in rows.tuples()]


def count_shops(db: Session, status: ShopStatus | None = None) -> int:
    """How many shops (with this status)."""
    query = select(func.count()).select_from(Shop)
    if status is not None:
        query = query.where(Shop.status == status)
    return db.scalar(query) or 0


def get_shop(db: Session, shop_id: int) -> tuple[Shop, str | None]:
    """One shop and its owner's e-mail (operators only)."""
    row = db.execute(
        select(Shop, User.email).outerjoin(User, User.id == Shop.owner_id).where(Shop.id == shop_id)
    ).first()
    if row is None:
        raise NotFound("Cette boutique n'existe pas.")
    return row[0], row[1]


def decide_shop(
    db: Session, operator: User, shop_id: int, decision: ShopDecision, reason: str = ""
) -> tuple[Shop, OutgoingMail | None]:
    """Apply an operator's decision, audit it and return the e-mail telling the merchant."""
    if operator.role != Role.operator:
        raise Forbidden("Seul un opérateur peut décider du statut d'une boutique.")
    transition = TRANSITIONS[decision]
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise Unprocessable(
            f"Indiquez le motif pour {transition.verb} la boutique : il est transmis au commerçant."
        )
    shop = db.scalar(
        select(Shop).where(Shop.id == shop_id).with_for_update().execution_options(
            populate_existing=True
        )
    )
    if shop is None:
        raise NotFound("Cette boutique n'existe pas.")
    if shop.status not in transition.allowed_from:
        raise Conflict(
            f"Impossible {elide_de(transition.verb)} la boutique « {shop.name} » : elle est "
            f"{SHOP_STATUS_LABELS[shop.status]}.",
            code="invalid_transition",
        )
    previous = shop.status
    shop.status = transition.to
    shop.status_reason = reason
    if transition.to == ShopStatus.approved and shop.approved_at is None:
        shop.approved_at = _now()
    entry = audit.record(
        db,
        operator.id,
        f"shop.{decision.value}",
        audit.shop_target(shop.id),
        reason,
        {"from": previous.value, "to": transition.to.value},
    )
    owner = db.get(User, shop.owner_id) if shop.owner_id else None
    to = owner.email if owner and owner.erased_at is None else shop.email
    if not to:
        return shop, None
    mail = OutgoingMail(
        email_key=f"shop:{shop.id}:{decision.value}:{entry.id}",
        to=to,
        template=transition.template,
        context={
            "first_name": owner.first_name if owner else "",
            "shop_name": shop.name,
            "shop_slug": shop.slug,
            "reason": reason,
        },
    )
    return shop, mail


MAX_ORDERED_CATEGORIES = 50


def _category_key(name: str) -> str:
    # slugify drops the ligatures "œuf" and "æ" would lose a letter: spell them out first.
    spelt = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    return slugify(spelt, max_length=80)


def set_category_order(db: Session, shop: Shop, names: str) -> list[str]:
    """Set the order of the shop page's categories from names separated by commas or lines
    ("Fromages, Crèmerie & œufs"), accents and case ignored; unknown names are refused."""
    known: dict[str, str] = {}
    for slug, name in db.execute(select(Category.slug, Category.name)):
        known[slug] = slug
        known.setdefault(_category_key(name), slug)
    slugs: list[str] = []
    unknown: list[str] = []
    for name in re.split(r"[,;\n]", names):
        key = _category_key(name)
        if not key:
            continue
        if key not in known:
            unknown.append(name.strip())
        elif known[key] not in slugs:
            slugs.append(known[key])
    if unknown:
        raise Unprocessable(
            "Catégories inconnues dans l'ordre des rayons : "
            + ", ".join(f"« {n} »" for n in unknown)
            + "."
        )
    shop.category_order = slugs[:MAX_ORDERED_CATEGORIES]
    db.flush()
    return shop.category_order
