"""Stripe Connect for localstripe: `Account` and `Transfer`, as Stripe documents them.

localstripe has no Connect resources; settlements pay shops with Transfers to connected
accounts. This adds, for the fields Comptoir uses, `POST/GET /v1/accounts[/{id}]` and
`POST/GET /v1/transfers[/{id}]` (list filters `destination`, `transfer_group`), answering
errors the way Stripe does (HTTP 400/404, `invalid_request_error`, `code`, `param`).
Like the rest of localstripe it ignores idempotency keys: callers keep their own
exactly-once rows. `register_connect(app)` adds the routes to localstripe's aiohttp app.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import List, StripeObject, random_id, store, try_convert_to_int

ACCOUNT_TYPES = ("custom", "express", "standard")
CURRENCY = re.compile(r"^[a-z]{3}$")


def _invalid(message: str, *, param: str, code: str, status: int = 400) -> UserError:
    """An error shaped like Stripe's: {"error": {"type", "message", "code", "param"}}."""
    return UserError(status, message, {"code": code, "param": param})


def _refuse_unknown(params: dict[str, Any]) -> None:
    for name in params:
        raise _invalid(f"Received unknown parameter: {name}", param=name, code="parameter_unknown")


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid("Invalid object", param="metadata", code="parameter_invalid_empty")
    return {str(k): str(v) for k, v in value.items()}


def _stored(kind: str, id: str, *, param: str) -> Any:
    """The stored object of that kind and id, or Stripe's 404 `resource_missing`."""
    obj = store.get(f"{kind}:{id}")
    if obj is None:
        raise _invalid(f"No such {kind}: '{id}'", param=param, code="resource_missing", status=404)
    return obj


class Account(StripeObject):
    """A connected account (`acct_…`): the shop's Stripe account that transfers reach."""

    object = "account"
    _id_prefix = "acct_"

    def __init__(
        self,
        type: str | None = None,
        country: str | None = None,
        email: str | None = None,
        business_type: str | None = None,
        default_currency: str | None = None,
        capabilities: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        **unknown: Any,
    ) -> None:
        _refuse_unknown(unknown)
        if type is not None and type not in ACCOUNT_TYPES:
            raise _invalid(
                f"Invalid type: must be one of {', '.join(ACCOUNT_TYPES)}",
                param="type",
                code="parameter_invalid_string",
            )
        metadata_dict = _metadata(metadata)
        super().__init__()
        self.type = type or "custom"
        self.country = (country or "FR").upper()
        self.email = email
        self.business_type = business_type
        self.default_currency = default_currency or "eur"
        self.capabilities = {
            name: "active" for name in (capabilities or {"transfers": {"requested": True}})
        }
        self.charges_enabled = True
        self.payouts_enabled = True
        self.details_submitted = True
        self.metadata = metadata_dict

    @classmethod
    def _api_retrieve(cls, id: str) -> Account:
        return _stored(cls.object, id, param="account")  # type: ignore[no-any-return]


class Transfer(StripeObject):
    """Money moved from the platform's balance to a connected account (`tr_…`)."""

    object = "transfer"
    _id_prefix = "tr_"

    def __init__(
        self,
        amount: Any = None,
        currency: str | None = None,
        destination: str | None = None,
        transfer_group: str | None = None,
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
        **unknown: Any,
    ) -> None:
        _refuse_unknown(unknown)
        for name, value in (("amount", amount), ("currency", currency), ("destination", destination)):
            if value is None or value == "":
                raise _invalid(
                    f"Missing required param: {name}.", param=name, code="parameter_missing"
                )
        cents = try_convert_to_int(amount)
        if not isinstance(cents, int) or isinstance(cents, bool) or cents < 1:
            raise _invalid(
                "Invalid positive integer", param="amount", code="parameter_invalid_integer"
            )
        assert currency is not None and destination is not None
        if not CURRENCY.match(currency):
            raise _invalid(
                f"Invalid currency: {currency}.", param="currency", code="parameter_invalid_string"
            )
        if store.get(f"account:{destination}") is None:
            raise _invalid(
                f"No such destination: '{destination}'",
                param="destination",
                code="resource_missing",
            )
        metadata_dict = _metadata(metadata)
        super().__init__()
        self.amount = cents
        self.amount_reversed = 0
        self.currency = currency
        self.destination = destination
        self.destination_payment = f"py_{random_id(24)}"
        self.balance_transaction = f"txn_{random_id(24)}"
        self.transfer_group = transfer_group
        self.description = description
        self.metadata = metadata_dict
        self.reversed = False
        self.source_transaction = None

    @classmethod
    def _api_retrieve(cls, id: str) -> Transfer:
        return _stored(cls.object, id, param="id")  # type: ignore[no-any-return]

    @classmethod
    def _api_list_all(
        cls,
        url: str,
        limit: Any = None,
        starting_after: str | None = None,
        destination: str | None = None,
        transfer_group: str | None = None,
        **unknown: Any,
    ) -> List:
        _refuse_unknown(unknown)
        listed = List(url, limit=limit, starting_after=starting_after)
        transfers = [v for k, v in store.items() if k.startswith("transfer:")]
        # Stripe lists the newest first; the store keeps insertion order.
        listed._list = [
            t
            for t in reversed(transfers)
            if (destination is None or t.destination == destination)
            and (transfer_group is None or t.transfer_group == transfer_group)
        ]
        return listed


def register_connect(app: web.Application) -> None:
    """Add the Account and Transfer routes to localstripe's app (before it starts)."""
    for cls in (Account, Transfer):
        base = f"/v1/{cls.object}s"
        app.router.add_route("POST", base, server.api_create(cls, base))
        app.router.add_route("GET", base + "/{id}", server.api_retrieve(cls, base))
        app.router.add_route("GET", base, server.api_list_all(cls, base))
