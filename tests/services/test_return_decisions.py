"""A return's decisions are recorded once and never go backwards, whatever order the
activities' retries bring them in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from comptoir.models import ReturnRequest, ReturnStatus, VendorOrderStatus
from comptoir.orders.contracts import NewReturn, ReturnDecision, ReturnLine
from comptoir.services import lifecycle
from tests.factories import create_order_with_line, create_product, create_shop, create_user


def test_an_acceptance_replayed_after_the_refund_changes_nothing(db: Session) -> None:
    product = create_product(db, create_shop(db), stock=5)
    _order, part, line = create_order_with_line(db, create_user(db), product, quantity=2)
    part.status = VendorOrderStatus.return_requested
    return_id = lifecycle.create_return(
        db, NewReturn(part.id, [ReturnLine(line.id, 1)], "Abîmé", product.price_cents)
    )
    accepted = ReturnDecision(return_id, "accepted")
    refunded = ReturnDecision(return_id, "refunded", returned_lines=[ReturnLine(line.id, 1)])
    lifecycle.decide_return(db, accepted)
    assert part.status == VendorOrderStatus.return_received
    lifecycle.decide_return(db, refunded)
    lifecycle.decide_return(db, accepted)  # a late retry of the acceptance
    lifecycle.decide_return(db, refunded)  # and of the refund
    db.refresh(part)
    db.refresh(line)
    assert db.get(ReturnRequest, return_id).status == ReturnStatus.refunded  # type: ignore[union-attr]
    assert part.status == VendorOrderStatus.refunded
    assert line.returned_quantity == 1  # counted once
