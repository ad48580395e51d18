"""The cookie notice: only strictly necessary cookies, explained and acknowledged."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from storefront.deps import Form, VisitorDep, safe_next, text
from storefront.templating import COOKIE_NOTICE_COOKIE, redirect, render, secure_cookies

router = APIRouter()

# Remembering that the notice was read is itself strictly necessary (no consent needed).
NOTICE_MAX_AGE = 180 * 24 * 3600


@router.get("/cookies")
def cookies_page(request: Request, visitor: VisitorDep) -> Response:
    """What each cookie is for, and the rights over personal data."""
    return render(request, "cookies.html")


@router.post("/cookies")
def acknowledge(form: Form) -> Response:
    """Hide the notice from now on, and go back to the page it was on."""
    response = redirect(safe_next(text(form, "next", 500)))
    response.set_cookie(
        COOKIE_NOTICE_COOKIE,
        "vu",
        max_age=NOTICE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(),
        path="/",
    )
    return response
