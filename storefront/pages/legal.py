"""Legal and trust pages: mentions légales, CGU, privacy policy, mediator, each shop's CGV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from comptoir.errors import NotFound
from comptoir.models import Shop, ShopStatus
from comptoir.services import legal
from comptoir.settings import get_settings
from comptoir.web.deps import SessionDep
from storefront.deps import VisitorDep
from storefront.templating import render

router = APIRouter()

# Path → template of the platform's own texts; the operator's identity comes from settings.
PLATFORM_PAGES = {
    "/mentions-legales": "legal/mentions.html",
    "/cgu": "legal/cgu.html",
    "/confidentialite": "legal/confidentialite.html",
    "/mediation": "legal/mediation.html",
}


def _platform_page(template: str) -> object:
    def page(request: Request, visitor: VisitorDep) -> Response:
        return render(request, template, {"op": get_settings()})

    page.__doc__ = f"The platform's text `{template}`."
    return page


for _path, _template in PLATFORM_PAGES.items():
    router.add_api_route(_path, _platform_page(_template), methods=["GET"])  # type: ignore[arg-type]


@router.get("/boutiques/{slug}/cgv")
def shop_cgv(request: Request, slug: str, db: SessionDep, visitor: VisitorDep) -> Response:
    """An approved shop's terms of sale (its own text, or the platform's default)."""
    shop = db.scalar(
        select(Shop).where(Shop.slug == slug[:120], Shop.status == ShopStatus.approved)
    )
    if shop is None:
        raise NotFound("Cette boutique n'existe pas.")
    return render(request, "legal/shop_cgv.html", {"shop": shop, "cgv": legal.shop_cgv(shop)})
