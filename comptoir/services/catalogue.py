"""Public catalogue: French full-text product search (stems, accents, typos), facets,
product pages and categories. Only active products of approved shops are public.
"""

from __future__ import annotations

import enum
import itertools
import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    any_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from comptoir.errors import NotFound, Unprocessable
from comptoir.models import Category, DeliveryKind, DeliveryMode, Product, Shop, ShopStatus
from comptoir.models.catalogue import SEARCH_CONFIG
from comptoir.services.product_photos import PhotoView, main_photo_lateral, main_photo_of_row
from comptoir.services.search_categories import CategoryQuery, category_query
from comptoir.settings import get_settings

MAX_QUERY_LENGTH = 200
# Shoppers see "in stock" and at most this many units: exact large stocks are the
# merchant's business, while a small number ("plus que 3") helps decide.
STOCK_DISPLAY_CAP = 20
# Trigram similarity a misspelt word needs with a word of the lexicon to be corrected to it:
# lets one missing or doubled letter through ("fromge" 0.50, "croisant" 0.73, "baguete"
# 0.70) but not a short word inside a longer one ("pain"/"paintball" 0.36).
TYPO_SIMILARITY_THRESHOLD = 0.45
# How many words of the lexicon a misspelt word may stand for ("croisant": "croissant",
# "croissants"), best first.
TYPO_ALTERNATIVES = 3
# A product found through corrected words ranks in [TYPO_WEIGHT, 1): below every product
# the query finds as typed; saying the corrected words in its name ranks it higher.
TYPO_WEIGHT = 0.5
TYPO_NAME_BONUS = 0.3
TYPO_RANK_WEIGHT = 0.15
# ts_rank_cd weights {D, C, B, A}: corrected words count in the name and brand only, as the
# trigram fallback they replace compared names only (a description repeating "croissant"
# does not put its croissant first for "croisant").
NAME_RANK_WEIGHTS = "'{0, 0, 0.4, 1}'::float4[]"
# The typo fallback joins in when the full-text search finds fewer products than this:
# a well-spelt query keeps precise results and counts.
TYPO_FALLBACK_BELOW = 3
# Weight of a product matching only some words of a multi-word query (ranks in [0, 0.1)).
ANY_WORD_WEIGHT = 0.1
MOST_WORDS_MAX = 5
_QUERY_WORD = re.compile(r"[^\W_]+")
# Below this many characters trigrams are mostly noise ("riz" would match "rillettes").
TYPO_MIN_LENGTH = 4
# A typo match ranks below every real full-text match: full-text hits get this bonus.
FULL_TEXT_BONUS = 1.0
# Saying the words in the name or brand (weights A and B of the vector) ranks higher…
NAME_BONUS = 0.3
# …and being in the category a query names, with its other words in the text, higher still.
CATEGORY_BONUS = 0.5
# Ids and prices are PostgreSQL `integer`s: a bigger number can match nothing, and
# sending it would fail the statement.
MAX_SQL_INTEGER = 2**31 - 1
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_WEBSEARCH_SYNTAX = re.compile(r'"|(^|\s)-\S|(^|\s)or(\s|$)', re.IGNORECASE)


class SearchSort(enum.StrEnum):
    relevance = "relevance"
    price_asc = "price_asc"
    price_desc = "price_desc"
    newest = "newest"


@dataclass(frozen=True)
class SearchParams:
    """What a shopper asks the search for; prices are in cents, page numbers from 1."""

    q: str = ""
    shop: str | None = None
    category: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool = False
    pickup: bool = False
    delivery: bool = False
    sort: SearchSort = SearchSort.relevance
    page: int = 1
    page_size: int = 24


@dataclass(frozen=True)
class ShopRef:
    slug: str
    name: str


@dataclass(frozen=True)
class CategoryRef:
    slug: str
    name: str


@dataclass(frozen=True)
class ProductHit:
    """One product as a search result or catalogue card."""

    id: int
    name: str
    shop: ShopRef
    category: CategoryRef | None
    price_cents: int
    promo_price_cents: int | None
    effective_price_cents: int
    vat_rate_bp: int
    in_stock: bool
    available_quantity: int
    requires_confirmation: bool
    unit_label: str
    photo: PhotoView | None = field(default=None, kw_only=True)
    returnable: bool = field(default=True, kw_only=True)


@dataclass(frozen=True)
class ProductDetail(ProductHit):
    """A product page: the card plus what the page shows in full."""

    brand: str
    description: str


@dataclass(frozen=True)
class FacetCount:
    slug: str
    name: str
    count: int


