"""The platform's monthly commission invoices: `CommissionRunWorkflow` (one per firing of the
schedule, the 1st of each month) starts one `CommissionInvoiceWorkflow` per shop that bore
payment fees last month, id `commission-<shop>-<YYYY-MM>`.

    run: month = the last one over (Paris) ─▶ shops with fees ─▶ one child per shop (an id
         already taken: that shop's invoice of the month exists or is being issued)
    invoice: issued once (UNIQUE shop + month) ─▶ e-mailed to the merchant, PDF attached (once)

Every step is an idempotent activity, so a second firing or a killed worker changes nothing.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from comptoir.settlements.contracts import (
        COMMISSION_RUN_WORKFLOW,
        COMMISSION_WORKFLOW,
        ISSUE_COMMISSION_ACTIVITY,
        SEND_COMMISSION_ACTIVITY,
        SHOPS_TO_INVOICE_ACTIVITY,
        CommissionActivityInput,
        CommissionInput,
        CommissionRef,
        CommissionRunInput,
        CommissionRunResult,
        ShopsToInvoice,
        ShopsToInvoiceInput,
        commission_workflow_id,
    )
    from comptoir.settlements.periods import month_before

# PostgreSQL or SMTP down: keep trying (issuing and sending are idempotent).
PATIENT = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))


@workflow.defn(name=COMMISSION_WORKFLOW)
class CommissionInvoiceWorkflow:
    @workflow.run
    async def run(self, input: CommissionInput) -> CommissionRef:
        step_timeout = timedelta(seconds=input.activity_timeout_seconds)
        ref = await workflow.execute_activity(
            ISSUE_COMMISSION_ACTIVITY,
            input,
            result_type=CommissionRef,
            start_to_close_timeout=step_timeout,
            retry_policy=PATIENT,
        )
        if ref.invoice_id is None:
            return ref  # no fee that month: nothing to invoice
        await workflow.execute_activity(
            SEND_COMMISSION_ACTIVITY,
            CommissionActivityInput(ref.invoice_id),
            result_type=bool,
            start_to_close_timeout=step_timeout,
            retry_policy=PATIENT,
        )
        return ref


@workflow.defn(name=COMMISSION_RUN_WORKFLOW)
class CommissionRunWorkflow:
    @workflow.run
    async def run(self, input: CommissionRunInput) -> CommissionRunResult:
        month = (
            date.fromisoformat(input.month).replace(day=1)
            if input.month
            else month_before(workflow.now())
        )
        step_timeout = timedelta(seconds=input.activity_timeout_seconds)
        found = await workflow.execute_activity(
            SHOPS_TO_INVOICE_ACTIVITY,
            ShopsToInvoiceInput(month.isoformat()),
            result_type=ShopsToInvoice,
            start_to_close_timeout=step_timeout,
            retry_policy=PATIENT,
        )
        result = CommissionRunResult(month.isoformat())
        children = []
        for shop_id in found.shop_ids:
            try:
                child = await workflow.start_child_workflow(
                    COMMISSION_WORKFLOW,
                    CommissionInput(
                        shop_id,
                        month.isoformat(),
                        activity_timeout_seconds=input.activity_timeout_seconds,
                    ),
                    id=commission_workflow_id(shop_id, month.isoformat()),
                    result_type=CommissionRef,
                    # A second firing for the same month must change nothing.
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    parent_close_policy=ParentClosePolicy.ABANDON,
                )
            except WorkflowAlreadyStartedError:
                result.already.append(shop_id)
                continue
            result.started.append(shop_id)
            children.append(child)
        await asyncio.gather(*children)
        return result
