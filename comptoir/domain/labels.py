"""French labels of the English status codes, and French dates without any locale setting."""

from __future__ import annotations

from datetime import date, datetime, time
from types import MappingProxyType

from comptoir.domain.paris_time import to_paris

ORDER_STATUS_LABELS = MappingProxyType(
    {
        "awaiting_confirmation": "En attente de confirmation",
        "awaiting_payment": "En attente de paiement",
        "processing": "En cours",
        "completed": "Terminée",
        "cancelled": "Annulée",
        "payment_failed": "Échouée",
        "refunded": "Remboursée",
        "partially_refunded": "Partiellement remboursée",
    }
)

VENDOR_ORDER_STATUS_LABELS = MappingProxyType(
    {
        "awaiting_confirmation": "En attente de confirmation",
        "awaiting_payment": "En attente de paiement",
        "confirmed": "Confirmée",
        "preparing": "En préparation",
        "ready_for_pickup": "Prête à retirer",
        "shipped": "Expédiée",
        "completed": "Terminée",
        "cancelled": "Annulée",
        "return_requested": "Retour demandé",
        "return_received": "Retour reçu",
        "refunded": "Remboursée",
        "partially_refunded": "Partiellement remboursée",  # shown, never stored (vendor_order_rules)
        "closed": "Clôturée",
    }
)

# How a merchant's reminder (and an operator's "merchant late" item) names what waits.
MERCHANT_REMINDER_LABELS = MappingProxyType(
    {
        "confirmed": "À préparer",
        "preparing": "En préparation",
        "ready_for_pickup": "Prête à retirer (notez le retrait du client)",
        "shipped": "Expédiée (notez la livraison)",
        "return_requested": "Retour demandé",
    }
)

# Order lines as the storefront and the API show them.
LINE_STATUS_LABELS = MappingProxyType(
    {
        "pending_confirmation": "À confirmer",
        "confirmed": "Confirmée",
        "declined": "Refusée par la boutique",
        "unavailable": "Indisponible",
        "cancelled": "Annulée",
    }
)
# The console's shorter wording of the same statuses.
CONSOLE_LINE_STATUS_LABELS = MappingProxyType({**LINE_STATUS_LABELS, "declined": "Refusée"})

RETURN_STATUS_LABELS = MappingProxyType(
    {
        "requested": "Demandé",
        "accepted": "Accepté",
        "refused": "Refusé",
        "refunded": "Remboursé",
    }
)

PAYMENT_STATUS_LABELS = MappingProxyType(
    {
        "pending": "En attente",
        "succeeded": "Réussi",
        "failed": "Échoué",
        "cancelled": "Annulé",
    }
)

# What a merchant may do to a vendor order (the steps of comptoir.domain.vendor_order_rules).
VENDOR_ORDER_STEP_LABELS = MappingProxyType(
    {
        "confirm_lines": "Confirmer ou refuser la réservation",
        "start_preparing": "Commencer la préparation",
        "mark_unavailable": "Signaler des produits indisponibles",
        "ready_for_pickup": "Prête à retirer",
        "ship": "Expédier ou partir en livraison",
        "complete": "Remise au client",
        "confirm_receipt": "Réception confirmée par le client",
        "cancel_no_show": "Annuler : le client n'est pas venu",
        "accept_return": "Accepter le retour",
        "refuse_return": "Refuser le retour",
    }
)

# Stripe's own refund statuses, as an operator or merchant reads them in an error.
STRIPE_REFUND_STATUS_LABELS = MappingProxyType(
    {
        "pending": "en attente",
        "requires_action": "action requise",
        "failed": "échoué",
        "canceled": "annulé",
    }
)

DELIVERY_KIND_LABELS = MappingProxyType(
    {
        "pickup": "Retrait en boutique",
        "local_delivery": "Livraison locale",
        "shipping": "Envoi postal",
    }
)

SETTLEMENT_STATE_LABELS = MappingProxyType(
    {
        "planned": "Prévu",
        "sent": "Envoyé",
        "paid": "Payé",
        "failed": "En échec",
        "carried": "Reporté",
    }
)

PAYOUT_METHOD_LABELS = MappingProxyType(
    {
        "connect": "Virement Stripe Connect",
        "sepa": "Virement SEPA",
    }
)

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


VOWELS = "aeiouyhéèêëàâîïôöûüœAEIOUYHÉÈÊÀÂÎÔÛ"
# Words starting with an aspirated h take no elision ("de hacher").
ASPIRATED_H = ("hach", "haut", "hors", "hâte", "hausse")


def elide_de(phrase: str) -> str:
    """'de' before a phrase, elided before a vowel or mute h: "d'expédier", "de commencer"."""
    if phrase[:1] in VOWELS and not phrase.lower().startswith(ASPIRATED_H):
        return f"d'{phrase}"
    return f"de {phrase}"


