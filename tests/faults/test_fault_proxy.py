"""The fault proxy itself: each mode does what the fault tests rely on (real SDK, localstripe)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from comptoir.services import payments
from comptoir.settings import get_settings
from tests.faults.conftest import direct_stripe
from tests.faults.fault_proxy import FaultProxy, running_proxy

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def proxy(localstripe: str) -> Iterator[FaultProxy]:
    with running_proxy(localstripe, hang_seconds=1.0) as started:
        yield started


def _sdk(proxy: FaultProxy) -> Any:
    return payments._client_for(get_settings().stripe_api_key, proxy.url).v1


def _create_refund(proxy: FaultProxy, intent_id: str, key: str) -> Any:
    return _sdk(proxy).refunds.create(
        params={"payment_intent": intent_id, "amount": 100, "metadata": {"refund_key": key}},
        options={"idempotency_key": key},
    )


@pytest.fixture
def paid_intent(localstripe: str) -> str:
    client = direct_stripe(localstripe)
    intent = client.payment_intents.create(
        params={"amount": 1000, "currency": "eur", "payment_method_types": ["card"]}  # type: ignore[typeddict-unknown-key]
    )
    client.payment_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
    assert client.payment_intents.confirm(intent.id).status == "succeeded"
    return str(intent.id)


def test_modes(proxy: FaultProxy, localstripe: str, paid_intent: str) -> None:
    assert _sdk(proxy).payment_intents.retrieve(paid_intent).status == "succeeded"
    proxy.set("error500")
    with pytest.raises(stripe.APIError):
        _sdk(proxy).payment_intents.retrieve(paid_intent)
    assert proxy.count("error500") == 2  # the SDK retried once
    proxy.set("drop")
    with pytest.raises(stripe.APIConnectionError):
        _sdk(proxy).payment_intents.retrieve(paid_intent)
    proxy.set("hang")
    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError):
        _sdk(proxy).payment_intents.retrieve(paid_intent)
    assert 2.0 <= time.monotonic() - started < 10  # two attempts of a 1 s hang, then given up
    # Only the matching requests fail; the rest pass.
    proxy.set("error500", only=("POST /v1/refunds",))
    assert _sdk(proxy).payment_intents.retrieve(paid_intent).id == paid_intent
    with pytest.raises(stripe.APIError):
        _create_refund(proxy, paid_intent, "only-posts")
    assert direct_stripe(localstripe).refunds.list(params={"payment_intent": paid_intent}).data == []


def test_lost_answer_and_idempotency_like_stripe(
    proxy: FaultProxy, localstripe: str, paid_intent: str
) -> None:
    proxy.set("forward_then_drop", only=("POST /v1/refunds",), times=2)
    with pytest.raises(stripe.APIConnectionError):
        _create_refund(proxy, paid_intent, "lost-1")
    assert proxy.count("forward_then_drop") == 2 and proxy.replayed == 1
    made = direct_stripe(localstripe).refunds.list(params={"payment_intent": paid_intent}).data
    assert [r.amount for r in made] == [100]  # made once although the answer never came
    again = _create_refund(proxy, paid_intent, "lost-1")  # back to pass: the first answer
    assert again.id == made[0].id and proxy.replayed == 2
    assert proxy.mode == "pass"
