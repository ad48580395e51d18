"""Request dependencies, as `Annotated` aliases so handlers read like sentences."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any, TypeVar

import anyio.from_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from temporalio.client import Client

from comptoir.db import get_sessionmaker
from comptoir.errors import Forbidden, ServiceUnavailable, Unauthorized
from comptoir.models import LoginSession, Role, User
from comptoir.security import tokens_equal
from comptoir.services.sessions import SESSION_COOKIE, resolve_session

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
T = TypeVar("T")


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; the request boundary commits (or rolls back on error)."""
    db = get_sessionmaker()()
    request.state.db = db
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


# scope="function": the commit happens when the handler returns, before the response is
# sent, so a client always reads its own writes and never gets a success whose commit failed.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def release_connection(request: Request) -> None:
    """Commit what the request did so far and give its connection back to the pool.

    Called before waiting on Temporal: a request waiting for a workflow update must not hold
    one of the pool's connections for that long (the session reconnects if used again).
    """
    db: Session | None = getattr(request.state, "db", None)
    if db is not None:
        db.commit()


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


def get_temporal(request: Request) -> Client:
    """The app's Temporal client (connected at start-up, or lazily on first use)."""
    client: Client | None = getattr(request.app.state, "temporal", None)
    if client is None:
        from comptoir.temporal import connect

        try:
            client = run_async(connect)
        except Exception as exc:
            raise ServiceUnavailable(
                "Le moteur de commandes est momentanément indisponible ; réessayez dans un instant."
            ) from exc
        request.app.state.temporal = client
    return client


TemporalDep = Annotated[Client, Depends(get_temporal)]


def run_async(fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run a coroutine function on the app's event loop from a sync handler."""
    return anyio.from_thread.run(fn, *args)


def send_to_workflow(
    request: Request, order_action: Callable[..., Coroutine[Any, Any, T]], /, **kwargs: Any
) -> T:
    """Call a `comptoir.orders.gateway` function with the app's Temporal client."""
    client = get_temporal(request)
    release_connection(request)
    call: Callable[[], Coroutine[Any, Any, T]] = functools.partial(order_action, client, **kwargs)
    return anyio.from_thread.run(call)
