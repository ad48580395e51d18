"""The merchant's products (list, add, edit, stock, remove, CSV import) and shop details."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile

from comptoir.errors import DomainError
from comptoir.media.images import MAX_UPLOAD_BYTES, CleanPhoto, clean_photo
from comptoir.models import Category, Product, Shop
from comptoir.services import legal, product_import, product_photos, products, shops
from comptoir.services.contact_fields import format_share_capital
from comptoir.settings import get_settings
from comptoir.web.deps import SessionDep
from storefront.deps import Form, MerchantPage, checkbox, integer, numeric_id, text
from storefront.i18n import _, ngettext
from storefront.templating import redirect, render

router = APIRouter()

PRODUCT_TEXT_FIELDS = ("name", "sku", "brand", "unit_label", "description", "category")
SHOP_FIELDS = (
    "name", "trade", "description", "phone", "email", "address_line", "postal_code", "city",
    "return_policy", "legal_name", "siret", "vat_number", "legal_form", "registration",
    "cgv_text",
)  # fmt: skip


def _product_id(value: str) -> int:
    return numeric_id(value, _("Ce produit n'existe pas."))


def _values_of(product: Product | None) -> dict[str, str]:
    """A product's values as its form shows them (French amounts and rates)."""
    if product is None:
        blank = dict.fromkeys((*PRODUCT_TEXT_FIELDS, "price", "promo_price"), "")
        return blank | {
            "vat_rate": "20",
            "stock": "0",
            "unit_label": "pièce",
            "requires_confirmation": "",
            "returnable": "1",
            "active": "1",
        }
    return {
        "name": product.name,
        "sku": product.sku or "",
        "brand": product.brand or "",
        "unit_label": product.unit_label or "",
        "description": product.description or "",
        "category": product.category.name if product.category else "",
        "price": f"{product.price_cents // 100},{product.price_cents % 100:02d}",
        "promo_price": (
            f"{product.promo_price_cents // 100},{product.promo_price_cents % 100:02d}"
            if product.promo_price_cents is not None
            else ""
        ),
        "vat_rate": f"{product.vat_rate_bp / 100:g}".replace(".", ","),
        "stock": str(product.stock),
        "requires_confirmation": "1" if product.requires_confirmation else "",
        "returnable": "1" if product.returnable else "",
        "active": "1" if product.active else "",
    }


def _parse_product(form: FormData) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """(what was typed, the service's values, the problems per field)."""
    typed = {
        name: text(form, name, 4000)
        for name in (*PRODUCT_TEXT_FIELDS, "price", "promo_price", "vat_rate", "stock")
    }
    typed["requires_confirmation"] = "1" if checkbox(form, "requires_confirmation") else ""
    typed["returnable"] = "1" if checkbox(form, "returnable") else ""
    typed["active"] = "1" if checkbox(form, "active") else ""
    values: dict[str, Any] = {name: typed[name] for name in PRODUCT_TEXT_FIELDS}
    values["requires_confirmation"] = bool(typed["requires_confirmation"])
    values["returnable"] = bool(typed["returnable"])
    values["active"] = bool(typed["active"])
    problems: dict[str, str] = {}
    parsers = {
        "price": ("price_cents", products.parse_euros),
        "promo_price": ("promo_price_cents", products.parse_euros),
        "vat_rate": ("vat_rate_bp", products.parse_vat_rate),
        "stock": ("stock", products.parse_stock),
    }
    for name, (key, parse) in parsers.items():
        if name == "promo_price" and not typed[name]:
            values[key] = None
            continue
        try:
            values[key] = parse(typed[name])
        except ValueError as exc:
            problems[name] = str(exc)[:1].upper() + str(exc)[1:] + "."
    return typed, values, problems


def _uploaded_photos(form: FormData) -> list[tuple[str, bytes]]:
    """The files sent in the form's `photos` field (a browser sends one empty part when
    none is chosen), read up to one byte past the limit so the check can refuse them."""
    uploads = []
    for upload in form.getlist("photos"):
        if isinstance(upload, UploadFile) and (upload.filename or upload.size):
            uploads.append((upload.filename or "", upload.file.read(MAX_UPLOAD_BYTES + 1)))
    return uploads


def _cleaned_photos(form: FormData) -> tuple[list[CleanPhoto], str]:
    """The form's photos checked and cleaned, or the French reason the first bad one fails."""
    try:
        return [clean_photo(data, name) for name, data in _uploaded_photos(form)], ""
    except DomainError as exc:
        return [], exc.message


