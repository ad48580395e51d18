"""A merchant's products: list, create, edit, remove, stock moves and the CSV import.

Every function takes the merchant's shop: a product of another shop is a 404.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, selectinload

from comptoir.domain.labels import count_fr
from comptoir.domain.money import format_eur
from comptoir.errors import Conflict, DomainError, NotFound, Unprocessable
from comptoir.models import Category, OrderLine, Product, Shop
from comptoir.services import stock as stock_levels
from comptoir.services.contact_fields import slugify
from comptoir.services.stock import MAX_STOCK

LOW_STOCK_THRESHOLD = 5
# French VAT rates in basis points: 20 %, 10 %, 5,5 %, 2,1 %, overseas 8,5 %, and 0.
VAT_RATES_BP = (0, 210, 550, 850, 1000, 2000)
DEFAULT_VAT_RATE_BP = 2000
MAX_PRICE_CENTS = 10_000_000  # 100 000 €: beyond it a typo is likelier than a product
MAX_PAGE_SIZE = 100
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 2 * 1024 * 1024
CSV_COLUMNS = (
    "sku", "name", "description", "price", "vat_rate", "stock", "category",
    "requires_confirmation", "promo_price", "photos", "returnable",
)  # fmt: skip
# The `photos` column names image files sent with the CSV in one ZIP, separated by "|".
PHOTO_NAMES_SEPARATOR = "|"
REQUIRED_CSV_COLUMNS = ("sku", "name", "price")
_TEXT_LIMITS = {"name": 200, "sku": 64, "brand": 120, "unit_label": 40}
_AMOUNT = re.compile(r"^(\d+)(?:[.,](\d{1,2}))?$")
_RATE = re.compile(r"^(\d{1,3})(?:[.,](\d{1,2}))?$")
_YES = {"1", "oui", "o", "vrai", "true", "yes", "y", "x"}
_NO = {"0", "non", "n", "faux", "false", "no", ""}


# --- parsing what merchants type ------------------------------------------------------


def parse_euros(text: str) -> int:
    """Cents of a euro amount typed the French or English way: '4,50', '4.5', '1 234,00 €'."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text)
    match = _AMOUNT.match(cleaned)
    if not match:
        raise ValueError(f"montant invalide « {text} » (exemple : 4,50)")
    euros, decimals = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(euros) * 100 + int(decimals)


def parse_vat_rate(text: str) -> int:
    """Basis points of a VAT rate typed as a percentage: '5,5' → 550, '20 %' → 2000."""
    cleaned = re.sub(r"[\s\u00a0\u202f%]", "", text)
    match = _RATE.match(cleaned)
    if not match:
        raise ValueError(f"taux de TVA invalide « {text} » (exemple : 5,5 ou 20)")
    rate = int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))
    if rate not in VAT_RATES_BP:
        raise ValueError(f"taux de TVA « {text} » inconnu ({vat_rates_text()})")
    return rate


def vat_rates_text() -> str:
    """The accepted VAT rates, in French: '0 %, 2,1 %, 5,5 %, 8,5 %, 10 %, 20 %'."""
    from comptoir.domain.money import format_rate

    return ", ".join(format_rate(bp).replace("\u00a0", " ") for bp in VAT_RATES_BP)


def parse_yes_no(text: str) -> bool:
    """'oui'/'non', 'vrai'/'faux', '1'/'0', 'true'/'false', empty = no."""
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(f"valeur « {text} » à remplacer par oui ou non")


def parse_stock(text: str) -> int:
    """A whole, non-negative quantity."""
    value = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not value.isdigit():
        raise ValueError(f"stock invalide « {text} » (un nombre entier positif ou nul)")
    return int(value)


# --- checks shared by the API and the import ------------------------------------------


def product_problems(values: Mapping[str, Any]) -> list[str]:
    """What is wrong with a product's (complete) values, in French; empty when all is fine."""
    problems: list[str] = []
    if not str(values.get("name", "")).strip():
        problems.append("le nom du produit est obligatoire")
    for name, limit in _TEXT_LIMITS.items():
        if len(str(values.get(name) or "")) > limit:
            problems.append(f"« {name} » dépasse {limit} caractères")
    price = values.get("price_cents")
    if not isinstance(price, int) or not 0 <= price <= MAX_PRICE_CENTS:
        problems.append(f"le prix doit être compris entre 0 et {format_eur(MAX_PRICE_CENTS)}")
    promo = values.get("promo_price_cents")
    if promo is not None and isinstance(price, int):
        if promo < 0:
            problems.append("le prix promotionnel ne peut pas être négatif")
        elif promo >= price:
            problems.append(
                f"le prix promotionnel ({format_eur(promo)}) doit être inférieur au prix "
                f"({format_eur(price)})"
            )
    if values.get("vat_rate_bp") not in VAT_RATES_BP:
        problems.append(f"taux de TVA inconnu ({vat_rates_text()})")
    stock = values.get("stock")
    if not isinstance(stock, int) or not 0 <= stock <= MAX_STOCK:
        problems.append(f"le stock doit être un entier entre 0 et {MAX_STOCK}")
    return problems


