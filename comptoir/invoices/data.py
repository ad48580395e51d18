"""What a paper says (invoice, credit note, commission invoice), as plain data; no rendering."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from comptoir.domain.money import VatBreakdown, accessory_vat_split, format_rate, vat_breakdown

VAT_EXEMPTION_MENTION = "TVA non applicable, art. 293 B du CGI"


@dataclass(frozen=True, slots=True)
class InvoiceSeller:
    """Who sells: legal identity printed on its invoices (Code de commerce R.123-237)."""

    legal_name: str
    shop_name: str
    siret: str
    vat_number: str  # empty: a micro-entreprise under the VAT franchise (art. 293 B du CGI)
    address_line: str
    postal_code: str
    city: str
    email: str
    phone: str
    legal_form: str = ""  # e.g. "SARL", "EI"
    share_capital_cents: int | None = None
    registration: str = ""  # e.g. "RCS Lyon", "RM 69"

    @property
    def vat_exempt(self) -> bool:
        """Without a VAT number the seller charges no VAT (franchise en base)."""
        return not self.vat_number

    @property
    def siren(self) -> str:
        """The company number: the SIRET's first nine digits."""
        return "".join(ch for ch in self.siret if ch.isdigit())[:9]


@dataclass(frozen=True, slots=True)
class InvoiceBuyer:
    """Who is billed, with the billing address given at checkout."""

    name: str
    line1: str
    line2: str
    postal_code: str
    city: str
    country: str
    email: str
    # Business buyers get the mentions the Code de commerce requires (L.441-9).
    is_business: bool = False
    siret: str = ""
    vat_number: str = ""
    country_code: str = "FR"


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One line; the unit price includes VAT (TTC), as French retail prices do."""

    description: str
    quantity: int
    unit_price_cents: int
    vat_rate_bp: int
    is_delivery: bool = False

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass(frozen=True, slots=True)
class CorrectedInvoice:
    """The invoice a credit note corrects."""

    number: str
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class InvoiceData:
    """Everything printed on one invoice or credit note."""

    number: str
    issued_at: datetime
    order_reference: str
    seller: InvoiceSeller
    buyer: InvoiceBuyer
    lines: Sequence[InvoiceLine]
    delivery_label: str
    delivery_cents: int  # TTC; its VAT follows the goods' rates
    paid_at: datetime | None
    payment_method: str = "Carte bancaire (Stripe)"
    credit_note_of: CorrectedInvoice | None = None  # set: this is a credit note (avoir)
    issued_on_behalf_by: str = ""  # the platform, when it bills in the seller's name (mandate)
    payment_text: str = ""  # replaces the "paid on … by card" sentence when set
    note: str = ""  # e.g. the reason of a refund
    reference_label: str = "Commande"

    @property
    def is_credit_note(self) -> bool:
        return self.credit_note_of is not None

    @property
    def title(self) -> str:
        return "Avoir" if self.is_credit_note else "Facture"

    @property
    def mandate_mention(self) -> str:
        """The billing-mandate sentence (CGI art. 289 I-2) when a third party issues the paper."""
        if not self.issued_on_behalf_by:
            return ""
        what = "Avoir émis" if self.is_credit_note else "Facture émise"
        seller = self.seller.legal_name or self.seller.shop_name
        return (
            f"{what} par {self.issued_on_behalf_by} au nom et pour le compte de {seller} "
            "(mandat de facturation)."
        )


def paper_rows(data: InvoiceData) -> list[InvoiceLine]:
    """The printed lines: the goods, then the delivery shared over the goods' VAT rates."""
    if data.seller.vat_exempt:
        goods = [_without_vat(line) for line in data.lines]
    else:
        goods = list(data.lines)
    rows = list(goods)
    if data.delivery_label or data.delivery_cents:
        rows += delivery_rows(
            data.delivery_label,
            data.delivery_cents,
            [(x.total_cents, x.vat_rate_bp) for x in goods if not x.is_delivery],
            default_rate_bp=0 if data.seller.vat_exempt else 2000,
        )
    return rows


def delivery_rows(
    label: str, cents: int, goods: list[tuple[int, int]], *, default_rate_bp: int = 2000
) -> list[InvoiceLine]:
    """The delivery as lines, one per VAT rate of the goods it carries (see accessory_vat_split)."""
    label = label or "Livraison"
    shares = accessory_vat_split(cents, goods, default_rate_bp=default_rate_bp)
    return [
        InvoiceLine(
            label if len(shares) == 1 else f"{label} (part à {format_rate(rate)})",
            1,
            share,
            rate,
            is_delivery=True,
        )
        for share, rate in shares
    ]


def _without_vat(line: InvoiceLine) -> InvoiceLine:
    return InvoiceLine(line.description, line.quantity, line.unit_price_cents, 0, line.is_delivery)


def invoice_vat_breakdown(data: InvoiceData) -> VatBreakdown:
    """HT, TVA and TTC of an invoice per rate and in total, as printed on it."""
    # Free lines (e.g. pickup at 0 €) would print an empty "TVA 20 % : 0,00 €" row.
    return vat_breakdown(
        [(r.total_cents, r.vat_rate_bp) for r in paper_rows(data) if r.total_cents]
    )