def _form_page(
    request: Request,
    db: SessionDep,
    shop: Shop,
    values: dict[str, str],
    product_id: int | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    photos = (
        product_photos.photos_of_products(db, [product_id]).get(product_id, [])
        if product_id is not None
        else []
    )
    return render(
        request,
        "merchant/product_form.html",
        {
            "shop": shop,
            "values": values,
            "product_id": product_id,
            "photos": photos,
            "max_photos": get_settings().max_photos_per_product,
            "errors": errors or {},
            "error": error,
            "vat_rates": products.vat_rates_text(),
        },
        status_code=status_code,
    )


@router.get("/vendeur/produits")
def product_list(
    request: Request,
    db: SessionDep,
    merchant: MerchantPage,
    q: str = "",
    stock_bas: str = "",
    page: int = 1,
) -> Response:
    """My products, searchable, with their stock set in one click."""
    shop = shops.merchant_shop(db, merchant)
    found = products.list_products(
        db, shop, q=q[:120] or None, low_stock=bool(stock_bas), page=max(1, min(page, 10_000))
    )
    return render(
        request,
        "merchant/products.html",
        {
            "shop": shop,
            "found": found,
            "q": q[:120],
            "low_stock": bool(stock_bas),
            "threshold": products.LOW_STOCK_THRESHOLD,
            "columns": ", ".join(products.CSV_COLUMNS),
        },
    )


@router.get("/vendeur/produits/nouveau")
def new_product(request: Request, db: SessionDep, merchant: MerchantPage) -> Response:
    """The form of a new product."""
    return _form_page(request, db, shops.merchant_shop(db, merchant), _values_of(None))


@router.post("/vendeur/produits/nouveau")
def create_product(
    request: Request, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Add the product, or show the form again with what to fix."""
    shop = shops.merchant_shop(db, merchant)
    typed, values, problems = _parse_product(form)
    cleaned, photo_problem = _cleaned_photos(form)
    if photo_problem:
        problems["photos"] = photo_problem
    if problems:
        return _form_page(request, db, shop, typed, errors=problems, status_code=422)
    try:
        product = products.create_product(db, shop, values)
        product_photos.attach_photos(
            db, product.id, [product_photos.store_photo(db, clean) for clean in cleaned]
        )
    except DomainError as exc:
        db.rollback()
        shop = shops.merchant_shop(db, merchant)
        return _form_page(request, db, shop, typed, error=exc.message, status_code=exc.status_code)
    return redirect("/vendeur/produits", _("« %(name)s » est ajouté.", name=product.name))


@router.get("/vendeur/produits/{product_id}")
def edit_product(
    request: Request, product_id: str, db: SessionDep, merchant: MerchantPage
) -> Response:
    """The form of one of my products."""
    shop = shops.merchant_shop(db, merchant)
    product = products.get_product(db, shop, _product_id(product_id))
    return _form_page(request, db, shop, _values_of(product), product_id=product.id)


@router.post("/vendeur/produits/{product_id}")
def update_product(
    request: Request, product_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Save the changes, or show the form again with what to fix."""
    shop = shops.merchant_shop(db, merchant)
    pid = products.get_product(db, shop, _product_id(product_id)).id
    typed, values, problems = _parse_product(form)
    cleaned, photo_problem = _cleaned_photos(form)
    if photo_problem:
        problems["photos"] = photo_problem
    if problems:
        return _form_page(request, db, shop, typed, pid, errors=problems, status_code=422)
    try:
        product = products.update_product(db, shop, pid, values)
        product_photos.attach_photos(
            db, pid, [product_photos.store_photo(db, clean) for clean in cleaned]
        )
    except DomainError as exc:
        db.rollback()
        shop = shops.merchant_shop(db, merchant)
        return _form_page(
            request, db, shop, typed, pid, error=exc.message, status_code=exc.status_code
        )
    return redirect("/vendeur/produits", _("« %(name)s » est enregistré.", name=product.name))


@router.post("/vendeur/produits/{product_id}/photos/{photo_id}/supprimer")
def remove_photo(
    product_id: str, photo_id: str, form: Form, db: SessionDep, merchant: MerchantPage
) -> Response:
    """Take one photo off one of my products."""
    shop = shops.merchant_shop(db, merchant)
    pid = _product_id(product_id)
    product_photos.remove_product_photo(
        db, shop, pid, numeric_id(photo_id, _("Cette photo n'existe pas."))
    )
    return redirect(f"/vendeur/produits/{pid}", _("Photo retirée."))


@router.post("/vendeur/produits/{product_id}/stock")
def set_stock(product_id: str, form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Set the stock of a product from the list."""
    pid = _product_id(product_id)  # an impossible id is an unknown page, whatever the form says
    shop = shops.merchant_shop(db, merchant)
    back = "/vendeur/produits" + (f"?q={text(form, 'q', 120)}" if text(form, "q", 120) else "")
    stock = integer(form, "stock")
    if stock is None:
        return redirect(back, _("Le stock doit être un nombre entier."), "error")
    try:
        product = products.adjust_stock(db, shop, pid, set_to=stock)
    except DomainError as exc:
        return redirect(back, exc.message, "error")
    return redirect(
        back, _("Stock de « %(name)s » : %(stock)s.", name=product.name, stock=product.stock)
    )


@router.post("/vendeur/produits/{product_id}/supprimer")
def remove_product(product_id: str, form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Delete a product, or only take it off sale when orders refer to it."""
    shop = shops.merchant_shop(db, merchant)
    outcome = products.remove_product(db, shop, _product_id(product_id))
    message = (
        _("Produit supprimé.")
        if outcome == "deleted"
        else _("Ce produit figure dans des commandes : il est retiré de la vente, pas supprimé.")
    )
    return redirect("/vendeur/produits", message)


@router.post("/vendeur/produits-import")
def import_csv(form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Create or update products from a CSV file, or a ZIP of the CSV and its photos (all or
    nothing), then say what happened."""
    shop = shops.merchant_shop(db, merchant)
    upload = form.get("file")
    # The form is already parsed: the upload sits in a spooled file, readable synchronously.
    limit = product_import.MAX_ARCHIVE_BYTES
    data = upload.file.read(limit + 1) if isinstance(upload, UploadFile) else b""
    back = "/vendeur/produits"
    if not data:
        return redirect(back, _("Choisissez un fichier CSV (ou un ZIP : CSV et photos)."), "error")
    try:
        result = product_import.import_products(db, shop, data)
    except products.CsvImportError as exc:
        db.rollback()
        lines = "; ".join(
            _("ligne %(line)s : %(problem)s", line=p.line, problem=p.message)
            for p in exc.problems[:10]
        )
        return redirect(back, f"{exc.message} {lines}".strip(), "error")
    except DomainError as exc:
        db.rollback()
        return redirect(back, exc.message, "error")
    return redirect(
        back,
        _(
            "Import terminé : %(created)s, %(updated)s.",
            created=ngettext("%(num)s produit créé", "%(num)s produits créés", result.created),
            updated=ngettext("%(num)s mis à jour", "%(num)s mis à jour", result.updated),
        ),
    )


# --- shop details --------------------------------------------------------------------------


def _category_names(db: SessionDep, shop: Shop) -> tuple[str, str]:
    """(the shop's chosen category order, its categories) as comma-separated names."""
    names = dict(
        (slug, name)
        for slug, name in db.execute(
            select(Category.slug, Category.name)
            .join(Product, Product.category_id == Category.id)
            .where(Product.shop_id == shop.id)
            .distinct()
        )
    )
    chosen = ", ".join(names.get(slug, slug) for slug in shop.category_order)
    return chosen, ", ".join(sorted(names.values()))


def _shop_form(
    request: Request,
    db: SessionDep,
    shop: Shop,
    values: dict[str, str],
    error: str = "",
    status_code: int = 200,
) -> Response:
    chosen, available = _category_names(db, shop)
    values.setdefault("category_order", chosen)
    return render(
        request,
        "merchant/shop.html",
        {
            "shop": shop,
            "values": values,
            "categories": available,
            "banner": product_photos.photo_view(db, shop.banner_photo_id),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/vendeur/boutique")
def shop_page(request: Request, db: SessionDep, merchant: MerchantPage) -> Response:
    """My shop's details as customers and invoices show them."""
    shop = shops.merchant_shop(db, merchant)
    values = {name: str(getattr(shop, name) or "") for name in SHOP_FIELDS}
    values["share_capital"] = format_share_capital(shop.share_capital_cents)
    return _shop_form(request, db, shop, values)


@router.post("/vendeur/boutique")
def save_shop(request: Request, form: Form, db: SessionDep, merchant: MerchantPage) -> Response:
    """Save the shop's details (each one checked: SIRET, postal code, phone, e-mail…)."""
    shop = shops.merchant_shop(db, merchant)
    values = {
        name: text(form, name, legal.MAX_CGV_LENGTH if name == "cgv_text" else 4000)
        for name in (*SHOP_FIELDS, "share_capital")
    }
    order = text(form, "category_order", 4000)
    banner = form.get("banner")
    try:
        shops.update_shop(db, shop, values)
        shops.set_category_order(db, shop, order)
        if isinstance(banner, UploadFile) and (banner.filename or banner.size):
            clean = clean_photo(banner.file.read(MAX_UPLOAD_BYTES + 1), banner.filename or "")
            shop.banner_photo_id = product_photos.store_photo(db, clean).id
        elif checkbox(form, "remove_banner"):
            shop.banner_photo_id = None
    except DomainError as exc:
        db.rollback()
        shop = shops.merchant_shop(db, merchant)
        return _shop_form(
            request, db, shop, values | {"category_order": order}, exc.message, exc.status_code
        )
    return redirect("/vendeur/boutique", _("Les informations de la boutique sont enregistrées."))
