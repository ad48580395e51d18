"""Activities of the monthly commission invoices: thin, idempotent wrappers around
comptoir.services.commission (issued once per shop and month) and the merchant's e-mail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from temporalio import activity

from activities.orders import business_errors_final
from comptoir.db import session_scope
from comptoir.services import commission
from comptoir.settlements import notices
from comptoir.settlements.contracts import (
    ISSUE_COMMISSION_ACTIVITY,
    SEND_COMMISSION_ACTIVITY,
    SHOPS_TO_INVOICE_ACTIVITY,
    CommissionActivityInput,
    CommissionInput,
    CommissionRef,
    ShopsToInvoice,
    ShopsToInvoiceInput,
)


@activity.defn(name=SHOPS_TO_INVOICE_ACTIVITY)
@business_errors_final
def shops_to_invoice_commission(request: ShopsToInvoiceInput) -> ShopsToInvoice:
    """Shops that bore payment fees in the month."""
    with session_scope() as db:
        return ShopsToInvoice(commission.shops_with_fees(db, date.fromisoformat(request.month)))


@activity.defn(name=ISSUE_COMMISSION_ACTIVITY)
@business_errors_final
def issue_commission_invoice(request: CommissionInput) -> CommissionRef:
    """Issue the shop's commission invoice of the month once (or find the one issued)."""
    with session_scope() as db:
        invoice = commission.issue_commission_invoice(
            db, request.shop_id, date.fromisoformat(request.month)
        )
        if invoice is None:
            return CommissionRef(invoice_id=None)
        return CommissionRef(invoice_id=invoice.id, number=invoice.number)


@activity.defn(name=SEND_COMMISSION_ACTIVITY)
@business_errors_final
def send_commission_invoice(request: CommissionActivityInput) -> bool:
    """E-mail the merchant its commission invoice, PDF attached (once per invoice)."""
    with session_scope() as db:
        return notices.send_commission_invoice(db, request.invoice_id)


COMMISSION_ACTIVITIES: list[Callable[..., Any]] = [
    shops_to_invoice_commission,
    issue_commission_invoice,
    send_commission_invoice,
]
