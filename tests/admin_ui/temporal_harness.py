"""A real Temporal dev server for the console's Temporal panel and actions, with a stand-in
order workflow (the real one is tested in tests/workflows): it answers `state`, records
`operator_action` signals, and in "flaky" mode keeps retrying a failing activity.

The server, client and worker live on a background event loop for the module, because the
console itself makes its own `asyncio.run` per call from Streamlit's script thread.
"""

from __future__ import annotations

import asyncio
import sysconfig
import threading
from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from comptoir.orders.contracts import (
    OPERATOR_ACTION_SIGNAL,
    ORDER_WORKFLOW,
    STATE_QUERY,
    OperatorAction,
    OrderState,
    OrderWorkflowInput,
    Timing,
)
from comptoir.orders.gateway import ORDER_ID_KEY, ORDER_STAGE_KEY
from comptoir.temporal import DATA_CONVERTER

T = TypeVar("T")
TASK_QUEUE = "comptoir-admin-tests"
FLAKY = Timing(activity_max_attempts=1000)  # marks a stand-in that runs a failing step


@activity.defn(name="issue_invoice")
async def failing_invoice() -> None:
    """Always fails, like a step whose dependency is down."""
    raise RuntimeError("Serveur SMTP injoignable")


@workflow.defn(name=ORDER_WORKFLOW)
class StandInOrderWorkflow:
    """Waits for an operator's `cancel`; reports the last operator action in its stage."""

    def __init__(self) -> None:
        self.order_id = 0
        self.stage = "fulfilment"
        self.actions: list[OperatorAction] = []

    @workflow.run
    async def run(self, input: OrderWorkflowInput) -> str:
        self.order_id = input.order_id
        if input.timing.activity_max_attempts == FLAKY.activity_max_attempts:
            self.stage = "needs_attention"
            await workflow.execute_activity(
                failing_invoice,
                start_to_close_timeout=timedelta(seconds=5),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(milliseconds=200),
                    backoff_coefficient=1.5,
                    maximum_interval=timedelta(seconds=2),
                ),
            )
        await workflow.wait_condition(lambda: any(a.action == "cancel" for a in self.actions))
        return "cancelled"

    @workflow.signal(name=OPERATOR_ACTION_SIGNAL)
    def operator_action(self, action: OperatorAction) -> None:
        self.actions.append(action)
        self.stage = f"{action.action} par {action.operator_id} : {action.reason}"

    @workflow.query(name=STATE_QUERY)
    def state(self) -> OrderState:
        return OrderState(
            order_id=self.order_id,
            status="processing",
            stage=self.stage,
            needs_attention=self.stage == "needs_attention",
            vendor_statuses={"1": "preparing"},
        )


class TemporalHarness:
    """The dev server and a worker of the stand-in, driven from synchronous tests."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.env: WorkflowEnvironment = self.run(
            WorkflowEnvironment.start_local(
                dev_server_existing_path=str(Path(sysconfig.get_path("scripts")) / "temporal"),
                data_converter=DATA_CONVERTER,
                search_attributes=[ORDER_ID_KEY, ORDER_STAGE_KEY],
            )
        )
        self.worker = Worker(
            self.client,
            task_queue=TASK_QUEUE,
            workflows=[StandInOrderWorkflow],
            activities=[failing_invoice],
            workflow_runner=UnsandboxedWorkflowRunner(),
        )
        self.worker_task = self.loop.call_soon_threadsafe(self._start_worker)

    def _start_worker(self) -> None:
        self._running = self.loop.create_task(self.worker.run())

    @property
    def client(self) -> Client:
        return self.env.client

    @property
    def address(self) -> str:
        return self.client.service_client.config.target_host

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run `coro` on the harness loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(
        self, workflow_id: str, order_id: int, timing: Timing | None = None
    ) -> WorkflowHandle[Any, Any]:
        """Start the stand-in under `workflow_id`."""
        return self.run(
            self.client.start_workflow(
                ORDER_WORKFLOW,
                OrderWorkflowInput(order_id=order_id, timing=timing or Timing()),
                id=workflow_id,
                task_queue=TASK_QUEUE,
            )
        )

    def state(self, workflow_id: str) -> OrderState:
        """The stand-in's answer to `state`."""
        handle = self.client.get_workflow_handle(workflow_id)
        return self.run(handle.query(STATE_QUERY, result_type=OrderState))

    def close(self) -> None:
        """Stop the worker and the server, then the loop."""
        self.run(self.worker.shutdown())
        self.run(self.env.shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
