"""The cart (grouped by shop, delivery mode and pickup slot per shop) and the checkout page.

The cart page's "Commander" form sends each shop's choice to the checkout page by GET
(`livraison_<shop id>`, `creneau_<shop id>`), which shows the final totals and asks for the
billing address; posting it turns the cart into an order, then starts its workflow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from starlette.datastructures import FormData, QueryParams

from comptoir.errors import DomainError
from comptoir.models import CartItem, OrderStatus, Role
from comptoir.services import cart
from comptoir.services import place_order as order_placing
from comptoir.services.checkout import BillingAddress, CheckoutRequest, ShopChoice
from comptoir.web.deps import SessionDep, start_workflow_now
from storefront.deps import Form, ShopperPage, Visitor, checkbox, integer, safe_next, text
from storefront.i18n import _
from storefront.templating import add_context_hook, redirect, render

log = logging.getLogger("comptoir.storefront.cart")
router = APIRouter()

BILLING_FIELDS = ("name", "line1", "line2", "postal_code", "city", "phone")


def cart_badge(request: Request, visitor: Visitor) -> dict[str, Any]:
    """The number of articles in a shopper's cart, for the header."""
    db = getattr(request.state, "db", None)
    if db is None or visitor.user_id is None or visitor.role != Role.shopper:
        return {}
    # One small aggregate on every page; get_cart would price every shop's delivery modes.
    count = db.scalar(
        select(func.coalesce(func.sum(CartItem.quantity), 0)).where(
            CartItem.user_id == visitor.user_id
        )
    )
    return {"cart_count": int(count or 0)}


add_context_hook(cart_badge)


# --- the cart ----------------------------------------------------------------------------


@router.get("/panier")
def cart_page(request: Request, db: SessionDep, shopper: ShopperPage) -> Response:
    """The cart grouped by shop, with delivery modes, pickup slots and totals per shop."""
    view = cart.get_cart(db, shopper)
    return render(
        request, "orders/cart.html", {"cart": view, "choices": _choices(request.query_params)}
    )


def _cart_path(choices: dict[str, str]) -> str:
    """The cart page showing these delivery and slot choices still ticked."""
    return "/panier" + (f"?{urlencode(choices)}" if choices else "")


def _apply_quantities(db: SessionDep, shopper: Any, form: FormData) -> str:
    """Apply every changed `quantite_<product>` field (0 takes the line out); "" or a problem."""
    view = cart.get_cart(db, shopper)
    held = {line.product_id: line.quantity for shop in view.shops for line in shop.lines}
    for product_id, quantity in held.items():
        wanted = integer(form, f"quantite_{product_id}", quantity)
        if wanted == quantity:
            continue
        try:
            if wanted == 0:
                cart.remove_item(db, shopper, product_id)
            else:
                cart.set_quantity(db, shopper, product_id, -1 if wanted is None else wanted)
        except DomainError as exc:
            return exc.message
    return ""


@router.post("/panier")
def submit_cart(form: Form, db: SessionDep, shopper: ShopperPage) -> Response:
    """The cart form: update quantities, take a line out, or go on to checkout.

    Every button posts the whole form, so the delivery modes and pickup slots already
    ticked come back ticked (they used to be lost on "Mettre à jour").
    """
    choices = _choices(form)
    problem = _apply_quantities(db, shopper, form)
    if problem:
        return redirect(_cart_path(choices), problem, "error")
    removed = integer(form, "retirer")
    if removed is not None:
        try:
            cart.remove_item(db, shopper, removed)
        except DomainError as exc:
            return redirect(_cart_path(choices), exc.message, "error")
        return redirect(_cart_path(choices), _("Produit retiré du panier."))
    if form.get("mettre_a_jour") is not None:
        return redirect(_cart_path(choices), _("Quantités mises à jour."))
    return redirect("/commande" + (f"?{urlencode(choices)}" if choices else ""))


@router.post("/panier/ajouter")
def add_to_cart(form: Form, db: SessionDep, shopper: ShopperPage) -> Response:
    """Add a product from its page (its quantity adds to what the cart already holds)."""
    product_id = integer(form, "product_id") or 0
    quantity = integer(form, "quantity", 1) or 1
    back = safe_next(text(form, "next", 300), f"/produits/{product_id}")
    try:
        view = cart.add_item(db, shopper, product_id, quantity)
    except DomainError as exc:
        return redirect(back, exc.message, "error")
    name = next(
        (line.name for shop in view.shops for line in shop.lines if line.product_id == product_id),
        "",
    )
    return redirect(back, _("« %(name)s » est dans votre panier.", name=name))


# --- checkout ----------------------------------------------------------------------------


@dataclass
class ShopPlan:
    """A shop of the cart with the shopper's choice for it, priced."""

    shop: cart.CartShop
    mode: cart.CartDeliveryMode | None
    slot: cart.CartSlot | None
    slot_value: str
    shipping_address: str
    problem: str

    @property
    def total_cents(self) -> int:
        return self.shop.items_cents + (self.mode.price_cents if self.mode else 0)


def _choices(params: QueryParams | FormData) -> dict[str, str]:
    """The shops' choices carried from the cart page (`livraison_<id>`, `creneau_<id>`…)."""
    prefixes = ("livraison_", "creneau_", "adresse_")
    return {
        key: str(value)[:600]
        for key, value in params.multi_items()
        if key.startswith(prefixes) and isinstance(value, str)
    }


