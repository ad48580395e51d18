"""E-mails about an order: the context every order template shares, then `mail.send_templated`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.domain.hours import weekly_summary
from comptoir.domain.labels import format_datetime_fr, format_time_fr
from comptoir.domain.money import format_eur
from comptoir.domain.paris_time import to_paris
from comptoir.errors import NotFound
from comptoir.mail import already_sent, send_templated
from comptoir.models import DeliveryKind, OpeningHours, Order, OrderLine, Shop, User, VendorOrder
from comptoir.orders.contracts import EmailRequest
from comptoir.services.shop_pages import opening_ranges


def shop_address(shop: Shop) -> str:
    """`3 place du Marché, 69001 Lyon` (the parts the shop filled in)."""
    town = f"{shop.postal_code} {shop.city}".strip()
    return ", ".join(p for p in (shop.address_line.strip(), town) if p)


def _opening_hours_of(db: Session, shop_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each shop's week of opening hours, Monday first (for pickups without a slot)."""
    rows = db.scalars(
        select(OpeningHours)
        .where(OpeningHours.shop_id.in_(shop_ids))
        .order_by(OpeningHours.weekday, OpeningHours.opens)
    )
    by_shop: dict[int, list[OpeningHours]] = {shop_id: [] for shop_id in shop_ids}
    for row in rows:
        by_shop[row.shop_id].append(row)
    return {
        shop_id: weekly_summary(opening_ranges(hours)) if hours else []
        for shop_id, hours in by_shop.items()
    }


def _part_context(
    part: VendorOrder, shop: Shop, lines: list[OrderLine], hours: list[tuple[str, str]]
) -> dict[str, Any]:
    return {
        "vendor_order_id": part.id,
        "shop_name": shop.name,
        "shop_address": shop_address(shop),
        "shop_phone": shop.phone,
        "is_pickup": part.delivery_kind == DeliveryKind.pickup,
        "opening_hours": hours,
        "delivery_label": part.delivery_label,
        "delivery_cents": part.delivery_cents,
        "pickup_code": part.pickup_code,
        "carrier": part.carrier,
        "tracking_number": part.tracking_number,
        "pickup_slot": _slot_text(part),
        "lines": [
            {
                "product_name": line.product_name,
                "quantity": line.quantity,
                "total_cents": line.total_cents,
                "status": line.status.value,
                "requires_confirmation": line.requires_confirmation,
            }
            for line in lines
        ],
    }


def _slot_text(part: VendorOrder) -> str:
    if part.pickup_slot_start is None or part.pickup_slot_end is None:
        return ""
    return f"{format_datetime_fr(part.pickup_slot_start)} – {format_time_fr(to_paris(part.pickup_slot_end).time())}"


def readable_extra(extra: dict[str, str]) -> dict[str, str]:
    """Workflows pass raw values (`*_iso` times, `*_cents` amounts); e-mails show them in
    French under the name without the suffix (`deadline`, `amount`)."""
    shown = dict(extra)
    for key, value in extra.items():
        if key.endswith("_iso") and value:
            shown[key.removesuffix("_iso")] = format_datetime_fr(datetime.fromisoformat(value))
        elif key.endswith("_cents") and value:
            shown[key.removesuffix("_cents")] = format_eur(int(value))
    return shown


def _merchant_address(db: Session, shop: Shop) -> str:
    if shop.owner_id is not None:
        owner_email = db.scalar(select(User.email).where(User.id == shop.owner_id))
        if owner_email:
            return owner_email
    return shop.email


def order_email(db: Session, request: EmailRequest) -> bool:
    """Send `request.template` about the order to its shopper or a shop (once per key)."""
    if already_sent(db, request.email_key):
        return False
    order = db.get(Order, request.order_id)
    if order is None:
        raise NotFound(f"Commande {request.order_id} introuvable.")
    parts = list(
        db.scalars(select(VendorOrder).where(VendorOrder.order_id == order.id).order_by(VendorOrder.id))
    )
    shops = {
        s.id: s for s in db.scalars(select(Shop).where(Shop.id.in_([p.shop_id for p in parts])))
    }
    lines_of: dict[int, list[OrderLine]] = {p.id: [] for p in parts}
    for line in db.scalars(
        select(OrderLine)
        .where(OrderLine.vendor_order_id.in_([p.id for p in parts]))
        .order_by(OrderLine.id)
    ):
        lines_of[line.vendor_order_id].append(line)
    shopper = db.get(User, order.shopper_id) if order.shopper_id is not None else None
    hours = _opening_hours_of(db, list(shops))
    shown_parts = [p for p in parts if p.status.value != "cancelled"]
    context: dict[str, Any] = {
        "order": {"id": order.id, "total_cents": order.total_cents},
        "first_name": (shopper.first_name if shopper else "") or "",
        "extra": readable_extra(request.extra),
        "parts": [
            _part_context(p, shops[p.shop_id], lines_of[p.id], hours[p.shop_id])
            for p in shown_parts
        ],
        # Every subject names the shop(s) the e-mail is about.
        "shops_label": ", ".join(shops[p.shop_id].name for p in shown_parts or parts),
    }
    part = next((p for p in parts if p.id == request.vendor_order_id), None)
    if request.vendor_order_id is not None:
        if part is None:
            raise NotFound("Commande boutique introuvable.")
        context.update(
            _part_context(part, shops[part.shop_id], lines_of[part.id], hours[part.shop_id])
        )
        context["shops_label"] = shops[part.shop_id].name
    if request.to == "merchant":
        if part is None:
            raise NotFound("Un e-mail au vendeur doit nommer sa commande boutique.")
        to = _merchant_address(db, shops[part.shop_id])
    else:
        to = order.shopper_email
    if not to:
        return False  # an erased account or a shop without address: nobody to write to
    return send_templated(db, request.email_key, to, request.template, order_id=order.id, **context)