@dataclass(frozen=True)
class PriceRange:
    """Lowest and highest effective price among the results, ignoring the price filter."""

    min_cents: int | None
    max_cents: int | None


@dataclass(frozen=True)
class SearchFacets:
    shops: list[FacetCount]
    categories: list[FacetCount]
    price: PriceRange


@dataclass(frozen=True)
class SearchResult:
    items: list[ProductHit]
    total: int
    page: int
    page_size: int
    pages: int
    facets: SearchFacets


@dataclass(frozen=True)
class CategoryListing:
    slug: str
    name: str
    product_count: int


# --- who may read what --------------------------------------------------------------------


def public_product_conditions() -> list[ColumnElement[bool]]:
    """The only rule of what the public catalogue shows: active products of approved shops.

    Callers join `Shop` on `Product.shop_id`.
    """
    return [_public_product_rule(), _public_shop_rule()]


def _public_product_rule() -> ColumnElement[bool]:
    """The product's half of `public_product_conditions`."""
    return Product.active.is_(True)


def _public_shop_rule() -> ColumnElement[bool]:
    """The shop's half of `public_product_conditions`."""
    return Shop.status == ShopStatus.approved


def effective_price() -> ColumnElement[int]:
    """What a shopper pays online, in SQL: the promotion price when there is one."""
    return func.coalesce(Product.promo_price_cents, Product.price_cents)


# --- parameters ---------------------------------------------------------------------------


def normalize_query(q: str) -> str:
    """The search text without control characters (NUL would break PostgreSQL) or extra spaces."""
    return " ".join(_CONTROL_CHARS.sub(" ", q).split())


def check_search_params(params: SearchParams) -> SearchParams:
    """Refuse impossible parameters with a French message (422); return them normalised."""
    max_page_size = get_settings().search_max_page_size
    if len(params.q) > MAX_QUERY_LENGTH:
        raise Unprocessable(
            f"La recherche est trop longue ({len(params.q)} caractères, "
            f"{MAX_QUERY_LENGTH} au plus).",
            code="query_too_long",
        )
    if params.page < 1:
        raise Unprocessable("Le numéro de page commence à 1.", code="invalid_page")
    if not 1 <= params.page_size <= max_page_size:
        raise Unprocessable(
            f"La taille de page doit être comprise entre 1 et {max_page_size}.",
            code="invalid_page_size",
        )
    for label, value in (("minimum", params.min_price), ("maximum", params.max_price)):
        if value is not None and value < 0:
            raise Unprocessable(
                f"Le prix {label} ne peut pas être négatif (en centimes).", code="invalid_price"
            )
        if value is not None and value > MAX_SQL_INTEGER:
            raise Unprocessable(
                f"Le prix {label} est trop grand (en centimes).", code="invalid_price"
            )
    if (
        params.min_price is not None
        and params.max_price is not None
        and params.min_price > params.max_price
    ):
        raise Unprocessable(
            "Le prix minimum est supérieur au prix maximum.", code="invalid_price_range"
        )
    # A page far beyond any result set would only make PostgreSQL skip rows for nothing.
    if params.page * params.page_size > 1_000_000:
        raise Unprocessable("Ce numéro de page est trop grand.", code="invalid_page")
    return replace(
        params,
        q=normalize_query(params.q),
        shop=(params.shop or "").strip() or None,
        category=(params.category or "").strip() or None,
    )


# --- the search ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _TextMatch:
    """The SQL pieces of a text query: which products match and how well."""

    condition: ColumnElement[bool]
    score: ColumnElement[float]
    # Products saying every word in their name or brand (not only in their description).
    name_condition: ColumnElement[bool] | None = None


def _ts_config() -> Any:
    return literal_column(f"'{SEARCH_CONFIG}'::regconfig")


def _full_text_match(q: str) -> _TextMatch:
    """French full-text match on the stored vector (stems and accents folded), ranked; a
    product saying the words in its name or brand ranks above one saying them only in its
    description."""
    tsquery = func.websearch_to_tsquery(_ts_config(), q)
    full_text = Product.search_vector.op("@@")(tsquery)
    in_name = _name_match(q)
    # Normalisation 32 maps the rank into [0, 1): with the bonus, every full-text hit
    # outranks every typo-only hit.
    score = case(
        (
            full_text,
            FULL_TEXT_BONUS
            + case((in_name, NAME_BONUS), else_=0.0)
            + func.ts_rank_cd(Product.search_vector, tsquery, 32),
        ),
        else_=0.0,
    )
    return _TextMatch(condition=full_text, score=score, name_condition=_name_index_match(q))


NAME_AND_BRAND: ColumnElement[Any] = literal_column("""'{a,b}'::"char"[]""")


