"""Paying the shops: `SettlementRunWorkflow` (one per firing of the schedule) starts one
`SettlementWorkflow` per shop with money to settle, id `settlement-<shop>-<period start>`.

    run: period = the last one over ─▶ shops to settle ─▶ one child per shop (a duplicate id:
         that shop's settlement already ran or runs; nothing changes)
    settlement: statement written once (UNIQUE shop + period) ─▶ Connect: a Transfer exactly
         once; SEPA: planned for the operator's file; negative: carried ─▶ e-mail the merchant

Every step is an idempotent activity, so a worker killed mid-way resumes where it stopped.
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
        CREATE_SETTLEMENT_ACTIVITY,
        PAY_SETTLEMENT_ACTIVITY,
        SEND_STATEMENT_ACTIVITY,
        SETTLEMENT_RUN_WORKFLOW,
        SETTLEMENT_WORKFLOW,
        SHOPS_TO_SETTLE_ACTIVITY,
        SettlementActivityInput,
        SettlementInput,
        SettlementRef,
        SettlementRunInput,
        SettlementRunResult,
        ShopsToSettle,
        ShopsToSettleInput,
        settlement_workflow_id,
    )
    from comptoir.settlements.periods import Period, period_before

# Stripe or PostgreSQL down: keep trying (a refusal is recorded by the activity as `failed`).
PATIENT = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))


@workflow.defn(name=SETTLEMENT_WORKFLOW)
class SettlementWorkflow:
    @workflow.run
    async def run(self, input: SettlementInput) -> SettlementRef:
        step_timeout = timedelta(seconds=input.activity_timeout_seconds)
        if input.settlement_id is None:
            ref = await workflow.execute_activity(
                CREATE_SETTLEMENT_ACTIVITY,
                input,
                result_type=SettlementRef,
                start_to_close_timeout=step_timeout,
                retry_policy=PATIENT,
            )
        else:  # an operator's retry of a failed payout
            ref = SettlementRef(settlement_id=input.settlement_id, state="planned")
        if ref.settlement_id is None:
            return ref  # nothing final yet for this shop
        target = SettlementActivityInput(ref.settlement_id)
        if ref.state == "planned":
            ref = await workflow.execute_activity(
                PAY_SETTLEMENT_ACTIVITY,
                target,
                result_type=SettlementRef,
                start_to_close_timeout=step_timeout,
                retry_policy=PATIENT,
            )
        await workflow.execute_activity(
            SEND_STATEMENT_ACTIVITY,
            target,
            result_type=bool,
            start_to_close_timeout=step_timeout,
            retry_policy=PATIENT,
        )
        return ref


@workflow.defn(name=SETTLEMENT_RUN_WORKFLOW)
class SettlementRunWorkflow:
    @workflow.run
    async def run(self, input: SettlementRunInput) -> SettlementRunResult:
        if input.period_start:
            start = date.fromisoformat(input.period_start)
            period = Period(start, start + timedelta(days=input.period_days - 1))
        else:
            period = period_before(workflow.now(), input.period_days)
        step_timeout = timedelta(seconds=input.activity_timeout_seconds)
        found = await workflow.execute_activity(
            SHOPS_TO_SETTLE_ACTIVITY,
            ShopsToSettleInput(period.start.isoformat(), period.end.isoformat()),
            result_type=ShopsToSettle,
            start_to_close_timeout=step_timeout,
            retry_policy=PATIENT,
        )
        result = SettlementRunResult(period.start.isoformat(), period.end.isoformat())
        children = []
        for shop_id in found.shop_ids:
            try:
                child = await workflow.start_child_workflow(
                    SETTLEMENT_WORKFLOW,
                    SettlementInput(
                        shop_id,
                        period.start.isoformat(),
                        period.end.isoformat(),
                        activity_timeout_seconds=input.activity_timeout_seconds,
                    ),
                    id=settlement_workflow_id(shop_id, period.start.isoformat()),
                    result_type=SettlementRef,
                    # A second firing for the same period must change nothing.
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
