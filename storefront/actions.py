"""Pages that change an order do it through the order workflow (Temporal updates).

`comptoir.orders.gateway` holds one async function per step; each validates the step
in the workflow and raises `Conflict` (a French sentence) when it is not allowed now, or
`ServiceUnavailable` when Temporal does not answer. Pages check ownership first (with
`comptoir.services.scoping`), then call `perform` from their sync handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request

from comptoir.errors import DomainError
from comptoir.web.deps import send_to_workflow
from storefront.templating import redirect

log = logging.getLogger("comptoir.storefront.actions")


Step = Callable[..., Coroutine[Any, Any, Any]]


def perform(request: Request, step: Step, **arguments: Any) -> Any:
    """Run one order step (`step(client, **arguments)`, a gateway function); its result."""
    return send_to_workflow(request, step, **arguments)


def perform_and_redirect(
    request: Request, back_to: str, done_message: str, step: Step, **arguments: Any
) -> Any:
    """Run a step, then go back to `back_to` with `done_message`, or with the refusal's reason."""
    try:
        perform(request, step, **arguments)
    except DomainError as exc:
        return redirect(back_to, exc.message, "error")
    return redirect(back_to, done_message)
