"""The authorization matrix: who may call each `/api` route, and whose objects its ids name.

`test_authorization_matrix` checks every line against the app (and that every route the
app serves has one); `test_csrf_and_sessions` reuses it for cookie-authenticated writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from comptoir.models import Role
from tests.factories import PASSWORD
from tests.security.world import ROLES, World

ROLE_OF = {
    "shopper": Role.shopper,
    "other_shopper": Role.shopper,
    "merchant": Role.merchant,
    "other_merchant": Role.merchant,
    "operator": Role.operator,
}
EVERYONE = frozenset(Role)
SHOPPER = frozenset({Role.shopper})
MERCHANT = frozenset({Role.merchant})
OPERATOR = frozenset({Role.operator})
SHOPPER_OR_OPERATOR = frozenset({Role.shopper, Role.operator})
MERCHANT_OR_OPERATOR = frozenset({Role.merchant, Role.operator})

# What the owner of a Temporal-backed route may get without a Temporal server.
TEMPORAL_DOWN = frozenset({409, 503})
NEW_PASSWORD = "Un-nouveau-mot-de-passe-77"

Body = Callable[[World], Any]


@dataclass(frozen=True)
class Access:
    """Who may call a route, and what each kind of caller must get."""

    allowed: frozenset[Role] | None  # None: public
    others: tuple[str, ...] = ()  # role names for whom the path's objects are another tenant's
    body: Body | None = None
    files: Body | None = None
    owner_status: frozenset[int] | None = None  # None: any 2xx
    missing_id: str | None = None  # the path parameter to replace by an unknown id

    @property
    def public(self) -> bool:
        return self.allowed is None


def public(body: Body | None = None, status: frozenset[int] | None = None) -> Access:
    """A route anyone may call."""
    return Access(None, body=body, owner_status=status)


def of_shopper(allowed: frozenset[Role] = SHOPPER, **kw: Any) -> Access:
    """A route about shopper A's order or cart (shopper B gets 404)."""
    return Access(
        allowed, others=("other_shopper",), missing_id=kw.pop("missing_id", "order_id"), **kw
    )


def of_merchant(allowed: frozenset[Role] = MERCHANT, **kw: Any) -> Access:
    """A route about merchant A's shop's object (merchant B, with a shop of their own, gets 404)."""
    return Access(allowed, others=("other_merchant",), **kw)


def _json(value: Any) -> Body:
    return lambda _world: value


SIGNUP = {
    "email": "nouveau.client.matrice@example.test",
    "password": PASSWORD,
    "first_name": "Nina",
    "last_name": "Nouvelle",
    "role": "shopper",
    "accept_terms": True,
}
CHECKOUT: Body = lambda w: {  # noqa: E731
    "billing_address": {
        "name": "Camille Test",
        "line1": "3 rue des Lilas",
        "postal_code": "69003",
        "city": "Lyon",
    },
    "shops": [
        {"shop_id": w.ids["other_shop_id"], "delivery_mode_id": w.ids["other_pickup_mode_id"]}
        if w.caller == "other_shopper"
        else {"shop_id": w.ids["shop_id"], "delivery_mode_id": w.ids["pickup_mode_id"]}
    ],
}

V = "/api/merchant/vendor-orders/{vendor_order_id}"
P = "/api/merchant/products/{product_id}"

