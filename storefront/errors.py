"""Errors on storefront paths become a friendly French page (the API keeps its JSON)."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import Response

from comptoir.db import get_sessionmaker
from storefront.deps import identify, login_url, safe_next
from storefront.i18n import _
from storefront.templating import redirect, render

log = logging.getLogger("comptoir.storefront")

# Paths that answer JSON or files: their errors stay in the API's format.
NON_PAGE_PREFIXES = (
    "/api/",
    "/static/",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/healthz",
    "/webhooks",
)


def is_page_request(request: Request) -> bool:
    """Whether an error on this request should be shown as an HTML page."""
    path = request.url.path
    return path != "/api" and not path.startswith(NON_PAGE_PREFIXES)


def _titles() -> dict[int, str]:
    return {
        400: _("Demande incorrecte"),
        403: _("Accès refusé"),
        404: _("Page introuvable"),
        405: _("Action impossible ici"),
        409: _("Action impossible pour le moment"),
        413: _("Fichier trop volumineux"),
        422: _("Formulaire incomplet"),
        429: _("Trop de tentatives"),
        503: _("Service momentanément indisponible"),
    }


def _ensure_visitor(request: Request) -> None:
    """Know who is visiting even when the error happened before any page dependency ran."""
    if getattr(request.state, "visitor", None) is not None:
        return
    try:
        with get_sessionmaker()() as db:
            identify(request, db)
            request.state.db = None  # that session closes now; badges are skipped
    except Exception:  # the database may be the very thing that failed
        log.warning("could not identify the visitor of an error page", exc_info=True)


def page_error_response(request: Request, status_code: int, message: str) -> Response:
    """The HTML answer to an error: a login redirect for 401, a French page otherwise."""
    if status_code == 401:
        back = (
            request.url.path
            if request.method == "GET"
            else safe_next(
                request.headers.get("referer", "").partition(str(request.base_url).rstrip("/"))[2]
            )
        )
        if request.url.query and request.method == "GET":
            back += "?" + request.url.query
        return redirect(login_url(back), _("Connectez-vous pour continuer."), "info")
    _ensure_visitor(request)
    # The request's session was rolled back and closed by now: a badge querying it would
    # open a transaction nobody ends. Error pages go without badges.
    request.state.db = None
    if status_code >= 500 and status_code != 503:
        title = _("Une erreur est survenue")
        message = _("Une erreur inattendue est survenue ; réessayez dans un instant.")
    else:
        title = _titles().get(status_code, _("Demande refusée"))
    return render(
        request,
        "error.html",
        {"status_code": status_code, "title": title, "message": message},
        status_code=status_code,
    )
