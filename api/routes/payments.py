"""Paying an order (the PaymentIntent the payment page confirms) and downloading invoices."""

from __future__ import annotations

import logging

import stripe
from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from api.deps import CurrentUser, SessionDep, ShopperUser
from api.schemas import Public
from comptoir.domain.card_declines import failure_text
from comptoir.errors import NotFound, ServiceUnavailable
from comptoir.models import Order, PaymentStatus, Role, Shop, User, VendorOrder
from comptoir.services import invoicing, payments
from comptoir.settings import get_settings

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


def _own_order(db: SessionDep, order_id: int, shopper: User) -> Order:
    order = db.scalar(select(Order).where(Order.id == order_id, Order.shopper_id == shopper.id))
    if order is None:  # another shopper's order does not exist for this caller
        raise NotFound("Commande introuvable.")
    return order


@router.get("/orders/{order_id}/payment", response_model=PaymentOut)
def order_payment(order_id: int, db: SessionDep, shopper: ShopperUser) -> PaymentOut:
    """What the payment page needs to confirm the order's card payment with Stripe.js."""
    _own_order(db, order_id, shopper)
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


def _may_read_invoice(db: SessionDep, user: User, vendor_order_id: int) -> bool:
    if user.role == Role.operator:
        return True
    query = select(VendorOrder.id).where(VendorOrder.id == vendor_order_id)
    if user.role == Role.shopper:
        query = query.join(Order, Order.id == VendorOrder.order_id).where(
            Order.shopper_id == user.id
        )
    else:
        query = query.join(Shop, Shop.id == VendorOrder.shop_id).where(Shop.owner_id == user.id)
    return db.scalar(query) is not None


@router.get("/invoices/{invoice_id}.pdf", response_class=Response)
def invoice_pdf(invoice_id: int, db: SessionDep, user: CurrentUser) -> Response:
    """An invoice as PDF: for the shopper who ordered, the shop's merchant and operators."""
    invoice = invoicing.get_invoice(db, invoice_id, with_pdf=True)
    if not _may_read_invoice(db, user, invoice.vendor_order_id):
        raise NotFound("Facture introuvable.")
    return Response(
        content=bytes(invoice.pdf),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="facture-{invoice.number}.pdf"'},
    )