def _name_index_match(q: str) -> ColumnElement[bool]:
    """`_name_match` as its own GIN index answers it (ix_products_name_vector, on the
    vector's name and brand words alone): exact, no product re-checked for the weights.
    For conditions; scores keep `_name_match`, cheaper to evaluate on a row."""
    words = _QUERY_WORD.findall(q)
    if not words or _WEBSEARCH_SYNTAX.search(q):
        return false()
    return func.ts_filter(Product.search_vector, NAME_AND_BRAND).op("@@")(
        func.to_tsquery(_ts_config(), " & ".join(words))
    )


def _name_match(q: str) -> ColumnElement[bool]:
    """Whether a product says every word of `q` in its name or brand (weights A and B)."""
    words = _QUERY_WORD.findall(q)
    if not words or _WEBSEARCH_SYNTAX.search(q):
        return false()
    # Only letters and digits reach to_tsquery, each limited to the name's weights: the
    # stored vector's GIN index answers it, no per-row work.
    weighted = " & ".join(f"{word}:AB" for word in words)
    return Product.search_vector.op("@@")(func.to_tsquery(_ts_config(), weighted))


def _with_category(match: _TextMatch, named: CategoryQuery) -> _TextMatch:
    """Add the products of the categories the query names whose text has the other words,
    ranked above scattered full-text hits; products whose name says the category's word
    (a "Plateau de fromages", a "Couteau à fromage") are assortments or accessories, left
    to the full-text match."""
    others = func.to_tsquery(_ts_config(), " & ".join(named.other_words))
    # The name's words are the stored vector's weight A: checking them there costs no
    # parsing of the name for each candidate (to_tsvector(name) did, 2-3 µs a row).
    own_in_name = func.to_tsquery(_ts_config(), " | ".join(f"{w}:A" for w in named.category_words))
    in_category = and_(
        Product.category_id.in_(named.category_ids),
        Product.search_vector.op("@@")(others),
        ~Product.search_vector.op("@@")(own_in_name),
    )
    category_score = case(
        (
            in_category,
            FULL_TEXT_BONUS + CATEGORY_BONUS + func.ts_rank_cd(Product.search_vector, others, 32),
        ),
        else_=0.0,
    )
    return _TextMatch(
        condition=or_(match.condition, in_category),
        score=func.greatest(match.score, category_score),
        name_condition=match.name_condition,
    )


def _typo_tolerant(q: str) -> bool:
    """Whether a query may fall back on words corrected against the catalogue's lexicon."""
    # Quotes, exclusions and OR are websearch syntax the shopper chose on purpose: a fuzzy
    # match would bring back what they excluded.
    return len(q) >= TYPO_MIN_LENGTH and not _WEBSEARCH_SYNTAX.search(q)


def _query_words(q: str) -> list[str]:
    """The query's words as to_tsquery may receive them: letters and digits only."""
    return _QUERY_WORD.findall(q)


@dataclass(frozen=True)
class _Corrections:
    """What the lexicon says of a query's words, by position in `_query_words`."""

    # Misspelt words: the closest words of product names, best first.
    alternatives: dict[int, list[str]] = field(default_factory=dict)
    # Words no product name says, nor anything close to them ("sans", "gluten").
    unknown: frozenset[int] = frozenset()


def _corrections(db: Session, words: list[str]) -> _Corrections:
    """Look the query's words up in the catalogue's lexicon (distinct words of product names).

    A word is looked up when it is long enough to correct and not a number; a word some
    product name says as typed (lowercase, accents ignored) is left as it is; another gets
    up to TYPO_ALTERNATIVES words of the lexicon at or above TYPO_SIMILARITY_THRESHOLD
    (trigram similarity; the `%` operator lets the lexicon's trigram index answer, at the
    threshold `_search_settings` set). One statement for all the words, on a table of
    distinct words (hundreds to thousands of rows), not on the products.
    """
    candidates = [
        (n, w) for n, w in enumerate(words) if len(w) >= TYPO_MIN_LENGTH and not w.isdigit()
    ]
    if not candidates:
        return _Corrections()
    rows = db.execute(
        text(
            """
            SELECT q.n, q.known, s.word
            FROM (
                SELECT t.n, f.folded,
                       EXISTS (SELECT 1 FROM search_words AS k WHERE k.word = f.folded) AS known
                FROM unnest(CAST(:positions AS integer[]), CAST(:words AS text[])) AS t(n, word)
                CROSS JOIN LATERAL (SELECT public.comptoir_unaccent(lower(t.word)) AS folded) AS f
            ) AS q
            LEFT JOIN LATERAL (
                SELECT w.word, similarity(w.word, q.folded) AS score
                FROM search_words AS w
                WHERE NOT q.known
                  AND w.word % q.folded
                  AND similarity(w.word, q.folded) >= :threshold
                ORDER BY score DESC, w.word
                LIMIT :alternatives
            ) AS s ON true
            ORDER BY q.n, s.score DESC, s.word
            """
        ),
        {
            "positions": [n for n, _ in candidates],
            "words": [w for _, w in candidates],
            "alternatives": TYPO_ALTERNATIVES,
            "threshold": TYPO_SIMILARITY_THRESHOLD,
        },
    )
    alternatives: dict[int, list[str]] = {}
    unknown: set[int] = set()
    for n, known, word in rows.tuples():
        if known:
            continue
        if word is not None and _QUERY_WORD.fullmatch(word):  # only letters and digits
            alternatives.setdefault(n, []).append(word)
        else:
            unknown.add(n)
    return _Corrections(alternatives, frozenset(unknown - alternatives.keys()))