def de_name(name: str) -> str:
    """'de' before a name, elided or contracted: "d'Au Fournil", "du Pont" (Le Pont), "des
    Halles" (Les Halles), "de Boulangerie Martin"."""
    name = name.strip()
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    return elide_de(name)


def a_name(name: str) -> str:
    """'à' before a name, contracted with its article: "au Fournil" (Au Fournil or Le
    Fournil), "aux Halles" (Aux Halles or Les Halles), "à Boulangerie Martin"."""
    name = name.strip()
    for article, contracted in (("Au ", "au"), ("Le ", "au"), ("Aux ", "aux"), ("Les ", "aux")):
        if name.startswith(article):
            return f"{contracted} {name[len(article):]}"
    return f"à {name}"


def plural_fr(count: int, singular: str, plural: str) -> str:
    """French number agreement: 0 and 1 take the singular ("0 produit"), 2 and more the plural."""
    return singular if abs(count) < 2 else plural


def count_fr(count: int, singular: str, plural: str) -> str:
    """A count and its agreeing words: "0 produit créé", "2 produits créés"."""
    return f"{count} {plural_fr(count, singular, plural)}"


def order_status_label(code: str) -> str:
    """French label of an order status code; unknown codes are returned as they are."""
    # str() so StrEnum members and plain strings give the same result.
    return ORDER_STATUS_LABELS.get(str(code), str(code))


def vendor_order_status_label(code: str) -> str:
    """French label of a vendor-order status code; unknown codes are returned as they are."""
    return VENDOR_ORDER_STATUS_LABELS.get(str(code), str(code))


def delivery_kind_label(code: str) -> str:
    """French label of a delivery kind code; unknown codes are returned as they are."""
    return DELIVERY_KIND_LABELS.get(str(code), str(code))


def format_date_fr(d: date) -> str:
    """French long date, e.g. 'jeudi 3 décembre 2026' ('1er' for the first of a month)."""
    if isinstance(d, datetime):
        # A datetime's calendar day depends on the zone: the day shown is the Paris one.
        d = to_paris(d).date()
    day = "1er" if d.day == 1 else str(d.day)
    return f"{WEEKDAYS_FR[d.weekday()]} {day} {MONTHS_FR[d.month - 1]} {d.year}"


NBSP = "\u00a0"  # French typography: a time never breaks across lines ("14 h 30")


def format_time_fr(t: time) -> str:
    """French time of day with no-break spaces, e.g. '9 h 00', '14 h 30' (e-mails, PDFs,
    messages; the pages use Babel through `storefront.i18n`)."""
    return f"{t.hour}{NBSP}h{NBSP}{t.minute:02d}"


def format_datetime_fr(dt: datetime) -> str:
    """French long date and time in Europe/Paris, e.g. 'jeudi 3 décembre 2026 à 14 h 30'."""
    local = to_paris(dt)
    return f"{format_date_fr(local.date())} à {format_time_fr(local.time())}"


# --- console (operators) labels: stages and audited actions ---------------------------------
# Kept apart from the status labels above so each can grow without the other.

CONSOLE_STAGE_LABELS = MappingProxyType(
    {
        **ORDER_STATUS_LABELS,  # a stage is often the order's status itself
        "created": "Créée",
        "start_pending": "Démarrage du workflow en attente",
        "fulfilment": "Préparation par les boutiques",
        "needs_attention": "Attend un opérateur",
        "finished": "Terminée (délai de retour en cours)",
        "closed": "Clôturée",
    }
)

CONSOLE_AUDIT_ACTION_LABELS = MappingProxyType(
    {
        "shop.approve": "Boutique validée",
        "shop.refuse": "Boutique refusée",
        "shop.suspend": "Boutique suspendue",
        "shop.reinstate": "Boutique rétablie",
        "account.erase": "Compte effacé",
        "order.retry": "Étape relancée",
        "order.skip": "Étape passée",
        "order.cancel": "Commande annulée",
        "order.resend_email": "E-mail renvoyé",
        "order.issue_invoice": "Facture émise",
        "order.start_workflow": "Workflow démarré",
        "order.terminate": "Workflow arrêté de force",
        "order.reset": "Workflow repris au dernier point sain",
    }
)


def console_stage_label(code: str) -> str:
    """French label of an order's workflow stage; unknown codes are returned as they are."""
    return CONSOLE_STAGE_LABELS.get(str(code), str(code))


def console_audit_action_label(code: str) -> str:
    """French label of an audited operator action; unknown codes are returned as they are."""
    return CONSOLE_AUDIT_ACTION_LABELS.get(str(code), str(code))
