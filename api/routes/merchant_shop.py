"""The merchant's own shop: settings, opening hours, closures, pickup slots, delivery modes
and products (with CSV import). A merchant only ever reaches the shop they own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field, computed_field

from api.deps import MerchantUser
from api.errors import error_body
from api.schemas import LocalTime, Public, Strict
from comptoir.domain.hours import weekly_summary
from comptoir.domain.labels import delivery_kind_label
from comptoir.models import DeliveryKind, Shop, ShopStatus
from comptoir.services import products, shops
from comptoir.web.deps import SessionDep

router = APIRouter(prefix="/api/merchant", tags=["merchant"])


def get_merchant_shop(user: MerchantUser, db: SessionDep) -> Shop:
    """The shop the calling merchant owns (404 when they have none)."""
    return shops.merchant_shop(db, user)


MerchantShop = Annotated[Shop, Depends(get_merchant_shop)]


# --- schemas ----------------------------------------------------------------------------


class OpeningRangeIn(Strict):
    weekday: int = Field(ge=0, le=6, description="0 = lundi … 6 = dimanche")
    opens: LocalTime
    closes: LocalTime


class OpeningRangeOut(Public):
    weekday: int
    opens: LocalTime
    closes: LocalTime


class OpeningHoursIn(Strict):
    ranges: list[OpeningRangeIn] = Field(max_length=70)


class DaySummary(Public):
    day: str
    hours: str


class OpeningHoursOut(Public):
    ranges: list[OpeningRangeOut]
    summary: list[DaySummary]


class ClosureIn(Strict):
    start_date: date
    end_date: date
    reason: str = Field(default="", max_length=300)


class ClosureOut(Public):
    id: int
    start_date: date
    end_date: date
    reason: str


class SlotRuleIn(Strict):
    weekday: int = Field(ge=0, le=6, description="0 = lundi … 6 = dimanche")
    starts: LocalTime
    ends: LocalTime
    slot_minutes: int = 30
    capacity: int = 5


class SlotRuleOut(Public):
    weekday: int
    starts: LocalTime
    ends: LocalTime
    slot_minutes: int
    capacity: int


class PickupSlotsIn(Strict):
    rules: list[SlotRuleIn] = Field(max_length=70)


class DeliveryModeIn(Strict):
    kind: DeliveryKind
    label: str = Field(max_length=200)
    price_cents: int
    free_above_cents: int | None = None
    active: bool = True


class DeliveryModePatch(Strict):
    kind: DeliveryKind | None = None
    label: str | None = Field(default=None, max_length=200)
    price_cents: int | None = None
    free_above_cents: int | None = None
    active: bool | None = None


class DeliveryModeOut(Public):
    id: int
    kind: DeliveryKind
    label: str
    price_cents: int
    free_above_cents: int | None
    active: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return delivery_kind_label(self.kind)


class ShopPatch(Strict):
    name: str | None = Field(default=None, max_length=200)
    trade: str | None = Field(default=None, max_length=60)
    description: str | None = Field(default=None, max_length=20_000)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=320)
    address_line: str | None = Field(default=None, max_length=300)
    postal_code: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=120)
    return_policy: str | None = Field(default=None, max_length=20_000)
    legal_name: str | None = Field(default=None, max_length=200)
    siret: str | None = Field(default=None, max_length=20)
    vat_number: str | None = Field(default=None, max_length=20)
    legal_form: str | None = Field(default=None, max_length=60)
    registration: str | None = Field(default=None, max_length=120)
    share_capital: str | None = Field(default=None, max_length=30, description="en euros")


class ShopSummaryOut(Public):
    """The shop's own fields (shared with the operators' view)."""

    id: int
    slug: str
    name: str
    trade: str
    legal_name: str
    siret: str
    vat_number: str
    legal_form: str
    registration: str
    share_capital_cents: int | None
    description: str
    address_line: str
    postal_code: str
    city: str
    phone: str
    email: str
    return_policy: str
    status: ShopStatus
    status_reason: str
    created_at: datetime
    approved_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return shops.SHOP_STATUS_LABELS[self.status]


class ShopOut(ShopSummaryOut):
    opening_hours: list[OpeningRangeOut]
    closures: list[ClosureOut]
    pickup_slot_rules: list[SlotRuleOut]
    delivery_modes: list[DeliveryModeOut]


class CategoryOut(Public):
    slug: str
    name: str


class ProductOut(Public):
    id: int
    sku: str
    name: str
    brand: str
    description: str
    price_cents: int
    promo_price_cents: int | None
    effective_price_cents: int
    vat_rate_bp: int
    stock: int
    active: bool
    requires_confirmation: bool
    returnable: bool
    unit_label: str
    category: CategoryOut | None
    created_at: datetime
    updated_at: datetime


class ProductIn(Strict):
    sku: str = Field(default="", max_length=64)
    name: str = Field(max_length=200)
    brand: str = Field(default="", max_length=120)
    description: str = Field(default="", max_length=20_000)
    price_cents: int
    promo_price_cents: int | None = None
    vat_rate_bp: int = products.DEFAULT_VAT_RATE_BP
    stock: int = 0
    category: str | None = Field(default=None, max_length=120, description="slug ou nom")
    requires_confirmation: bool = False
    returnable: bool = Field(default=True, description="faux : produit non repris (périssable…)")
    unit_label: str = Field(default="pièce", max_length=40)
    active: bool = True


class ProductPatch(Strict):
    sku: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    brand: str | None = Field(default=None, max_length=120)
    description: str | None = Field(default=None, max_length=20_000)
    price_cents: int | None = None
    promo_price_cents: int | None = None
    vat_rate_bp: int | None = None
    stock: int | None = None
    category: str | None = Field(default=None, max_length=120)
    requires_confirmation: bool | None = None
    returnable: bool | None = None
    unit_label: str | None = Field(default=None, max_length=40)
    active: bool | None = None


# Fields where an explicit null means "remove" (the others ignore null).
NULLABLE_PRODUCT_FIELDS = {"promo_price_cents", "category"}


class ProductPageOut(Public):
    items: list[ProductOut]
    total: int
    page: int
    page_size: int


class StockIn(Strict):
    model_config = ConfigDict(populate_by_name=True)

    delta: int | None = Field(default=None, description="variation (+ entrée, − sortie)")
    set_to: int | None = Field(default=None, alias="set", description="nouveau stock")


class RemovalOut(Public):
    outcome: Literal["deleted", "deactivated"]
    message: str


class ImportOut(Public):
    created: int
    updated: int
    message: str


# --- shop settings ----------------------------------------------------------------------


def _shop_out(db: SessionDep, shop: Shop) -> ShopOut:
    return ShopOut.model_validate(shops.shop_with_settings(db, shop.id))


@router.get("/shop", response_model=ShopOut)
def read_shop(shop: MerchantShop, db: SessionDep) -> ShopOut:
    """The merchant's shop with all its settings."""
    return _shop_out(db, shop)


