"""Where the merchant's shop is paid: its bank account (IBAN, BIC, holder) for SEPA transfers,
or its Stripe Connect account; shown with the settlements on /vendeur/ventes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.errors import DomainError
from comptoir.models.settlements import ShopPayoutAccount
from comptoir.services import shops
from comptoir.settlements.payout_details import set_payout_account
from comptoir.web.deps import SessionDep
from storefront.deps import Form, MerchantPage, text
from storefront.i18n import _
from storefront.templating import redirect, render

router = APIRouter()

PAGE = "/vendeur/ventes/compte-de-versement"
FIELDS = ("iban", "bic", "holder", "stripe_account_id")


def _page(request: Request, values: dict[str, str], error: str = "", status_code: int = 200) -> Response:
    return render(request, "merchant/payout_account.html", {"values": values, "error": error},
                  status_code=status_code)  # fmt: skip


@router.get(PAGE)
def payout_account_page(request: Request, db: SessionDep, merchant: MerchantPage) -> Response:
    """The shop's payout account form."""
    shop = shops.merchant_shop(db, merchant)
    account = db.get(ShopPayoutAccount, shop.id)
    values = {name: getattr(account, name) if account else "" for name in FIELDS}
    return _page(request, values)


@router.post(PAGE)
def save_payout_account(
    request: Request, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Record the shop's bank account or Stripe Connect account (IBAN and BIC checked)."""
    shop = shops.merchant_shop(db, merchant)
    values = {name: text(form, name, 80) for name in FIELDS}
    try:
        set_payout_account(db, shop.id, **values)
    except DomainError as exc:
        db.rollback()
        return _page(request, values, exc.message, exc.status_code)
    return redirect("/vendeur/ventes", _("Compte de versement enregistré."))
