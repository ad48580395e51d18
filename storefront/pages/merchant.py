"""The merchant's space: what needs action now, vendor orders and their next steps, pickup-code
check at hand-over, sales and fees, the customers' messages; a banner while the shop waits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.domain.labels import VENDOR_ORDER_STEP_LABELS, vendor_order_status_label
from comptoir.domain.paris_time import to_paris
from comptoir.errors import Conflict, DomainError, NotFound, Unprocessable
from comptoir.models import Role, VendorOrderStatus
from comptoir.orders import gateway
from comptoir.services import ledger, order_reads, returns, scoping, shops
from comptoir.services import merchant_dashboard as dashboards
from comptoir.services import messages as shop_messages
from comptoir.services.shop_papers import shop_papers
from comptoir.settings import get_settings
from comptoir.settlements import service as settlement_service
from comptoir.settlements import views as settlement_views
from comptoir.web.deps import SessionDep
from storefront.actions import perform_and_redirect
from storefront.deps import Form, MerchantPage, Visitor, integer, numeric_id, text
from storefront.i18n import _, ngettext
from storefront.templating import add_context_hook, redirect, render

router = APIRouter()


def pending_banner(request: Request, visitor: Visitor) -> dict[str, Any]:
    """The merchant's shop while it waits for approval (the layout shows a banner)."""
    db = getattr(request.state, "db", None)
    if db is None or visitor.user_id is None or visitor.role != Role.merchant:
        return {}
    return {"pending_shop": dashboards.pending_shop_of(db, visitor.user_id)}


add_context_hook(pending_banner)


def queue_titles() -> dict[str, str]:
    """The dashboard's queues, in the merchant's language."""
    return {
        "to_confirm": _("Réservations à confirmer"),
        "to_prepare": _("Commandes à préparer"),
        "preparing": _("En préparation"),
        "ready_for_pickup": _("Prêtes à retirer"),
        "returns": _("Retours à traiter"),
    }


def status_filters() -> dict[str, str]:
    """Statuses a merchant can filter the list by."""
    return {status.value: vendor_order_status_label(status) for status in VendorOrderStatus}


def _vendor_order_id(value: str) -> int:
    return numeric_id(value, scoping.VENDOR_ORDER_NOT_FOUND)


def vendor_order_path(vendor_order_id: int) -> str:
    """Where a merchant handles one vendor order."""
    return f"/vendeur/commandes/{vendor_order_id}"


@router.get("/vendeur")
def dashboard(request: Request, db: SessionDep, merchant: MerchantPage) -> Response:
    """What needs action now, each one click away."""
    board = dashboards.merchant_dashboard(db, merchant)
    return render(
        request, "merchant/dashboard.html", {"board": board, "queue_titles": queue_titles()}
    )


@router.get("/vendeur/commandes")
def vendor_orders(
    request: Request, db: SessionDep, merchant: MerchantPage, statut: str = ""
) -> Response:
    """My shop's orders, newest first, optionally of one status."""
    try:
        status = VendorOrderStatus(statut) if statut else None
    except ValueError:
        status = None
    items = order_reads.list_vendor_orders(db, merchant, status=status)
    return render(
        request,
        "merchant/orders.html",
        {"items": items, "status": status.value if status else "", "filters": status_filters()},
    )


@router.get("/vendeur/commandes/{vendor_order_id}")
def vendor_order_page(
    request: Request, vendor_order_id: str, db: SessionDep, merchant: MerchantPage
) -> Response:
    """One order of my shop: lines, customer, timeline, and only the steps allowed now."""
    part = order_reads.vendor_order_detail(db, merchant, _vendor_order_id(vendor_order_id))
    messages = shop_messages.vendor_order_messages(db, merchant, part.id)
    return render(
        request,
        "merchant/order.html",
        {"part": part, "messages": messages, "action_labels": VENDOR_ORDER_STEP_LABELS},
    )


def _own_part(db: SessionDep, merchant: Any, vendor_order_id: str) -> order_reads.VendorOrderView:
    # Ownership first: another shop's order is a 404 before any workflow is asked.
    return order_reads.vendor_order_detail(db, merchant, _vendor_order_id(vendor_order_id))


def _line_ids(form: Any, part: order_reads.VendorOrderView, prefix: str) -> list[int]:
    known = {line.id for line in part.lines}
    return [line_id for line_id in known if form.get(f"{prefix}{line_id}") is not None]


