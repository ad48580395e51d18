"""Placing an order: checkout (stock reserved), commit, then start the order's workflow.

The API and the storefront both place orders through `place_order`, so the order of these
three steps (the workflow must only ever see a committed order) is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from comptoir.models import Order, User
from comptoir.services import checkout, legal
from comptoir.services.checkout import CheckoutRequest


@dataclass
class PlacedOrder:
    order: Order
    # False when Temporal was away: the order stays `start_pending` and is started later.
    workflow_started: bool


def place_order(
    db: Session,
    shopper: User,
    request: CheckoutRequest,
    start: Callable[[int], bool],
    accepted_terms: bool = False,
) -> PlacedOrder:
    """Turn the shopper's cart into a committed order, then try to start its workflow.

    `start` runs `comptoir.orders.gateway.start_order` from the caller's thread and returns whether it started
    (see `comptoir.web.deps.start_workflow_now`); `accepted_terms` records the CGV accepted.
    """
    order = checkout.checkout(db, shopper, request)
    if accepted_terms:  # the shopper ticked the CGV of the cart's shops: recorded with it
        legal.record_acceptance(db, order, [choice.shop_id for choice in request.shops])
    db.commit()  # the workflow must only ever see a committed order
    return PlacedOrder(order=order, workflow_started=start(order.id))
