"""Render a French invoice (facture) of one shop's part of an order to HTML and PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML

from comptoir.domain.labels import format_date_fr
from comptoir.domain.money import VatBreakdown, format_eur, format_rate, vat_breakdown

TEMPLATES = Path(__file__).parent / "templates"
DELIVERY_VAT_RATE_BP = 2000

# One environment for the process: templates are compiled once and cached by Jinja2.
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["eur"] = format_eur
_env.filters["rate"] = format_rate
_env.filters["date_fr"] = format_date_fr


@dataclass(frozen=True, slots=True)
class InvoiceSeller:
    """The shop that sells: legal identity printed on its invoices."""

    legal_name: str
    shop_name: str
    siret: str
    vat_number: str  # empty when the merchant has no intra-EU VAT number
    address_line: str
    postal_code: str
    city: str
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class InvoiceBuyer:
    """The shopper billed, with the billing address given at checkout."""

    name: str
    line1: str
    line2: str
    postal_code: str
    city: str
    country: str
    email: str
    # Business buyers get the mentions the Code de commerce requires (L.441-9).
    is_business: bool = False


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One product line; the unit price includes VAT (TTC), as French retail prices do."""

    description: str
    quantity: int
    unit_price_cents: int
    vat_rate_bp: int


@dataclass(frozen=True, slots=True)
class InvoiceData:
    """Everything printed on one invoice."""

    number: str
    issued_at: datetime
    order_reference: str
    seller: InvoiceSeller
    buyer: InvoiceBuyer
    lines: Sequence[InvoiceLine]
    delivery_label: str
    delivery_cents: int  # TTC, VAT at 20 %
    paid_at: datetime | None
    payment_method: str = "Carte bancaire (Stripe)"


@dataclass(frozen=True, slots=True)
class _Row:
    description: str
    quantity: int
    unit_price_cents: int
    vat_rate_bp: int
    is_delivery: bool = False

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


def _rows(data: InvoiceData) -> list[_Row]:
    rows = [_Row(x.description, x.quantity, x.unit_price_cents, x.vat_rate_bp) for x in data.lines]
    if data.delivery_label or data.delivery_cents:
        # Delivery is sold with the goods, so it is a line of the invoice at the normal rate.
        label = data.delivery_label or "Livraison"
        rows.append(_Row(label, 1, data.delivery_cents, DELIVERY_VAT_RATE_BP, is_delivery=True))
    return rows


def invoice_vat_breakdown(data: InvoiceData) -> VatBreakdown:
    """HT, TVA and TTC of an invoice per rate and in total, as printed on it."""
    # Free lines (e.g. pickup at 0 €) would print an empty "TVA 20 % : 0,00 €" row.
    return vat_breakdown([(r.total_cents, r.vat_rate_bp) for r in _rows(data) if r.total_cents])


def _lowercase_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    # Parsed once per process: re-parsing the inline <style> costs ~10 % of each PDF.
    return CSS(filename=str(TEMPLATES / "invoice.css"))


def _render_html(data: InvoiceData, *, inline_css: bool) -> str:
    context: dict[str, Any] = {
        "inline_css": inline_css,
        "invoice": data,
        "seller": data.seller,
        "buyer": data.buyer,
        "rows": _rows(data),
        "vat": invoice_vat_breakdown(data),
        "payment_method_text": _lowercase_first(data.payment_method),
    }
    return _env.get_template("invoice.html").render(context)


def render_invoice_html(data: InvoiceData) -> str:
    """The invoice as a standalone HTML page (styles inline), in French."""
    return _render_html(data, inline_css=True)


def render_invoice_pdf(data: InvoiceData) -> bytes:
    """The invoice as PDF bytes (A4, WeasyPrint)."""
    html = _render_html(data, inline_css=False)
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(stylesheets=[_stylesheet()])
    if pdf is None:  # only when a target file is given, never here
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
