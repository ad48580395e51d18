"""The order contract: names, inputs and outputs of workflows, updates, signals, queries and
activities (stdlib dataclasses), shared by the workflows and everything that calls them.

One dataclass per call so fields can be added without breaking recorded histories:
add new fields with defaults, never remove or rename one. The names are in recorded
histories too: never change a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ORDER_WORKFLOW = "OrderWorkflow"
VENDOR_ORDER_WORKFLOW = "VendorOrderWorkflow"
OPERATOR_REFUND_WORKFLOW = "OperatorRefundWorkflow"
PAYMENT_EVENT_SIGNAL = "payment_event"
OPERATOR_ACTION_SIGNAL = "operator_action"
VENDOR_PROGRESS_SIGNAL = "vendor_order_progress"
STATE_QUERY = "state"

# Updates of the order's workflow (before payment).
CONFIRM_LINES = "confirm_lines"
CANCEL_ORDER = "cancel"
# Updates of a shop's part (after payment).
START_PREPARING = "start_preparing"
MARK_UNAVAILABLE = "mark_unavailable"
READY_FOR_PICKUP = "ready_for_pickup"
SHIP = "ship"
COMPLETE = "complete"
REQUEST_RETURN = "request_return"
ACCEPT_RETURN = "accept_return"
REFUSE_RETURN = "refuse_return"
CONFIRM_RECEIPT = "confirm_receipt"
CANCEL_NO_SHOW = "cancel_no_show"

# What an operator may tell a workflow through OPERATOR_ACTION_SIGNAL.
OPERATOR_ACTIONS = ("retry", "skip", "cancel")

# Search attributes (Keyword) every Temporal server of ours registers.
ORDER_ID_ATTRIBUTE = "OrderId"
ORDER_STAGE_ATTRIBUTE = "OrderStage"
NEEDS_ATTENTION = "needs_attention"


def order_workflow_id(order_id: int) -> str:
    """Workflow id of an order: `order-<id>`."""
    return f"order-{order_id}"


def vendor_order_workflow_id(vendor_order_id: int) -> str:
    """Workflow id of one shop's part of an order: `vendor-order-<id>`."""
    return f"vendor-order-{vendor_order_id}"


def operator_refund_workflow_id(refund_id: int) -> str:
    """Workflow id of an operator's refund outside the return flow: `operator-refund-<id>`."""
    return f"operator-refund-{refund_id}"


def order_id_of(workflow_id: str) -> int | None:
    """The order number of an `order-<id>` workflow id; None for any other workflow."""
    number = workflow_id.removeprefix("order-")
    return int(number) if number != workflow_id and number.isdigit() else None


@dataclass
class PaymentEvent:
    """A verified Stripe webhook about the order's PaymentIntent (deduplicated by event_id)."""

    event_id: str
    payment_intent_id: str
    succeeded: bool
    failure_message: str = ""


# --- configuration carried by the workflows -------------------------------------------------


@dataclass
class Timing:
    """Every delay of the lifecycle, fixed when the order starts (read from settings then)."""

    confirmation_deadline_seconds: float = 48 * 3600
    confirmation_reminder_seconds: float = 24 * 3600
    payment_deadline_seconds: float = 30 * 60
    # After a reservation is confirmed (maybe days later): the shopper's time to pay.
    payment_after_confirmation_seconds: float = 24 * 3600
    merchant_reminder_seconds: float = 24 * 3600
    merchant_escalation_seconds: float = 72 * 3600
    # A part ready in the shop: the shopper is reminded, then the part is flagged (no-show).
    pickup_reminder_seconds: float = 2 * 86400
    pickup_no_show_seconds: float = 4 * 86400
    # A part shipped or out for delivery completes by itself (received) after this delay.
    delivery_auto_complete_seconds: float = 7 * 86400
    return_window_days: int = 14
    return_window_kind: str = "working"
    activity_max_attempts: int = 5
    activity_initial_interval_seconds: float = 1.0
    activity_maximum_interval_seconds: float = 60.0
    activity_timeout_seconds: float = 60.0
    # Where invoice PDFs are rendered; empty: on the workflow's own task queue.
    documents_task_queue: str = ""


