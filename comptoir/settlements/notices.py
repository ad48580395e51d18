"""The statement e-mailed to a merchant for each settlement (French, once per settlement)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from comptoir.domain.labels import PAYOUT_METHOD_LABELS, SETTLEMENT_STATE_LABELS
from comptoir.errors import NotFound
from comptoir.mail import send_templated
from comptoir.models import Shop, User
from comptoir.models.settlements import Settlement
from comptoir.settlements.service import items_of


def statement_email_key(settlement_id: int) -> str:
    """The e-mail key of a settlement's statement (sent at most once)."""
    return f"settlement:{settlement_id}:statement"


def send_statement(db: Session, settlement_id: int) -> bool:
    """E-mail the shop its statement; True when it went out now."""
    settlement = db.get(Settlement, settlement_id)
    if settlement is None:
        raise NotFound("Versement introuvable.")
    shop = db.get(Shop, settlement.shop_id)
    assert shop is not None  # settlements restrict shop deletion
    owner = db.get(User, shop.owner_id) if shop.owner_id is not None else None
    to = shop.email or (owner.email if owner else "")
    if not to:
        return False  # nobody to tell; the statement stays on /vendeur/ventes
    items = items_of(db, [settlement.id])[settlement.id]
    return send_templated(
        db,
        statement_email_key(settlement.id),
        to,
        "settlement_statement",
        shop_name=shop.name,
        first_name=(owner.first_name if owner else "") or "",
        settlement=settlement,
        state_label=SETTLEMENT_STATE_LABELS[settlement.state.value],
        method_label=PAYOUT_METHOD_LABELS[settlement.payout_method.value],
        orders=sorted({item.order_id for item in items}),
    )

