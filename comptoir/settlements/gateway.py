"""The one module that talks to Temporal about settlements: the schedules (settlements,
monthly commission invoices) and payout retries."""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from comptoir.errors import Conflict, ServiceUnavailable
from comptoir.models.settlements import Settlement
from comptoir.settings import Settings
from comptoir.settlements.contracts import (
    COMMISSION_RUN_WORKFLOW,
    COMMISSION_RUN_WORKFLOW_ID,
    SETTLEMENT_RUN_WORKFLOW,
    SETTLEMENT_RUN_WORKFLOW_ID,
    SETTLEMENT_WORKFLOW,
    CommissionRunInput,
    SettlementInput,
    SettlementRunInput,
    payout_retry_workflow_id,
)

log = logging.getLogger("comptoir.settlements")
PARIS = "Europe/Paris"


def settlement_schedule(settings: Settings) -> Schedule:
    """Weekly by default (cron, Paris time); every N minutes when the interval is set."""
    if settings.settlement_interval_minutes > 0:
        spec = ScheduleSpec(
            intervals=[ScheduleIntervalSpec(every=timedelta(minutes=settings.settlement_interval_minutes))]
        )
    else:
        spec = ScheduleSpec(cron_expressions=[settings.settlement_cron], time_zone_name=PARIS)
    return Schedule(
        action=ScheduleActionStartWorkflow(
            SETTLEMENT_RUN_WORKFLOW,
            SettlementRunInput(
                period_days=settings.settlement_period_days,
                activity_timeout_seconds=settings.activity_timeout_seconds,
            ),
            id=SETTLEMENT_RUN_WORKFLOW_ID,
            task_queue=settings.task_queue,
        ),
        spec=spec,
        # A firing while the previous run is still going is skipped, never queued.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


def commission_schedule(settings: Settings) -> Schedule:
    """Monthly by default (cron, Paris time): last month's commission invoices."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            COMMISSION_RUN_WORKFLOW,
            CommissionRunInput(activity_timeout_seconds=settings.activity_timeout_seconds),
            id=COMMISSION_RUN_WORKFLOW_ID,
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(cron_expressions=[settings.commission_cron], time_zone_name=PARIS),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def _ensure_schedule(client: Client, schedule_id: str, wanted: Schedule) -> bool:
    """Create a schedule, or bring an existing one up to `wanted`; True if done.

    Temporal refusing (e.g. a server without schedules) is logged: orders still run."""
    try:
        try:
            await client.create_schedule(schedule_id, wanted)
        except ScheduleAlreadyRunningError:

            def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=wanted)

            await client.get_schedule_handle(schedule_id).update(replace)
    except RPCError:
        log.warning("could not create or update the schedule %s", schedule_id, exc_info=True)
        return False
    return True


async def ensure_settlement_schedule(client: Client, settings: Settings) -> bool:
    """Create the settlement schedule, or bring an existing one up to the settings."""
    return await _ensure_schedule(
        client, settings.settlement_schedule_id, settlement_schedule(settings)
    )


async def ensure_commission_schedule(client: Client, settings: Settings) -> bool:
    """Create the monthly commission-invoice schedule, or bring it up to the settings."""
    return await _ensure_schedule(
        client, settings.commission_schedule_id, commission_schedule(settings)
    )


async def retry_payout(client: Client, settings: Settings, settlement: Settlement, attempt: int) -> str:
    """Start the payout of a settlement (planned again by an operator); the workflow id."""
    workflow_id = payout_retry_workflow_id(settlement.id, attempt)
    try:
        await client.start_workflow(
            SETTLEMENT_WORKFLOW,
            SettlementInput(
                settlement.shop_id,
                settlement.period_start.isoformat(),
                settlement.period_end.isoformat(),
                settlement_id=settlement.id,
                activity_timeout_seconds=settings.activity_timeout_seconds,
            ),
            id=workflow_id,
            task_queue=settings.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError as exc:
        raise Conflict("Cette relance du versement est déjà en cours.") from exc
    except RPCError as exc:
        raise ServiceUnavailable("Temporal est injoignable : relancez dans un instant.") from exc
    return workflow_id
