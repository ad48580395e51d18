"""OrderWorkflow: one per order (`order-<id>`), from checkout to the end of every return window.

    awaiting_confirmation ──(merchants decide every reserved line)──▶ awaiting_payment
        │ deadline / nothing left / cancel                                │ deadline / cancel
        ▼                                                                 ▼
    cancelled                                           payment_failed / cancelled
                                      payment succeeded │
                                                        ▼
    processing: ledger, invoices, e-mails, then one VendorOrderWorkflow per shop
        ▼ (each shop's part handed over, returns, refunds: see vendor_order.py)
    completed / partially_refunded / refunded

Humans act through updates (validated: a step not allowed now is refused with a message),
Stripe through the `payment_event` signal, operators through `operator_action`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import (
    Priority,
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
)
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities import orders as acts
    from comptoir.domain.payment_deadline import payment_deadline
    from comptoir.orders.contracts import (
        CANCEL_ORDER,
        CONFIRM_LINES,
        OPERATOR_ACTION_SIGNAL,
        ORDER_ID_ATTRIBUTE,
        ORDER_STAGE_ATTRIBUTE,
        ORDER_WORKFLOW,
        PAYMENT_EVENT_SIGNAL,
        STATE_QUERY,
        CancelOrderInput,
        CancelVendorLines,
        CloseUnpaidInput,
        ConfirmLinesInput,
        EmailRequest,
        LineDecisions,
        OperatorAction,
        OrderChange,
        OrderRef,
        OrderSnapshot,
        OrderState,
        OrderWorkflowInput,
        PaymentEvent,
        PaymentOutcome,
        RefundRequest,
        VendorOrderInfo,
        VendorOrderInput,
        VendorOrderRef,
        VendorOrderResult,
        vendor_order_workflow_id,
    )
    from workflows.steps import (
        SHOP_PART_PRIORITY,
        OperatorCancelled,
        StepRunner,
        people_first,
    )
    from workflows.vendor_order import VendorOrderWorkflow

# Patches (workflow.patched): once no running order predates one, replace the call with
# workflow.deprecate_patch, then remove the old branch (see README, "Changing a workflow").
DISPATCH_BEFORE_PAPERWORK = "dispatch-before-paperwork"
CANCEL_WHILE_LOADING = "cancel-while-loading"
PAYABLE_LONGER_AFTER_CONFIRMATION = "payable-longer-after-confirmation"
# An operator's cancel reaches the shops' parts while they are under way, and the shopper and
# the shops are told by e-mail.
CANCEL_DURING_FULFILMENT = "cancel-during-fulfilment"
# Invoice PDFs are rendered on the documents task queue, by their own worker process, so a
# burst of them never delays the merchants' steps on the orders queue.
DOCUMENTS_QUEUE = "documents-queue"
# The order's status projections are local activities: a short write that needs no task of
# its own on the server (fewer workflow tasks and history events per order).
LOCAL_PROJECTIONS = "local-projections"
ORDER_ID_KEY = SearchAttributeKey.for_keyword(ORDER_ID_ATTRIBUTE)
ORDER_STAGE_KEY = SearchAttributeKey.for_keyword(ORDER_STAGE_ATTRIBUTE)
ALREADY_PAID = (
    "Cette commande est déjà payée : pour l'annuler, demandez un remboursement une fois "
    "qu'elle est terminée, ou écrivez à la boutique."
)
PENDING = "pending_confirmation"
LIVE = ("pending_confirmation", "confirmed")
UNPAID = ("awaiting_confirmation", "awaiting_payment")


@workflow.defn(name=ORDER_WORKFLOW)
class OrderWorkflow:
    @workflow.init
    def __init__(self, input: OrderWorkflowInput) -> None:
        self.order_id = input.order_id
        self.timing = input.timing
        self.steps = StepRunner(input.order_id, input.timing)
        self.status = "created"
        self.snapshot: OrderSnapshot | None = None
        self.deadline: datetime | None = None
        self.deadline_kind = ""
        self.payment_events: list[PaymentEvent] = []
        self.seen_events: set[str] = set()
        self.paid_intent = ""
        self.cancel_request: CancelOrderInput | None = None
        self.busy = False
        self.decisions = 0
        self.children: dict[int, workflow.ChildWorkflowHandle[VendorOrderWorkflow, VendorOrderResult]] = {}
        self.vendor_statuses: dict[int, str] = {}

    # --- run ------------------------------------------------------------------------------

    @workflow.run
    async def run(self, input: OrderWorkflowInput) -> str:
        # Asked first: an order since LEAN_HISTORY loads itself with a local activity.
        lean = self.steps.lean()
        self.snapshot = await self.steps.run(
            acts.load_order, OrderRef(self.order_id), step="load_order", local=lean
        )
        self.status = self.snapshot.status
        if self.status not in UNPAID:
            return self.status  # started again for an order already past checkout: nothing to do
        if self.cancel_request is not None and self.steps.since(CANCEL_WHILE_LOADING):
            # Cancelled by the shopper right after checkout, before the order was loaded.
            await self._close_on_request()
            return await self._finish()
        try:
            if self._pending_lines() and not await self._confirmation():
                return await self._finish()
            if not await self._payment():
                return await self._finish()
            await self._after_payment()
            if self.steps.since(DISPATCH_BEFORE_PAPERWORK):
                # Shops get their parts at once; invoices and e-mails (a PDF costs ~125 ms of
                # CPU) follow while they prepare.
                await self._dispatch()
                await self._paperwork()
            else:  # orders paid before this change replay in their recorded order
                await self._paperwork()
                await self._dispatch()
            await self._await_parts()
        except OperatorCancelled as cancelled:
            await self._operator_cancel(cancelled.action)
        return await self._finish()

    async def _finish(self) -> str:
        await self.steps.drain()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.status

    # --- confirmation of reserved lines ---------------------------------------------------

    def _pending_lines(self, vendor_order_id: int | None = None) -> list[int]:
        assert self.snapshot is not None
        return [
            line.line_id
            for part in self.snapshot.vendor_orders
            if vendor_order_id is None or part.vendor_order_id == vendor_order_id
            for line in part.lines
            if line.status == PENDING
        ]

    def _live_parts(self) -> list[VendorOrderInfo]:
        assert self.snapshot is not None
        return [
            part
            for part in self.snapshot.vendor_orders
            if part.status != "cancelled" and any(line.status in LIVE for line in part.lines)
        ]

    def _interrupted(self) -> bool:
        return self.cancel_request is not None or self.steps.cancel_requested is not None

    async def _confirmation(self) -> bool:
        """Wait for the merchants' answers; False when the order ended here."""
        now = workflow.now()
        self.deadline = now + timedelta(seconds=self.timing.confirmation_deadline_seconds)
        self.deadline_kind = "confirmation"
        reminder_at = now + timedelta(seconds=self.timing.confirmation_reminder_seconds)
        await self._project("awaiting_confirmation", confirmation_deadline=self.deadline)
        waiting = [p for p in self._live_parts() if self._pending_lines(p.vendor_order_id)]
        for part in waiting:
            await self._email_merchant(part.vendor_order_id, "reservation_to_confirm", "reservation")
        reminded = reminder_at >= self.deadline
        while self._pending_lines() and not self._interrupted():
            until = self.deadline if reminded else reminder_at
            try:
                await workflow.wait_condition(
                    lambda: not self._pending_lines() or self._interrupted(),
                    timeout=max(until - workflow.now(), timedelta(0)),
                )
            except TimeoutError:
                if not reminded:
                    reminded = True
                    for part in waiting:
                        if self._pending_lines(part.vendor_order_id):
                            await self._email_merchant(
                                part.vendor_order_id, "reservation_reminder", "reservation-reminder"
                            )
                    continue
                await self._close("cancelled", "le délai de confirmation par la boutique est dépassé")
                return False
        if self._interrupted():
            await self._close_on_request()
            return False
        await workflow.wait_condition(lambda: not self.busy)
        if not self._live_parts():
            await self._close("cancelled", "aucun des articles réservés n'a été confirmé")
            return False
        return True

    @workflow.update(name=CONFIRM_LINES)
    async def confirm_lines(self, request: ConfirmLinesInput) -> OrderState:
        """A merchant confirms or declines reservation lines of its shop's part."""
        self.busy = True
        try:
            self.decisions += 1
            decided = set(request.confirmed) | set(request.declined)
            left = [i for i in self._pending_lines(request.vendor_order_id) if i not in decided]
            part = self._part(request.vendor_order_id)
            kept = any(
                line.status == "confirmed" or line.line_id in request.confirmed
                or (line.status == PENDING and line.line_id not in decided)
                for line in part.lines
            )
            vendor_status = "" if left else ("awaiting_payment" if kept else "cancelled")
            self.snapshot = await self.steps.quick(
                acts.apply_line_decisions,
                LineDecisions(
                    vendor_order_id=request.vendor_order_id,
                    confirmed=list(request.confirmed),
                    declined=list(request.declined),
                    event_key=f"order:{self.order_id}:decision:{self.decisions}",
                    vendor_status=vendor_status,
                    actor_id=request.actor_id,
                ),
            )
        finally:
            self.busy = False
        return self.state()

    @confirm_lines.validator
    def validate_confirm_lines(self, request: ConfirmLinesInput) -> None:
        if self.status != "awaiting_confirmation" or self.snapshot is None:
            raise ValueError("Cette commande n'attend plus de confirmation de réservation.")
        if self.busy:
            raise ValueError("Une autre décision est en cours d'enregistrement ; réessayez.")
        pending = set(self._pending_lines(request.vendor_order_id))
        if not any(p.vendor_order_id == request.vendor_order_id for p in self.snapshot.vendor_orders):
            raise ValueError("Cette commande boutique ne fait pas partie de la commande.")
        if not request.confirmed and not request.declined:
            raise ValueError("Indiquez au moins une ligne à confirmer ou à refuser.")
        if set(request.confirmed) & set(request.declined):
            raise ValueError("Une ligne ne peut pas être à la fois confirmée et refusée.")
        unknown = (set(request.confirmed) | set(request.declined)) - pending
        if unknown:
            raise ValueError(
                "Ces lignes n'attendent pas de confirmation : "
                + ", ".join(str(i) for i in sorted(unknown))
                + "."
            )

    # --- payment --------------------------------------------------------------------------

    async def _payment(self) -> bool:
        """Wait for the card payment until the deadline; False when the order ended here."""
        had_confirmation = self.status == "awaiting_confirmation"
        longer = had_confirmation and self.steps.since(PAYABLE_LONGER_AFTER_CONFIRMATION)
        self.deadline = payment_deadline(
            workflow.now(),
            ordinary_seconds=self.timing.payment_deadline_seconds,
            after_confirmation_seconds=self.timing.payment_after_confirmation_seconds,
            confirmed=longer,
            pickup_slots=[
                p.pickup_slot_start for p in self._live_parts() if p.pickup_slot_start is not None
            ],
        )
        self.deadline_kind = "payment"
        await self._project(
            "awaiting_payment", payment_deadline=self.deadline, vendor_status="awaiting_payment"
        )
        if had_confirmation:
            await self._email_shopper(
                "order_payable", "payable", extra={"deadline_iso": self.deadline.isoformat()}
            )
        while True:
            while self.payment_events:
                event = self.payment_events.pop(0)
                if event.event_id in self.seen_events:
                    continue
                self.seen_events.add(event.event_id)
                await self.steps.run(
                    acts.record_payment_outcome,
                    PaymentOutcome(
                        order_id=self.order_id,
                        payment_intent_id=event.payment_intent_id,
                        succeeded=event.succeeded,
                        message=event.failure_message,
                    ),
                    step="record_payment",
                    local=self.steps.lean(),
                )
                if event.succeeded:
                    self.paid_intent = event.payment_intent_id
                    return True
            if self._interrupted():
                return await self._close_on_request()
            remaining = self.deadline - workflow.now()
            if remaining <= timedelta(0):
                return not await self._close("payment_failed", "le délai de paiement est dépassé")
            try:
                await workflow.wait_condition(
                    lambda: bool(self.payment_events) or self._interrupted(), timeout=remaining
                )
            except TimeoutError:
                pass

    @workflow.signal(name=PAYMENT_EVENT_SIGNAL)
    def payment_event(self, event: PaymentEvent) -> None:
        """A verified Stripe event about the order's PaymentIntent (duplicates are ignored)."""
        if event.event_id not in self.seen_events:
            self.payment_events.append(event)

    # --- after payment --------------------------------------------------------------------

    async def _after_payment(self) -> None:
        self.deadline, self.deadline_kind = None, ""
        await self._project("processing")
        await self.steps.run(
            acts.record_sale, OrderRef(self.order_id), step="record_sale", local=self.steps.lean()
        )

    async def _paperwork(self) -> None:
        """One invoice per shop, the shopper's confirmation, each shop's new-order e-mail."""
        parts = self._live_parts()
        documents_queue = None
        if parts and self.steps.since(DOCUMENTS_QUEUE):
            documents_queue = self.timing.documents_task_queue or None
        for part in parts:
            await self.steps.run(
                acts.issue_invoice,
                VendorOrderRef(part.vendor_order_id),
                step=f"issue_invoice:{part.vendor_order_id}",
                skippable=True,
                task_queue=documents_queue,
            )
        await self._email_shopper("order_paid", "paid")
        for part in parts:
            await self._email_merchant(part.vendor_order_id, "new_vendor_order", "paid")

    async def _dispatch(self) -> None:
        """One child workflow per shop's part, then the parts become actionable."""
        parts = self._live_parts()
        priority = people_first(self.steps, SHOP_PART_PRIORITY) if parts else Priority.default
        for part in parts:
            self.vendor_statuses[part.vendor_order_id] = "confirmed"
            self.children[part.vendor_order_id] = await workflow.start_child_workflow(
                VendorOrderWorkflow.run,
                VendorOrderInput(order_id=self.order_id, vendor_order=part, timing=self.timing),
                id=vendor_order_workflow_id(part.vendor_order_id),
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(ORDER_ID_KEY, str(self.order_id)),
                        SearchAttributePair(ORDER_STAGE_KEY, "fulfilment"),
                    ]
                ),
                priority=priority,
            )
        # The parts become actionable for merchants only once their workflows exist.
        await self._project("", stage="fulfilment", vendor_status="confirmed")

    async def _await_parts(self) -> None:
        """The order lives until every shop's part has finished (return windows included)."""
        if self.steps.since(CANCEL_DURING_FULFILMENT):
            parts = asyncio.gather(*self.children.values())
            await workflow.wait_condition(
                lambda: parts.done() or self.steps.cancel_requested is not None
            )
            if self.steps.cancel_requested is not None and not parts.done():
                raise OperatorCancelled(self.steps.cancel_requested)
        elif self.steps.cancel_requested is not None:
            await self._forward_cancel(self.steps.cancel_requested)
        results = await asyncio.gather(*self.children.values())
        for result in results:
            self.vendor_statuses[result.vendor_order_id] = result.status
        self.steps.set_stage("finished")
        await self._project("", stage="finished")
        self.status = "finished"

    # --- cancelling -----------------------------------------------------------------------

    @workflow.update(name=CANCEL_ORDER)
    async def cancel(self, request: CancelOrderInput) -> OrderState:
        """The shopper (or an operator) cancels an order that is not paid yet."""
        self.cancel_request = request
        await workflow.wait_condition(
            lambda: self.status not in (*UNPAID, "created") or self.paid_intent != ""
        )
        if self.status != "cancelled":
            # Accepted while the order was loading, but it turned out to be past payment.
            raise ApplicationError(ALREADY_PAID, type="CancelRefused")
        return self.state()

    @cancel.validator
    def validate_cancel(self, request: CancelOrderInput) -> None:
        if self.cancel_request is not None:
            raise ValueError("L'annulation de cette commande est déjà en cours.")
        if self.status == "created":
            return  # checkout committed it unpaid: it is cancelled as soon as it is loaded
        if self.status not in UNPAID or self.paid_intent:
            raise ValueError(ALREADY_PAID)

    async def _close_on_request(self) -> bool:
        """Close after a cancel request; False (the order ended) unless it turned out paid."""
        if self.cancel_request is not None:
            request = self.cancel_request
            note = request.reason or "annulée à votre demande"
            return not await self._close(
                "cancelled", note, actor_kind=request.actor_kind, actor_id=request.actor_id
            )
        action = self.steps.cancel_requested
        assert action is not None
        return not await self._close(
            "cancelled", action.reason or "annulée par notre équipe",
            actor_kind="operator", actor_id=action.operator_id,
        )  # fmt: skip

    async def _close(
        self, to_status: str, reason: str, *, actor_kind: str = "system", actor_id: int | None = None
    ) -> bool:
        """Close an unpaid order; True when closed, False when Stripe says it is paid after all."""
        result = await self.steps.run(
            acts.close_unpaid_order,
            CloseUnpaidInput(
                order_id=self.order_id,
                to_status=to_status,
                event_key=f"order:{self.order_id}:{to_status}",
                actor_kind=actor_kind,
                actor_id=actor_id,
                note=reason,
            ),
            step="close_unpaid",
        )
        if result.paid:
            # The money arrived as the deadline struck: the order goes on as paid.
            self.paid_intent = result.payment_intent_id
            self.cancel_request = None
            await self.steps.run(
                acts.record_payment_outcome,
                PaymentOutcome(self.order_id, result.payment_intent_id, succeeded=True),
                step="record_payment",
            )
            return False
        self.status = to_status
        self.deadline, self.deadline_kind = None, ""
        self.steps.set_stage("closed")
        await self._email_shopper("order_cancelled", to_status, extra={"reason": reason})
        return True

    @workflow.signal(name=OPERATOR_ACTION_SIGNAL)
    def operator_action(self, action: OperatorAction) -> None:
        """An operator's decision: retry or skip a failed step, or cancel the order."""
        self.steps.receive(action)

    async def _forward_cancel(self, action: OperatorAction) -> None:
        for vendor_order_id in self.children:
            handle = workflow.get_external_workflow_handle(vendor_order_workflow_id(vendor_order_id))
            await handle.signal(OPERATOR_ACTION_SIGNAL, action)

    async def _operator_cancel(self, action: OperatorAction) -> None:
        """Cancel after a failed step: unpaid, close it; paid, refund what is left."""
        if not self.paid_intent:
            self.steps.cancel_requested = action
            await self._close_on_request()
            if not self.paid_intent:
                return
        if self.children:
            await self._forward_cancel(action)
            await asyncio.gather(*self.children.values())
            self.status = "finished"
            if self.steps.since(CANCEL_DURING_FULFILMENT):
                await self._tell_cancelled(action, list(self.children))
            return
        for part in self._live_parts():
            left = await self.steps.forever(
                acts.cancel_vendor_lines,
                CancelVendorLines(
                    vendor_order_id=part.vendor_order_id,
                    event_key=f"order:{self.order_id}:operator-cancel:vo{part.vendor_order_id}",
                ),
            )
            if left > 0:
                refund_key = f"order-{self.order_id}-operator-cancel-vo{part.vendor_order_id}"
                await self.steps.forever(
                    acts.refund,
                    RefundRequest(
                        order_id=self.order_id,
                        vendor_order_id=part.vendor_order_id,
                        amount_cents=left,
                        refund_key=refund_key,
                        reason=action.reason or "annulation par un opérateur",
                        requested_by=action.operator_id,
                    ),
                )
                self.steps.credit_note_pdfs(refund_key)
        await self._project("refunded", stage="closed", actor_kind="operator", actor_id=action.operator_id)
        self.status = "refunded"
        self.steps.set_stage("closed")
        if self.steps.since(CANCEL_DURING_FULFILMENT):
            await self._tell_cancelled(action, [p.vendor_order_id for p in self._live_parts()])

    async def _tell_cancelled(self, action: OperatorAction, vendor_order_ids: list[int]) -> None:
        """The shopper and every shop concerned learn that our team cancelled a paid order."""
        reason = action.reason or "annulée par notre équipe"
        await self._email_shopper("order_cancelled_paid", "operator-cancel", extra={"reason": reason})
        for vendor_order_id in vendor_order_ids:
            await self._email_merchant(
                vendor_order_id, "vendor_order_cancelled", "operator-cancel", extra={"reason": reason}
            )

    # --- helpers --------------------------------------------------------------------------

    def _part(self, vendor_order_id: int) -> VendorOrderInfo:
        assert self.snapshot is not None
        return next(p for p in self.snapshot.vendor_orders if p.vendor_order_id == vendor_order_id)

    async def _project(
        self,
        status: str,
        *,
        stage: str = "",
        vendor_status: str = "",
        confirmation_deadline: datetime | None = None,
        payment_deadline: datetime | None = None,
        actor_kind: str = "system",
        actor_id: int | None = None,
    ) -> None:
        stage = stage or status
        if status:
            self.status = status
        if stage != self.steps.stage:
            self.steps.set_stage(stage)
        await self.steps.run(
            acts.project_order,
            OrderChange(
                order_id=self.order_id,
                event_key=f"order:{self.order_id}:{status or 'stage'}:{stage}",
                status=status,
                stage=stage,
                vendor_status=vendor_status,
                confirmation_deadline=confirmation_deadline,
                payment_deadline=payment_deadline,
                actor_kind=actor_kind,
                actor_id=actor_id,
            ),
            step=f"project:{status or stage}",
            local=self.steps.since(LOCAL_PROJECTIONS),
        )

    async def _email_shopper(self, template: str, key: str, extra: dict[str, str] | None = None) -> None:
        await self.steps.run(
            acts.send_order_email,
            EmailRequest(
                order_id=self.order_id,
                template=template,
                email_key=f"order:{self.order_id}:{key}",
                extra=extra or {},
            ),
            step=f"email:{template}",
            skippable=True,
        )

    async def _email_merchant(
        self, vendor_order_id: int, template: str, key: str, extra: dict[str, str] | None = None
    ) -> None:
        extra = dict(extra or {})
        if self.deadline:
            extra["deadline_iso"] = self.deadline.isoformat()
        await self.steps.run(
            acts.send_order_email,
            EmailRequest(
                order_id=self.order_id,
                template=template,
                email_key=f"vendor-order:{vendor_order_id}:{key}",
                to="merchant",
                vendor_order_id=vendor_order_id,
                extra=extra,
            ),
            step=f"email:{template}",
            skippable=True,
        )

    @workflow.query(name=STATE_QUERY)
    def state(self) -> OrderState:
        """Where the order stands, what it waits for and until when."""
        return OrderState(
            order_id=self.order_id,
            status=self.status,
            stage=self.steps.stage,
            next_deadline=self.deadline,
            next_deadline_kind=self.deadline_kind,
            pending_line_ids=self._pending_lines() if self.snapshot else [],
            vendor_statuses={str(k): v for k, v in self.vendor_statuses.items()},
            needs_attention=self.steps.needs_attention,
        )
