"""Security tests run with Temporal and Stripe pointed at a closed port.

Routes that would reach Temporal or Stripe must answer 401/403/404 before trying; for an
owner they then answer 409/503. A closed port (1, privileged, never listened on) keeps a
developer's running dev stack on the default ports out of these tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import restore_env, set_env

CLOSED_TEMPORAL = "127.0.0.1:1"
CLOSED_STRIPE = "http://127.0.0.1:1"


@pytest.fixture(scope="session", autouse=True)
def _no_temporal_nor_stripe() -> Iterator[None]:
    previous = set_env(
        {"COMPTOIR_TEMPORAL_ADDRESS": CLOSED_TEMPORAL, "COMPTOIR_STRIPE_API_BASE": CLOSED_STRIPE}
    )
    try:
        yield
    finally:
        restore_env(previous)