def _word_groups(words: list[str], corrections: _Corrections) -> list[list[str]]:
    """Each query word with its corrections: the word as typed stays an alternative (it may
    be in a brand or a description, which the lexicon of names does not hold)."""
    return [[word, *corrections.alternatives.get(n, [])] for n, word in enumerate(words)]


def _group_query(groups: list[list[str]], weights: str = "") -> str:
    """A to_tsquery text requiring one alternative of each group: '(fromge | fromage) & chevre'."""
    return " & ".join(
        "(" + " | ".join(f"{w}{weights}" for w in group) + ")" if len(group) > 1 else
        f"{group[0]}{weights}"
        for group in groups
    )  # fmt: skip


def _blend_typos(
    q: str, full_text: _TextMatch, corrections: _Corrections, *, any_word: bool
) -> _TextMatch:
    """Full-text hits plus those of the query with its misspelt words corrected, the latter
    ranked after; when nothing matches all the words, products matching all but one, or
    all the words some product name says ("croissant sans gluten" → croissants)."""
    words = _query_words(q)
    groups = _word_groups(words, corrections)
    condition = full_text.condition
    score = full_text.score
    corrected = groups
    if any_word and corrections.unknown:
        corrected = [g for n, g in enumerate(groups) if n not in corrections.unknown]
        if not any(len(g[0]) >= TYPO_MIN_LENGTH for g in corrected):
            corrected = []  # only short words would be left ("de", "au")
    elif not corrections.alternatives:
        corrected = []  # the query as typed: the full-text match has it already
    if corrected:
        corrected_query = func.to_tsquery(_ts_config(), _group_query(corrected))
        in_name = Product.search_vector.op("@@")(
            func.to_tsquery(_ts_config(), _group_query(corrected, ":AB"))
        )
        corrected_match = Product.search_vector.op("@@")(corrected_query)
        condition = or_(condition, corrected_match)
        # In [TYPO_WEIGHT, 1): below every full-text hit of the query as typed.
        score = score + case(
            (
                corrected_match,
                TYPO_WEIGHT
                + case((in_name, TYPO_NAME_BONUS), else_=0.0)
                + TYPO_RANK_WEIGHT
                * func.ts_rank_cd(
                    literal_column(NAME_RANK_WEIGHTS), Product.search_vector, corrected_query, 32
                ),
            ),
            else_=0.0,
        )
    most = _most_words_of(groups) if any_word else None
    if most is not None:
        # Several words that together find nothing ("vin blanc sec", "fromge de chevre"):
        # all but one of them may match, ranked well below products matching all of them.
        most_query = func.to_tsquery(_ts_config(), most)
        most_words = Product.search_vector.op("@@")(most_query)
        condition = or_(condition, most_words)
        score = score + case(
            (most_words, ANY_WORD_WEIGHT * func.ts_rank_cd(Product.search_vector, most_query, 32)),
            else_=0.0,
        )
    return _TextMatch(condition=condition, score=score)


def _most_words_of(groups: list[list[str]]) -> str | None:
    """A `to_tsquery` text matching all the query's words but one ('vin blanc sec' →
    '(vin & blanc) | (vin & sec) | (blanc & sec)'), or None for a single word; each word
    with its corrections, if any ('fromge de chevre' → '((fromge | fromage) & de) | …').

    Only letters and digits reach to_tsquery (`_query_words`: no operator can be smuggled
    in); the first MOST_WORDS_MAX words count, so the alternatives stay few."""
    kept = [g for g in groups if len(g[0]) > 1][:MOST_WORDS_MAX]
    if len(kept) < 2:
        return None
    combos = itertools.combinations(kept, len(kept) - 1)
    return " | ".join("(" + _group_query(list(combo)) + ")" for combo in combos)