def _plan(view: cart.CartView, choices: dict[str, str]) -> list[ShopPlan]:
    plans = []
    for shop in view.shops:
        mode_id = choices.get(f"livraison_{shop.shop_id}", "")
        mode = next((m for m in shop.delivery_modes if str(m.id) == mode_id), None)
        slot_value = choices.get(f"creneau_{shop.shop_id}", "")
        slot = None
        problem = ""
        if mode is None:
            problem = _("Choisissez un mode de livraison pour « %(shop)s ».", shop=shop.shop_name)
        elif mode.kind == "pickup" and shop.has_pickup_slots:
            slot = next((s for s in shop.pickup_slots if s.start.isoformat() == slot_value), None)
            if slot is None:
                problem = _(
                    "Choisissez un créneau de retrait chez « %(shop)s ».", shop=shop.shop_name
                )
        elif mode.kind == "pickup":
            slot_value = ""
        plans.append(
            ShopPlan(
                shop=shop,
                mode=mode,
                slot=slot,
                slot_value=slot_value if slot else "",
                shipping_address=choices.get(f"adresse_{shop.shop_id}", ""),
                problem=problem,
            )
        )
    return plans


def _billing_defaults(shopper: Any) -> dict[str, str]:
    return {
        "name": f"{shopper.first_name} {shopper.last_name}".strip(),
        "line1": "",
        "line2": "",
        "postal_code": "",
        "city": "",
        "phone": shopper.phone or "",
    }


def _checkout_page(
    request: Request,
    view: cart.CartView,
    plans: list[ShopPlan],
    billing: dict[str, str],
    error: str = "",
    status_code: int = 200,
    cgv_accepted: bool = False,
) -> Response:
    return render(
        request,
        "orders/checkout.html",
        {
            "cgv_accepted": cgv_accepted,
            "cart": view,
            "plans": plans,
            "billing": billing,
            "error": error,
            "total_cents": sum(p.total_cents for p in plans),
            "needs_confirmation": any(p.shop.needs_confirmation for p in plans),
        },
        status_code=status_code,
    )


@router.get("/commande")
def checkout_page(request: Request, db: SessionDep, shopper: ShopperPage) -> Response:
    """Check each shop's choice, show the final totals, ask for the billing address."""
    view = cart.get_cart(db, shopper)
    if not view.shops:
        return redirect("/panier", _("Votre panier est vide."), "info")
    choices = _choices(request.query_params)
    plans = _plan(view, choices)
    problems = [p.problem for p in plans if p.problem]
    problems += [line.problem for s in view.shops for line in s.lines if line.problem]
    if problems:
        query = urlencode({k: v for k, v in choices.items() if k.startswith("livraison_")})
        return redirect("/panier" + (f"?{query}" if query else ""), " ".join(problems), "error")
    return _checkout_page(request, view, plans, _billing_defaults(shopper))


@router.post("/commande")
def place_order(request: Request, form: Form, db: SessionDep, shopper: ShopperPage) -> Response:
    """Turn the cart into an order (stock reserved now), start its workflow, go on to pay."""
    billing = {name: text(form, f"billing_{name}", 300) for name in BILLING_FIELDS}
    choices = _choices(form)
    view = cart.get_cart(db, shopper)
    plans = _plan(view, choices)
    if not checkbox(form, "accept_cgv"):
        return _checkout_page(
            request,
            view,
            plans,
            billing,
            _("Pour commander, cochez la case qui accepte les conditions générales de vente."),
            422,
        )
    shop_choices = []
    for plan in plans:
        if plan.mode is None:
            continue  # checkout names the shop that lacks a choice
        shop_choices.append(
            ShopChoice(
                shop_id=plan.shop.shop_id,
                delivery_mode_id=plan.mode.id,
                pickup_slot_start=datetime.fromisoformat(plan.slot_value)
                if plan.slot_value
                else None,
                shipping_address=plan.shipping_address if plan.mode.kind != "pickup" else "",
            )
        )
    try:
        placed = order_placing.place_order(
            db,
            shopper,
            CheckoutRequest(
                billing=BillingAddress(
                    name=billing["name"],
                    line1=billing["line1"],
                    line2=billing["line2"],
                    postal_code=billing["postal_code"],
                    city=billing["city"],
                ),
                shops=shop_choices,
                phone=billing["phone"],
            ),
            start=lambda order_id: start_workflow_now(request, order_id),
            accepted_terms=True,  # refused above unless the CGV box is ticked
        )
    except DomainError as exc:
        db.rollback()
        view = cart.get_cart(db, shopper)
        return _checkout_page(
            request,
            view,
            _plan(view, choices),
            billing,
            exc.message,
            exc.status_code,
            cgv_accepted=True,  # a ticked box stays ticked when the page comes back
        )
    order = placed.order
    if not placed.workflow_started:
        log.info("order %s placed; its workflow starts later", order.id)
    if order.status == OrderStatus.awaiting_confirmation:
        return redirect(
            f"/commandes/{order.id}",
            _(
                "Commande enregistrée. Les boutiques confirment votre réservation ; vous pourrez "
                "payer ensuite, nous vous prévenons par e-mail."
            ),
        )
    return redirect(
        f"/commandes/{order.id}/paiement", _("Commande enregistrée : il reste à payer.")
    )
