"""VendorOrderWorkflow: one shop's part of a paid order (`vendor-order-<id>`).

    confirmed ─▶ preparing ─▶ ready_for_pickup (pickup code) ─┐
        │            │      └▶ shipped (carrier, tracking) ───┴▶ completed ─▶ return window
        └────────────┴─ lines unavailable: refunded; nothing left ─▶ cancelled
    completed ─▶ return_requested ─▶ return_received ─▶ refunded   (or refused ─▶ completed)
    end of the return window (14 working days by default) ─▶ closed

The merchant acts through updates; a merchant who does not act gets a reminder, then the
part is flagged for operators. Refunds go to the card that paid, exactly once each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import orders as acts
    from comptoir.domain.labels import MERCHANT_REMINDER_LABELS, format_datetime_fr
    from comptoir.domain.vendor_order_rules import (
        AFTER_HANDOVER,
        FINAL,
        HANDOVER_WAIT,
        MERCHANT_TURN,
        SHIPPING,
        STEPS,
        fits_delivery,
        status_refusal,
    )
    from comptoir.orders.contracts import (
        ACCEPT_RETURN,
        CANCEL_NO_SHOW,
        COMPLETE,
        CONFIRM_RECEIPT,
        MARK_UNAVAILABLE,
        NEEDS_ATTENTION,
        OPERATOR_ACTION_SIGNAL,
        READY_FOR_PICKUP,
        REFUSE_RETURN,
        REQUEST_RETURN,
        SHIP,
        START_PREPARING,
        STATE_QUERY,
        VENDOR_ORDER_WORKFLOW,
        AttentionRequest,
        AttentionResolution,
        CancelNoShowInput,
        CancelVendorLines,
        CompleteInput,
        ConfirmReceiptInput,
        EmailRequest,
        LinesUnavailable,
        MarkUnavailableInput,
        MerchantStepInput,
        NewReturn,
        OperatorAction,
        RefundRequest,
        ReturnDecision,
        ReturnDecisionInput,
        ReturnLine,
        ReturnRequestInput,
        ShipInput,
        VendorChange,
        VendorChanged,
        VendorOrderInput,
        VendorOrderResult,
        VendorOrderState,
    )
    from workflows.steps import OperatorCancelled, StepRunner

# Patches (workflow.patched): once no running part predates one, replace the call with
# workflow.deprecate_patch, then remove the old branch (see README, "Changing a workflow").
# Timers on a part ready or shipped: merchant reminder/escalation, shopper reminder, no-show
# flag, automatic receipt.
HANDOVER_TIMERS = "handover-timers"
# The part's system projections (closed, refunded, cancelled) are local activities.
LOCAL_PROJECTIONS = "local-projections"


@dataclass
class EmailTask:
    template: str
    key: str
    to: str
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class RefundTask:
    """Refund lines the shop could not supply, then tell the shopper with `template`."""

    request: RefundRequest
    template: str


@dataclass
class ReturnRefundTask:
    return_id: int
    lines: list[ReturnLine]
    amount_cents: int
    actor_id: int | None


@dataclass
class ResolveLateTask:
    item_key: str


Task = EmailTask | RefundTask | ReturnRefundTask | ResolveLateTask



@workflow.defn(name=VENDOR_ORDER_WORKFLOW)
class VendorOrderWorkflow:
    @workflow.init
    def __init__(self, input: VendorOrderInput) -> None:
        info = input.vendor_order
        self.order_id = input.order_id
        self.vendor_order_id = info.vendor_order_id
        self.delivery_kind = info.delivery_kind
        self.delivery_cents = info.delivery_cents
        self.timing = input.timing
        self.steps = StepRunner(input.order_id, input.timing, vendor_order_id=info.vendor_order_id)
        self.steps.stage = "fulfilment"  # the parent starts every part in that stage
        self.lines = {line.line_id: line for line in info.lines}
        self.returned: dict[int, int] = {}
        self.status = "confirmed"
        self.pickup_code = ""
        self.return_deadline: datetime | None = None
        self.open_return: tuple[int, list[ReturnLine], int] | None = None
        self.refunded_cents = 0
        self.busy = False
        self.changes = 0
        self.tasks: list[Task] = []
        self.last_action: datetime | None = None
        self.reminded = False
        self.late_item = ""
        self.handed_at: datetime | None = None  # when the part became ready or was shipped
        self.shopper_reminded = False
        self.handover_timers: bool | None = None  # HANDOVER_TIMERS, asked once per part

    @workflow.run
    async def run(self, input: VendorOrderInput) -> VendorOrderResult:
        self.last_action = workflow.now()
        try:
            while True:
                if self.tasks:
                    await self._do(self.tasks.pop(0))
                    continue
                if self.steps.cancel_requested is not None:
                    raise OperatorCancelled(self.steps.cancel_requested)
                if self.status == "cancelled" or self._window_over():
                    break
                seen = self.changes
                timeout = self._next_timer()
                try:
                    await workflow.wait_condition(
                        lambda seen=seen: bool(self.tasks)  # type: ignore[misc]
                        or self.changes != seen
                        or self.steps.cancel_requested is not None,
                        timeout=timeout,
                    )
                except TimeoutError:
                    await self._on_timer()
            if self.status == "completed":
                await self._project("closed", note="Délai de retour écoulé.")
        except OperatorCancelled as cancelled:
            await self._operator_cancel(cancelled.action)
        await self.steps.drain()
        await workflow.wait_condition(lambda: not self.busy and workflow.all_handlers_finished())
        return VendorOrderResult(self.vendor_order_id, self.status, self.refunded_cents)

    # --- timers ---------------------------------------------------------------------------

    def _window_over(self) -> bool:
        return (
            self.status in AFTER_HANDOVER
            and self.open_return is None
            and self.return_deadline is not None
            and workflow.now() > self.return_deadline
        )

    def _handover_timed(self) -> bool:
        """Whether this part's hand-over runs on timers (parts started before do not)."""
        if self.status not in HANDOVER_WAIT or self.handed_at is None:
            return False
        if self.handover_timers is None:
            self.handover_timers = self.steps.since(HANDOVER_TIMERS)
        return self.handover_timers

    def _merchant_turn(self) -> bool:
        return self.status in MERCHANT_TURN or self._handover_timed()

    def _deadlines(self, handover: bool) -> list[tuple[datetime, str]]:
        """What the part waits for and until when, earliest first; `handover`: its timers."""
        t, out = self.timing, []
        if handover and self.handed_at is not None:
            if self.status == "shipped":
                out.append(
                    (self.handed_at + timedelta(seconds=t.delivery_auto_complete_seconds),
                     "delivery_auto_complete")
                )  # fmt: skip
            elif not self.shopper_reminded:
                out.append(
                    (self.handed_at + timedelta(seconds=t.pickup_reminder_seconds),
                     "pickup_reminder")
                )  # fmt: skip
            elif not self.late_item:
                out.append(
                    (self.handed_at + timedelta(seconds=t.pickup_no_show_seconds),
                     "pickup_no_show")
                )  # fmt: skip
        if (self.status in MERCHANT_TURN or handover) and self.last_action is not None:
            if not self.reminded:
                out.append(
                    (self.last_action + timedelta(seconds=t.merchant_reminder_seconds),
                     "merchant_reminder")
                )  # fmt: skip
            elif not self.late_item and self.status != "ready_for_pickup":
                # A part ready in the shop is flagged by its no-show instead.
                out.append(
                    (self.last_action + timedelta(seconds=t.merchant_escalation_seconds),
                     "merchant_escalation")
                )  # fmt: skip
        if self.status in AFTER_HANDOVER and self.return_deadline is not None:
            out.append((self.return_deadline, "return_window"))
        return sorted(out)

    def _next_timer(self) -> timedelta | None:
        moments = [
            # The window closes once its last second has passed.
            moment + timedelta(seconds=1) if kind == "return_window" else moment
            for moment, kind in self._deadlines(self._handover_timed())
        ]
        if not moments:
            return None
        return max(min(moments) - workflow.now(), timedelta(0))

    async def _on_timer(self) -> None:
        if self._handover_timed() and await self._on_handover_timer():
            return
        if not self._merchant_turn() or self.last_action is None:
            return
        now = workflow.now()
        if not self.reminded and now >= self.last_action + timedelta(
            seconds=self.timing.merchant_reminder_seconds
        ):
            self.reminded = True
            await self._email(
                "merchant_reminder",
                f"reminder:{self.status}:{self.changes}",
                to="merchant",
                extra={"status_label": MERCHANT_REMINDER_LABELS.get(self.status, self.status)},
            )
        elif (
            not self.late_item
            and self.status != "ready_for_pickup"  # there, the no-show flag says it
            and now >= self.last_action + timedelta(seconds=self.timing.merchant_escalation_seconds)
        ):
            await self._flag(
                "late",
                "merchant_late",
                f"La boutique n'a pas agi depuis le {format_datetime_fr(self.last_action)} "
                f"(commande « {MERCHANT_REMINDER_LABELS.get(self.status, self.status)} »).",
            )

    async def _flag(self, what: str, kind: str, error: str) -> None:
        """Flag the part for its merchant (dashboard) and operators (console)."""
        self.late_item = f"vendor-order-{self.vendor_order_id}:{what}:{self.changes}"
        await self.steps.forever(
            acts.flag_attention,
            AttentionRequest(
                order_id=self.order_id,
                item_key=self.late_item,
                kind=kind,
                step=self.status,
                error=error,
                vendor_order_id=self.vendor_order_id,
                workflow_id=workflow.info().workflow_id,
            ),
        )
        self.steps.set_stage(NEEDS_ATTENTION)

    async def _on_handover_timer(self) -> bool:
        """The shopper's side of a hand-over that lasts; True when something was done."""
        assert self.handed_at is not None
        now, t = workflow.now(), self.timing
        if self.status == "shipped":
            if now < self.handed_at + timedelta(seconds=t.delivery_auto_complete_seconds):
                return False
            await self._receive(actor_id=None, by_shopper=False)
            return True
        if not self.shopper_reminded:
            if now < self.handed_at + timedelta(seconds=t.pickup_reminder_seconds):
                return False
            self.shopper_reminded = True
            await self._email("pickup_reminder", "pickup-reminder", to="shopper")
            return True
        if self.late_item or now < self.handed_at + timedelta(seconds=t.pickup_no_show_seconds):
            return False
        await self._flag(
            "no-show",
            "pickup_no_show",
            f"Le client n'est pas venu retirer sa commande, prête depuis le "
            f"{format_datetime_fr(self.handed_at)}.",
        )
        await self._email("pickup_no_show", "no-show", to="merchant")
        return True

    def _merchant_acted(self) -> None:
        self.last_action = workflow.now()
        self.reminded = False
        if self.late_item:
            self.tasks.append(ResolveLateTask(self.late_item))
            self.late_item = ""

    # --- merchant updates -----------------------------------------------------------------

    def _check_free(self) -> None:
        if self.busy:
            raise ValueError("Une autre action est en cours d'enregistrement ; réessayez.")
        if self.steps.cancel_requested is not None or self.status in FINAL:
            raise ValueError("Cette commande boutique est annulée ou close.")

    def _check_step(self, step: str) -> None:
        """The rules' table: the step must fit this status, then this delivery kind."""
        self._check_free()
        refusal = status_refusal(step, self.status)
        if refusal:
            raise ValueError(refusal)
        if not fits_delivery(step, self.delivery_kind):
            raise ValueError(STEPS[step].wrong_delivery)

    @workflow.update(name=START_PREPARING)
    async def start_preparing(self, request: MerchantStepInput) -> VendorOrderState:
        """The merchant starts preparing the part."""
        await self._transition("preparing", actor_id=request.actor_id, merchant=True)
        return self.state()

    @start_preparing.validator
    def validate_start_preparing(self, request: MerchantStepInput) -> None:
        self._check_step(START_PREPARING)

    @workflow.update(name=MARK_UNAVAILABLE)
    async def mark_unavailable(self, request: MarkUnavailableInput) -> VendorOrderState:
        """Lines the shop cannot supply after all: refunded, the rest goes on."""
        self.busy = True
        try:
            ids = sorted(set(request.line_ids))
            amount = await self.steps.quick(
                acts.mark_lines_unavailable,
                LinesUnavailable(
                    vendor_order_id=self.vendor_order_id,
                    line_ids=ids,
                    event_key=f"vendor-order:{self.vendor_order_id}:unavailable:{ids}",
                    actor_id=request.actor_id,
                ),
            )
            for line_id in ids:
                self.lines[line_id].status = "unavailable"
            if not any(line.status == "confirmed" for line in self.lines.values()):
                self.status = "cancelled"
            self._changed()
            self._merchant_acted()
            lines = {str(i): self.lines[i].total_cents for i in ids}
            if amount <= 0:
                return self.state()  # nothing was paid for these lines
            key = f"vendor-order-{self.vendor_order_id}-unavailable-{'-'.join(map(str, ids))}"
            self.tasks.append(
                RefundTask(
                    RefundRequest(
                        order_id=self.order_id,
                        vendor_order_id=self.vendor_order_id,
                        amount_cents=amount,
                        refund_key=key,
                        reason=request.reason or "article(s) indisponible(s)",
                        requested_by=request.actor_id,
                        lines=lines,
                    ),
                    "lines_unavailable",
                )
            )
        finally:
            self.busy = False
        return self.state()

    @mark_unavailable.validator
    def validate_mark_unavailable(self, request: MarkUnavailableInput) -> None:
        self._check_step(MARK_UNAVAILABLE)
        if not request.line_ids:
            raise ValueError("Choisissez au moins un article indisponible.")
        for line_id in request.line_ids:
            line = self.lines.get(line_id)
            if line is None:
                raise ValueError(f"La ligne {line_id} ne fait pas partie de cette commande.")
            if line.status != "confirmed":
                raise ValueError(f"« {line.product_name} » n'est plus à fournir.")

    @workflow.update(name=READY_FOR_PICKUP)
    async def ready_for_pickup(self, request: MerchantStepInput) -> VendorOrderState:
        """The part waits in the shop; the shopper gets a pickup code."""
        code = f"{workflow.random().randint(0, 999_999):06d}"
        await self._transition(
            "ready_for_pickup", actor_id=request.actor_id, merchant=True, pickup_code=code
        )
        self.pickup_code = code
        self.handed_at = workflow.now()
        self.tasks.append(EmailTask("ready_for_pickup", "ready", "shopper"))
        return self.state()

    @ready_for_pickup.validator
    def validate_ready_for_pickup(self, request: MerchantStepInput) -> None:
        self._check_step(READY_FOR_PICKUP)

    @workflow.update(name=SHIP)
    async def ship(self, request: ShipInput) -> VendorOrderState:
        """The part leaves the shop with a carrier and a tracking number."""
        await self._transition(
            "shipped",
            actor_id=request.actor_id,
            merchant=True,
            carrier=request.carrier.strip(),
            tracking_number=request.tracking_number.strip(),
        )
        self.handed_at = workflow.now()
        self.tasks.append(EmailTask("shipped", "shipped", "shopper"))
        return self.state()

    @ship.validator
    def validate_ship(self, request: ShipInput) -> None:
        self._check_step(SHIP)
        # A shop delivering in town needs no carrier nor tracking; a parcel does.
        if self.delivery_kind == SHIPPING and (
            not request.carrier.strip() or not request.tracking_number.strip()
        ):
            raise ValueError("Indiquez le transporteur et le numéro de suivi du colis.")

    @workflow.update(name=COMPLETE)
    async def complete(self, request: CompleteInput) -> VendorOrderState:
        """Handed over in the shop (code checked) or delivered: the return window opens."""
        await self._hand_over(actor_id=request.actor_id, merchant=True)
        return self.state()

    async def _hand_over(self, *, actor_id: int | None, merchant: bool) -> None:
        """The shopper has the part: the return window opens from now (receipt)."""
        changed = await self._transition(
            "completed",
            actor_id=actor_id,
            merchant=merchant,
            completed=True,
            actor_kind="" if merchant else ("shopper" if actor_id is not None else "system"),
        )
        self.return_deadline = changed.return_deadline
        extra = {"return_deadline_iso": self.return_deadline.isoformat()} if self.return_deadline else {}
        self.tasks.append(EmailTask("vendor_completed", "completed", "shopper", extra))
        if not merchant and self.late_item:  # the merchant's lateness no longer matters
            self.tasks.append(ResolveLateTask(self.late_item))
            self.late_item = ""

    async def _receive(self, *, actor_id: int | None, by_shopper: bool) -> None:
        await self._hand_over(actor_id=actor_id, merchant=False)
        if by_shopper:
            self.tasks.append(EmailTask("receipt_confirmed", "receipt-confirmed", "merchant"))

    @complete.validator
    def validate_complete(self, request: CompleteInput) -> None:
        self._check_step(COMPLETE)
        if self.status == "ready_for_pickup" and request.pickup_code.strip() != self.pickup_code:
            raise ValueError("Code de retrait incorrect : vérifiez le code que vous montre le client.")

    @workflow.update(name=CONFIRM_RECEIPT)
    async def confirm_receipt(self, request: ConfirmReceiptInput) -> VendorOrderState:
        """The shopper says the shipped part reached them: the return window opens."""
        await self._receive(actor_id=request.actor_id, by_shopper=True)
        return self.state()

    @confirm_receipt.validator
    def validate_confirm_receipt(self, request: ConfirmReceiptInput) -> None:
        self._check_step(CONFIRM_RECEIPT)

    @workflow.update(name=CANCEL_NO_SHOW)
    async def cancel_no_show(self, request: CancelNoShowInput) -> VendorOrderState:
        """The shopper never came: the part is cancelled, refunded, its stock back on sale."""
        self.busy = True
        try:
            left = await self.steps.quick(
                acts.cancel_vendor_lines,
                CancelVendorLines(
                    vendor_order_id=self.vendor_order_id,
                    event_key=f"vendor-order:{self.vendor_order_id}:no-show",
                ),
            )
            self.status = "cancelled"
            self._changed()
            self._merchant_acted()
            refund = RefundRequest(
                order_id=self.order_id,
                vendor_order_id=self.vendor_order_id,
                amount_cents=int(left),
                refund_key=f"vendor-order-{self.vendor_order_id}-no-show",
                reason=request.reason.strip() or "commande non retirée",
                requested_by=request.actor_id,
            )
            if left > 0:
                self.tasks.append(RefundTask(refund, "pickup_cancelled"))
            else:
                self.tasks.append(EmailTask("pickup_cancelled", refund.refund_key, "shopper"))
        finally:
            self.busy = False
        return self.state()

    @cancel_no_show.validator
    def validate_cancel_no_show(self, request: CancelNoShowInput) -> None:
        self._check_step(CANCEL_NO_SHOW)
        if self.handed_at is None:
            raise ValueError("Cette commande n'est pas prête à retirer.")
        allowed_from = self.handed_at + timedelta(seconds=self.timing.pickup_reminder_seconds)
        if workflow.now() < allowed_from:
            raise ValueError(
                "Le client a encore le temps de venir : vous pourrez annuler cette commande "
                f"non retirée à partir du {format_datetime_fr(allowed_from)}."
            )

    # --- returns --------------------------------------------------------------------------

    def _line_returnable(self, line_id: int) -> int:
        line = self.lines[line_id]
        if line.status != "confirmed":
            return 0
        return line.quantity - self.returned.get(line_id, 0)

    @workflow.update(name=REQUEST_RETURN)
    async def request_return(self, request: ReturnRequestInput) -> int:
        """The shopper asks to return lines within the window; the return's id."""
        self.busy = True
        try:
            amount = sum(self.lines[r.line_id].unit_price_cents * r.quantity for r in request.lines)
            if self._takes_back_everything_left(request.lines):
                # A full withdrawal refunds the delivery paid too (Code de la consommation,
                # L.221-24); a partial one keeps it.
                amount += self.delivery_cents
            return_id = await self.steps.quick(
                acts.create_return,
                NewReturn(
                    vendor_order_id=self.vendor_order_id,
                    lines=list(request.lines),
                    reason=request.reason.strip(),
                    amount_cents=amount,
                    actor_id=request.actor_id,
                ),
            )
            self.open_return = (return_id, list(request.lines), amount)
            self.status = "return_requested"
            self._changed()
            self.last_action = workflow.now()
            self.reminded = False
            self.tasks.append(
                EmailTask(
                    "return_requested",
                    f"return:{return_id}",
                    "merchant",
                    {"amount_cents": str(amount), "reason": request.reason.strip()},
                )
            )
        finally:
            self.busy = False
        return int(return_id)

    def _takes_back_everything_left(self, wanted: list[ReturnLine]) -> bool:
        asked = {r.line_id: r.quantity for r in wanted}
        return all(
            asked.get(line_id, 0) == self._line_returnable(line_id)
            for line_id, line in self.lines.items()
            if line.status == "confirmed"
        )

    @request_return.validator
    def validate_request_return(self, request: ReturnRequestInput) -> None:
        self._check_free()
        if self.status == "return_requested" or self.open_return is not None:
            raise ValueError("Une demande de retour est déjà en cours pour cette boutique.")
        if self.status not in AFTER_HANDOVER or self.return_deadline is None:
            raise ValueError(
                "Un retour se demande une fois la commande remise (statut « Terminée »)."
            )
        if workflow.now() > self.return_deadline:
            raise ValueError("Le délai de retour de cette commande est dépassé.")
        if not request.reason.strip():
            raise ValueError("Indiquez le motif de votre demande de retour.")
        if not request.lines:
            raise ValueError("Choisissez au moins un article à retourner.")
        seen: set[int] = set()
        for wanted in request.lines:
            line = self.lines.get(wanted.line_id)
            if line is None or wanted.line_id in seen:
                raise ValueError("Un article demandé ne fait pas partie de cette commande.")
            seen.add(wanted.line_id)
            if not line.returnable:
                raise ValueError(
                    f"« {line.product_name} » n'est pas repris par la boutique (produit "
                    "périssable ou exclu des retours)."
                )
            left = self._line_returnable(wanted.line_id)
            if not 1 <= wanted.quantity <= left:
                raise ValueError(
                    f"« {line.product_name} » : vous pouvez en retourner entre 1 et {left}."
                    if left
                    else f"« {line.product_name} » ne peut plus être retourné."
                )

    @workflow.update(name=ACCEPT_RETURN)
    async def accept_return(self, request: ReturnDecisionInput) -> VendorOrderState:
        """The merchant received the goods back: the shopper is refunded."""
        assert self.open_return is not None
        return_id, lines, amount = self.open_return
        self.busy = True
        try:
            await self.steps.quick(acts.decide_return, ReturnDecision(return_id, "accepted"))
            self.status = "return_received"
            self._changed()
            self._merchant_acted()
            self.tasks.append(ReturnRefundTask(return_id, lines, amount, request.actor_id))
        finally:
            self.busy = False
        return self.state()

    @accept_return.validator
    def validate_accept_return(self, request: ReturnDecisionInput) -> None:
        self._check_return_decision(request, ACCEPT_RETURN)

    @workflow.update(name=REFUSE_RETURN)
    async def refuse_return(self, request: ReturnDecisionInput) -> VendorOrderState:
        """The merchant refuses the return, saying why."""
        assert self.open_return is not None
        return_id = self.open_return[0]
        self.busy = True
        try:
            reason = request.reason.strip()
            await self.steps.quick(
                acts.decide_return, ReturnDecision(return_id, "refused", refusal_reason=reason)
            )
            self.open_return = None
            self.status = "refunded" if self.refunded_cents else "completed"
            self._changed()
            self._merchant_acted()
            self.tasks.append(
                EmailTask("return_refused", f"return:{return_id}:refused", "shopper", {"reason": reason})
            )
        finally:
            self.busy = False
        return self.state()

    @refuse_return.validator
    def validate_refuse_return(self, request: ReturnDecisionInput) -> None:
        self._check_return_decision(request, REFUSE_RETURN)
        if not request.reason.strip():
            raise ValueError("Expliquez au client pourquoi vous refusez son retour.")

    def _check_return_decision(self, request: ReturnDecisionInput, step: str) -> None:
        self._check_free()
        if self.open_return is None or status_refusal(step, self.status):
            raise ValueError("Aucune demande de retour n'attend de décision.")
        if self.open_return[0] != request.return_id:
            raise ValueError("Cette demande de retour n'est pas celle en cours.")

    # --- work done by the main loop -------------------------------------------------------

    async def _do(self, task: Task) -> None:
        if isinstance(task, EmailTask):
            await self._email(task.template, task.key, to=task.to, extra=task.extra)
        elif isinstance(task, RefundTask):
            await self._refund(task.request)
            await self._email(
                task.template,
                task.request.refund_key,
                to="shopper",
                extra={"amount_cents": str(task.request.amount_cents)},
            )
            await self._project(self.status)  # the order's status follows the money
        elif isinstance(task, ReturnRefundTask):
            await self._refund_return(task)
        else:
            await self.steps.forever(
                acts.resolve_attention,
                AttentionResolution(
                    order_id=self.order_id, item_key=task.item_key, resolution="la boutique a agi"
                ),
            )
            self.steps.set_stage("fulfilment")

    async def _refund_return(self, task: ReturnRefundTask) -> None:
        await self._refund(
            RefundRequest(
                order_id=self.order_id,
                vendor_order_id=self.vendor_order_id,
                amount_cents=task.amount_cents,
                refund_key=f"return-{task.return_id}",
                reason="retour accepté",
                requested_by=task.actor_id,
                lines={
                    str(r.line_id): self.lines[r.line_id].unit_price_cents * r.quantity
                    for r in task.lines
                },
            )
        )
        await self.steps.run(
            acts.decide_return,
            ReturnDecision(task.return_id, "refunded", returned_lines=task.lines),
            step="record_return_refund",
        )
        for r in task.lines:
            self.returned[r.line_id] = self.returned.get(r.line_id, 0) + r.quantity
        self.open_return = None
        self.status = "refunded"
        self._changed()
        await self._email(
            "refund_made",
            f"return:{task.return_id}:refunded",
            to="shopper",
            extra={"amount_cents": str(task.amount_cents)},
        )

    async def _refund(self, request: RefundRequest) -> None:
        refunded = await self.steps.run(acts.refund, request, step=f"refund:{request.refund_key}")
        self.refunded_cents += int(refunded or 0)
        if refunded:
            self.steps.credit_note_pdfs(request.refund_key)

    async def _operator_cancel(self, action: OperatorAction) -> None:
        """An operator cancels this shop's part: what is left of it is refunded."""
        left = await self.steps.forever(
            acts.cancel_vendor_lines,
            CancelVendorLines(
                vendor_order_id=self.vendor_order_id,
                event_key=f"vendor-order:{self.vendor_order_id}:operator-cancel",
            ),
        )
        if left > 0:
            await self._refund(
                RefundRequest(
                    order_id=self.order_id,
                    vendor_order_id=self.vendor_order_id,
                    amount_cents=left,
                    refund_key=f"vendor-order-{self.vendor_order_id}-operator-cancel",
                    reason=action.reason or "annulation par un opérateur",
                    requested_by=action.operator_id,
                )
            )
        self.status = "cancelled"
        if self.late_item:
            await self._do(ResolveLateTask(self.late_item))
        await self._project("cancelled", actor_kind="operator", actor_id=action.operator_id)
        self.steps.set_stage("closed")

    # --- helpers --------------------------------------------------------------------------

    def _changed(self) -> None:
        self.changes += 1

    async def _transition(
        self,
        to_status: str,
        *,
        actor_id: int | None,
        merchant: bool = False,
        pickup_code: str = "",
        carrier: str = "",
        tracking_number: str = "",
        completed: bool = False,
        actor_kind: str = "",
    ) -> VendorChanged:
        """A merchant's step, recorded before the update answers."""
        self.busy = True
        try:
            changed = await self.steps.quick(
                acts.project_vendor_order,
                VendorChange(
                    vendor_order_id=self.vendor_order_id,
                    event_key=f"vendor-order:{self.vendor_order_id}:{to_status}",
                    to_status=to_status,
                    from_status=self.status,
                    actor_kind=actor_kind or ("merchant" if merchant else "system"),
                    actor_id=actor_id,
                    pickup_code=pickup_code,
                    carrier=carrier,
                    tracking_number=tracking_number,
                    merchant_acted=merchant,
                    completed=completed,
                    return_window_days=self.timing.return_window_days,
                    return_window_kind=self.timing.return_window_kind,
                    at=workflow.now() if completed else None,
                ),
            )
            self.status = to_status
            self._changed()
            if merchant:
                self._merchant_acted()
            return changed
        finally:
            self.busy = False

    async def _project(
        self, to_status: str, *, note: str = "", actor_kind: str = "system", actor_id: int | None = None
    ) -> None:
        self.changes += 1
        await self.steps.run(
            acts.project_vendor_order,
            VendorChange(
                vendor_order_id=self.vendor_order_id,
                event_key=f"vendor-order:{self.vendor_order_id}:{to_status}:{self.changes}",
                to_status=to_status,
                actor_kind=actor_kind,
                actor_id=actor_id,
                note=note,
            ),
            step=f"project:{to_status}",
            local=self.steps.since(LOCAL_PROJECTIONS),
        )
        self.status = to_status

    async def _email(
        self, template: str, key: str, *, to: str, extra: dict[str, str] | None = None
    ) -> None:
        await self.steps.run(
            acts.send_order_email,
            EmailRequest(
                order_id=self.order_id,
                template=template,
                email_key=f"vendor-order:{self.vendor_order_id}:{key}",
                to=to,
                vendor_order_id=self.vendor_order_id,
                extra=extra or {},
            ),
            step=f"email:{template}",
            skippable=True,
        )

    @workflow.signal(name=OPERATOR_ACTION_SIGNAL)
    def operator_action(self, action: OperatorAction) -> None:
        """An operator's decision: retry or skip a failed step, or cancel this part."""
        self.steps.receive(action)

    @workflow.query(name=STATE_QUERY)
    def state(self) -> VendorOrderState:
        """Where this shop's part stands and what it waits for."""
        # A query must not record a patch marker: it reads what the main loop decided (None:
        # not decided yet, which only a part started before the patch would decide False).
        handover = self.handover_timers is not False and self.status in HANDOVER_WAIT
        deadlines = self._deadlines(handover)
        timer, kind = deadlines[0] if deadlines else (None, "")
        return VendorOrderState(
            vendor_order_id=self.vendor_order_id,
            status=self.status,
            stage=self.steps.stage,
            next_deadline=timer,
            next_deadline_kind=kind,
            pickup_code=self.pickup_code,
            return_deadline=self.return_deadline,
            open_return_id=self.open_return[0] if self.open_return else None,
            refunded_cents=self.refunded_cents,
            needs_attention=self.steps.needs_attention or bool(self.late_item),
        )