def _delivery_condition(kinds: tuple[DeliveryKind, ...]) -> ColumnElement[bool]:
    return exists().where(
        DeliveryMode.shop_id == Shop.id,
        DeliveryMode.active.is_(True),
        DeliveryMode.kind.in_(kinds),
    )


def _base_conditions(params: SearchParams, match: _TextMatch | None) -> list[ColumnElement[bool]]:
    """Conditions every result and every facet obeys (not the shop, category, price filters)."""
    return [*_product_conditions(params, match), *_shop_conditions(params)]


def _product_conditions(
    params: SearchParams, match: _TextMatch | None
) -> list[ColumnElement[bool]]:
    """The conditions of `_base_conditions` on the product's own columns."""
    conditions = [_public_product_rule()]
    if match is not None:
        conditions.append(match.condition)
    if params.in_stock:
        conditions.append(Product.stock > 0)
    return conditions


def _shop_conditions(params: SearchParams) -> list[ColumnElement[bool]]:
    """The conditions of `_base_conditions` on the shop (`Shop` alone, no product column)."""
    conditions = [_public_shop_rule()]
    if params.pickup:
        conditions.append(_delivery_condition((DeliveryKind.pickup,)))
    if params.delivery:
        conditions.append(_delivery_condition((DeliveryKind.local_delivery, DeliveryKind.shipping)))
    return conditions


def _facet_filters(
    params: SearchParams,
) -> tuple[ColumnElement[bool], ColumnElement[bool], ColumnElement[bool]]:
    """The shop, category and price filters, each `true` when not asked for."""
    in_shop: ColumnElement[bool] = Shop.slug == params.shop if params.shop else true()
    in_category: ColumnElement[bool] = true()
    if params.category:
        in_category = Category.slug == params.category
    price = effective_price()
    price_bounds: list[ColumnElement[bool]] = []
    if params.min_price is not None:
        price_bounds.append(price >= params.min_price)
    if params.max_price is not None:
        price_bounds.append(price <= params.max_price)
    in_price: ColumnElement[bool] = and_(*price_bounds) if price_bounds else true()
    return in_shop, in_category, in_price


def _order_by(params: SearchParams, match: _TextMatch | None) -> list[tuple[Any, bool]]:
    """The sort keys, each with whether it sorts descending."""
    price = effective_price()
    if params.sort == SearchSort.price_asc:
        return [(price, False), (Product.id, False)]
    if params.sort == SearchSort.price_desc:
        return [(price, True), (Product.id, True)]
    if params.sort == SearchSort.relevance and match is not None:
        return [(match.score, True), (Product.id, False)]
    # Without a text query "relevance" means the newest first.
    return [(Product.created_at, True), (Product.id, True)]


def _hit_columns() -> list[Any]:
    return [
        Product.id,
        Product.name,
        Shop.slug.label("shop_slug"),
        Shop.name.label("shop_name"),
        Category.slug.label("category_slug"),
        Category.name.label("category_name"),
        Product.price_cents,
        Product.promo_price_cents,
        Product.vat_rate_bp,
        Product.stock,
        Product.requires_confirmation,
        Product.unit_label,
        Product.returnable,
    ]


def _hit_values(row: Any) -> dict[str, Any]:
    category = (
        CategoryRef(slug=row.category_slug, name=row.category_name)
        if row.category_slug is not None
        else None
    )
    promo = row.promo_price_cents
    return {
        "id": row.id,
        "name": row.name,
        "shop": ShopRef(slug=row.shop_slug, name=row.shop_name),
        "category": category,
        "price_cents": row.price_cents,
        "promo_price_cents": promo,
        "effective_price_cents": promo if promo is not None else row.price_cents,
        "vat_rate_bp": row.vat_rate_bp,
        "in_stock": row.stock > 0,
        "available_quantity": min(row.stock, STOCK_DISPLAY_CAP),
        "requires_confirmation": row.requires_confirmation,
        "unit_label": row.unit_label,
        "returnable": row.returnable,
        "photo": main_photo_of_row(row),
    }


