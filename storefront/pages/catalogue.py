"""Shoppers' catalogue pages: home, search with facets, shops, a shop's page, a product."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from comptoir.domain.paris_time import to_paris
from comptoir.errors import Unprocessable
from comptoir.services import catalogue, product_photos, shop_pages
from comptoir.services.products import parse_euros
from comptoir.web.deps import SessionDep
from storefront.deps import VisitorDep, numeric_id
from storefront.i18n import _
from storefront.templating import render

router = APIRouter()

PAGE_SIZE = 24


def sort_labels() -> dict[str, str]:
    """The sort menu, in the visitor's language."""
    return {
        catalogue.SearchSort.relevance.value: _("Pertinence"),
        catalogue.SearchSort.price_asc.value: _("Prix croissant"),
        catalogue.SearchSort.price_desc.value: _("Prix décroissant"),
        catalogue.SearchSort.newest.value: _("Nouveautés"),
    }


def _now() -> datetime:
    return datetime.now(UTC)


def _cents(text: str, problems: list[str], label: str) -> int | None:
    """A price typed in euros in a filter, or None (and a problem) when unreadable."""
    if not text.strip():
        return None
    try:
        return parse_euros(text)
    except ValueError:
        problems.append(
            _("Le prix %(label)s « %(text)s » n'est pas un montant.", label=label, text=text)
        )
        return None


@router.get("/")
def home(request: Request, db: SessionDep, visitor: VisitorDep) -> Response:
    """Search box, categories, the town's shops and the newest products."""
    newest = catalogue.search_products(
        db, catalogue.SearchParams(sort=catalogue.SearchSort.newest, page_size=8, in_stock=True)
    )
    shops = shop_pages.list_public_shops(db, _now())
    return render(
        request,
        "catalogue/home.html",
        {
            "categories": [c for c in catalogue.list_categories(db) if c.product_count],
            "shops": shops,
            "banners": product_photos.photo_views(db, [s.banner_photo_id for s in shops]),
            "newest": newest.items,
        },
    )


@router.get("/recherche")
def search(
    request: Request,
    db: SessionDep,
    visitor: VisitorDep,
    q: str = "",
    boutique: str = "",
    categorie: str = "",
    prix_min: str = "",
    prix_max: str = "",
    en_stock: str = "",
    retrait: str = "",
    livraison: str = "",
    tri: str = "relevance",
    page: int = 1,
) -> Response:
    """Results with facets (shops, categories, price) and filters; tolerant of typos."""
    problems: list[str] = []
    try:
        sort = catalogue.SearchSort(tri)
    except ValueError:
        sort = catalogue.SearchSort.relevance
    params = catalogue.SearchParams(
        q=q[: catalogue.MAX_QUERY_LENGTH],
        shop=boutique or None,
        category=categorie or None,
        min_price=_cents(prix_min, problems, _("minimum")),
        max_price=_cents(prix_max, problems, _("maximum")),
        in_stock=bool(en_stock),
        pickup=bool(retrait),
        delivery=bool(livraison),
        sort=sort,
        page=max(1, min(page, 10_000)),
        page_size=PAGE_SIZE,
    )
    try:
        result = catalogue.search_products(db, params)
    except Unprocessable as exc:
        problems.append(exc.message)
        params = replace(params, min_price=None, max_price=None, page=1)
        result = catalogue.search_products(db, params)
    filters = {
        "q": params.q,
        "boutique": boutique,
        "categorie": categorie,
        "prix_min": prix_min,
        "prix_max": prix_max,
        "en_stock": en_stock,
        "retrait": retrait,
        "livraison": livraison,
        "tri": sort.value,
    }

    def link(**changes: Any) -> str:
        """This search with some filters changed (and back to page 1 unless given)."""
        values = {**filters, "page": "", **changes}
        return "/recherche?" + urlencode({k: v for k, v in values.items() if v})

    return render(
        request,
        "catalogue/search.html",
        {
            "result": result,
            "filters": filters,
            "problems": problems,
            "link": link,
            "sort_labels": sort_labels(),
            "page_query": params.q,
        },
    )


@router.get("/boutiques")
def shops(request: Request, db: SessionDep, visitor: VisitorDep) -> Response:
    """Every approved shop of the town, saying which are open now."""
    shops = shop_pages.list_public_shops(db, _now())
    banners = product_photos.photo_views(db, [s.banner_photo_id for s in shops])
    return render(request, "catalogue/shops.html", {"shops": shops, "banners": banners})


