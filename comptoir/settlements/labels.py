"""French labels of settlement states and payout methods (merchant pages, e-mails, console)."""

from __future__ import annotations

SETTLEMENT_STATE_LABELS = {
    "planned": "Prévu",
    "sent": "Envoyé",
    "paid": "Payé",
    "failed": "En échec",
    "carried": "Reporté",
}
PAYOUT_METHOD_LABELS = {
    "connect": "Virement Stripe Connect",
    "sepa": "Virement SEPA",
}