def _page_with_photos(
    conditions: list[ColumnElement[bool]],
    sort_keys: list[tuple[Any, bool]],
    limit: int,
    offset: int = 0,
    extra: tuple[Any, ...] = (),
) -> Select[Any]:
    """One page of products (the sort keys computed once, as columns) with each product's
    main photo, in one statement; photos are looked up for the page's rows only."""
    keys = [key.label(f"sort_{n}") for n, (key, _) in enumerate(sort_keys)]
    page = (
        _catalogue_select(*_hit_columns(), *extra, *keys)
        .where(*conditions)
        .order_by(*(k.desc() if d else k.asc() for k, (_, d) in zip(keys, sort_keys, strict=True)))
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    photo = main_photo_lateral(page.c.id)
    outer = [page.c[f"sort_{n}"] for n in range(len(keys))]
    return (
        select(page, photo)
        .select_from(page)
        .outerjoin(photo, true())
        .order_by(*(c.desc() if d else c.asc() for c, (_, d) in zip(outer, sort_keys, strict=True)))
    )


def _catalogue_select(*columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Product)
        .join(Shop, Shop.id == Product.shop_id)
        .outerjoin(Category, Category.id == Product.category_id)
    )


def _facets_statement(
    params: SearchParams,
    conditions: list[ColumnElement[bool]],
    sort_keys: list[tuple[Any, bool]] | None = None,
) -> Select[Any]:
    """One statement for the total, the shop and category facets and the price range.

    Each facet ignores its own filter (so a shopper sees the other shops they could pick),
    the total obeys them all, the price range ignores the price filter.

    With `sort_keys`, it also gives the ids of the page's products (rows of kind "hit",
    the id in `n`, the rank in `lo`): the matching products are then found and scored once
    for both (a CTE read four times is computed once), which halves the work of a query
    matching tens of thousands of products.
    """
    in_shop, in_category, in_price = _facet_filters(params)
    keys = [key.label(f"sort_{n}") for n, (key, _) in enumerate(sort_keys or [])]
    matched = (
        _catalogue_select(
            Product.id,
            Product.shop_id,
            Product.category_id,
            effective_price().label("price"),
            in_shop.label("in_shop"),
            in_category.label("in_category"),
            in_price.label("in_price"),
            *keys,
        )
        .where(*conditions)
        .cte("matched")
    )
    m = matched.c
    none_int = cast(null(), Integer)
    none_text = cast(null(), String)
    everything = and_(m.in_shop, m.in_category)
    # One pass over the matches for the three counts: grouped by shop, by category and not
    # at all (GROUPING SETS), each count filtered as its facet wants; names are joined to
    # the few groups, not to every match (at 1,000,000 products, "chocolat noir": 45,573
    # matches read once instead of three times, each joined to its shop and category).
    grouping = func.grouping(m.shop_id, m.category_id)
    counted = (
        select(
            m.shop_id,
            m.category_id,
            grouping.label("g"),
            func.count().filter(and_(m.in_category, m.in_price)).label("n_shop"),
            func.count().filter(and_(m.in_shop, m.in_price)).label("n_category"),
            func.count().filter(and_(everything, m.in_price)).label("n_total"),
            func.min(m.price).filter(everything).label("lo"),
            func.max(m.price).filter(everything).label("hi"),
        )
        .group_by(func.grouping_sets(m.shop_id, m.category_id, literal_column("()")))
        .cte("counted")
    )
    c = counted.c
    # GROUPING() gives a bit per column left out of the group: 1 the shop's groups (the
    # category left out), 2 the category's, 3 the grand total.
    shops = (
        select(
            literal("shop").label("kind"),
            Shop.slug.label("slug"),
            Shop.name.label("name"),
            c.n_shop.label("n"),
            none_int.label("lo"),
            none_int.label("hi"),
        )
        .select_from(counted)
        .join(Shop, Shop.id == c.shop_id)
        .where(c.g == 1, c.n_shop > 0)
    )
    categories = (
        select(literal("category"), Category.slug, Category.name, c.n_category, none_int, none_int)
        .select_from(counted)
        .join(Category, Category.id == c.category_id)
        .where(c.g == 2, c.n_category > 0)
    )
    totals = select(literal("total"), none_text, none_text, c.n_total, c.lo, c.hi).where(c.g == 3)
    if sort_keys is None:
        return select(union_all(shops, categories, totals).subquery())
    order = [
        m[f"sort_{n}"].desc() if descending else m[f"sort_{n}"].asc()
        for n, (_, descending) in enumerate(sort_keys)
    ]
    page = (
        select(m.id, *(m[f"sort_{n}"] for n in range(len(sort_keys))))
        .where(m.in_shop, m.in_category, m.in_price)
        .order_by(*order)
        .limit(params.page_size)
        .offset((params.page - 1) * params.page_size)
        .subquery()
    )
    # The rank within the page: a union's rows come in no set order. Numbering the page's
    # few rows, not the matches (which only need the top-N sort of the LIMIT).
    position = func.row_number().over(
        order_by=[
            page.c[f"sort_{n}"].desc() if descending else page.c[f"sort_{n}"].asc()
            for n, (_, descending) in enumerate(sort_keys)
        ]
    )
    hits = select(literal("hit"), none_text, none_text, page.c.id, position, none_int).select_from(
        page
    )
    return select(union_all(shops, categories, totals, hits).subquery())


