"""The FastAPI application: JSON API under /api, storefront pages at the root."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

import storefront.router
from api.cache_control import NoStoreForPersonalData
from api.errors import install_error_handlers
from api.routes import (
    accounts,
    auth,
    cart,
    catalogue,
    health,
    merchant_orders,
    merchant_shop,
    operator_orders,
    operator_shops,
    order_reads,
    orders,
    payments,
    webhooks,
)
from comptoir.settings import get_settings

log = logging.getLogger("comptoir.api")

# Each area's module exposes `router`; add it here (import and list) when adding an area.
ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    catalogue.router,
    payments.router,
    webhooks.router,
    accounts.router,
    merchant_shop.router,
    operator_shops.router,
    cart.router,
    orders.router,
    merchant_orders.router,
    operator_orders.router,
    order_reads.router,
    storefront.router.router,
]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Connect to Temporal at start-up when it is there; routes connect lazily otherwise."""
    from comptoir.temporal import connect

    try:
        app.state.temporal = await connect()
    except Exception as exc:  # the API still serves catalogue and accounts
        log.warning("Temporal not reachable at start-up (%s); will retry on first use", exc)
        app.state.temporal = None
    yield


class QueryStringRedactor(logging.Filter):
    """Drop query strings from uvicorn's access log: they may carry secrets (the e-mailed
    password-reset link's token), and a path is all an access log needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def _redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QueryStringRedactor) for f in access.filters):
        access.addFilter(QueryStringRedactor())


def create_app() -> FastAPI:
    """Build the app with every router and the error handlers."""
    _redact_access_log()
    app = FastAPI(
        title="Comptoir",
        description="Commandes multi-boutiques pour les commerçants d'une collectivité.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(NoStoreForPersonalData)
    for router in ROUTERS:
        app.include_router(router)
    if get_settings().environment != "production":
        app.include_router(storefront.router.test_card_router)
    storefront.router.mount_static(app)
    return app


app = create_app()
