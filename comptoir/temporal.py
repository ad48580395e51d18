"""Temporal client shared by the API, the admin console and scripts."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from comptoir.settings import Settings, get_settings

# Every client, worker and Replayer uses the same converter (dataclasses and pydantic alike).
DATA_CONVERTER = pydantic_data_converter


async def connect(settings: Settings | None = None) -> Client:
    """Connect to the configured Temporal frontend."""
    settings = settings or get_settings()
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=DATA_CONVERTER,
    )
