"""What merchants are e-mailed about their money (French, once each): the statement of each
settlement, and the platform's monthly commission invoice with its PDF attached."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from comptoir.domain.labels import PAYOUT_METHOD_LABELS, SETTLEMENT_STATE_LABELS, elide_de
from comptoir.errors import NotFound
from comptoir.mail import Attachment, send_templated
from comptoir.models import CommissionInvoice, Shop, User
from comptoir.models.settlements import Settlement
from comptoir.services.commission import get_commission_invoice, month_label
from comptoir.settlements.service import items_of


def statement_email_key(settlement_id: int) -> str:
    """The e-mail key of a settlement's statement (sent at most once)."""
    return f"settlement:{settlement_id}:statement"


def commission_email_key(invoice_id: int) -> str:
    """The e-mail key of a commission invoice (sent at most once)."""
    return f"commission-invoice:{invoice_id}:sent"


@dataclass(frozen=True, slots=True)
class ShopRecipient:
    """Where a shop's money e-mails go: the shop's address, else its owner's."""

    shop: Shop
    to: str
    first_name: str


def shop_recipient(db: Session, shop_id: int) -> ShopRecipient:
    """The shop and the address its papers are e-mailed to ("" when it has none)."""
    shop = db.get(Shop, shop_id)
    assert shop is not None  # settlements and invoices restrict shop deletion
    owner = db.get(User, shop.owner_id) if shop.owner_id is not None else None
    return ShopRecipient(
        shop=shop,
        to=shop.email or (owner.email if owner else ""),
        first_name=(owner.first_name if owner else "") or "",
    )


def send_statement(db: Session, settlement_id: int) -> bool:
    """E-mail the shop its statement; True when it went out now."""
    settlement = db.get(Settlement, settlement_id)
    if settlement is None:
        raise NotFound("Versement introuvable.")
    recipient = shop_recipient(db, settlement.shop_id)
    if not recipient.to:
        return False  # nobody to tell; the statement stays on /vendeur/ventes
    items = items_of(db, [settlement.id])[settlement.id]
    return send_templated(
        db,
        statement_email_key(settlement.id),
        recipient.to,
        "settlement_statement",
        shop_name=recipient.shop.name,
        first_name=recipient.first_name,
        settlement=settlement,
        state_label=SETTLEMENT_STATE_LABELS[settlement.state.value],
        method_label=PAYOUT_METHOD_LABELS[settlement.payout_method.value],
        orders=sorted({item.order_id for item in items}),
    )



def send_commission_invoice(db: Session, invoice_id: int) -> bool:
    """E-mail the shop its commission invoice, PDF attached; True when it went out now."""
    invoice: CommissionInvoice = get_commission_invoice(db, invoice_id, with_pdf=True)
    recipient = shop_recipient(db, invoice.shop_id)
    if not recipient.to:
        return False  # nobody to tell; the invoice stays on /vendeur/ventes
    return send_templated(
        db,
        commission_email_key(invoice.id),
        recipient.to,
        "commission_invoice",
        attachments=[Attachment(f"{invoice.number}.pdf", bytes(invoice.pdf))],
        shop_name=recipient.shop.name,
        first_name=recipient.first_name,
        invoice=invoice,
        of_period=elide_de(month_label(invoice.month)),
    )