@dataclass
class OrderWorkflowInput:
    order_id: int
    timing: Timing = field(default_factory=Timing)


# --- what the workflows know about an order (read once by an activity) ----------------------


@dataclass
class LineInfo:
    line_id: int
    product_name: str
    quantity: int
    unit_price_cents: int
    requires_confirmation: bool
    status: str
    # Histories recorded before products could be non-returnable carry no such field.
    returnable: bool = True

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass
class VendorOrderInfo:
    vendor_order_id: int
    shop_id: int
    status: str
    delivery_kind: str
    delivery_cents: int
    lines: list[LineInfo]
    pickup_slot_start: datetime | None = None


@dataclass
class OrderSnapshot:
    order_id: int
    status: str
    total_cents: int
    vendor_orders: list[VendorOrderInfo]


@dataclass
class VendorOrderInput:
    order_id: int
    vendor_order: VendorOrderInfo
    timing: Timing = field(default_factory=Timing)


# --- updates and signals -------------------------------------------------------------------


@dataclass
class ConfirmLinesInput:
    """A merchant's answer for lines that need a reservation confirmation."""

    vendor_order_id: int
    confirmed: list[int] = field(default_factory=list)
    declined: list[int] = field(default_factory=list)
    actor_id: int | None = None


@dataclass
class CancelOrderInput:
    """The shopper (or an operator) cancels an order that is not paid yet."""

    actor_id: int | None = None
    actor_kind: str = "shopper"
    reason: str = ""


@dataclass
class OperatorAction:
    """An operator's decision for a stuck order: `retry` the failed step or `cancel`."""

    action: str
    reason: str = ""
    operator_id: int | None = None


@dataclass
class MerchantStepInput:
    """A merchant moves a vendor order on (start preparing, ready for pickup)."""

    actor_id: int | None = None


@dataclass
class MarkUnavailableInput:
    line_ids: list[int]
    actor_id: int | None = None
    reason: str = ""


@dataclass
class ShipInput:
    carrier: str
    tracking_number: str
    actor_id: int | None = None


@dataclass
class CompleteInput:
    """Handed over (pickup: the shopper's code is checked) or delivered."""

    pickup_code: str = ""
    actor_id: int | None = None


@dataclass
class ConfirmReceiptInput:
    """The shopper says a shipped (or delivered) part has reached them."""

    actor_id: int | None = None


@dataclass
class CancelNoShowInput:
    """The merchant cancels a part never collected: refunded, stock back on the shelf."""

    actor_id: int | None = None
    reason: str = ""


@dataclass
class ReturnLine:
    line_id: int
    quantity: int


@dataclass
class ReturnRequestInput:
    lines: list[ReturnLine]
    reason: str
    actor_id: int | None = None


@dataclass
class ReturnDecisionInput:
    return_id: int
    reason: str = ""
    actor_id: int | None = None


@dataclass
class VendorProgress:
    """A child tells its order where it stands (signal), so the order's status follows."""

    vendor_order_id: int
    status: str
    refunded_cents: int
    finished: bool = False


# --- query and update results --------------------------------------------------------------


@dataclass
class OrderState:
    order_id: int
    status: str
    stage: str
    next_deadline: datetime | None = None
    next_deadline_kind: str = ""
    pending_line_ids: list[int] = field(default_factory=list)
    vendor_statuses: dict[str, str] = field(default_factory=dict)
    refunded_cents: int = 0
    needs_attention: bool = False


@dataclass
class VendorOrderState:
    vendor_order_id: int
    status: str
    stage: str
    next_deadline: datetime | None = None
    next_deadline_kind: str = ""
    pickup_code: str = ""
    return_deadline: datetime | None = None
    open_return_id: int | None = None
    refunded_cents: int = 0
    needs_attention: bool = False


@dataclass
class VendorOrderResult:
    vendor_order_id: int
    status: str
    refunded_cents: int


# --- activity inputs and results -----------------------------------------------------------


@dataclass
class OrderRef:
    order_id: int


@dataclass
class OrderChange:
    """Project the order's status/stage (and deadlines) with a StatusEvent keyed `event_key`."""

    order_id: int
    event_key: str
    status: str = ""
    from_status: str = ""
    stage: str = ""
    actor_kind: str = "system"
    actor_id: int | None = None
    note: str = ""
    confirmation_deadline: datetime | None = None
    payment_deadline: datetime | None = None
    vendor_status: str = ""  # when set, every non-cancelled vendor order moves to it
    completed: bool = False


