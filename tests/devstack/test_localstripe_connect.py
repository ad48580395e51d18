"""localstripe's Connect extension, driven by the real `stripe` SDK as Comptoir drives Stripe."""

from __future__ import annotations

import pytest
import stripe

from comptoir.settings import DEV_STRIPE_KEY


@pytest.fixture
def sdk(localstripe: str) -> stripe.StripeClient:
    return stripe.StripeClient(DEV_STRIPE_KEY, base_addresses={"api": localstripe})


def test_account_is_created_and_retrieved(sdk: stripe.StripeClient) -> None:
    account = sdk.v1.accounts.create(
        params={"type": "custom", "country": "FR", "email": "boulangerie@exemple.test",
                "metadata": {"shop_id": "7"}}
    )  # fmt: skip
    assert account.id.startswith("acct_")
    assert account.object == "account"
    again = sdk.v1.accounts.retrieve(account.id)
    assert again.email == "boulangerie@exemple.test"
    assert again.payouts_enabled is True
    assert again.metadata.to_dict() == {"shop_id": "7"}


def test_unknown_account_is_a_404_like_stripe(sdk: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        sdk.v1.accounts.retrieve("acct_inconnu")
    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"


def test_transfer_reaches_its_destination_and_is_listed(sdk: stripe.StripeClient) -> None:
    account = sdk.v1.accounts.create(params={"type": "express"})
    other = sdk.v1.accounts.create(params={"type": "express"})
    first = sdk.v1.transfers.create(
        params={"amount": 1234, "currency": "eur", "destination": account.id,
                "transfer_group": "settlement-1", "metadata": {"transfer_key": "k1"}},
        options={"idempotency_key": "comptoir-k1"},
    )  # fmt: skip
    second = sdk.v1.transfers.create(
        params={"amount": 99, "currency": "eur", "destination": other.id}
    )
    assert first.id.startswith("tr_") and first.object == "transfer"
    assert (first.amount, first.currency, first.destination) == (1234, "eur", account.id)
    assert first.transfer_group == "settlement-1"
    assert first.amount_reversed == 0 and first.reversed is False
    assert sdk.v1.transfers.retrieve(first.id).metadata.to_dict() == {"transfer_key": "k1"}
    mine = sdk.v1.transfers.list(params={"destination": account.id})
    assert [t.id for t in mine.data] == [first.id]
    grouped = sdk.v1.transfers.list(params={"transfer_group": "settlement-1"})
    assert [t.id for t in grouped.data] == [first.id]
    everything = sdk.v1.transfers.list(params={"limit": 10})
    assert [t.id for t in everything.data] == [second.id, first.id]  # newest first


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"amount": 100, "currency": "eur", "destination": "acct_absent"}, "resource_missing",
         "destination"),
        ({"amount": 0, "currency": "eur"}, "parameter_invalid_integer", "amount"),
        ({"amount": -5, "currency": "eur"}, "parameter_invalid_integer", "amount"),
        ({"amount": 100}, "parameter_missing", "currency"),
        ({"amount": 100, "currency": "eur", "colour": "bleu"}, "parameter_unknown", "colour"),
    ],
)  # fmt: skip
def test_bad_transfers_are_refused_like_stripe(
    sdk: stripe.StripeClient, params: dict[str, object], code: str, param: str
) -> None:
    account = sdk.v1.accounts.create(params={})
    full = {"destination": account.id, **params}
    with pytest.raises(stripe.InvalidRequestError) as raised:
        sdk.v1.transfers.create(params=full)  # type: ignore[arg-type]
    assert raised.value.http_status == 400
    assert raised.value.code == code
    assert raised.value.param == param
    assert sdk.v1.transfers.list(params={}).data == []


def test_unknown_transfer_is_a_404(sdk: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        sdk.v1.transfers.retrieve("tr_absent")
    assert raised.value.http_status == 404
