"""How the console shows money, dates and durations (French, Europe/Paris)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from comptoir.domain.labels import (
    ORDER_STATUS_LABELS,
    VENDOR_ORDER_STATUS_LABELS,
    console_audit_action_label,
    console_stage_label,
    order_status_label,
)
from comptoir.domain.money import format_eur
from comptoir.domain.paris_time import to_paris


def eur(cents: int | None) -> str:
    """`12,34 €`, or an empty string for a missing amount."""
    return "" if cents is None else format_eur(cents)


def when(at: datetime | None) -> str:
    """`31/12/2025 14:05` in Paris time; empty when unknown."""
    return "" if at is None else to_paris(at).strftime("%d/%m/%Y %H:%M")


def duration(delta: timedelta) -> str:
    """A short French duration: `45 s`, `12 min`, `3 h 05`, `2 j 4 h`."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h"


def age(since: datetime | None, now: datetime | None = None) -> str:
    """How long ago `since` was (see `duration`); empty when unknown."""
    if since is None:
        return ""
    return duration((now or datetime.now(UTC)) - since)


LEDGER_KIND_LABELS = {
    "sale": "Vente",
    "fee": "Commission",
    "refund": "Remboursement",
    "fee_adjustment": "Ajustement de commission",
}
ATTENTION_KIND_LABELS = {
    "activity_failed": "Étape en échec",
    "merchant_late": "Commerçant en retard",
    "merchant_erased": "Boutique partie (compte effacé)",
    "pickup_no_show": "Client non venu",
}
ACTOR_KIND_LABELS = {
    "shopper": "client",
    "merchant": "commerçant",
    "operator": "opérateur",
    "system": "système",
}


def label(labels: Mapping[str, str], code: object) -> str:
    """The French label of a code (an enum member or a string); the code itself if unknown."""
    return labels.get(str(code), str(code))


def order_status(code: object) -> str:
    """French label of an order status."""
    return order_status_label(str(code))


def vendor_status(code: object) -> str:
    """French label of a vendor-order status (or of an order status for order-level events)."""
    text = str(code)
    return VENDOR_ORDER_STATUS_LABELS.get(text) or ORDER_STATUS_LABELS.get(text, text)


def stage(code: object) -> str:
    """French label of an order's workflow stage."""
    return console_stage_label(str(code))


def audit_action(code: object) -> str:
    """French label of an audited operator action."""
    return console_audit_action_label(str(code))


def percent(share: float) -> str:
    """`33,3 %` (French decimal comma, non-breaking space before the sign)."""
    return f"{share * 100:.1f}".replace(".", ",") + "\u00a0%"
