"""Pages that change an order do it through the order workflow (Temporal updates).

`comptoir.services.order_actions` holds one async function per step; each validates the step
in the workflow and raises `Conflict` (a French sentence) when it is not allowed now, or
`ServiceUnavailable` when Temporal does not answer. Pages check ownership first (with
`order_views`), then call `perform` from their sync handler.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request

from api.deps import get_temporal, run_async
from comptoir.errors import DomainError, ServiceUnavailable
from storefront.i18n import _
from storefront.templating import redirect

log = logging.getLogger("comptoir.storefront.actions")


def _step(name: str) -> Callable[..., Coroutine[Any, Any, Any]]:
    try:
        module = importlib.import_module("comptoir.services.order_actions")
    except ImportError as exc:  # lands with the workflow updates; until then, say so plainly
        raise ServiceUnavailable(
            _("Cette action n'est pas encore disponible ; réessayez plus tard.")
        ) from exc
    step: Callable[..., Coroutine[Any, Any, Any]] = getattr(module, name)
    return step


def perform(request: Request, step: str, **arguments: Any) -> Any:
    """Run one order step (`order_actions.<step>(client, **arguments)`) and return its result."""
    function = _step(step)
    client = get_temporal(request)
    return run_async(functools.partial(function, client, **arguments))


def perform_and_redirect(
    request: Request, back_to: str, done_message: str, step: str, **arguments: Any
) -> Any:
    """Run a step, then go back to `back_to` with `done_message`, or with the refusal's reason."""
    try:
        perform(request, step, **arguments)
    except DomainError as exc:
        return redirect(back_to, exc.message, "error")
    return redirect(back_to, done_message)
