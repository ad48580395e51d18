"""French sentences for Stripe's decline codes: the shopper never reads Stripe's English text."""

from __future__ import annotations

DECLINE_MESSAGES = {
    "card_declined": "Votre carte a été refusée. Vérifiez ses informations ou essayez une autre carte.",
    "generic_decline": "Votre carte a été refusée. Vérifiez ses informations ou essayez une autre carte.",
    "insufficient_funds": "Votre carte a été refusée : provision insuffisante. Essayez une autre carte.",
    "expired_card": "Votre carte a expiré. Essayez une autre carte.",
    "incorrect_cvc": "Le cryptogramme (CVC) est incorrect. Vérifiez-le et réessayez.",
    "incorrect_number": "Le numéro de carte est incorrect. Vérifiez-le et réessayez.",
    "processing_error": "Une erreur est survenue pendant le paiement. Réessayez dans un instant.",
    "payment_intent_authentication_failure": (
        "L'authentification auprès de votre banque a échoué. Réessayez ou essayez une autre carte."
    ),
}
GENERIC_DECLINE = (
    "Le paiement n'a pas abouti. Vérifiez les informations de votre carte et réessayez."
)


def decline_code(error: object) -> str:
    """The most precise code of a Stripe error object (`decline_code` before `code`)."""
    if not isinstance(error, dict):
        return ""
    return str(error.get("decline_code") or error.get("code") or "")[:60]


def decline_message(code: str | None) -> str:
    """The French sentence a shopper reads for a decline code (a generic one if unknown)."""
    return DECLINE_MESSAGES.get(code or "", GENERIC_DECLINE)


def failure_text(failure_message: str, failure_code: str) -> str:
    """The French reason of a payment's last failed attempt ("" when none failed)."""
    # Derived from the code, so rows written before codes were kept read in French too.
    return decline_message(failure_code) if failure_message else ""
