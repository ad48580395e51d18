"""SQL injection and huge inputs on the product search (`GET /api/products/search`) and on the
other public reads taking text: answers are 200 or 422, never a 5xx, and never show what is
not public (a pending or suspended shop's products, a withdrawn product)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import Product, ShopStatus, User
from tests.factories import create_product, create_shop

pytestmark = pytest.mark.timeout(60)

SEARCH = "/api/products/search"
INJECTIONS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "confiture' OR shops.status <> 'approved' --",
    "'; DROP TABLE products; --",
    "1; SELECT pg_sleep(5)--",
    "') UNION SELECT id, email, password_hash FROM users --",
    "%",
    "%%",
    "_",
    "\\",
    "\\'",
    "*",
    "!&|():*",
    "confiture & !",
    "<->",
    "confiture:*",
    "$$",
    "${jndi:ldap://x}",
    "\x00",
    "confi\x00ture",
    "\u202e\u0000\ufeff",
    "😀" * 50,
    "é" * 300,
    " ",
    "",
]
HUGE = ["a" * 1_000, "confiture " * 1_000, "x" * 60_000]
SECRET_NAMES = ("Confiture cachée", "Confiture suspendue", "Confiture retirée")
LEAK_MARKERS = ("psycopg", "sqlalchemy", "Traceback", "syntax error", "password_hash", "$argon2")


@pytest.fixture(scope="module")
def catalogue(module_db: Session) -> dict[str, Any]:
    """Public jams, and jams nobody may see: in a pending shop, a suspended one, or withdrawn."""
    db = module_db
    public_shop = create_shop(db)
    public = [
        create_product(db, public_shop, name="Confiture de fraises"),
        create_product(db, public_shop, name="Confiture d'abricots"),
    ]
    create_product(db, public_shop, name="Confiture retirée", active=False)
    create_product(db, create_shop(db, status=ShopStatus.pending), name="Confiture cachée")
    create_product(db, create_shop(db, status=ShopStatus.suspended), name="Confiture suspendue")
    db.commit()
    return {
        "public_ids": {p.id for p in public},
        "product_count": _count(db, Product),
        "user_count": _count(db, User),
    }


def _count(db: Session, model: type[Any]) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def _check(response: Any, catalogue: dict[str, Any]) -> None:
    assert response.status_code in (200, 422), (response.status_code, response.text[:300])
    text = response.text
    for name in SECRET_NAMES + LEAK_MARKERS:
        assert name not in text, f"{name!r} leaked: {text[:300]}"
    if response.status_code == 200:
        body = response.json()
        ids = {item["id"] for item in body["items"]}
        assert ids <= catalogue["public_ids"], body
        assert body["total"] <= len(catalogue["public_ids"])


@pytest.mark.parametrize("q", INJECTIONS + HUGE, ids=lambda q: repr(q[:30]))
def test_search_text_probes(
    module_client: TestClient, module_db: Session, catalogue: dict[str, Any], q: str
) -> None:
    _check(module_client.get(SEARCH, params={"q": q}), catalogue)
    assert _count(module_db, Product) == catalogue["product_count"]


@pytest.mark.parametrize("name", ["shop", "category", "sort"])
@pytest.mark.parametrize(
    "value", INJECTIONS[:8] + ["\x00", "x" * 10_000], ids=lambda v: repr(v[:20])
)
def test_search_filter_probes(
    module_client: TestClient, catalogue: dict[str, Any], name: str, value: str
) -> None:
    _check(module_client.get(SEARCH, params={"q": "confiture", name: value}), catalogue)


@pytest.mark.parametrize(
    "params",
    [
        {"min_price": 2**63},
        {"max_price": 10**30},
        {"min_price": -1},
        {"min_price": 500, "max_price": 1},
        {"page": 0},
        {"page": 2**31},
        {"page": 10**20},
        {"page_size": 0},
        {"page_size": 10**9},
        {"page": 40_000, "page_size": 48},
        {"in_stock": "' OR 1=1"},
        {"q": "confiture", "page": -5},
    ],
    ids=str,
)
def test_search_number_probes(
    module_client: TestClient, catalogue: dict[str, Any], params: dict[str, Any]
) -> None:
    _check(module_client.get(SEARCH, params=params), catalogue)


def test_injection_finds_no_more_than_the_plain_word(
    module_client: TestClient, catalogue: dict[str, Any]
) -> None:
    """A tautology glued to a word matches at most what the word matches (both public jams)."""
    plain = module_client.get(SEARCH, params={"q": "confiture"}).json()
    assert {item["id"] for item in plain["items"]} == catalogue["public_ids"]
    for probe in ("confiture' OR '1'='1", "confiture') OR TRUE --"):
        response = module_client.get(SEARCH, params={"q": probe})
        _check(response, catalogue)


@pytest.mark.parametrize(
    "path",
    [
        "/api/shops/' OR 1=1 --",
        "/api/shops/%00",
        "/api/shops/" + "x" * 5_000,
        "/boutiques/' OR 1=1 --",
        "/boutiques/%00",
        "/recherche?q=%27%20OR%201%3D1%20--",
        "/recherche?q=%00",
        "/recherche?q=" + "y" * 60_000,
    ],
    ids=lambda p: repr(p[:40]),
)
def test_other_public_text_inputs(
    module_client: TestClient, catalogue: dict[str, Any], path: str
) -> None:
    """Shop pages and the search page: an unknown or refused input, never a 5xx or a leak."""
    response = module_client.get(path)
    assert response.status_code in (200, 404, 422), (response.status_code, response.text[:300])
    for name in SECRET_NAMES + LEAK_MARKERS:
        assert name not in response.text


def test_users_table_untouched(module_db: Session, catalogue: dict[str, Any]) -> None:
    """After every probe above, the accounts and products are still all there."""
    assert _count(module_db, User) == catalogue["user_count"] > 0
    assert _count(module_db, Product) == catalogue["product_count"] > 0