# Products shown per category on a shop's page before "voir les N produits".
SHOP_SECTION_SIZE = 8


@dataclass(frozen=True)
class ShopSection:
    """One category of a shop's page: its first products and how many it has."""

    category: catalogue.FacetCount
    items: list[catalogue.ProductHit]


def _shop_sections(
    db: SessionDep, slug: str, layout: shop_pages.ShopLayout
) -> tuple[list[ShopSection], int]:
    """The shop's products grouped by category, in the shop's chosen order (then by size),
    and how many products the shop has in all."""
    overview = catalogue.search_products(db, catalogue.SearchParams(shop=slug, page_size=1))
    order = {name: n for n, name in enumerate(layout.category_order)}
    facets = sorted(
        overview.facets.categories, key=lambda f: (order.get(f.slug, len(order)), -f.count, f.name)
    )
    sections = [
        ShopSection(
            facet,
            catalogue.search_products(
                db,
                catalogue.SearchParams(shop=slug, category=facet.slug, page_size=SHOP_SECTION_SIZE),
            ).items,
        )
        for facet in facets
    ]
    return sections, overview.total


@router.get("/boutiques/{slug}")
def shop(
    request: Request,
    slug: str,
    db: SessionDep,
    visitor: VisitorDep,
    q: str = "",
    categorie: str = "",
    tous: str = "",
    page: int = 1,
) -> Response:
    """A shop: hours and "ouvert maintenant", pickup slots, delivery, returns, contact, and its
    products by category, searchable, a category or everything page by page."""
    now = _now()
    page_view = shop_pages.public_shop_page(db, slug[:120], now)
    layout = shop_pages.shop_layout(db, page_view.slug)
    q = q[: catalogue.MAX_QUERY_LENGTH]
    listing = None
    sections: list[ShopSection] = []
    if q or categorie or tous:
        listing = catalogue.search_products(
            db,
            catalogue.SearchParams(
                shop=page_view.slug,
                q=q,
                category=categorie[:80] or None,
                page=max(1, min(page, 10_000)),
                page_size=PAGE_SIZE,
            ),
        )
        total = listing.total
    else:
        sections, total = _shop_sections(db, page_view.slug, layout)
    slots_by_day: dict[str, list[shop_pages.PickupSlotView]] = {}
    for slot in page_view.pickup_slots:
        slots_by_day.setdefault(to_paris(slot.start).date().isoformat(), []).append(slot)

    def link(**changes: Any) -> str:
        """This shop's listing with some parameters changed."""
        values = {"q": q, "categorie": categorie, "tous": tous, **changes}
        query = urlencode({k: v for k, v in values.items() if v})
        return f"/boutiques/{page_view.slug}" + (f"?{query}" if query else "")

    return render(
        request,
        "catalogue/shop.html",
        {
            "shop": page_view,
            "banner": product_photos.photo_view(db, layout.banner_photo_id),
            "sections": sections,
            "listing": listing,
            "total": total,
            "q": q,
            "category": next(
                (c for c in (listing.facets.categories if listing else []) if c.slug == categorie),
                None,
            ),
            "link": link,
            "slots_by_day": slots_by_day,
            "today": to_paris(now).weekday(),
            "page_query": "",
        },
    )


@router.get("/produits/{product_id}")
def product(request: Request, product_id: str, db: SessionDep, visitor: VisitorDep) -> Response:
    """A product: price, stock, shop, how to get it, and the add-to-cart form."""
    detail = catalogue.get_public_product(
        db, numeric_id(product_id, _("Ce produit n'existe pas ou n'est plus proposé."))
    )
    page = shop_pages.public_shop_page(db, detail.shop.slug, _now())
    same_shop = catalogue.search_products(
        db, catalogue.SearchParams(shop=detail.shop.slug, page_size=5, in_stock=True)
    )
    return render(
        request,
        "catalogue/product.html",
        {
            "product": detail,
            "photos": product_photos.photos_of_products(db, [detail.id]).get(detail.id, []),
            "shop": page,
            "more": [p for p in same_shop.items if p.id != detail.id][:4],
        },
    )