@router.post("/vendeur/commandes/{vendor_order_id}/confirmer")
def confirm_lines(
    request: Request, vendor_order_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Confirm the reservation lines ticked (all of them with `tout`), decline the others."""
    part = _own_part(db, merchant, vendor_order_id)
    pending = [line.id for line in part.lines if line.status == "pending_confirmation"]
    if form.get("tout") is not None:
        confirmed = pending
    else:
        confirmed = [i for i in _line_ids(form, part, "ligne_") if i in pending]
    declined = [i for i in pending if i not in confirmed]
    done = (
        _("Réservation confirmée : le client peut payer.")
        if confirmed
        else _("Réservation refusée : le client est prévenu.")
    )
    return perform_and_redirect(
        request, vendor_order_path(part.id), done, gateway.confirm_lines,
        order_id=part.order_id, vendor_order_id=part.id, confirmed=confirmed,
        declined=declined, actor_id=merchant.id,
    )  # fmt: skip


@router.post("/vendeur/commandes/{vendor_order_id}/preparer")
def start_preparing(
    request: Request, vendor_order_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Start preparing."""
    part = _own_part(db, merchant, vendor_order_id)
    return perform_and_redirect(
        request, _back(form, part.id), _("Préparation commencée."), gateway.start_preparing,
        vendor_order_id=part.id, actor_id=merchant.id,
    )  # fmt: skip


@router.post("/vendeur/commandes/{vendor_order_id}/indisponible")
def mark_unavailable(
    request: Request, vendor_order_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Lines the shop cannot supply: the customer is refunded for them automatically."""
    part = _own_part(db, merchant, vendor_order_id)
    line_ids = _line_ids(form, part, "ligne_")
    if not line_ids:
        return redirect(
            vendor_order_path(part.id), _("Cochez les produits indisponibles."), "error"
        )
    return perform_and_redirect(
        request, vendor_order_path(part.id),
        _("Produits signalés indisponibles : le client est remboursé pour eux."),
        gateway.mark_unavailable, vendor_order_id=part.id, line_ids=line_ids, actor_id=merchant.id,
        reason=text(form, "reason", 500),
    )  # fmt: skip


@router.post("/vendeur/commandes/{vendor_order_id}/prete")
def ready_for_pickup(
    request: Request, vendor_order_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Ready in the shop: the customer receives their pickup code."""
    part = _own_part(db, merchant, vendor_order_id)
    return perform_and_redirect(
        request, _back(form, part.id),
        _("Commande prête : le client est prévenu avec son code de retrait."),
        gateway.ready_for_pickup, vendor_order_id=part.id, actor_id=merchant.id,
    )  # fmt: skip


@router.post("/vendeur/commandes/{vendor_order_id}/expedier")
def ship(
    request: Request, vendor_order_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Shipped or out for delivery, with the carrier and tracking number."""
    part = _own_part(db, merchant, vendor_order_id)
    carrier, tracking = text(form, "carrier", 80), text(form, "tracking_number", 120)
    if part.delivery_kind == "shipping" and not (carrier and tracking):
        return redirect(
            vendor_order_path(part.id),
            _("Indiquez le transporteur et le numéro de suivi du colis."),
            "error",
        )
    return perform_and_redirect(
        request, vendor_order_path(part.id), _("Commande expédiée : le client est prévenu."),
        gateway.ship, vendor_order_id=part.id, carrier=carrier, tracking_number=tracking,
        actor_id=merchant.id,
    )  # fmt: skip


@router.post("/vendeur/commandes/{vendor_order_id}/non-retiree")
def cancel_no_show(
    request: Request, vendor_order_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """The customer never came: cancelled, refunded, products back in stock."""
    part = _own_part(db, merchant, vendor_order_id)
    return perform_and_redirect(
        request, vendor_order_path(part.id),
        _("Commande annulée : le client est remboursé et les produits sont remis en stock."),
        gateway.cancel_no_show, vendor_order_id=part.id, actor_id=merchant.id,
    )  # fmt: skip


@router.post("/vendeur/commandes/{vendor_order_id}/remettre")
def complete(
    request: Request, vendor_order_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Handed over (the customer's pickup code is checked) or delivered."""
    part = _own_part(db, merchant, vendor_order_id)
    code = text(form, "pickup_code", 12).upper().replace(" ", "")
    if part.delivery_kind == "pickup" and not code:
        return redirect(
            _back(form, part.id),
            _("Saisissez le code de retrait que le client vous donne."),
            "error",
        )
    return perform_and_redirect(
        request, _back(form, part.id), _("Commande remise : elle est terminée."), gateway.complete,
        vendor_order_id=part.id, pickup_code=code, actor_id=merchant.id,
    )  # fmt: skip


@router.post("/vendeur/commandes/{vendor_order_id}/retour")
def decide_return(
    request: Request, vendor_order_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Accept a return (the customer is refunded) or refuse it, saying why."""
    part = _own_part(db, merchant, vendor_order_id)
    return_id = integer(form, "return_id") or 0
    if not any(r.id == return_id and r.status == "requested" for r in part.returns):
        raise NotFound(_("Cette demande de retour n'existe pas."))
    back = vendor_order_path(part.id)
    if text(form, "decision") == "accepter":
        return perform_and_redirect(
            request, back, _("Retour accepté : le client est remboursé."), gateway.accept_return,
            vendor_order_id=part.id, return_id=return_id, actor_id=merchant.id,
        )  # fmt: skip
    reason = text(form, "reason", 2000)
    if not reason:
        return redirect(back, _("Dites au client pourquoi vous refusez ce retour."), "error")
    return perform_and_redirect(
        request, back, _("Retour refusé : le client est prévenu."), gateway.refuse_return,
        vendor_order_id=part.id, return_id=return_id, reason=reason, actor_id=merchant.id,
    )  # fmt: skip


@router.post("/vendeur/commandes/{vendor_order_id}/retours/{return_id}/stock")
def restock_return(
    vendor_order_id: str, return_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Put the ticked returned goods back on sale."""
    part_id = _vendor_order_id(vendor_order_id)
    request_id = numeric_id(return_id, _("Cette demande de retour n'existe pas."))
    chosen = [
        int(number)
        for key in form
        if key.startswith("line_")
        and (number := key.removeprefix("line_")).isascii()
        and number.isdigit()
    ]
    back = f"{vendor_order_path(part_id)}#restock-{request_id}"
    try:
        done = returns.restock_return(db, merchant, part_id, request_id, chosen)
    except (Conflict, Unprocessable) as refusal:
        return redirect(back, refusal.message, "error")
    count = sum(line.quantity for line in done)
    return redirect(
        back,
        ngettext("%(num)s produit remis en stock.", "%(num)s produits remis en stock.", count),
    )


def _back(form: Any, vendor_order_id: int) -> str:
    # One-click actions from the dashboard come back to it.
    return "/vendeur" if text(form, "from") == "dashboard" else vendor_order_path(vendor_order_id)


@router.post("/vendeur/commandes/{vendor_order_id}/messages")
def answer_about_order(
    vendor_order_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Write to the customer of this order."""
    part_id = _vendor_order_id(vendor_order_id)
    back = vendor_order_path(part_id) + "#messages"
    try:
        shop_messages.post_vendor_order_message(db, merchant, part_id, text(form, "body", 5000))
    except NotFound:
        raise
    except DomainError as exc:
        return redirect(back, exc.message, "error")
    return redirect(back, _("Message envoyé au client."))


# --- money -------------------------------------------------------------------------------


def _month_start(now: datetime) -> datetime:
    local = to_paris(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@router.get("/vendeur/ventes")
def sales(request: Request, db: SessionDep, merchant: MerchantPage) -> Response:
    """Sales, payment fees, refunds, what the platform owes the shop and each settlement."""
    shop = shops.merchant_shop(db, merchant)
    now = datetime.now(UTC)
    settings = get_settings()
    return render(
        request,
        "merchant/sales.html",
        {
            "shop": shop,
            "month": ledger.shop_balance(db, shop.id, since=_month_start(now)),
            "all_time": ledger.shop_balance(db, shop.id),
            "month_start": _month_start(now),
            "fee_rate_bp": settings.fee_rate_basis_points,
            "fee_fixed_cents": settings.fee_fixed_cents,
            "papers": shop_papers(db, shop.id),
            "statements": settlement_views.shop_statements(db, shop.id),
            "position": settlement_service.money_position_of_shop(db, shop.id),
        },
    )


# --- messages ----------------------------------------------------------------------------


@router.get("/vendeur/messages")
def inbox(request: Request, db: SessionDep, merchant: MerchantPage) -> Response:
    """The shop's conversations with customers, unread first."""
    threads = shop_messages.shop_threads(db, merchant)
    threads.sort(key=lambda t: (t.unread == 0, -t.last_at.timestamp()))
    return render(request, "merchant/inbox.html", {"threads": threads})


@router.get("/vendeur/messages/{shopper_id}")
def conversation(
    request: Request, shopper_id: str, db: SessionDep, merchant: MerchantPage
) -> Response:
    """A conversation with one customer."""
    sid = numeric_id(shopper_id, _("Cette conversation n'existe pas."))
    name, messages = shop_messages.customer_conversation(db, merchant, sid)
    return render(
        request,
        "merchant/conversation.html",
        {"customer_name": name, "messages": messages, "shopper_id": sid},
    )


@router.post("/vendeur/messages/{shopper_id}")
def answer(shopper_id: str, form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Answer a customer."""
    sid = numeric_id(shopper_id, _("Cette conversation n'existe pas."))
    back = f"/vendeur/messages/{sid}"
    try:
        shop_messages.answer_customer(db, merchant, sid, text(form, "body", 5000))
    except NotFound:
        raise
    except DomainError as exc:
        return redirect(back, exc.message, "error")
    return redirect(back, _("Message envoyé au client."))
