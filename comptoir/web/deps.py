"""Request dependencies shared by the JSON API and the storefront.

One database session per request (committed at the request boundary), the app's Temporal
client, running a coroutine from a sync handler, and the session cookie helpers.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any, TypeVar

import anyio.from_thread
from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session
from temporalio.client import Client

from comptoir.db import get_sessionmaker
from comptoir.errors import ServiceUnavailable
from comptoir.orders import gateway
from comptoir.services import sessions
from comptoir.settings import get_settings

log = logging.getLogger("comptoir.web")
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


def start_workflow_now(request: Request, order_id: int) -> bool:
    """Try to start the order's workflow; a failure leaves it `start_pending` for a later retry."""
    try:
        client = get_temporal(request)
        run_async(gateway.start_order, client, order_id)
    except Exception:
        log.warning(
            "workflow of order %s not started; it stays start_pending", order_id, exc_info=True
        )
        return False
    return True


def set_session_cookie(response: Response, issued: sessions.IssuedSession) -> None:
    """Put the session token in an HttpOnly, SameSite=Lax cookie (Secure over HTTPS)."""
    response.set_cookie(
        sessions.SESSION_COOKIE,
        issued.token,
        expires=issued.expires_at,
        httponly=True,
        samesite="lax",
        secure=get_settings().public_url.startswith("https://"),
        path="/",
    )


def client_ip(request: Request) -> str:
    """The caller's address (for login rate limiting)."""
    return request.client.host if request.client else ""
