"""Recorded histories of every workflow type replay against today's code without
NondeterminismError: a change that alters history must be patched (`workflow.patched`).

The JSON files are written by tests/workflows/test_long_timers.py and
tests/settlements/test_settlement_workflows.py and test_commission_workflows.py with COMPTOIR_RECORD_HISTORIES=1; keep old
ones when recording new ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from comptoir.orders.contracts import (
    OPERATOR_REFUND_WORKFLOW,
    ORDER_WORKFLOW,
    VENDOR_ORDER_WORKFLOW,
)
from comptoir.settlements.contracts import (
    COMMISSION_RUN_WORKFLOW,
    COMMISSION_WORKFLOW,
    SETTLEMENT_RUN_WORKFLOW,
    SETTLEMENT_WORKFLOW,
)
from comptoir.temporal import DATA_CONVERTER
from workflows.worker import WORKFLOWS

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_every_workflow_type_has_recorded_histories() -> None:
    types = {path.name.split("_")[0] for path in HISTORIES}
    assert {"order", "vendor", "operator", "settlement", "commission"} <= types, [
        p.name for p in HISTORIES
    ]
    for kind in ("settlement", "commission"):
        assert {p.name.split("_")[1] for p in HISTORIES if p.name.startswith(f"{kind}_")} >= {
            "run", "paid" if kind == "settlement" else "invoice"}  # fmt: skip
    registered = {w.__temporal_workflow_definition.name for w in WORKFLOWS}  # type: ignore[attr-defined]
    assert registered == {
        ORDER_WORKFLOW,
        VENDOR_ORDER_WORKFLOW,
        OPERATOR_REFUND_WORKFLOW,
        SETTLEMENT_WORKFLOW,
        SETTLEMENT_RUN_WORKFLOW,
        COMMISSION_WORKFLOW,
        COMMISSION_RUN_WORKFLOW,
    }


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays_deterministically(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
