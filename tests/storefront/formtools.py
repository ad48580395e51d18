"""Helpers for storefront page tests: read a form's CSRF token, log in through the form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

from comptoir.models import User
from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(response: Response) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(response.text)
    assert found, "no form with a CSRF token on this page"
    return found.group(1)


def page_csrf(client: TestClient, path: str = "/connexion") -> str:
    """The CSRF token forms carry for this browser right now."""
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    return csrf_of(response)


def post_form(
    client: TestClient, path: str, data: dict[str, str] | None = None, page: str | None = None
) -> Response:
    """Post a form the way a browser does: with the token of the page it sits on."""
    token = page_csrf(client, page or "/cookies")
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


def browser_login(client: TestClient, user: User, password: str = PASSWORD) -> None:
    """Log `user` in through the login page (the session cookie stays in the client)."""
    response = post_form(
        client, "/connexion", {"email": user.email, "password": password}, page="/connexion"
    )
    assert response.status_code == 303, response.text[:500]