@router.patch("/shop", response_model=ShopOut)
def update_shop(body: ShopPatch, shop: MerchantShop, db: SessionDep) -> ShopOut:
    """Change the shop's description, contact, address, legal details or return policy."""
    shops.update_shop(db, shop, body.model_dump(exclude_unset=True, exclude_none=True))
    return _shop_out(db, shop)


def _hours_out(rows: list[OpeningRangeOut]) -> OpeningHoursOut:
    summary = weekly_summary([(r.weekday, r.opens, r.closes) for r in rows])
    return OpeningHoursOut(
        ranges=rows, summary=[DaySummary(day=day, hours=hours) for day, hours in summary]
    )


@router.put("/shop/opening-hours", response_model=OpeningHoursOut)
def replace_opening_hours(
    body: OpeningHoursIn, shop: MerchantShop, db: SessionDep
) -> OpeningHoursOut:
    """Replace the whole weekly schedule; a day without ranges is closed."""
    rows = shops.replace_opening_hours(
        db, shop, [(r.weekday, r.opens, r.closes) for r in body.ranges]
    )
    return _hours_out([OpeningRangeOut.model_validate(r) for r in rows])


@router.get("/shop/closures", response_model=list[ClosureOut])
def list_closures(shop: MerchantShop, db: SessionDep) -> list[ClosureOut]:
    """The shop's exceptional closures."""
    return [ClosureOut.model_validate(c) for c in shops.list_closures(db, shop)]


@router.post("/shop/closures", status_code=201, response_model=ClosureOut)
def add_closure(body: ClosureIn, shop: MerchantShop, db: SessionDep) -> ClosureOut:
    """Add an exceptional closure (both dates included)."""
    closure = shops.add_closure(db, shop, body.start_date, body.end_date, body.reason)
    return ClosureOut.model_validate(closure)


@router.delete("/shop/closures/{closure_id}", status_code=204)
def delete_closure(closure_id: int, shop: MerchantShop, db: SessionDep) -> Response:
    """Remove one of the shop's closures."""
    shops.delete_closure(db, shop, closure_id)
    return Response(status_code=204)


@router.put("/shop/pickup-slots", response_model=list[SlotRuleOut])
def replace_pickup_slots(
    body: PickupSlotsIn, shop: MerchantShop, db: SessionDep
) -> list[SlotRuleOut]:
    """Replace the weekly pickup slot rules (none: pickup during opening hours)."""
    rules = [(r.weekday, r.starts, r.ends, r.slot_minutes, r.capacity) for r in body.rules]
    rows = shops.replace_pickup_slot_rules(db, shop, rules)
    return [SlotRuleOut.model_validate(r) for r in rows]


@router.get("/shop/delivery-modes", response_model=list[DeliveryModeOut])
def list_delivery_modes(shop: MerchantShop, db: SessionDep) -> list[DeliveryModeOut]:
    """Every delivery mode of the shop, active or not."""
    return [DeliveryModeOut.model_validate(m) for m in shops.list_delivery_modes(db, shop)]