def _by_count(facet: FacetCount) -> tuple[int, str]:
    return (-facet.count, facet.name)


def _full_text_hits(
    db: Session,
    params: SearchParams,
    match: _TextMatch,
    name_condition: ColumnElement[bool],
) -> tuple[int, int]:
    """How many products the full-text search finds, and how many by their name, each
    counted up to the fallback's bound; in the same statement, the search's settings.

    The shops (and the category filter) are lists of ids the products are checked against,
    not tables joined: PostgreSQL, expecting a handful of products where thousands say the
    words (it multiplies the words' frequencies), hashed every match of a join to count
    three ("pate a tartiner" at 1,000,000 products: 2,941 heap pages read, 12-17 ms, for
    what the first three rows answer)."""
    shop_ids = select(Shop.id).where(*_shop_conditions(params))
    if params.shop:
        shop_ids = shop_ids.where(Shop.slug == params.shop)
    in_price = _facet_filters(params)[2]
    # `+ 0`: checked on each row found, never through the shop_id or category_id index,
    # whose selectivity PostgreSQL cannot know for a list computed at run time (it guessed
    # 10 % and read the 1,000,000 entries of the shop_id index for "chocolat", 52 ms).
    conditions = [
        *_product_conditions(params, match),
        (Product.shop_id + 0) == any_(func.array(shop_ids.scalar_subquery())),
        in_price,
    ]
    if params.category:
        category_ids = select(Category.id).where(Category.slug == params.category)
        conditions.append(
            (Product.category_id + 0) == any_(func.array(category_ids.scalar_subquery()))
        )

    def first(*extra: ColumnElement[bool]) -> Any:
        hits = select(Product.id).where(*conditions, *extra).limit(TYPO_FALLBACK_BELOW).subquery()
        return select(func.count()).select_from(hits).scalar_subquery()

    row = db.execute(select(*_search_settings(), first(), first(name_condition))).one()
    return int(row[-2]), int(row[-1])


def _search_settings() -> list[ColumnElement[Any]]:
    """Settings of this transaction only (other queries keep the server's): the typo
    threshold of the lexicon's trigram index, and a plan made for each search's own words,
    as columns to select in the search's first statement.

    psycopg prepares a statement run five times on a connection; PostgreSQL may then reuse
    one generic plan for every query text, blind to how many products the words match
    (measured at 1,000,000 products: "huitres" 35 -> 60-85 ms, "croisant" 28 -> 50-65 ms
    through a long-running API process).
    """
    return [
        func.set_config("plan_cache_mode", "force_custom_plan", True),
        func.set_config("pg_trgm.similarity_threshold", str(TYPO_SIMILARITY_THRESHOLD), True),
    ]