ROUTES: dict[tuple[str, str], Access] = {
    # --- public ---------------------------------------------------------------------------
    ("POST", "/api/auth/login"): public(
        lambda w: {"email": w.users["shopper"].email, "password": PASSWORD}
    ),
    ("POST", "/api/auth/logout"): public(),
    ("GET", "/api/products/search"): public(),
    ("GET", "/api/products/{product_id}"): Access(None, missing_id="product_id"),
    ("GET", "/api/categories"): public(),
    ("GET", "/api/shops"): public(),
    ("GET", "/api/shops/{slug}"): Access(None, missing_id="slug"),
    # No signature: refused (400), which is the webhook's own authentication.
    ("POST", "/api/webhooks/stripe"): public(_json({}), status=frozenset({400})),
    ("POST", "/api/accounts"): public(_json(SIGNUP)),
    ("POST", "/api/accounts/password-reset"): public(lambda w: {"email": w.users["shopper"].email}),
    ("POST", "/api/accounts/password-reset/confirm"): public(
        _json({"token": "pas-un-jeton-valide", "new_password": NEW_PASSWORD}),
        status=frozenset({400}),
    ),
    ("POST", "/api/contact"): public(
        _json({"name": "Léa", "email": "lea@example.test", "subject": "Idée", "body": "Bonjour"})
    ),
    # --- any logged-in user, about themselves ----------------------------------------------
    ("GET", "/api/auth/me"): Access(EVERYONE),
    ("GET", "/api/accounts/me"): Access(EVERYONE),
    ("PATCH", "/api/accounts/me"): Access(EVERYONE, body=_json({"phone": "0478000000"})),
    ("POST", "/api/accounts/me/password"): Access(
        EVERYONE, body=_json({"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    ),
    ("POST", "/api/accounts/me/deletion-request"): Access(EVERYONE, body=_json({"reason": "x"})),
    ("GET", "/api/accounts/me/export"): Access(EVERYONE),
    # An invoice: its shopper, its shop's merchant and operators; the other tenants get 404.
    ("GET", "/api/invoices/{invoice_id}.pdf"): Access(
        EVERYONE, others=("other_shopper", "other_merchant"), missing_id="invoice_id"
    ),
    # A credit note: whoever may read the invoice it corrects.
    ("GET", "/api/credit-notes/{credit_note_id}.pdf"): Access(
        EVERYONE, others=("other_shopper", "other_merchant"), missing_id="credit_note_id"
    ),
    # The platform's commission invoice to a shop: its merchant and operators.
    ("GET", "/api/commission-invoices/{commission_invoice_id}.pdf"): of_merchant(
        MERCHANT_OR_OPERATOR, missing_id="commission_invoice_id"
    ),
    # --- shoppers ---------------------------------------------------------------------------
    ("GET", "/api/cart"): Access(SHOPPER),
    ("POST", "/api/cart/items"): Access(
        SHOPPER, body=lambda w: {"product_id": w.ids["product_id"], "quantity": 1}
    ),
    ("PATCH", "/api/cart/items/{product_id}"): of_shopper(
        body=_json({"quantity": 2}), missing_id="product_id"
    ),
    ("DELETE", "/api/cart/items/{product_id}"): of_shopper(missing_id="product_id"),
    ("DELETE", "/api/cart"): Access(SHOPPER),
    # Checkout stores the order, then tries Temporal (a failure leaves it start_pending).
    ("POST", "/api/checkout"): Access(SHOPPER, body=CHECKOUT, owner_status=frozenset({201})),
    ("GET", "/api/orders/{order_id}/payment"): of_shopper(
        owner_status=frozenset({409})  # completed: nothing to pay, Stripe not called
    ),
    ("POST", "/api/orders/{order_id}/cancel"): of_shopper(
        body=_json({"reason": "Plus besoin"}), owner_status=TEMPORAL_DOWN
    ),
    ("POST", "/api/orders/{order_id}/refill-cart"): of_shopper(
        owner_status=frozenset({409})  # completed: only an order that did not go through
    ),
    ("POST", "/api/orders/{order_id}/vendor-orders/{vendor_order_id}/returns"): of_shopper(
        body=lambda w: {"lines": [{"line_id": w.ids["line_id"], "quantity": 1}], "reason": "Abîmé"},
        owner_status=TEMPORAL_DOWN,
    ),
    ("POST", "/api/orders/{order_id}/vendor-orders/{vendor_order_id}/receipt"): of_shopper(
        owner_status=TEMPORAL_DOWN
    ),
    ("GET", "/api/orders"): Access(SHOPPER_OR_OPERATOR),
    ("GET", "/api/orders/{order_id}"): of_shopper(SHOPPER_OR_OPERATOR),
    ("GET", "/api/orders/{order_id}/messages"): of_shopper(SHOPPER_OR_OPERATOR),
    ("POST", "/api/orders/{order_id}/messages"): of_shopper(
        body=lambda w: {"shop_id": w.ids["shop_id"], "body": "Bonjour, une question"}
    ),
    # --- merchants: their own shop -----------------------------------------------------------
    ("GET", "/api/merchant/shop"): Access(MERCHANT),
    ("PATCH", "/api/merchant/shop"): Access(MERCHANT, body=_json({"phone": "0478000001"})),
    ("PUT", "/api/merchant/shop/opening-hours"): Access(
        MERCHANT, body=_json({"ranges": [{"weekday": 0, "opens": "09:00", "closes": "18:00"}]})
    ),
    ("GET", "/api/merchant/shop/closures"): Access(MERCHANT),
    ("POST", "/api/merchant/shop/closures"): Access(
        MERCHANT, body=_json({"start_date": "2099-01-01", "end_date": "2099-01-02"})
    ),
    ("DELETE", "/api/merchant/shop/closures/{closure_id}"): of_merchant(missing_id="closure_id"),
    ("PUT", "/api/merchant/shop/pickup-slots"): Access(MERCHANT, body=_json({"rules": []})),
    ("GET", "/api/merchant/shop/delivery-modes"): Access(MERCHANT),
    ("POST", "/api/merchant/shop/delivery-modes"): Access(
        MERCHANT, body=_json({"kind": "shipping", "label": "Coursier", "price_cents": 900})
    ),
    ("PATCH", "/api/merchant/shop/delivery-modes/{mode_id}"): of_merchant(
        body=_json({"label": "Vélo cargo"}), missing_id="mode_id"
    ),
    ("DELETE", "/api/merchant/shop/delivery-modes/{mode_id}"): of_merchant(missing_id="mode_id"),
    ("GET", "/api/merchant/products"): Access(MERCHANT),
    ("POST", "/api/merchant/products"): Access(
        MERCHANT, body=_json({"name": "Pain de campagne", "price_cents": 350})
    ),
    ("POST", "/api/merchant/products/import"): Access(
        MERCHANT,
        files=_json({"file": ("produits.csv", b"sku;name;price\nB-1;Baguette;1,20\n", "text/csv")}),
        owner_status=frozenset({200, 422}),  # the CSV's columns are another test's business
    ),
    ("GET", P): of_merchant(missing_id="product_id"),
    ("PATCH", P): of_merchant(body=_json({"price_cents": 500}), missing_id="product_id"),
    ("DELETE", P): of_merchant(missing_id="product_id"),
    ("POST", P + "/stock"): of_merchant(body=_json({"delta": 1}), missing_id="product_id"),
    ("GET", "/api/merchant/ledger"): Access(MERCHANT),
    ("GET", "/api/merchant/dashboard"): Access(MERCHANT),
    ("GET", "/api/merchant/vendor-orders"): Access(MERCHANT_OR_OPERATOR),
    ("GET", V): of_merchant(MERCHANT_OR_OPERATOR, missing_id="vendor_order_id"),
    ("GET", V + "/messages"): of_merchant(MERCHANT_OR_OPERATOR, missing_id="vendor_order_id"),
    ("POST", V + "/messages"): of_merchant(
        body=_json({"body": "Votre commande est prête"}), missing_id="vendor_order_id"
    ),
    # --- merchants: steps of their vendor orders (Temporal updates) -------------------------
    ("POST", V + "/confirm"): of_merchant(
        body=lambda w: {"confirmed": [w.ids["line_id"]]},
        owner_status=TEMPORAL_DOWN,
        missing_id="vendor_order_id",
    ),
    ("POST", V + "/prepare"): of_merchant(owner_status=TEMPORAL_DOWN, missing_id="vendor_order_id"),
    ("POST", V + "/unavailable"): of_merchant(
        body=lambda w: {"line_ids": [w.ids["line_id"]]},
        owner_status=TEMPORAL_DOWN,
        missing_id="vendor_order_id",
    ),
    ("POST", V + "/ready"): of_merchant(owner_status=TEMPORAL_DOWN, missing_id="vendor_order_id"),
    ("POST", V + "/ship"): of_merchant(
        body=_json({"carrier": "La Poste", "tracking_number": "6A123"}),
        owner_status=TEMPORAL_DOWN,
        missing_id="vendor_order_id",
    ),
    ("POST", V + "/complete"): of_merchant(
        body=_json({"pickup_code": "123456"}),
        owner_status=TEMPORAL_DOWN,
        missing_id="vendor_order_id",
    ),
    ("POST", V + "/no-show"): of_merchant(
        body=_json({"reason": "Jamais venu"}),
        owner_status=TEMPORAL_DOWN,
        missing_id="vendor_order_id",
    ),
    ("POST", V + "/returns/{return_id}/accept"): of_merchant(
        owner_status=TEMPORAL_DOWN, missing_id="vendor_order_id"
    ),
    # The world's return is still asked for: the owner gets 409 until it is accepted.
    ("POST", V + "/returns/{return_id}/restock"): of_merchant(
        body=_json({"line_ids": [1]}),
        owner_status=frozenset({409}),
        missing_id="vendor_order_id",
    ),
    ("POST", V + "/returns/{return_id}/refuse"): of_merchant(
        body=_json({"reason": "Produit entamé"}),
        owner_status=TEMPORAL_DOWN,
        missing_id="vendor_order_id",
    ),
    # --- operators ----------------------------------------------------------------------------
    ("GET", "/api/operator/shops"): Access(OPERATOR),
    ("GET", "/api/operator/shops/{pending_shop_id}"): Access(
        OPERATOR, missing_id="pending_shop_id"
    ),
    ("POST", "/api/operator/shops/{pending_shop_id}/approve"): Access(
        OPERATOR, missing_id="pending_shop_id"
    ),
    ("POST", "/api/operator/shops/{pending_shop_id}/refuse"): Access(
        OPERATOR, body=_json({"reason": "SIRET introuvable"}), missing_id="pending_shop_id"
    ),
    ("POST", "/api/operator/shops/{pending_shop_id}/suspend"): Access(
        OPERATOR,
        body=_json({"reason": "Plaintes"}),
        missing_id="pending_shop_id",
        owner_status=frozenset({409}),  # a pending shop cannot be suspended
    ),
    ("POST", "/api/operator/shops/{pending_shop_id}/reinstate"): Access(
        OPERATOR, missing_id="pending_shop_id", owner_status=frozenset({409})
    ),
    ("POST", "/api/operator/orders/{order_id}/actions"): Access(
        OPERATOR,
        body=_json({"action": "retry", "reason": "Relance"}),
        owner_status=TEMPORAL_DOWN,
        missing_id="order_id",
    ),
    ("POST", "/api/operator/orders/{order_id}/refunds"): Access(
        OPERATOR,
        body=_json({"amount_cents": 100, "reason": "Geste commercial"}),
        owner_status=frozenset({409}),  # the world's order is not paid: nothing to refund
        missing_id="order_id",
    ),
}

# The app names the operator routes' parameter `shop_id`; the matrix points it at the pending
# shop. Route keys are compared with the app's paths after this renaming.
PATH_ALIASES = {"{pending_shop_id}": "{shop_id}"}


def app_path(template: str) -> str:
    """The app's spelling of a matrix path."""
    for ours, theirs in PATH_ALIASES.items():
        template = template.replace(ours, theirs)
    return template


UNKNOWN_ID = {"slug": "boutique-qui-n-existe-pas"}
UNKNOWN_INT = 2**31 - 1  # a valid int4 that no row has


def owners_of(access: Access) -> list[str | None]:
    """The callers who may reach the route's objects (None: anonymous, for public routes)."""
    if access.public:
        return [None]
    return [r for r in ROLES if ROLE_OF[r] in (access.allowed or ()) and r not in access.others]
