"""The storefront's pages as one router (listed in `api.main.ROUTER_MODULES`), and its files."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"

# One module per area of the site; each exposes `router`.
PAGE_MODULES = [
    "storefront.pages.account",
    "storefront.pages.cookies",
    "storefront.pages.catalogue",
    "storefront.pages.cart",
    "storefront.pages.orders",
    "storefront.pages.merchant",
    "storefront.pages.merchant_catalogue",
    "storefront.pages.merchant_payouts",
    "storefront.pages.merchant_settings",
    "storefront.pages.support",
]

router = APIRouter(include_in_schema=False)
for _name in PAGE_MODULES:
    router.include_router(importlib.import_module(_name).router)


def mount_static(app: FastAPI) -> None:
    """Serve CSS, scripts and images from /static (nothing comes from a CDN)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