def _raise_if_problems(values: Mapping[str, Any]) -> None:
    problems = product_problems(values)
    if problems:
        text = " ; ".join(problems)
        raise Unprocessable(text[0].upper() + text[1:] + ".", code="invalid_product")


def resolve_category(db: Session, text: str | None) -> Category | None:
    """The category named (by slug or name, accents ignored), created when new."""
    if text is None or not text.strip():
        return None
    slug = slugify(text, max_length=80)
    if not slug:
        raise Unprocessable(f"Nom de catégorie invalide « {text} ».")
    # Insert-or-ignore: two imports naming the same new category must not collide.
    db.execute(
        insert(Category)
        .values(slug=slug, name=text.strip()[:120])
        .on_conflict_do_nothing(index_elements=["slug"])
    )
    return db.scalar(select(Category).where(Category.slug == slug))


# --- listing and single products -------------------------------------------------------


@dataclass(frozen=True)
class ProductPage:
    items: list[Product]
    total: int
    page: int
    page_size: int


def list_products(
    db: Session,
    shop: Shop,
    *,
    q: str | None = None,
    active: bool | None = None,
    low_stock: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> ProductPage:
    """The shop's products, newest first, filtered by text (name or SKU), active, low stock."""
    page = max(page, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    conditions = [Product.shop_id == shop.id]
    if q and q.strip():
        term = q.strip()
        conditions.append(
            Product.name.icontains(term, autoescape=True) | Product.sku.icontains(term, autoescape=True)
        )
    if active is not None:
        conditions.append(Product.active.is_(active))
    if low_stock:
        conditions.append(Product.stock <= LOW_STOCK_THRESHOLD)
    total = db.scalar(select(func.count()).select_from(Product).where(*conditions)) or 0
    items = db.scalars(
        select(Product)
        .where(*conditions)
        .options(selectinload(Product.category))
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return ProductPage(items=list(items), total=total, page=page, page_size=page_size)


def get_product(db: Session, shop: Shop, product_id: int) -> Product:
    """One of the shop's products (404 for another shop's)."""
    product = db.scalar(
        select(Product)
        .where(Product.id == product_id, Product.shop_id == shop.id)
        .options(selectinload(Product.category))
        .execution_options(populate_existing=True)
    )
    if product is None:
        raise NotFound("Ce produit n'existe pas.")
    return product


def _check_sku_free(db: Session, shop: Shop, sku: str, except_id: int | None = None) -> None:
    if not sku:
        return
    query = select(Product.id).where(Product.shop_id == shop.id, Product.sku == sku)
    if except_id is not None:
        query = query.where(Product.id != except_id)
    if db.scalar(query.limit(1)) is not None:
        raise Conflict(
            f"Un autre de vos produits a déjà la référence « {sku} ».", code="duplicate_sku"
        )


PRODUCT_FIELDS = frozenset(
    {
        "sku", "name", "brand", "description", "price_cents", "promo_price_cents",
        "vat_rate_bp", "stock", "requires_confirmation", "unit_label", "active",
        "returnable",
    }
)  # fmt: skip


def create_product(db: Session, shop: Shop, values: Mapping[str, Any]) -> Product:
    """A new product of the shop; `category` (slug or name) is optional."""
    fields = {k: v for k, v in values.items() if k in PRODUCT_FIELDS}
    fields.setdefault("vat_rate_bp", DEFAULT_VAT_RATE_BP)
    fields.setdefault("stock", 0)
    for text_field in ("sku", "name", "brand", "description", "unit_label"):
        if isinstance(fields.get(text_field), str):
            fields[text_field] = fields[text_field].strip()
    _raise_if_problems(fields)
    _check_sku_free(db, shop, fields.get("sku", ""))
    product = Product(shop_id=shop.id, **fields)
    product.category = resolve_category(db, values.get("category"))
    db.add(product)
    db.flush()
    return product


def update_product(
    db: Session, shop: Shop, product_id: int, changes: Mapping[str, Any]
) -> Product:
    """Change some of a product's fields; `category` None or '' removes the category."""
    product = get_product(db, shop, product_id)
    unknown = set(changes) - PRODUCT_FIELDS - {"category"}
    if unknown:
        raise Unprocessable("Champs non modifiables : " + ", ".join(sorted(unknown)) + ".")
    merged = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    for name, value in changes.items():
        if name != "category":
            merged[name] = value.strip() if isinstance(value, str) else value
    _raise_if_problems(merged)
    if "sku" in changes:
        _check_sku_free(db, shop, merged["sku"], except_id=product.id)
    for name in changes:
        if name != "category":
            setattr(product, name, merged[name])
    if "category" in changes:
        product.category = resolve_category(db, changes["category"])
    db.flush()
    return product


def remove_product(db: Session, shop: Shop, product_id: int) -> Literal["deleted", "deactivated"]:
    """Delete a product, or only deactivate it when orders refer to it (invoices need it)."""
    product = get_product(db, shop, product_id)
    ordered = db.scalar(select(exists().where(OrderLine.product_id == product.id)))
    if ordered:
        product.active = False
        db.flush()
        return "deactivated"
    db.delete(product)
    db.flush()
    return "deleted"


def adjust_stock(
    db: Session, shop: Shop, product_id: int, *, delta: int | None = None, set_to: int | None = None
) -> Product:
    """Add `delta` to the stock of one of the shop's products, or set it to `set_to`."""
    product = get_product(db, shop, product_id)
    stock_levels.adjust(db, product.id, delta=delta, set_to=set_to)
    return get_product(db, shop, product_id)


# --- CSV import -------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvProblem:
    line: int  # line of the file, the header being line 1
    message: str


class CsvImportError(Unprocessable):
    """The file was refused as a whole; `problems` says which lines and why."""

    def __init__(self, message: str, problems: list[CsvProblem] | None = None) -> None:
        super().__init__(message, code="invalid_csv")
        self.problems = problems or []


class FileTooLarge(DomainError):
    status_code = 413
    code = "file_too_large"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skus: list[str] = field(default_factory=list)
    # File names of the `photos` column, per SKU, for the lines that fill it in.
    photos: dict[str, list[str]] = field(default_factory=dict)
    photo_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class _Row:
    line: int
    values: dict[str, Any]  # product attributes given by this line
    category: str | None
    ok: bool = True  # every value of the line could be read
    photos: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise FileTooLarge("Le fichier dépasse 2 Mo ; découpez-le en plusieurs fichiers.")
    try:
        text = data.decode("utf-8-sig")  # Excel adds a BOM to its "CSV UTF-8" exports
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            "Le fichier n'est pas encodé en UTF-8 : dans votre tableur, enregistrez-le au "
            "format « CSV UTF-8 »."
        ) from exc
    if not text.strip():
        raise CsvImportError("Le fichier est vide.")
    return text


def _delimiter(text: str) -> str:
    header = text.splitlines()[0]
    return ";" if header.count(";") >= header.count(",") else ","


def _read_header(header: list[str]) -> list[str]:
    columns = [c.strip().lower() for c in header]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in columns]
    doubled = sorted({c for c in columns if columns.count(c) > 1})
    problems = []
    if unknown:
        problems.append("colonnes inconnues : " + ", ".join(f"« {c} »" for c in unknown))
    if missing:
        problems.append("colonnes obligatoires absentes : " + ", ".join(missing))
    if doubled:
        problems.append("colonnes en double : " + ", ".join(doubled))
    if problems:
        raise CsvImportError(
            "En-tête du fichier refusé : " + " ; ".join(problems) + ". Colonnes attendues : "
            + ";".join(CSV_COLUMNS) + ".",
            [CsvProblem(1, p) for p in problems],
        )
    return columns


def _parse_row(cells: dict[str, str]) -> tuple[dict[str, Any], str | None, list[str]]:
    """Product values given by one line, its category and its problems.

    Absent columns and empty optional cells leave an existing product's value alone (or
    take the default for a new one); an empty `promo_price` removes the promotion and an
    empty `description` clears it.
    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    values["sku"] = cells["sku"].strip()
    if not values["sku"]:
        problems.append("la référence (sku) est obligatoire")
    values["name"] = cells["name"].strip()
    if "description" in cells:
        values["description"] = cells["description"].strip()
    parsers = {
        "price": ("price_cents", parse_euros),
        "vat_rate": ("vat_rate_bp", parse_vat_rate),
        "stock": ("stock", parse_stock),
        "requires_confirmation": ("requires_confirmation", parse_yes_no),
        "returnable": ("returnable", parse_yes_no),
        "promo_price": ("promo_price_cents", parse_euros),
    }
    for column, (attribute, parse) in parsers.items():
        if column not in cells:
            continue
        raw = cells[column].strip()
        if not raw:
            if column == "price":
                problems.append("le prix est obligatoire")
            elif column == "promo_price":
                values[attribute] = None
            continue
        try:
            values[attribute] = parse(raw)
        except ValueError as exc:
            problems.append(str(exc))
    category = cells.get("category", "").strip() or None
    if category is not None and not slugify(category):
        problems.append(f"nom de catégorie invalide « {category} »")
    return values, category, problems


def _read_rows(text: str) -> tuple[list[_Row], list[CsvProblem]]:
    """The lines as rows (`ok` False when a value could not be read) and their problems."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        columns = _read_header(next(reader))
    except StopIteration as exc:  # pragma: no cover - _decode refused empty text already
        raise CsvImportError("Le fichier est vide.") from exc
    rows: list[_Row] = []
    problems: list[CsvProblem] = []
    seen: dict[str, int] = {}
    first_line = reader.line_num + 1
    try:
        for cells in reader:
            line, first_line = first_line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise CsvImportError(
                    f"Le fichier dépasse {MAX_IMPORT_ROWS} produits ; découpez-le en plusieurs "
                    "fichiers."
                )
            if len(cells) != len(columns):
                problems.append(
                    CsvProblem(line, f"{len(cells)} colonnes au lieu de {len(columns)}")
                )
                rows.append(_Row(line, {"sku": ""}, None, ok=False))
                continue
            named = dict(zip(columns, cells, strict=True))
            values, category, row_problems = _parse_row(named)
            photos = [
                n.strip() for n in named.get("photos", "").split(PHOTO_NAMES_SEPARATOR) if n.strip()
            ]
            sku = values["sku"]
            if sku and sku in seen:
                row_problems.append(f"la référence « {sku} » figure déjà ligne {seen[sku]}")
            elif sku:
                seen[sku] = line
            problems += [CsvProblem(line, p) for p in row_problems]
            rows.append(_Row(line, values, category, ok=not row_problems, photos=photos))
    except csv.Error as exc:
        raise CsvImportError(
            f"Ligne {reader.line_num} illisible ({exc}) : vérifiez les guillemets.",
            [CsvProblem(reader.line_num, f"ligne illisible : {exc}")],
        ) from exc
    if not rows:
        raise CsvImportError("Le fichier ne contient aucun produit (seulement l'en-tête).")
    return rows, problems


def _refusal(problems: list[CsvProblem]) -> CsvImportError:
    lines = sorted({p.line for p in problems})
    shown = ", ".join(str(n) for n in lines[:20]) + (" …" if len(lines) > 20 else "")
    return CsvImportError(
        f"Import refusé, aucun produit n'a été modifié : "
        f"{count_fr(len(problems), 'problème', 'problèmes')} "
        f"{'à la ligne' if len(lines) == 1 else 'aux lignes'} {shown}.",
        sorted(problems, key=lambda p: p.line),
    )


def import_products_csv(db: Session, shop: Shop, data: bytes) -> ImportResult:
    """Create or update the shop's products by SKU from a CSV file, all or nothing."""
    rows, problems = _read_rows(_decode(data))
    skus = [row.values["sku"] for row in rows if row.values["sku"]]
    existing: dict[str, Product] = {}
    lines_by_sku = {row.values["sku"]: row.line for row in rows}
    for found in db.scalars(
        select(Product).where(Product.shop_id == shop.id, Product.sku.in_(skus))
    ):
        if found.sku in existing:
            problems.append(
                CsvProblem(
                    lines_by_sku[found.sku],
                    f"plusieurs de vos produits ont la référence « {found.sku} » : "
                    "corrigez-les d'abord dans votre espace",
                )
            )
        existing[found.sku] = found
    merged_rows: list[tuple[_Row, dict[str, Any]]] = []
    for row in rows:
        if not row.ok:
            continue  # its values are incomplete; its reading problems are listed already
        current = existing.get(row.values["sku"])
        if current is not None:
            merged = {name: getattr(current, name) for name in PRODUCT_FIELDS}
        else:
            merged = {"vat_rate_bp": DEFAULT_VAT_RATE_BP, "stock": 0, "promo_price_cents": None}
        merged.update(row.values)
        problems += [CsvProblem(row.line, p) for p in product_problems(merged)]
        merged_rows.append((row, merged))
    if problems:
        raise _refusal(problems)
    categories: dict[str, Category | None] = {}
    result = ImportResult(skus=skus)
    for row, merged in merged_rows:
        if row.photos:
            result.photos[row.values["sku"]] = row.photos
            result.photo_lines[row.values["sku"]] = row.line
        target = existing.get(row.values["sku"])
        if target is None:
            target = Product(shop_id=shop.id, **merged)
            db.add(target)
            result.created += 1
        else:
            for name, value in row.values.items():
                setattr(target, name, value)
            result.updated += 1
        if row.category is not None:
            key = slugify(row.category, max_length=80)
            if key not in categories:
                categories[key] = resolve_category(db, row.category)
            category = categories[key]
            target.category_id = category.id if category else None
    db.flush()
    return result
