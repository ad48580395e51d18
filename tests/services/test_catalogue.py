"""Public catalogue search (stems, accents, typos, filters, facets, pages) and shop pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from comptoir.domain.paris_time import PARIS
from comptoir.errors import NotFound, Unprocessable
from comptoir.models import (
    DeliveryKind,
    DeliveryMode,
    OpeningHours,
    Order,
    OrderStatus,
    Product,
    SearchWord,
    Shop,
    ShopClosure,
    ShopStatus,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.services.catalogue import (
    MAX_QUERY_LENGTH,
    STOCK_DISPLAY_CAP,
    SearchParams,
    SearchResult,
    SearchSort,
    get_public_product,
    list_categories,
    restore_search_words,
    search_products,
)
from comptoir.services.shop_pages import list_public_shops, public_shop_page
from tests.factories import create_category, create_product, create_shop, create_user


def names(result: SearchResult) -> list[str]:
    return [hit.name for hit in result.items]


def search(db: Session, q: str = "", **fields: object) -> SearchResult:
    return search_products(db, SearchParams(q=q, **fields))  # type: ignore[arg-type]


@pytest.fixture
def catalogue(db: Session) -> dict[str, Shop]:
    """Two approved shops (a cheese shop, a bakery), a pending and a suspended one."""
    cheese = create_category(db, "fromagerie", "Fromagerie")
    bread = create_category(db, "boulangerie", "Boulangerie")
    grocery = create_category(db, "epicerie", "Épicerie")
    fromagerie = create_shop(db, slug="fromagerie-du-marche", name="Fromagerie du Marché")
    fournil = create_shop(db, slug="le-fournil", name="Le Fournil")
    pending = create_shop(db, status=ShopStatus.pending, slug="en-attente", name="En attente")
    suspended = create_shop(db, status=ShopStatus.suspended, slug="suspendue", name="Suspendue")
    products = [
        (fromagerie, cheese, "Fromage de chèvre frais", 650, None, 12),
        (fromagerie, cheese, "Comté 18 mois", 2890, 2490, 3),
        (fromagerie, cheese, "Tomme de Savoie", 1890, None, 0),
        (fromagerie, grocery, "Pâtes fraîches aux cèpes", 540, None, 40),
        (fournil, bread, "Baguette tradition", 130, None, 50),
        (fournil, bread, "Croissant au beurre", 120, None, 30),
        (fournil, bread, "Éclair au chocolat", 350, None, 8),
        (fournil, bread, "Pain de campagne", 420, None, 5),
        (fournil, grocery, "Paintball", 9900, None, 1),
    ]
    for shop, category, name, price, promo, stock in products:
        create_product(
            db, shop, name=name, category_id=category.id, price_cents=price,
            promo_price_cents=promo, stock=stock,
        )  # fmt: skip
    create_product(db, fournil, name="Fromage blanc retiré", active=False, category_id=cheese.id)
    create_product(db, pending, name="Fromage de la boutique en attente", category_id=cheese.id)
    create_product(db, suspended, name="Fromage de la boutique suspendue", category_id=cheese.id)
    create_product(
        db, fromagerie, name="Plateau du chef", description="Un assortiment de fromages affinés.",
        category_id=cheese.id, price_cents=3500,
    )  # fmt: skip
    db.commit()
    return {"fromagerie": fromagerie, "fournil": fournil, "pending": pending}


def test_stems_find_singular_from_plural(db: Session, catalogue: dict[str, Shop]) -> None:
    result = search(db, "fromages")
    assert names(result)[0] == "Fromage de chèvre frais"
    # The description matches too, ranked below the product whose name matches.
    assert names(result) == ["Fromage de chèvre frais", "Plateau du chef"]
    assert result.total == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pates", "Pâtes fraîches aux cèpes"),
        ("eclair", "Éclair au chocolat"),
        ("comte", "Comté 18 mois"),
        ("CHEVRE", "Fromage de chèvre frais"),
        ("cèpes", "Pâtes fraîches aux cèpes"),
    ],
)
def test_accents_and_case_do_not_matter(
    db: Session, catalogue: dict[str, Shop], query: str, expected: str
) -> None:
    assert names(search(db, query)) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fromge", "Fromage de chèvre frais"),
        ("baguete", "Baguette tradition"),
        ("croisant", "Croissant au beurre"),
        ("eclaire", "Éclair au chocolat"),
    ],
)
def test_typos_are_corrected(
    db: Session, catalogue: dict[str, Shop], query: str, expected: str
) -> None:
    assert names(search(db, query))[0] == expected


def test_typos_are_corrected_against_the_lexicon_of_product_names(
    db: Session, catalogue: dict[str, Shop]
) -> None:
    from comptoir.services.catalogue import _corrections

    # Misspelt words get the closest words of product names; words some product name says
    # (even without its accents) and short words are left as they are.
    found = _corrections(db, ["croisant", "au", "beure"])
    assert found.alternatives == {0: ["croissant"], 2: ["beurre"]} and not found.unknown
    found = _corrections(db, ["fromage", "CHÈVRE", "pain", "18"])
    assert not found.alternatives and not found.unknown
    found = _corrections(db, ["croissant", "sans", "gluten"])  # nothing close enough
    assert not found.alternatives and found.unknown == {1, 2}
    # A brand or description word the names do not hold still finds its products as typed.
    create_product(
        db, catalogue["fournil"], name="Galette", description="Recette bretonne au sarrasin."
    )
    db.commit()
    assert names(search(db, "sarrasin")) == ["Galette"]


def test_corrected_hits_rank_below_hits_of_the_query_as_typed(
    db: Session, catalogue: dict[str, Shop]
) -> None:
    # "beure" as typed is in one description only (descriptions are not in the lexicon):
    # fewer than three hits, so the fallback adds what "beurre" finds, ranked after.
    create_product(
        db, catalogue["fournil"], name="Sablés", description="Biscuits au beure salé."
    )
    db.commit()
    assert names(search(db, "beure")) == ["Sablés", "Croissant au beurre"]


def test_lexicon_follows_products_added_renamed_and_deleted(
    db: Session, catalogue: dict[str, Shop]
) -> None:
    def lexicon() -> set[str]:
        return set(db.scalars(select(SearchWord.word)))

    assert {"fromage", "chevre", "croissant", "beurre", "paintball"} <= lexicon()
    assert "au" not in lexicon() and "18" not in lexicon()  # too short, or a number
    shop = catalogue["fournil"]
    brioche = create_product(db, shop, name="Brioche tressée")
    db.commit()
    assert {"brioche", "tressee"} <= lexicon()
    assert names(search(db, "brioch tresee"))[0] == "Brioche tressée"

    brioche.name = "Kouign-amann"  # renamed: the old words go, the new ones come
    db.commit()
    assert {"kouign", "amann"} <= lexicon()
    assert not {"brioche", "tressee"} & lexicon()
    assert names(search(db, "kouign aman"))[0] == "Kouign-amann"

    # A word another product still says stays; one nobody says any more goes.
    other = create_product(db, shop, name="Kouign au chocolat")
    db.commit()
    db.delete(brioche)
    db.commit()
    assert "kouign" in lexicon() and "amann" not in lexicon()
    db.delete(other)
    db.commit()
    assert "kouign" not in lexicon()
    # Bulk statements (an import, a shop's departure) keep it too.
    db.execute(delete(Product).where(Product.shop_id == shop.id))
    db.commit()
    assert "croissant" not in lexicon() and "paintball" not in lexicon()
    assert "fromage" in lexicon()  # the cheese shop's products are still there
    assert search(db, "croisant").total == 0


def test_words_lost_by_a_race_are_restored(db: Session, catalogue: dict[str, Shop]) -> None:
    # As if a delete racing an insert had pruned a word a product still says.
    db.execute(delete(SearchWord).where(SearchWord.word.in_(["croissant", "fromage"])))
    db.commit()
    assert search(db, "croisant").total == 0  # no correction towards it any more
    # The daily check looks at products changed lately; these were all just created.
    assert restore_search_words(db, since=datetime.now(UTC) + timedelta(hours=1)) == 0
    assert restore_search_words(db, since=datetime.now(UTC) - timedelta(days=2)) == 2
    db.commit()
    assert names(search(db, "croisant"))[0] == "Croissant au beurre"
    assert restore_search_words(db) == 0


def test_a_search_plans_for_its_own_words_in_its_transaction_only(
    db: Session, catalogue: dict[str, Shop]
) -> None:
    from sqlalchemy import text

    default = db.scalar(text("SHOW plan_cache_mode"))
    db.commit()
    search(db, "croisant")
    assert db.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
    assert db.scalar(text("SHOW pg_trgm.similarity_threshold")) == "0.45"
    db.commit()
    assert db.scalar(text("SHOW plan_cache_mode")) == default


def test_lexicon_ignores_updates_that_keep_the_name(
    db: Session, catalogue: dict[str, Shop]
) -> None:
    db.execute(update(Product).values(stock=Product.stock + 1))
    db.commit()
    assert "croissant" in set(db.scalars(select(SearchWord.word)))
    assert names(search(db, "croisant"))[0] == "Croissant au beurre"


def test_typo_fallback_matches_whole_words_only(db: Session, catalogue: dict[str, Shop]) -> None:
    # "pain" finds one product by full text; the fallback must not drag in "Paintball".
    assert names(search(db, "pain")) == ["Pain de campagne"]


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("fromge de chevre", "Fromage de chèvre frais"),  # a typo in one word of several
        ("croissant sans gluten", "Croissant au beurre"),  # no product has every word
    ],
)
def test_multi_word_queries_that_find_nothing_fall_back_on_any_word(
    db: Session, catalogue: dict[str, Shop], query: str, expected_first: str
) -> None:
    found = names(search(db, query))
    assert found and found[0] == expected_first
    assert "Paintball" not in found


def test_multi_word_and_websearch_syntax(db: Session, catalogue: dict[str, Shop]) -> None:
    assert names(search(db, "chèvre frais")) == ["Fromage de chèvre frais"]
    excluded = search(db, "fromage -chèvre")
    assert "Fromage de chèvre frais" not in names(excluded)
    assert names(excluded) == ["Plateau du chef"]


def test_only_active_products_of_approved_shops(db: Session, catalogue: dict[str, Shop]) -> None:
    found = names(search(db, "fromage"))
    assert not any("retiré" in n or "attente" in n or "suspendue" in n for n in found)
    everything = search(db, page_size=100)
    assert everything.total == 10
    assert {hit.shop.slug for hit in everything.items} == {"fromagerie-du-marche", "le-fournil"}


def test_filters_shop_category_price_stock(db: Session, catalogue: dict[str, Shop]) -> None:
    assert names(search(db, shop="le-fournil", category="epicerie")) == ["Paintball"]
    assert search(db, shop="en-attente").total == 0  # an unapproved shop shows nothing
    # Price filters apply to the price paid online: the Comté's promotion (24,90 €).
    cheap = search(db, min_price=2400, max_price=2500)
    assert names(cheap) == ["Comté 18 mois"]
    assert cheap.items[0].effective_price_cents == 2490
    in_stock = names(search(db, category="fromagerie", in_stock=True, page_size=50))
    assert "Tomme de Savoie" not in in_stock and "Comté 18 mois" in in_stock


def test_pickup_and_delivery_filters(db: Session, catalogue: dict[str, Shop]) -> None:
    fournil = catalogue["fournil"]
    for mode in db.scalars(select(DeliveryMode).where(DeliveryMode.shop_id == fournil.id)):
        mode.active = mode.kind == DeliveryKind.pickup
    db.commit()
    delivered = search(db, delivery=True, page_size=50)
    assert {hit.shop.slug for hit in delivered.items} == {"fromagerie-du-marche"}
    picked_up = search(db, pickup=True, page_size=50)
    assert picked_up.total == 10


def test_sorts(db: Session, catalogue: dict[str, Shop]) -> None:
    by_price = [h.effective_price_cents for h in search(db, sort=SearchSort.price_asc).items]
    assert by_price == sorted(by_price) and by_price[0] == 120
    down = [h.effective_price_cents for h in search(db, sort=SearchSort.price_desc).items]
    assert down == sorted(down, reverse=True) and down[0] == 9900
    newest = search(db, sort=SearchSort.newest, page_size=1)
    assert names(newest) == ["Plateau du chef"]


def test_pagination(db: Session, catalogue: dict[str, Shop]) -> None:
    first = search(db, sort=SearchSort.price_asc, page_size=4)
    second = search(db, sort=SearchSort.price_asc, page_size=4, page=2)
    assert first.total == second.total == 10 and first.pages == 3
    assert len(first.items) == 4 and not set(names(first)) & set(names(second))
    beyond = search(db, page=9, page_size=4)
    assert beyond.items == [] and beyond.total == 10


def test_pages_and_sorts_of_a_text_query(db: Session, catalogue: dict[str, Shop]) -> None:
    # With words, the page's ids come with the facets and the cards follow in rank order.
    fournil = catalogue["fournil"]
    for n in range(7):
        create_product(db, fournil, name=f"Brioche n°{n}", price_cents=500 - n * 10)
    db.commit()
    everything = names(search(db, "brioche", page_size=20))
    assert len(everything) == 7
    pages = [names(search(db, "brioche", page_size=3, page=p)) for p in (1, 2, 3, 4)]
    assert pages[0] + pages[1] + pages[2] == everything and pages[3] == []
    assert search(db, "brioche", page_size=3, page=3).total == 7
    cheapest = search(db, "brioche", sort=SearchSort.price_asc, page_size=3, page=1)
    assert [h.effective_price_cents for h in cheapest.items] == [440, 450, 460]
    dearest = search(db, "brioche", sort=SearchSort.price_desc, page_size=2, page=2)
    assert [h.effective_price_cents for h in dearest.items] == [480, 470]
    in_shop = search(db, "brioche", shop="fromagerie-du-marche")
    assert in_shop.items == [] and in_shop.total == 0
    assert [(f.slug, f.count) for f in in_shop.facets.shops] == [("le-fournil", 7)]


def test_facets_ignore_their_own_filter(db: Session, catalogue: dict[str, Shop]) -> None:
    result = search(db, shop="le-fournil", category="boulangerie", max_price=200)
    # Without a text query the newest come first.
    assert names(result) == ["Croissant au beurre", "Baguette tradition"]
    assert result.total == 2
    # Shops: boulangerie under 2 € in any shop; categories: the Fournil's under 2 €.
    assert [(f.slug, f.count) for f in result.facets.shops] == [("le-fournil", 2)]
    assert [(f.slug, f.count) for f in result.facets.categories] == [("boulangerie", 2)]
    # Price range: the Fournil's bread whatever the price.
    assert (result.facets.price.min_cents, result.facets.price.max_cents) == (120, 420)
    wide = search(db, category="fromagerie")
    assert {(f.slug, f.count) for f in wide.facets.shops} == {("fromagerie-du-marche", 4)}
    categories = {f.slug: f.count for f in wide.facets.categories}
    assert categories == {"fromagerie": 4, "boulangerie": 4, "epicerie": 2}


def test_hit_fields_and_capped_stock(db: Session, catalogue: dict[str, Shop]) -> None:
    hit = search(db, "pâtes fraîches").items[0]
    assert hit.shop.name == "Fromagerie du Marché" and hit.category is not None
    assert hit.category.slug == "epicerie" and hit.vat_rate_bp == 550
    assert hit.in_stock and hit.available_quantity == STOCK_DISPLAY_CAP  # 40 in stock
    tomme = search(db, "tomme").items[0]
    assert not tomme.in_stock and tomme.available_quantity == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "x" * (MAX_QUERY_LENGTH + 1)}, "query_too_long"),
        ({"page": 0}, "invalid_page"),
        ({"page_size": 0}, "invalid_page_size"),
        ({"page_size": 101}, "invalid_page_size"),
        ({"min_price": 500, "max_price": 100}, "invalid_price_range"),
        ({"min_price": -1}, "invalid_price"),
        ({"max_price": 2**31}, "invalid_price"),
    ],
)
def test_bad_parameters_are_refused_in_french(
    db: Session, params: dict[str, object], code: str
) -> None:
    with pytest.raises(Unprocessable) as refused:
        search(db, **params)
    assert refused.value.code == code and refused.value.message.startswith(("La", "Le"))


@pytest.mark.parametrize(
    "query",
    ["'; DROP TABLE products; --", "fro\x00mage", "a & b | !c", "%_\\", "(((", "or or -"],
)
def test_hostile_queries_are_just_text(db: Session, catalogue: dict[str, Shop], query: str) -> None:
    result = search(db, query)
    assert result.total >= 0
    assert db.scalar(select(func.count()).select_from(Product)) == 13


def test_product_page_only_for_public_products(db: Session, catalogue: dict[str, Shop]) -> None:
    comte = db.scalar(select(Product).where(Product.name == "Comté 18 mois"))
    assert comte is not None
    detail = get_public_product(db, comte.id)
    assert detail.effective_price_cents == 2490 and detail.description
    for hidden in ("Fromage blanc retiré", "Fromage de la boutique en attente"):
        product = db.scalar(select(Product).where(Product.name == hidden))
        assert product is not None
        with pytest.raises(NotFound):
            get_public_product(db, product.id)


def test_categories_count_public_products(db: Session, catalogue: dict[str, Shop]) -> None:
    counts = {c.slug: c.product_count for c in list_categories(db)}
    assert counts == {"boulangerie": 4, "epicerie": 2, "fromagerie": 4}


# --- shop pages ---------------------------------------------------------------------------

TUESDAY_10H = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)  # a Tuesday
SUNDAY_10H = datetime(2026, 12, 6, 10, 0, tzinfo=PARIS)


def book_pickup(db: Session, shop: Shop, start: datetime, status: VendorOrderStatus) -> None:
    shopper = create_user(db)
    order = Order(
        shopper_id=shopper.id, status=OrderStatus.processing, billing_name="C. Test",
        billing_line1="1 rue Haute", billing_postal_code="69001", billing_city="Lyon",
        shopper_email=shopper.email,
    )  # fmt: skip
    db.add(order)
    db.flush()
    db.add(
        VendorOrder(
            order_id=order.id, shop_id=shop.id, status=status, delivery_kind=DeliveryKind.pickup,
            delivery_label="Retrait en boutique", pickup_slot_start=start,
            pickup_slot_end=start + timedelta(hours=1),
        )
    )  # fmt: skip
    db.flush()


def test_shop_page_open_now_and_next_opening(db: Session) -> None:
    shop = create_shop(db, slug="chez-paul", description="Épicerie fine.")
    db.commit()
    open_page = public_shop_page(db, "chez-paul", TUESDAY_10H)
    assert open_page.open_now and open_page.next_opening == TUESDAY_10H
    assert open_page.opening_hours[0].day == "lundi"
    assert open_page.opening_hours[0].hours == "9\u00a0h\u00a000 – 19\u00a0h\u00a000"
    assert open_page.opening_hours[6].hours == "fermé"
    sunday = public_shop_page(db, "chez-paul", SUNDAY_10H)
    assert not sunday.open_now
    assert sunday.next_opening == datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)
    # An exceptional closure on Monday pushes the next opening to Tuesday.
    db.add(ShopClosure(shop_id=shop.id, start_date=date(2026, 12, 7), end_date=date(2026, 12, 7),
                       reason="Inventaire"))  # fmt: skip
    db.add(ShopClosure(shop_id=shop.id, start_date=date(2026, 1, 1), end_date=date(2026, 1, 2)))
    db.commit()
    closed = public_shop_page(db, "chez-paul", SUNDAY_10H)
    assert closed.next_opening == datetime(2026, 12, 8, 9, 0, tzinfo=PARIS)
    assert [(c.start_date, c.reason) for c in closed.upcoming_closures] == [
        (date(2026, 12, 7), "Inventaire")
    ]


def test_shop_page_slots_count_bookings_and_modes(db: Session) -> None:
    shop = create_shop(db, slug="slots", with_slots=True)
    eleven = datetime(2026, 12, 1, 11, 0, tzinfo=PARIS)
    book_pickup(db, shop, eleven.astimezone(UTC), VendorOrderStatus.confirmed)
    book_pickup(db, shop, eleven, VendorOrderStatus.preparing)
    book_pickup(db, shop, eleven, VendorOrderStatus.cancelled)  # frees its place
    shipping = db.scalar(
        select(DeliveryMode).where(
            DeliveryMode.shop_id == shop.id, DeliveryMode.kind == DeliveryKind.shipping
        )
    )
    assert shipping is not None
    shipping.active = False
    db.commit()
    page = public_shop_page(db, "slots", TUESDAY_10H)
    # Lead time of one hour: the first slot is 11:00; 10:00–18:00 by the hour, Mon–Sat.
    assert page.pickup_slots[0].start == eleven
    assert (page.pickup_slots[0].capacity, page.pickup_slots[0].remaining) == (3, 1)
    assert page.pickup_slots[1].remaining == 3
    assert all(s.start.weekday() != 6 for s in page.pickup_slots)
    assert page.pickup_slots[-1].start < TUESDAY_10H + timedelta(days=7)
    assert [(m.kind, m.price_cents, m.free_above_cents) for m in page.delivery_modes] == [
        (DeliveryKind.pickup, 0, None),
        (DeliveryKind.local_delivery, 490, 5000),
    ]
    assert page.delivery_modes[1].kind_label == "Livraison locale"
    assert page.return_policy.startswith("Retours acceptés")


def test_shop_page_without_pickup_has_no_slots(db: Session) -> None:
    shop = create_shop(db, slug="sans-retrait", with_slots=True)
    for mode in db.scalars(select(DeliveryMode).where(DeliveryMode.shop_id == shop.id)):
        mode.active = mode.kind != DeliveryKind.pickup
    db.commit()
    assert public_shop_page(db, "sans-retrait", TUESDAY_10H).pickup_slots == []


def test_unapproved_or_unknown_shop_page_is_not_found(db: Session) -> None:
    create_shop(db, slug="pas-encore", status=ShopStatus.pending)
    db.commit()
    for slug in ("pas-encore", "inconnue"):
        with pytest.raises(NotFound):
            public_shop_page(db, slug, TUESDAY_10H)


def test_shop_list_says_which_are_open(db: Session) -> None:
    create_shop(db, slug="b-ouverte", name="B ouverte", city="Villeurbanne")
    night = create_shop(db, slug="a-nuit", name="A de nuit")
    for hours in db.scalars(select(OpeningHours).where(OpeningHours.shop_id == night.id)):
        hours.opens, hours.closes = time(20), time(23)
    create_shop(db, slug="c-attente", name="C attente", status=ShopStatus.pending)
    db.commit()
    cards = list_public_shops(db, TUESDAY_10H)
    assert [(c.slug, c.open_now) for c in cards] == [("a-nuit", False), ("b-ouverte", True)]
    assert cards[1].city == "Villeurbanne" and cards[1].trade == "epicerie"


def test_most_words_query_keeps_only_words_and_drops_one_at_a_time() -> None:
    from comptoir.services.catalogue import _most_words_of, _query_words

    def _most_words_query(q: str) -> str | None:  # the query's words, none corrected
        return _most_words_of([[w] for w in _query_words(q)])

    assert _most_words_query("vin blanc sec") == "(vin & blanc) | (vin & sec) | (blanc & sec)"
    assert _most_words_query("fromge de chevre") == "(fromge & de) | (fromge & chevre) | (de & chevre)"
    assert _most_words_query("croisant") is None
    # tsquery operators, quotes and prefixes never reach to_tsquery.
    assert _most_words_query("vin & !blanc | (sec):* 'x'") == (
        "(vin & blanc) | (vin & sec) | (blanc & sec)"
    )
    assert _most_words_query("a b c d e f g h") is None  # one-letter words drop out
    six = _most_words_query("un deux trois quatre cinq six")  # the first five words count
    assert six is not None and six.count("|") == 4 and "six" not in six


def test_most_words_fallback_finds_what_matches_all_words_but_one(
    db: Session, catalogue: dict[str, Shop]
) -> None:
    found = names(search(db, "fromage chèvre affiné"))  # nothing has all three
    assert found[0] == "Fromage de chèvre frais"
    assert "Comté 18 mois" not in found  # one word of three is not enough


def test_typo_searches_twice_in_one_transaction(db: Session, catalogue: dict[str, Shop]) -> None:
    # Each search of a transaction sets up its own fallback (threshold, corrections).
    assert names(search(db, "croisant"))[0] == "Croissant au beurre"
    assert names(search(db, "baguete"))[0] == "Baguette tradition"
    assert search(db, "baguete", shop="le-fournil").total >= 1
    db.commit()
    assert names(search(db, "eclaire"))[0] == "Éclair au chocolat"
