"""Public catalogue: product search, product pages, shops and categories (anonymous allowed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter

from api.schemas import Public
from comptoir.models import DeliveryKind
from comptoir.services import catalogue, shop_pages
from comptoir.services.catalogue import SearchParams, SearchSort
from comptoir.web.deps import SessionDep

router = APIRouter(prefix="/api", tags=["catalogue"])


class ShopRefOut(Public):
    slug: str
    name: str


class CategoryRefOut(Public):
    slug: str
    name: str


class ProductCardOut(Public):
    id: int
    name: str
    shop: ShopRefOut
    category: CategoryRefOut | None
    price_cents: int
    promo_price_cents: int | None
    effective_price_cents: int
    vat_rate_bp: int
    in_stock: bool
    available_quantity: int
    requires_confirmation: bool
    unit_label: str


class ProductOut(ProductCardOut):
    brand: str
    description: str
    returnable: bool


class FacetCountOut(Public):
    slug: str
    name: str
    count: int


class PriceRangeOut(Public):
    min_cents: int | None
    max_cents: int | None


class FacetsOut(Public):
    shops: list[FacetCountOut]
    categories: list[FacetCountOut]
    price: PriceRangeOut


class SearchOut(Public):
    items: list[ProductCardOut]
    total: int
    page: int
    page_size: int
    pages: int
    facets: FacetsOut


class CategoryOut(Public):
    slug: str
    name: str
    product_count: int


class ShopCardOut(Public):
    slug: str
    name: str
    trade: str
    city: str
    open_now: bool


class DayHoursOut(Public):
    day: str
    hours: str


class ClosureOut(Public):
    start_date: date
    end_date: date
    reason: str


class PickupSlotOut(Public):
    start: datetime
    end: datetime
    capacity: int
    remaining: int


class DeliveryModeOut(Public):
    id: int
    kind: DeliveryKind
    kind_label: str
    label: str
    price_cents: int
    free_above_cents: int | None


class ShopPageOut(Public):
    slug: str
    name: str
    trade: str
    description: str
    address_line: str
    postal_code: str
    city: str
    phone: str
    email: str
    opening_hours: list[DayHoursOut]
    open_now: bool
    next_opening: datetime | None
    upcoming_closures: list[ClosureOut]
    pickup_slots: list[PickupSlotOut]
    delivery_modes: list[DeliveryModeOut]
    return_policy: str


@router.get("/products/search", response_model=SearchOut)
def search_products(
    db: SessionDep,
    q: str = "",
    shop: str | None = None,
    category: str | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    in_stock: bool = False,
    pickup: bool = False,
    delivery: bool = False,
    sort: SearchSort = SearchSort.relevance,
    page: int = 1,
    page_size: int = 24,
) -> SearchOut:
    """Search every approved shop at once (French stems, accents and typos); prices in cents."""
    result = catalogue.search_products(
        db,
        SearchParams(
            q=q,
            shop=shop,
            category=category,
            min_price=min_price,
            max_price=max_price,
            in_stock=in_stock,
            pickup=pickup,
            delivery=delivery,
            sort=sort,
            page=page,
            page_size=page_size,
        ),
    )
    return SearchOut.model_validate(result)


@router.get("/products/{product_id}", response_model=ProductOut)
def get_product(product_id: int, db: SessionDep) -> ProductOut:
    """A product page (active product of an approved shop, else 404)."""
    return ProductOut.model_validate(catalogue.get_public_product(db, product_id))


@router.get("/categories", response_model=list[CategoryOut])
def list_categories(db: SessionDep) -> list[CategoryOut]:
    """Every category with its number of public products."""
    return [CategoryOut.model_validate(c) for c in catalogue.list_categories(db)]


@router.get("/shops", response_model=list[ShopCardOut])
def list_shops(db: SessionDep) -> list[ShopCardOut]:
    """Approved shops, each saying whether it is open now."""
    now = datetime.now(UTC)
    return [ShopCardOut.model_validate(s) for s in shop_pages.list_public_shops(db, now)]


@router.get("/shops/{slug}", response_model=ShopPageOut)
def get_shop_page(slug: str, db: SessionDep) -> ShopPageOut:
    """A shop's page: hours, open now, next opening, pickup slots, delivery, returns."""
    return ShopPageOut.model_validate(shop_pages.public_shop_page(db, slug, datetime.now(UTC)))
