"""Request dependencies of the JSON API, as `Annotated` aliases so handlers read like sentences.

They build on `comptoir.web.deps` (the database session, Temporal client and event-loop
dependencies shared with the storefront), which route modules import directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from comptoir.errors import Forbidden, Unauthorized
from comptoir.models import LoginSession, Role, User
from comptoir.security import tokens_equal
from comptoir.services.sessions import SESSION_COOKIE, resolve_session
from comptoir.web.deps import SessionDep

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def request_token(request: Request) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie (which then needs CSRF)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else (None, False)


def get_login(request: Request, db: SessionDep) -> tuple[LoginSession, User] | None:
    """The caller's session and user, or None for an anonymous caller."""
    token, from_cookie = request_token(request)
    if not token:
        return None
    found = resolve_session(db, token)
    if found is None:
        return None
    if from_cookie and request.method in UNSAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not sent or not tokens_equal(sent, found[0].csrf_token):
            raise Forbidden("Jeton CSRF manquant ou invalide ; rechargez la page.", code="csrf")
    request.state.user = found[1]
    return found


LoginDep = Annotated[tuple[LoginSession, User] | None, Depends(get_login)]


def get_optional_user(login: LoginDep) -> User | None:
    """The caller, or None."""
    return login[1] if login else None


def get_current_user(login: LoginDep) -> User:
    """The caller; 401 when anonymous."""
    if login is None:
        raise Unauthorized("Vous devez être connecté pour faire cela.")
    return login[1]


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only these roles through (403 otherwise)."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            labels = {Role.shopper: "client", Role.merchant: "vendeur", Role.operator: "opérateur"}
            wanted = " ou ".join(labels[r] for r in roles)
            raise Forbidden(f"Cette action est réservée aux comptes {wanted}.")
        return user

    return check


ShopperUser = Annotated[User, Depends(require_role(Role.shopper))]
MerchantUser = Annotated[User, Depends(require_role(Role.merchant))]
OperatorUser = Annotated[User, Depends(require_role(Role.operator))]
