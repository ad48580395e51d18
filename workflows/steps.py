"""Running a workflow's activities so that a failure never goes silent.

A step is retried by Temporal with the order's retry policy; once its attempts are
exhausted the workflow records an attention item (Postgres) and the `needs_attention`
stage (search attribute), then waits for an operator's `operator_action` signal: `retry`
runs the step again, `skip` passes over a step that allows it (an e-mail, an invoice
that can be regenerated), `cancel` stops the normal course (the workflow then cancels
with refund where that is allowed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import Priority, RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities import orders as acts
    from comptoir.orders.contracts import (
        NEEDS_ATTENTION,
        OPERATOR_ACTIONS,
        ORDER_STAGE_ATTRIBUTE,
        AttentionRequest,
        AttentionResolution,
        CreditNotePapers,
        OperatorAction,
        Timing,
    )

T = TypeVar("T")
ORDER_STAGE_KEY = SearchAttributeKey.for_keyword(ORDER_STAGE_ATTRIBUTE)
# Recording that a human is needed must not itself give up: retried until PostgreSQL answers.
FOREVER = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
# A paper that can be rendered later (on download): retried for about a quarter of an hour.
PAPERS = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=20,
)
# A human's action waits for its answer: a few quick attempts, then a clear refusal.
QUICK = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    maximum_interval=timedelta(seconds=2),
    maximum_attempts=3,
)


# A person waiting for an answer (a merchant's step, a shopper's change) must not queue
# behind the orders' own work. Since this patch: the write that answers them is a local
# activity (no activity task on the server, one workflow task instead of two), and the
# shops' parts run at a higher task queue priority (Temporal: 1 goes first, 5 last, 3 by
# default) than orders being paid and dispatched, so a burst of payments leaves the
# merchants' updates ahead in the queue. Histories recorded before it replay unchanged.
PEOPLE_FIRST = "people-first"
SHOP_PART_PRIORITY = Priority(priority_key=2)


# Credit note PDFs are rendered by the documents worker after the refund (the refund's
# transaction issues the credit note, number and contents, without its PDF).
CREDIT_NOTE_PDFS = "credit-note-pdfs"


# Each patch a run meets costs its history a marker and the server a search-attribute update
# (`TemporalChangeVersion`), about a millisecond of the server's CPU and a row of visibility
# each. Runs started since this patch record this one marker, the first time they ask for any
# patch, and take every patch listed before it as applied without a marker of its own
# (`StepRunner.since`). With it, an order loads itself, records its payment and its sale as
# local activities (no activity task on the server, one workflow task less each).
# Histories recorded before it replay unchanged: their runs find no such marker.
LEAN_HISTORY = "lean-history"


def people_first(steps: StepRunner, priority: Priority) -> Priority:
    """`priority` for workflows started since the `people-first` patch, else the default."""
    return priority if steps.since(PEOPLE_FIRST) else Priority.default


class OperatorCancelled(Exception):
    """An operator chose to cancel the order (or a shop's part) instead of retrying."""

    def __init__(self, action: OperatorAction) -> None:
        super().__init__(action.reason)
        self.action = action


def failure_text(error: BaseException) -> str:
    """The innermost failure's message: what an operator needs to read."""
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, FailureError) and current.message:
            parts.append(current.message)
        current = current.__cause__
    return " ← ".join(reversed(parts[-3:])) or type(error).__name__


