"""Inputs and outputs of workflows, signals, updates and activities (stdlib dataclasses only).

One dataclass per call so fields can be added without breaking recorded histories:
add new fields with defaults, never remove or rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

ORDER_WORKFLOW = "OrderWorkflow"
PAYMENT_EVENT_SIGNAL = "payment_event"


def order_workflow_id(order_id: int) -> str:
    """Workflow id of an order: `order-<id>`."""
    return f"order-{order_id}"


@dataclass
class PaymentEvent:
    """A verified Stripe webhook about the order's PaymentIntent (deduplicated by event_id)."""

    event_id: str
    payment_intent_id: str
    succeeded: bool
    failure_message: str = ""
