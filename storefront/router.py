"""The storefront's pages as one router (listed in `api.main.ROUTERS`), and its files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from storefront.pages import (
    account,
    cart,
    catalogue,
    cookies,
    legal,
    media,
    merchant,
    merchant_catalogue,
    merchant_payouts,
    merchant_settings,
    orders,
    support,
)

STATIC_DIR = Path(__file__).parent / "static"

# One module per area of the site; each exposes `router`.
PAGES: list[APIRouter] = [
    account.router,
    cookies.router,
    catalogue.router,
    cart.router,
    orders.router,
    merchant.router,
    merchant_catalogue.router,
    merchant_payouts.router,
    merchant_settings.router,
    support.router,
    media.router,
    legal.router,
]

router = APIRouter(include_in_schema=False)
# Registered by api.main only outside production: the demo and tests pay with test cards.
test_card_router = APIRouter(include_in_schema=False)
test_card_router.include_router(orders.test_card_router)
for _page in PAGES:
    router.include_router(_page)


def mount_static(app: FastAPI) -> None:
    """Serve CSS, scripts and images from /static (nothing comes from a CDN)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