def search_products(db: Session, params: SearchParams) -> SearchResult:
    """Search the public catalogue: one statement that finds and scores the matching products
    once for the page's ids, the count and the facets, then one for the page's cards (plus
    one that sets the transaction's settings and decides on the typo fallback, and one
    that corrects the query's words against the lexicon when it falls back). Without words, the page
    comes from its own statement (an index in sort order) and the facets from another."""
    params = check_search_params(params)
    match: _TextMatch | None = None
    conditions = _base_conditions(params, None)
    if params.q:
        full_text = _full_text_match(params.q)
        named = category_query(db, params.q) if _typo_tolerant(params.q) else None
        match = full_text if named is None else _with_category(full_text, named)
        conditions = _base_conditions(params, match)
        if not _typo_tolerant(params.q):
            db.execute(select(*_search_settings()))
        else:
            assert full_text.name_condition is not None
            hits, name_hits = _full_text_hits(db, params, match, full_text.name_condition)
            if hits < TYPO_FALLBACK_BELOW:
                corrections = _corrections(db, _query_words(params.q))
                match = _blend_typos(params.q, match, corrections, any_word=hits == 0)
                conditions = _base_conditions(params, match)
            elif named is None and name_hits >= TYPO_FALLBACK_BELOW:
                # Enough products say it in their name: those that only mention it in their
                # description ("baguettes en bois" of a Mikado for "baguette") are noise.
                # Words separated by spaces only: saying them all in the name implies the
                # full-text match, and the two conditions together would make PostgreSQL
                # expect one row where there are thousands (a nested loop per product).
                # Other queries (a hyphen may make a phrase) keep both.
                in_name_only = all(_QUERY_WORD.fullmatch(w) for w in params.q.split())
                match = replace(
                    match,
                    condition=full_text.name_condition
                    if in_name_only
                    else and_(full_text.condition, full_text.name_condition),
                )
                conditions = _base_conditions(params, match)
    in_shop, in_category, in_price = _facet_filters(params)
    sort_keys = _order_by(params, match)
    page_rows: list[Any] = []
    if match is None:
        # Browsing without words: the page comes straight from an index in sort order,
        # without going through every public product as the facets do.
        page_rows = list(
            db.execute(
                _page_with_photos(
                    [*conditions, in_shop, in_category, in_price],
                    sort_keys,
                    params.page_size,
                    (params.page - 1) * params.page_size,
                )
            )
        )
    shops: list[FacetCount] = []
    categories: list[FacetCount] = []
    total, lo, hi = 0, None, None
    page_ids: list[tuple[int, int]] = []
    for row in db.execute(
        _facets_statement(params, conditions, sort_keys if match is not None else None)
    ):
        if row.kind == "shop":
            shops.append(FacetCount(slug=row.slug, name=row.name, count=row.n))
        elif row.kind == "category":
            categories.append(FacetCount(slug=row.slug, name=row.name, count=row.n))
        elif row.kind == "hit":
            page_ids.append((row.lo, row.n))
        else:
            total, lo, hi = row.n, row.lo, row.hi
    if page_ids:
        # The page's cards by id (a handful of rows), in the order the search ranked them.
        ids = [product_id for _, product_id in sorted(page_ids)]
        by_id = {
            row.id: row
            for row in db.execute(
                _page_with_photos([Product.id.in_(ids)], [(Product.id, False)], len(ids))
            )
        }
        page_rows = [by_id[product_id] for product_id in ids if product_id in by_id]
    return SearchResult(
        items=[ProductHit(**_hit_values(row)) for row in page_rows],
        total=total,
        page=params.page,
        page_size=params.page_size,
        pages=math.ceil(total / params.page_size),
        facets=SearchFacets(
            shops=sorted(shops, key=_by_count),
            categories=sorted(categories, key=_by_count),
            price=PriceRange(min_cents=lo, max_cents=hi),
        ),
    )


# --- product page and categories ----------------------------------------------------------


def get_public_product(db: Session, product_id: int) -> ProductDetail:
    """An active product of an approved shop; 404 otherwise (never tell which)."""
    if not 0 < product_id <= MAX_SQL_INTEGER:
        raise NotFound("Ce produit n'existe pas ou n'est plus proposé.")
    row = db.execute(
        _page_with_photos(
            [Product.id == product_id, *public_product_conditions()],
            [(Product.id, False)],
            1,
            extra=(Product.brand, Product.description),
        )
    ).first()
    if row is None:
        raise NotFound("Ce produit n'existe pas ou n'est plus proposé.")
    return ProductDetail(**_hit_values(row), brand=row.brand, description=row.description)


def list_categories(db: Session) -> list[CategoryListing]:
    """Every category with how many public products it has, by name."""
    counted = (
        select(Product.category_id, func.count().label("n"))
        .join(Shop, Shop.id == Product.shop_id)
        .where(*public_product_conditions())
        .group_by(Product.category_id)
        .subquery()
    )
    rows = db.execute(
        select(Category.slug, Category.name, func.coalesce(counted.c.n, 0).label("n"))
        .outerjoin(counted, counted.c.category_id == Category.id)
        .order_by(Category.name, Category.slug)
    )
    return [CategoryListing(slug=r.slug, name=r.name, product_count=r.n) for r in rows]


def restore_search_words(db: Session, since: datetime | None = None) -> int:
    """Put back in the lexicon the words of product names it lacks; how many.

    The triggers keep it, but a product deleted or renamed at the very moment another one is
    added or renamed with the same word can remove a word still in use (each transaction sees
    its own snapshot). Such a word is still found as typed; only typo corrections towards it
    are lost until this runs. `since`: only the products added or changed since then (the
    ones such a race involves; the orders worker checks the last two days, daily), else all."""
    recent = "WHERE products.updated_at >= :since " if since is not None else ""
    added = db.execute(
        text(
            "INSERT INTO search_words (word) "
            "SELECT DISTINCT w FROM products, comptoir_name_words(products.name) AS w "
            f"{recent}ORDER BY 1 ON CONFLICT DO NOTHING"
        ),
        {"since": since} if since is not None else {},
    )
    return int(getattr(added, "rowcount", 0) or 0)