@dataclass
class VendorChange:
    """Project one vendor order's status with a StatusEvent keyed `event_key`."""

    vendor_order_id: int
    event_key: str
    to_status: str
    from_status: str = ""
    actor_kind: str = "system"
    actor_id: int | None = None
    note: str = ""
    stage: str = ""
    pickup_code: str = ""
    carrier: str = ""
    tracking_number: str = ""
    merchant_acted: bool = False
    completed: bool = False
    return_window_days: int = 14
    return_window_kind: str = "working"
    # The workflow's time of the change: the return window counts from the workflow's clock.
    at: datetime | None = None


@dataclass
class VendorChanged:
    return_deadline: datetime | None = None


@dataclass
class LineDecisions:
    vendor_order_id: int
    confirmed: list[int]
    declined: list[int]
    event_key: str
    vendor_status: str = ""  # when every line is decided: awaiting_payment or cancelled
    actor_id: int | None = None


@dataclass
class OrderTotals:
    order_id: int
    total_cents: int
    vendor_totals: dict[str, int] = field(default_factory=dict)


@dataclass
class CloseUnpaidInput:
    """Cancel an unpaid order: release its stock, cancel its PaymentIntent."""

    order_id: int
    to_status: str
    event_key: str
    actor_kind: str = "system"
    actor_id: int | None = None
    note: str = ""


@dataclass
class CloseUnpaidResult:
    """`paid` when Stripe says the intent succeeded meanwhile: the order is then not closed."""

    closed: bool
    paid: bool = False
    payment_intent_id: str = ""


@dataclass
class PaymentOpened:
    payment_intent_id: str
    amount_cents: int


@dataclass
class PaymentOutcome:
    order_id: int
    payment_intent_id: str
    succeeded: bool
    message: str = ""


@dataclass
class VendorOrderRef:
    vendor_order_id: int


@dataclass
class RefundRequest:
    order_id: int
    vendor_order_id: int
    amount_cents: int
    refund_key: str
    reason: str
    requested_by: int | None = None
    lines: dict[str, int] = field(default_factory=dict)  # order line id (str) → cents


@dataclass
class CreditNotePapers:
    """The credit notes of one refund whose PDFs are to be rendered: by key or by id."""

    refund_key: str = ""
    refund_id: int | None = None


@dataclass
class LinesUnavailable:
    vendor_order_id: int
    line_ids: list[int]
    event_key: str
    actor_id: int | None = None


@dataclass
class CancelVendorLines:
    """Cancel a vendor order's remaining lines after payment (stock back on the shelf)."""

    vendor_order_id: int
    event_key: str


@dataclass
class NewReturn:
    vendor_order_id: int
    lines: list[ReturnLine]
    reason: str
    amount_cents: int
    actor_id: int | None = None


@dataclass
class ReturnDecision:
    return_id: int
    status: str  # accepted, refused, refunded
    refusal_reason: str = ""
    returned_lines: list[ReturnLine] = field(default_factory=list)


@dataclass
class EmailRequest:
    """A templated e-mail about an order; `to` is `shopper` or `merchant`."""

    order_id: int
    template: str
    email_key: str
    to: str = "shopper"
    vendor_order_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class AttentionRequest:
    order_id: int
    item_key: str
    kind: str
    step: str
    error: str
    vendor_order_id: int | None = None
    workflow_id: str = ""


@dataclass
class AttentionResolution:
    order_id: int
    item_key: str
    resolution: str
    operator_id: int | None = None
    stage: str = ""  # the stage the order returns to (parent workflow only)


@dataclass
class OperatorRefundInput:
    """An operator's refund (goodwill, legal guarantee) recorded as the pending refund row
    `refund_id`; the workflow carries it out once, whatever the state of the order."""

    refund_id: int
    order_id: int
    reason: str = ""  # told to the shopper
    failure: str = ""  # why it could not be made (to abandon it)
    documents_task_queue: str = ""  # where its credit notes' PDFs are rendered
