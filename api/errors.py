"""Every error leaves as JSON `{"error": code, "message": text}` with the right status."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.validation_fr import french_message
from comptoir.errors import DomainError
from storefront.errors import is_page_request, page_error_response

log = logging.getLogger("comptoir.api")

HTTP_MESSAGES = {
    401: "Vous devez être connecté.",
    403: "Vous n'avez pas accès à cette ressource.",
    404: "Ressource introuvable.",
    405: "Méthode non autorisée pour cette adresse.",
    413: "Requête trop volumineuse.",
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON body of an error."""
    return {"error": code, "message": message, **extra}


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header")]
    return ".".join(parts) or "requête"


def validation_messages(exc: RequestValidationError) -> list[dict[str, str]]:
    """Readable per-field problems of a rejected request."""
    problems = []
    for err in exc.errors():
        field = _field_path(tuple(err.get("loc", ())))
        text = french_message(field, err)
        problems.append({"field": field, "message": text})
    return problems


def _data_error(exc: DataError) -> tuple[int, str, str]:
    if isinstance(exc.orig, psycopg.errors.NumericValueOutOfRange):
        return 404, "not_found", "Introuvable : ce numéro ne correspond à rien."
    return 422, "invalid", "Une valeur envoyée est hors des limites acceptées (trop grande ou trop longue)."


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a clear JSON error."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if is_page_request(request):
            return page_error_response(request, exc.status_code, exc.message)
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = validation_messages(exc)
        message = "Requête invalide : " + " ; ".join(p["message"] for p in problems)
        if is_page_request(request):
            return page_error_response(request, 422, message)
        return JSONResponse(error_body("invalid", message, problems=problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in (
            "Not Found", "Method Not Allowed", "Unauthorized", "Forbidden"
        ) else HTTP_MESSAGES.get(exc.status_code, "Requête refusée.")
        if is_page_request(request):
            return page_error_response(request, exc.status_code, detail)
        return JSONResponse(
            error_body(f"http_{exc.status_code}", detail),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(DataError)
    async def value_out_of_bounds(request: Request, exc: DataError) -> Response:
        # A value the database cannot hold (an id past 2^31, a string past its column) names
        # nothing that exists: the caller's input is at fault, never the server.
        status, code, message = _data_error(exc)
        log.info("refused %s %s: %s", request.method, request.url.path, type(exc.orig).__name__)
        if is_page_request(request):
            return page_error_response(request, status, message)
        return JSONResponse(error_body(code, message), status_code=status)

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, exc: OperationalError) -> Response:
        # PostgreSQL unreachable, restarting, or a deadlock/serialization loss: the request
        # can be tried again; nothing was committed.
        log.warning("database unavailable for %s %s: %s", request.method, request.url.path,
                    type(exc.orig).__name__)
        message = "Le service est momentanément indisponible ; réessayez dans un instant."
        if is_page_request(request):
            return page_error_response(request, 503, message)
        return JSONResponse(
            error_body("service_unavailable", message), status_code=503, headers={"Retry-After": "5"}
        )

    @app.exception_handler(PoolTimeout)
    async def database_saturated(request: Request, exc: PoolTimeout) -> Response:
        log.warning("no database connection free for %s %s", request.method, request.url.path)
        message = "La plateforme est très sollicitée ; réessayez dans un instant."
        if is_page_request(request):
            return page_error_response(request, 503, message)
        return JSONResponse(error_body("busy", message), status_code=503, headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if is_page_request(request):
            return page_error_response(request, 500, "")
        return JSONResponse(
            error_body("internal", "Une erreur inattendue est survenue ; réessayez plus tard."),
            status_code=500,
        )
