"""Paying an order (the PaymentIntent the payment page confirms) and downloading its papers:
invoices, credit notes, and the platform's commission invoices to shops."""

from __future__ import annotations

import logging

import stripe
from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import CurrentUser, ShopperUser
from api.schemas import Public
from comptoir.domain.card_declines import failure_text
from comptoir.errors import Forbidden, NotFound, ServiceUnavailable
from comptoir.models import PaymentStatus, Role, Shop, VendorOrder
from comptoir.services import commission, credit_notes, invoicing, payments, scoping
from comptoir.settings import get_settings
from comptoir.web.deps import SessionDep

log = logging.getLogger("comptoir.api.payments")
router = APIRouter(prefix="/api", tags=["payments"])

STRIPE_DOWN = "Le service de paiement est momentanément indisponible ; réessayez dans un instant."


class PaymentOut(Public):
    order_id: int
    client_secret: str
    publishable_key: str
    stripe_js_url: str
    amount_cents: int
    status: PaymentStatus
    last_failure_message: str
    last_failure_code: str


@router.get("/orders/{order_id}/payment", response_model=PaymentOut)
def order_payment(order_id: int, db: SessionDep, shopper: ShopperUser) -> PaymentOut:
    """What the payment page needs to confirm the order's card payment with Stripe.js."""
    # The payment API has always answered the generic "not_found" code (clients rely on it).
    scoping.get_readable_order(db, shopper, order_id, code="not_found")
    try:
        payment = payments.ensure_payment_intent(db, order_id)
    except stripe.StripeError as exc:
        log.warning("Stripe unavailable for order %s: %s", order_id, exc)
        raise ServiceUnavailable(STRIPE_DOWN) from exc
    settings = get_settings()
    return PaymentOut(
        order_id=order_id,
        client_secret=payment.client_secret,
        publishable_key=settings.stripe_publishable_key,
        stripe_js_url=settings.stripe_js_url,
        amount_cents=payment.amount_cents,
        status=payment.status,
        last_failure_message=failure_text(payment.failure_message, payment.failure_code),
        last_failure_code=payment.failure_code,
    )


@router.get("/invoices/{invoice_id}.pdf", response_class=Response)
def invoice_pdf(invoice_id: int, db: SessionDep, user: CurrentUser) -> Response:
    """An invoice as PDF: for the shopper who ordered, the shop's merchant and operators."""
    invoice = invoicing.get_invoice(db, invoice_id, with_pdf=True)
    readable = scoping.readable_vendor_orders(user).where(
        VendorOrder.id == invoice.vendor_order_id
    )
    if db.scalar(readable) is None:
        raise NotFound("Facture introuvable.")
    return Response(
        content=bytes(invoice.pdf),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="facture-{invoice.number}.pdf"'},
    )


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content=content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get("/credit-notes/{credit_note_id}.pdf", response_class=Response)
def credit_note_pdf(credit_note_id: int, db: SessionDep, user: CurrentUser) -> Response:
    """A credit note as PDF: for whoever may read the invoice it corrects."""
    note = credit_notes.get_credit_note(db, credit_note_id, with_pdf=True)
    readable = scoping.readable_vendor_orders(user).where(VendorOrder.id == note.vendor_order_id)
    if db.scalar(readable) is None:
        raise NotFound("Avoir introuvable.")
    return _pdf(credit_notes.pdf_of(note), f"avoir-{note.number}.pdf")


@router.get("/commission-invoices/{commission_invoice_id}.pdf", response_class=Response)
def commission_invoice_pdf(commission_invoice_id: int, db: SessionDep, user: CurrentUser) -> Response:
    """The platform's commission invoice to a shop: for its merchant and operators."""
    if user.role == Role.shopper:
        raise Forbidden("Les factures de commission concernent les boutiques.")
    invoice = commission.get_commission_invoice(db, commission_invoice_id, with_pdf=True)
    if user.role != Role.operator:
        own = db.scalar(scoping.owned_shop_ids(user).where(Shop.id == invoice.shop_id))
        if own is None:
            raise NotFound("Facture de commission introuvable.")
    return _pdf(bytes(invoice.pdf), f"commission-{invoice.number}.pdf")
