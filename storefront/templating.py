"""Rendering of pages: the Jinja2 environment, flash messages and the response headers."""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from comptoir.domain import labels, money
from comptoir.settings import get_settings
from storefront import i18n
from storefront.deps import ANON_CSRF_COOKIE, Visitor

TEMPLATES_DIR = Path(__file__).parent / "templates"
FLASH_COOKIE = "comptoir_flash"
COOKIE_NOTICE_COOKIE = "comptoir_cookies"
FLASH_KINDS = ("success", "error", "info", "warning")
log = logging.getLogger("comptoir.storefront")

# Extra values some pages add to every render (e.g. the cart badge); registered by the
# modules that own them so this one stays independent of the services.
R = TypeVar("R", bound=Response)
ContextHook = Callable[[Request, Visitor], dict[str, Any]]
_context_hooks: list[ContextHook] = []


def add_context_hook(hook: ContextHook) -> None:
    """Register a function whose dict is merged into every page's context."""
    if hook not in _context_hooks:
        _context_hooks.append(hook)


def _initial(name: str) -> str:
    """First letter of a name, for the coloured placeholder tiles of shops and products."""
    stripped = name.strip()
    return stripped[:1].upper() if stripped else "?"


def _groupby_day(slots: Iterable[Any]) -> list[tuple[str, list[Any]]]:
    """Pickup slots (sorted by start) grouped by their Paris day, each day's French label first."""
    days: dict[str, list[Any]] = {}
    for slot in slots:
        days.setdefault(labels.format_date_fr(slot.start), []).append(slot)
    return list(days.items())


def _tone(value: object) -> int:
    """A stable 0–5 colour index for a name or id (same shop → same tile colour)."""
    return zlib.crc32(str(value).encode()) % 6


@lru_cache
def environment() -> Environment:
    """The storefront's Jinja2 environment, with gettext and the French formatting filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        eur=i18n.format_amount,
        rate=money.format_rate,
        date_fr=labels.format_date_fr,
        datetime_fr=i18n.format_datetime,
        time_fr=i18n.format_time,
        hour_fr=i18n.format_hour,
        de=labels.de_name,
        a=labels.a_name,
        order_status=labels.order_status_label,
        vendor_status=labels.vendor_order_status_label,
        delivery_kind=labels.delivery_kind_label,
        initial=_initial,
        tone=_tone,
        groupby_day=_groupby_day,
    )
    env.globals["lang"] = i18n.DEFAULT_LOCALE
    return env


# ---- flash messages: one signed cookie, read and cleared by the next page ----------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="comptoir-flash")


def flash(response: Response, message: str, kind: str = "success") -> Response:
    """Show `message` on the next page this browser renders."""
    kind = kind if kind in FLASH_KINDS else "info"
    response.set_cookie(
        FLASH_COOKIE,
        _serializer().dumps([[kind, message]]),
        max_age=300,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(),
        path="/",
    )
    return response


def _read_flashes(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        items = _serializer().loads(raw)
    except BadSignature:
        return []
    return [(str(kind), str(text)) for kind, text in items if kind in FLASH_KINDS]


def redirect(url: str, message: str | None = None, kind: str = "success") -> RedirectResponse:
    """A 303 redirect (after a form), optionally with a flash message for the next page."""
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, message, kind)
    return response


# ---- headers -------------------------------------------------------------------------


def secure_cookies() -> bool:
    return get_settings().public_url.startswith("https://")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@lru_cache
def content_security_policy() -> str:
    """Only our own files, plus Stripe.js (and what it calls) on the payment page."""
    stripe = _origin(get_settings().stripe_js_url)
    script = f"'self' {stripe}".strip()
    connect = f"'self' {stripe}".strip()
    # Stripe's hosted library posts card data to its API host, not to the script's host.
    if stripe == "https://js.stripe.com":
        connect += " https://api.stripe.com"
    frame = stripe or "'none'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            f"connect-src {connect}",
            f"frame-src {frame}",
            "img-src 'self' data:",
            "style-src 'self' 'unsafe-inline'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def secure_headers(response: R, private: bool) -> R:
    """Headers every page carries; pages of a logged-in user are never cached."""
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with the layout's shared context (visitor, CSRF token, flashes…)."""
    visitor: Visitor = getattr(request.state, "visitor", None) or Visitor(user=None, csrf_token="")
    settings = get_settings()
    values: dict[str, Any] = {
        "request": request,
        "visitor": visitor,
        "user": visitor.user,
        "csrf_token": visitor.csrf_token,
        "flashes": _read_flashes(request),
        "show_cookie_notice": COOKIE_NOTICE_COOKIE not in request.cookies,
        "current_path": request.url.path,
        "stripe_js_url": settings.stripe_js_url,
        "stripe_publishable_key": settings.stripe_publishable_key,
        "cart_count": 0,
        "pending_shop": None,
        "page_query": request.query_params.get("q", ""),
    }
    for hook in _context_hooks:
        try:
            values.update(hook(request, visitor))
        except Exception:  # a badge must never take a page down
            log.exception("page context hook %s failed", getattr(hook, "__name__", hook))
    values.update(context or {})
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    if values["flashes"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    if visitor.issue_csrf_cookie:
        response.set_cookie(
            ANON_CSRF_COOKIE,
            visitor.csrf_token,
            httponly=True,
            samesite="lax",
            secure=secure_cookies(),
            path="/",
        )
    return secure_headers(response, private=visitor.user is not None)


def json_download(payload: Any, filename: str) -> Response:
    """A JSON file to save (personal-data export)."""
    body = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