@router.post("/shop/delivery-modes", status_code=201, response_model=DeliveryModeOut)
def add_delivery_mode(body: DeliveryModeIn, shop: MerchantShop, db: SessionDep) -> DeliveryModeOut:
    """Offer a new pickup, local delivery or shipping mode."""
    mode = shops.add_delivery_mode(
        db, shop, body.kind, body.label, body.price_cents, body.free_above_cents, body.active
    )
    return DeliveryModeOut.model_validate(mode)


@router.patch("/shop/delivery-modes/{mode_id}", response_model=DeliveryModeOut)
def update_delivery_mode(
    mode_id: int, body: DeliveryModePatch, shop: MerchantShop, db: SessionDep
) -> DeliveryModeOut:
    """Change a delivery mode; the shop keeps at least one active mode."""
    changes = body.model_dump(exclude_unset=True)
    # Only the threshold may be cleared with null; null elsewhere means "unchanged".
    changes = {k: v for k, v in changes.items() if v is not None or k == "free_above_cents"}
    mode = shops.update_delivery_mode(db, shop, mode_id, changes)
    return DeliveryModeOut.model_validate(mode)


@router.delete("/shop/delivery-modes/{mode_id}", status_code=204)
def delete_delivery_mode(mode_id: int, shop: MerchantShop, db: SessionDep) -> Response:
    """Remove a delivery mode (not the last active one)."""
    shops.delete_delivery_mode(db, shop, mode_id)
    return Response(status_code=204)


# --- products ---------------------------------------------------------------------------


@router.get("/products", response_model=ProductPageOut)
def list_products(
    shop: MerchantShop,
    db: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    active: bool | None = None,
    low_stock: Annotated[
        bool, Query(description=f"stock ≤ {products.LOW_STOCK_THRESHOLD}")
    ] = False,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=products.MAX_PAGE_SIZE)] = 50,
) -> ProductPageOut:
    """The shop's products, newest first, filtered by text, active flag or low stock."""
    result = products.list_products(
        db, shop, q=q, active=active, low_stock=low_stock, page=page, page_size=page_size
    )
    return ProductPageOut.model_validate(result)


@router.post("/products", status_code=201, response_model=ProductOut)
def create_product(body: ProductIn, shop: MerchantShop, db: SessionDep) -> ProductOut:
    """Add a product to the shop."""
    return ProductOut.model_validate(products.create_product(db, shop, body.model_dump()))


@router.post("/products/import", response_model=ImportOut)
def import_products(
    shop: MerchantShop,
    db: SessionDep,
    file: Annotated[UploadFile, File(description="CSV ; ou , en UTF-8, 2 Mo au plus")],
) -> ImportOut | JSONResponse:
    """Create or update products by SKU from a CSV file; any bad line refuses the whole file."""
    data = file.file.read(products.MAX_IMPORT_BYTES + 1)
    try:
        result = products.import_products_csv(db, shop, data)
    except products.CsvImportError as exc:
        problems = [{"line": p.line, "message": p.message} for p in exc.problems]
        return JSONResponse(error_body(exc.code, exc.message, problems=problems), status_code=422)
    return ImportOut(
        created=result.created,
        updated=result.updated,
        message=f"{result.created} produit(s) créé(s), {result.updated} mis à jour.",
    )


@router.get("/products/{product_id}", response_model=ProductOut)
def read_product(product_id: int, shop: MerchantShop, db: SessionDep) -> ProductOut:
    """One of the shop's products."""
    return ProductOut.model_validate(products.get_product(db, shop, product_id))


@router.patch("/products/{product_id}", response_model=ProductOut)
def update_product(
    product_id: int, body: ProductPatch, shop: MerchantShop, db: SessionDep
) -> ProductOut:
    """Change some fields of a product (null removes the promotion or the category)."""
    changes = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k in NULLABLE_PRODUCT_FIELDS
    }
    return ProductOut.model_validate(products.update_product(db, shop, product_id, changes))


@router.delete("/products/{product_id}", response_model=RemovalOut)
def remove_product(product_id: int, shop: MerchantShop, db: SessionDep) -> RemovalOut:
    """Delete a product, or deactivate it when past orders refer to it."""
    outcome = products.remove_product(db, shop, product_id)
    message = (
        "Produit supprimé."
        if outcome == "deleted"
        else "Ce produit figure dans des commandes : il est désactivé (retiré du catalogue) "
        "plutôt que supprimé."
    )
    return RemovalOut(outcome=outcome, message=message)


@router.post("/products/{product_id}/stock", response_model=ProductOut)
def adjust_stock(
    product_id: int, body: StockIn, shop: MerchantShop, db: SessionDep
) -> ProductOut:
    """Move the stock by `delta`, or `set` it to a value."""
    product = products.adjust_stock(db, shop, product_id, delta=body.delta, set_to=body.set_to)
    return ProductOut.model_validate(product)
