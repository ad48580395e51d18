"""Which step a shop's part of an order (vendor order) may take in which status: one table.

    confirmed ─▶ preparing ─▶ ready_for_pickup (pickup only) ─┐
        │            │      └▶ shipped (delivery only) ───────┴▶ completed ─▶ return window
        └────────────┴─ mark_unavailable
    completed/refunded ─▶ return_requested ─▶ accept_return / refuse_return

The workflow's validators, the pages' "next steps" and the return window all read it.
Statuses and steps are plain strings (the model's StrEnum members compare equal to them);
the step names are the workflow update names of `comptoir.orders.contracts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from comptoir.domain.labels import elide_de, vendor_order_status_label
from comptoir.orders.contracts import (
    ACCEPT_RETURN,
    CANCEL_NO_SHOW,
    COMPLETE,
    CONFIRM_LINES,
    CONFIRM_RECEIPT,
    MARK_UNAVAILABLE,
    READY_FOR_PICKUP,
    REFUSE_RETURN,
    SHIP,
    START_PREPARING,
)

PICKUP = "pickup"
SHIPPING = "shipping"  # by a carrier, with a tracking number (local delivery needs none)

# Statuses in which the shop has to do something (reminders, then operators).
MERCHANT_TURN = ("confirmed", "preparing", "return_requested")
# Statuses of a part on its way to the shopper: the merchant still has to record the
# hand-over (reminders, then operators), the shopper may be reminded or confirm receipt.
HANDOVER_WAIT = ("ready_for_pickup", "shipped")
# Statuses of a part handed over whose return window may still be open.
AFTER_HANDOVER = ("completed", "refunded")
# A return asked and not settled yet.
RETURN_IN_PROGRESS = ("return_requested", "return_received")
# Nothing more happens to the part.
FINAL = ("cancelled", "closed")


@dataclass(frozen=True)
class StepRule:
    """Where a merchant's step is allowed: from these statuses, for these deliveries."""

    from_statuses: tuple[str, ...]
    action: str  # French infinitive for "Impossible de {action} …"
    pickup: bool | None = None  # True: pickup only; False: delivery only; None: either
    wrong_delivery: str = ""  # why not, when the delivery kind does not fit


STEPS: dict[str, StepRule] = {
    CONFIRM_LINES: StepRule(("awaiting_confirmation",), "confirmer la réservation"),
    START_PREPARING: StepRule(("confirmed",), "commencer la préparation"),
    MARK_UNAVAILABLE: StepRule(("confirmed", "preparing"), "déclarer des articles indisponibles"),
    READY_FOR_PICKUP: StepRule(
        ("confirmed", "preparing"),
        "marquer la commande prête",
        pickup=True,
        wrong_delivery="Cette commande est à livrer : indiquez plutôt son expédition.",
    ),
    SHIP: StepRule(
        ("confirmed", "preparing"),
        "expédier la commande",
        pickup=False,
        wrong_delivery="Cette commande est à retirer en boutique : marquez-la plutôt prête.",
    ),
    COMPLETE: StepRule(("ready_for_pickup", "shipped"), "clore la remise"),
    CONFIRM_RECEIPT: StepRule(
        ("shipped",),
        "confirmer la réception",
        pickup=False,
        wrong_delivery="Cette commande est à retirer en boutique : le commerçant note le retrait.",
    ),
    CANCEL_NO_SHOW: StepRule(
        ("ready_for_pickup",),
        "annuler la commande non retirée",
        pickup=True,
        wrong_delivery="Seule une commande à retirer en boutique peut être annulée faute de retrait.",
    ),
    ACCEPT_RETURN: StepRule(("return_requested",), "accepter le retour"),
    REFUSE_RETURN: StepRule(("return_requested",), "refuser le retour"),
}

# What the pages offer a merchant in each status, in the order shown; HAND_OVER is
# ready_for_pickup or ship depending on the delivery kind.
HAND_OVER = "hand_over"
OFFERED: dict[str, tuple[str, ...]] = {
    "awaiting_confirmation": (CONFIRM_LINES,),
    "confirmed": (START_PREPARING, MARK_UNAVAILABLE),
    "preparing": (HAND_OVER, MARK_UNAVAILABLE),
    "ready_for_pickup": (COMPLETE, CANCEL_NO_SHOW),
    "shipped": (COMPLETE,),
    "return_requested": (ACCEPT_RETURN, REFUSE_RETURN),
}


def fits_delivery(step: str, delivery_kind: str) -> bool:
    """Whether the step suits how the part reaches the shopper (pickup or delivery)."""
    wanted = STEPS[step].pickup
    return wanted is None or wanted == (delivery_kind == PICKUP)


def status_refusal(step: str, status: str) -> str:
    """Why the step is not allowed in this status (a French sentence); empty when it is."""
    rule = STEPS[step]
    if status in rule.from_statuses:
        return ""
    return (
        f"Impossible {elide_de(rule.action)} : la commande boutique est "
        f"« {vendor_order_status_label(status)} »."
    )


def is_allowed(step: str, status: str, delivery_kind: str) -> bool:
    """Whether the step may be taken now (status and delivery kind; not the step's own data)."""
    return status in STEPS[step].from_statuses and fits_delivery(step, delivery_kind)


def next_steps(status: str, delivery_kind: str, lines_to_confirm: bool) -> list[str]:
    """The steps a merchant may take now, in the order the pages show them."""
    hand_over = READY_FOR_PICKUP if delivery_kind == PICKUP else SHIP
    offered = [hand_over if s == HAND_OVER else s for s in OFFERED.get(str(status), ())]
    steps = [s for s in offered if fits_delivery(s, delivery_kind)]
    if steps == [CONFIRM_LINES] and not lines_to_confirm:
        return []
    return steps


def return_refusal(
    status: str,
    return_deadline: datetime | None,
    now: datetime,
    anything_left: bool,
    non_returnable_left: bool = False,
) -> str:
    """Why the shopper may not ask for a return now (a French sentence); empty when they may.

    `anything_left`: some returnable goods have not gone back yet; `non_returnable_left`:
    what is left is goods the shop does not take back (perishables).
    """
    if status in AFTER_HANDOVER:
        if return_deadline is None or return_deadline <= now:
            return "Le délai de retour de cette commande est dépassé."
        if not anything_left and non_returnable_left:
            return (
                "Les articles de cette boutique ne sont pas repris (produits périssables ou "
                "exclus des retours par la boutique)."
            )
        if not anything_left:
            return "Tous les articles de cette boutique ont déjà été retournés."
        return ""
    if status in RETURN_IN_PROGRESS:
        return "Une demande de retour est déjà en cours pour cette boutique."
    if status == "closed":
        return "Cette commande est close : elle ne peut plus faire l'objet d'un retour."
    if status == "cancelled":
        return "Cette commande a été annulée."
    return "Un retour peut être demandé une fois la commande terminée (remise ou livrée)."


def shown_status(status: str, total_cents: int, refunded_cents: int) -> str:
    """The status people read for a part: once handed over, what went back to the card says
    whether it is refunded or only partially (a partial return or an operator's goodwill)."""
    if str(status) not in (*AFTER_HANDOVER, "closed") or refunded_cents <= 0:
        return str(status)
    return "refunded" if refunded_cents >= total_cents else "partially_refunded"
