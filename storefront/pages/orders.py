"""The shopper's "Mes commandes": list, order page (per-shop timeline, pickup code, invoices,
returns, messages), payment page, cancelling an unpaid order and asking for a return.
"""

from __future__ import annotations

import logging

import stripe
from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.domain.card_declines import decline_code, decline_message
from comptoir.domain.labels import a_name, de_name
from comptoir.errors import Conflict, DomainError, NotFound
from comptoir.models import CreditNote, OrderStatus
from comptoir.orders import gateway
from comptoir.services import credit_notes, order_reads, payments, reorder, scoping
from comptoir.services import messages as shop_messages
from comptoir.services.checkout import START_PENDING
from comptoir.settings import get_settings
from comptoir.web.deps import SessionDep, start_workflow_now
from storefront.actions import perform_and_redirect
from storefront.deps import Form, ShopperPage, integer, numeric_id, text
from storefront.i18n import _, ngettext
from storefront.templating import redirect, render

log = logging.getLogger("comptoir.storefront.orders")
router = APIRouter()
# Outside production only (api.main includes it then): paying with a Stripe test card.
test_card_router = APIRouter()


def _order_id(value: str) -> int:
    return numeric_id(value, _("Cette commande n'existe pas ou n'est pas la vôtre."))


def order_path(order_id: int) -> str:
    """Where a shopper reads one of their orders."""
    return f"/commandes/{order_id}"


ORDERS_PER_PAGE = 20


@router.get("/commandes")
def orders_page(request: Request, db: SessionDep, shopper: ShopperPage, page: int = 1) -> Response:
    """My orders, newest first, with each shop's status."""
    page = max(1, min(page, 10_000))
    # One more than shown tells whether a next page exists.
    found = order_reads.list_orders(
        db, shopper, limit=ORDERS_PER_PAGE + 1, offset=(page - 1) * ORDERS_PER_PAGE
    )
    return render(
        request,
        "orders/list.html",
        {"orders": found[:ORDERS_PER_PAGE], "page": page, "has_next": len(found) > ORDERS_PER_PAGE},
    )


@router.get("/commandes/{order_id}")
def order_page(request: Request, order_id: str, db: SessionDep, shopper: ShopperPage) -> Response:
    """One order: each shop's part with its timeline, pickup, invoice, returns and messages."""
    order = order_reads.order_detail(db, shopper, _order_id(order_id))
    if order.stage == START_PENDING:
        # Temporal was away at checkout: looking at the order is one more chance to start it
        # (idempotent; the worker's sweeper would do it within a minute anyway).
        start_workflow_now(request, order.id)
    messages = shop_messages.order_messages(db, shopper, order.id)
    by_shop: dict[int, list[shop_messages.MessageView]] = {}
    for message in messages:
        by_shop.setdefault(message.shop_id, []).append(message)
    notes = credit_notes.credit_notes_of_vendor_orders(db, [part.id for part in order.vendor_orders])
    notes_by_part: dict[int, list[CreditNote]] = {}
    for note in notes:
        notes_by_part.setdefault(note.vendor_order_id, []).append(note)
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "messages_by_shop": by_shop,
            "credit_notes_by_part": notes_by_part,
            # Back from Stripe.js: the payment's webhook may not have arrived yet.
            "just_paid": request.query_params.get("paiement") == "ok" and order.can_pay,
        },
    )


@router.get("/commandes/{order_id}/paiement")
def payment_page(request: Request, order_id: str, db: SessionDep, shopper: ShopperPage) -> Response:
    """Pay by card with Stripe.js (card field, billing details from the order)."""
    order = order_reads.order_detail(db, shopper, _order_id(order_id))
    if not order.can_pay:
        return redirect(
            order_path(order.id),
            _(
                "Cette commande n'est pas à payer en ce moment : %(status)s.",
                status=order.status_label.lower(),
            ),
            "info",
        )
    settings = get_settings()
    return render(
        request,
        "orders/payment.html",
        {
            "order": order,
            "test_mode": settings.environment != "production",
        },
    )


@test_card_router.post("/commandes/{order_id}/paiement/test")
def pay_with_test_card(order_id: str, form: Form, db: SessionDep, shopper: ShopperPage) -> Response:
    """Pay with a Stripe test card on the server (the route exists only outside production).

    localstripe's test Stripe.js cannot read a card field (its `confirmCardPayment` only
    completes 3-D Secure), so the demo and browser tests pay this way; the result still
    reaches the order through the verified Stripe webhook, as in production.
    """
    order = scoping.get_readable_order(db, shopper, _order_id(order_id))
    payment_page_path = f"{order_path(order.id)}/paiement"
    if order.status != OrderStatus.awaiting_payment:
        return redirect(order_path(order.id), _("Cette commande n'est pas à payer."), "info")
    card = "pm_card_visa" if text(form, "card") == "accepted" else "pm_card_chargeCustomerFail"
    try:
        payment = payments.ensure_payment_intent(db, order.id)
        db.commit()
        intent_id = payment.stripe_payment_intent_id or ""
        client = payments.stripe_client().v1
        client.payment_intents.update(intent_id, params={"payment_method": card})
        client.payment_intents.confirm(intent_id)
    except stripe.CardError as exc:
        code = decline_code(exc.error.to_dict() if exc.error else {}) or exc.code or ""
        return redirect(payment_page_path, _(decline_message(code)), "error")
    except stripe.InvalidRequestError:
        # The intent of a declined attempt is replaced once the workflow has recorded the
        # failure (a Stripe webhook away): until then it cannot be confirmed again.
        log.info("test payment of order %s refused by Stripe", order.id, exc_info=True)
        return redirect(
            payment_page_path,
            _(
                "Votre essai précédent est encore en cours de traitement ; réessayez dans "
                "quelques secondes."
            ),
            "error",
        )
    except stripe.StripeError:
        return redirect(
            payment_page_path,
            _("Le service de paiement est momentanément indisponible ; réessayez dans un instant."),
            "error",
        )
    # The order page itself says the payment is being confirmed (badge and notice agree).
    return redirect(f"{order_path(order.id)}?paiement=ok")


