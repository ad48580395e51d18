"""OperatorRefundWorkflow: one per operator refund (`operator-refund-<refund id>`).

The refund row exists (pending) before the workflow starts; the workflow moves the money
once (the row's unique key), tells the shopper, and is independent of the order's own
workflow, which may have ended long ago. A refusal (over-refund, Stripe says no) or
attempts exhausted while Stripe is unreachable mark the row failed: nothing was refunded.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities import orders as acts
    from comptoir.orders.contracts import (
        OPERATOR_REFUND_WORKFLOW,
        CreditNotePapers,
        EmailRequest,
        OperatorRefundInput,
    )
    from workflows.steps import CREDIT_NOTE_PDFS, FOREVER, PAPERS, failure_text

# Stripe unreachable: about ten minutes of attempts, then the operator is told it failed.
STRIPE_RETRIES = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=10,
)
ACTIVITY_TIMEOUT = timedelta(seconds=60)


@workflow.defn(name=OPERATOR_REFUND_WORKFLOW)
class OperatorRefundWorkflow:
    @workflow.run
    async def run(self, request: OperatorRefundInput) -> str:
        try:
            cents = await workflow.execute_activity(
                acts.operator_refund,
                request,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=STRIPE_RETRIES,
            )
        except ActivityError as error:
            request.failure = failure_text(error)
            await workflow.execute_activity(
                acts.abandon_operator_refund,
                request,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=FOREVER,
            )
            return "failed"
        if cents and workflow.patched(CREDIT_NOTE_PDFS):
            try:  # the refund's credit notes, rendered by the documents worker
                await workflow.execute_activity(
                    acts.render_credit_notes,
                    CreditNotePapers(refund_id=request.refund_id),
                    start_to_close_timeout=ACTIVITY_TIMEOUT,
                    retry_policy=PAPERS,
                    task_queue=request.documents_task_queue or None,
                )
            except ActivityError:  # rendered when first downloaded instead
                workflow.logger.warning("credit notes of refund %s not rendered", request.refund_id)
        try:
            await workflow.execute_activity(
                acts.send_order_email,
                EmailRequest(
                    order_id=request.order_id,
                    template="operator_refund_made",
                    email_key=f"refund:operator:{request.refund_id}",
                    extra={"amount_cents": str(cents), "reason": request.reason},
                ),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=STRIPE_RETRIES,
            )
        except ActivityError:
            workflow.logger.warning("refund e-mail of order %s not sent", request.order_id)
        return "refunded"
