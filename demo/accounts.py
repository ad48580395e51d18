"""The demo accounts and their password, as `make run` prints them and README.md lists them.

Plain data (no database): the dev stack imports `DEMO_LOGINS` before anything is loaded.
"""

from __future__ import annotations

from comptoir.models.shops import ShopStatus
from demo.town import OPERATOR, SHOPPERS, SHOPS

# One password for every demo account, long enough for the platform's password rule: the
# demo runs on loopback only, and one thing to remember beats a table to look up.
DEMO_PASSWORD = "montlouvier-demo"

OPERATOR_LABEL = "Opérateur"
SHOPPER_LABEL = "Client"
MERCHANT_LABEL = "Commerçant"
PENDING_MERCHANT_LABEL = "Vendeur en attente"  # their shop waits for an operator's approval


def merchant_label(status: ShopStatus) -> str:
    """The role label of a shop owner: approved merchants and the one still waiting differ."""
    return MERCHANT_LABEL if status == ShopStatus.approved else PENDING_MERCHANT_LABEL


# (role label, e-mail, password): operator first, then shoppers, then each shop's owner.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    (OPERATOR_LABEL, OPERATOR.email, DEMO_PASSWORD),
    *[(SHOPPER_LABEL, person.email, DEMO_PASSWORD) for person in SHOPPERS],
    *[(merchant_label(shop.status), shop.owner.email, DEMO_PASSWORD) for shop in SHOPS],
]