@router.post("/commandes/{order_id}/annuler")
def cancel_order(
    request: Request, order_id: str, form: Form, db: SessionDep, shopper: ShopperPage
) -> Response:
    """Cancel an order that is not paid yet (a paid one is refunded through a return)."""
    order = scoping.get_readable_order(db, shopper, _order_id(order_id))
    return perform_and_redirect(
        request,
        order_path(order.id),
        _("Votre commande est annulée ; les produits réservés sont remis en vente."),
        gateway.cancel_order,
        order_id=order.id,
        actor_kind="shopper",
        actor_id=shopper.id,
        reason=text(form, "reason", 500),
    )


@router.post("/commandes/{order_id}/panier")
def refill_cart(order_id: str, form: Form, db: SessionDep, shopper: ShopperPage) -> Response:
    """Put the products of an order that did not go through back in the cart."""
    del form  # read for its CSRF token only
    the_order_id = _order_id(order_id)
    try:
        refill = reorder.refill_cart(db, shopper, the_order_id)
    except Conflict as refusal:
        return redirect(order_path(the_order_id), refusal.message, "error")
    said = [
        ngettext(
            "%(num)s produit remis dans votre panier.",
            "%(num)s produits remis dans votre panier.",
            sum(line.quantity for line in refill.added),
        )
    ]
    short = [line.name for line in refill.added if line.quantity < line.wanted]
    if short:
        said.append(_("Quantité réduite au stock disponible : %(names)s.", names=", ".join(short)))
    if refill.unavailable:
        said.append(_("Plus en vente ou épuisé : %(names)s.", names=", ".join(refill.unavailable)))
    return redirect("/panier", " ".join(said), "success" if refill.added else "error")


@router.post("/commandes/{order_id}/retour")
def request_return(
    request: Request, order_id: str, form: Form, db: SessionDep, shopper: ShopperPage
) -> Response:
    """Ask one shop to take back some lines and refund them, while the window is open."""
    order = order_reads.order_detail(db, shopper, _order_id(order_id))
    part_id = integer(form, "vendor_order_id")
    part = next((p for p in order.vendor_orders if p.id == part_id), None)
    if part is None:
        raise NotFound(_("Cette commande n'existe pas ou n'est pas la vôtre."))
    back = f"{order_path(order.id)}#boutique-{part.id}"
    if not part.return_open:
        return redirect(back, part.return_closed_reason, "error")
    lines: list[tuple[int, int]] = []
    for line in part.lines:
        quantity = integer(form, f"qty_{line.id}", 0) or 0
        if quantity < 0 or quantity > line.quantity - line.returned_quantity:
            return redirect(
                back,
                _(
                    "La quantité à retourner de « %(name)s » doit être entre 0 et %(max)s.",
                    name=line.product_name,
                    max=line.quantity - line.returned_quantity,
                ),
                "error",
            )
        if quantity and not line.returnable:
            return redirect(
                back,
                _(
                    "« %(name)s » n'est pas repris par la boutique (produit périssable ou exclu "
                    "des retours).",
                    name=line.product_name,
                ),
                "error",
            )
        if quantity:
            lines.append((line.id, quantity))
    reason = text(form, "reason", 2000)
    if not lines or not reason:
        return redirect(
            back, _("Choisissez au moins un produit à retourner et dites-nous pourquoi."), "error"
        )
    return perform_and_redirect(
        request,
        back,
        _(
            "Votre demande de retour est envoyée %(a_shop)s. Vous serez remboursé sur votre carte "
            "dès que la boutique l'aura acceptée.",
            a_shop=a_name(part.shop_name),
        ),
        gateway.request_return,
        vendor_order_id=part.id,
        lines=lines,
        reason=reason,
        actor_id=shopper.id,
    )


@router.post("/commandes/{order_id}/reception")
def confirm_receipt(
    request: Request, order_id: str, form: Form, db: SessionDep, shopper: ShopperPage
) -> Response:
    """The shopper received a shipped part: it is completed, the return window opens."""
    order = order_reads.order_detail(db, shopper, _order_id(order_id))
    part_id = integer(form, "vendor_order_id")
    part = next((p for p in order.vendor_orders if p.id == part_id), None)
    if part is None:
        raise NotFound(_("Cette commande n'existe pas ou n'est pas la vôtre."))
    return perform_and_redirect(
        request,
        f"{order_path(order.id)}#boutique-{part.id}",
        _("Merci ! La commande %(de_shop)s est terminée.", de_shop=de_name(part.shop_name)),
        gateway.confirm_receipt,
        vendor_order_id=part.id,
        actor_id=shopper.id,
    )


@router.post("/commandes/{order_id}/messages")
def write_to_shop(order_id: str, form: Form, db: SessionDep, shopper: ShopperPage) -> Response:
    """Write to one shop of the order, then come back to the conversation."""
    oid = _order_id(order_id)
    shop_id = integer(form, "shop_id") or 0
    try:
        message = shop_messages.post_order_message(
            db, shopper, oid, shop_id, text(form, "body", 5000)
        )
    except NotFound:
        raise
    except DomainError as exc:
        return redirect(order_path(oid), exc.message, "error")
    return redirect(
        f"{order_path(oid)}#messages-{message.shop_id}",
        _("Message envoyé %(a_shop)s.", a_shop=a_name(message.shop_name)),
    )