class StepRunner:
    """Runs activities of one workflow (an order or a shop's part) with the attention protocol."""

    def __init__(self, order_id: int, timing: Timing, vendor_order_id: int | None = None) -> None:
        self.order_id = order_id
        self.vendor_order_id = vendor_order_id
        self.timing = timing
        self.stage = "created"
        self.failing_step = ""
        self.last_error = ""
        self.actions: list[OperatorAction] = []
        self.cancel_requested: OperatorAction | None = None
        self._items = 0
        self.background: list[workflow.ActivityHandle[Any]] = []
        self._lean: bool | None = None

    # --- versions -----------------------------------------------------------------------

    def lean(self) -> bool:
        """Whether this run started since `LEAN_HISTORY` (asked once, where first needed)."""
        if self._lean is None:
            self._lean = workflow.patched(LEAN_HISTORY)
        return self._lean

    def since(self, patch: str) -> bool:
        """`workflow.patched(patch)`, without a marker of its own for runs since `LEAN_HISTORY`.

        Only for patches made before `LEAN_HISTORY`: a later one must be asked with
        `workflow.patched` (a run started before it has the lean marker, not the new change)."""
        return self.lean() or workflow.patched(patch)

    # --- operator signals ---------------------------------------------------------------

    def receive(self, action: OperatorAction) -> None:
        """An operator's signal: consumed by a waiting step, else a cancel is kept for later."""
        if action.action not in OPERATOR_ACTIONS:
            workflow.logger.warning("ignored unknown operator action %r", action.action)
            return
        if self.failing_step:
            self.actions.append(action)
        elif action.action == "cancel":
            self.cancel_requested = action

    @property
    def needs_attention(self) -> bool:
        return bool(self.failing_step)

    # --- running ------------------------------------------------------------------------

    def policy(self) -> RetryPolicy:
        return RetryPolicy(
            initial_interval=timedelta(seconds=self.timing.activity_initial_interval_seconds),
            maximum_interval=timedelta(seconds=self.timing.activity_maximum_interval_seconds),
            maximum_attempts=self.timing.activity_max_attempts,
        )

    def _timeout(self) -> timedelta:
        return timedelta(seconds=self.timing.activity_timeout_seconds)

    async def quick(self, activity: Callable[..., Any], arg: Any) -> Any:
        """Run an activity for a human's update: a failure is answered, not escalated."""
        try:
            if self.since(PEOPLE_FIRST):
                return await workflow.execute_local_activity(
                    activity, arg, start_to_close_timeout=self._timeout(), retry_policy=QUICK
                )
            return await workflow.execute_activity(
                activity, arg, start_to_close_timeout=self._timeout(), retry_policy=QUICK
            )
        except ActivityError as err:
            # A person reads this: the domain's own French refusal (a 409), or a French
            # "try again" (a 503), never Temporal's English.
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.non_retryable and cause.message:
                raise ApplicationError(cause.message, type=cause.type) from err
            raise ApplicationError(
                "Le changement n'a pas pu être enregistré pour l'instant ; réessayez dans un "
                "instant.",
                type="StepFailed",
            ) from err

    async def run(
        self,
        activity: Callable[..., Any],
        arg: Any,
        *,
        step: str,
        skippable: bool = False,
        task_queue: str | None = None,
        local: bool = False,
    ) -> Any:
        """The activity's result; on exhausted retries, wait for an operator's decision.

        `task_queue`: another queue than the workflow's (the documents worker's); `local`: a
        short write run by the workflow's own worker (no task of its own on the server)."""
        while True:
            try:
                if local:
                    return await workflow.execute_local_activity(
                        activity,
                        arg,
                        start_to_close_timeout=self._timeout(),
                        retry_policy=self.policy(),
                    )
                return await workflow.execute_activity(
                    activity,
                    arg,
                    start_to_close_timeout=self._timeout(),
                    retry_policy=self.policy(),
                    task_queue=task_queue,
                )
            except ActivityError as err:
                action = await self._wait_for_operator(step, failure_text(err), skippable)
            if action.action == "cancel":
                raise OperatorCancelled(action)
            if action.action == "skip":
                return None
            # retry: go round again

    def credit_note_pdfs(self, refund_key: str) -> None:
        """Render a refund's credit notes on the documents queue (since the patch), in the
        background: the part goes on meanwhile, and `drain` waits for them before the workflow
        ends. A PDF that could not be rendered is rendered when first downloaded."""
        if not self.since(CREDIT_NOTE_PDFS):
            return
        self.background.append(
            workflow.start_activity(
                acts.render_credit_notes,
                CreditNotePapers(refund_key=refund_key),
                start_to_close_timeout=self._timeout(),
                retry_policy=PAPERS,
                task_queue=self.timing.documents_task_queue or None,
            )
        )

    async def drain(self) -> None:
        """Wait for the background work started by this workflow (credit note PDFs)."""
        while self.background:
            handle = self.background.pop(0)
            try:
                await handle
            except ActivityError as err:
                workflow.logger.warning("credit note PDF left to its download: %s", failure_text(err))

    async def forever(self, activity: Callable[..., Awaitable[Any]] | Callable[..., Any], arg: Any) -> Any:
        """Bookkeeping that must happen whatever it takes (retried without limit)."""
        return await workflow.execute_activity(
            activity, arg, start_to_close_timeout=self._timeout(), retry_policy=FOREVER
        )

    def set_stage(self, stage: str) -> None:
        """The stage shown to operators (search attribute OrderStage)."""
        self.stage = stage
        workflow.upsert_search_attributes([ORDER_STAGE_KEY.value_set(stage)])

    async def _wait_for_operator(self, step: str, error: str, skippable: bool) -> OperatorAction:
        self._items += 1
        info = workflow.info()
        item_key = f"{info.workflow_id}:{step}:{self._items}"
        previous_stage = self.stage
        self.failing_step, self.last_error = step, error
        await self.forever(
            acts.flag_attention,
            AttentionRequest(
                order_id=self.order_id,
                item_key=item_key,
                kind="activity_failed",
                step=step,
                error=error,
                vendor_order_id=self.vendor_order_id,
                workflow_id=info.workflow_id,
            ),
        )
        self.set_stage(NEEDS_ATTENTION)
        workflow.logger.warning("step %s needs an operator: %s", step, error)
        while True:
            await workflow.wait_condition(lambda: bool(self.actions))
            action = self.actions.pop(0)
            if action.action == "skip" and not skippable:
                workflow.logger.warning("step %s cannot be skipped; waiting for retry or cancel", step)
                continue
            break
        self.failing_step, self.last_error = "", ""
        self.set_stage(previous_stage)
        await self.forever(
            acts.resolve_attention,
            AttentionResolution(
                order_id=self.order_id,
                item_key=item_key,
                resolution=f"{action.action}: {action.reason}"[:200],
                operator_id=action.operator_id,
                stage=previous_stage if self.vendor_order_id is None else "",
            ),
        )
        return action
