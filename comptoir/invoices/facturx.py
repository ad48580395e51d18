"""Factur-X: the CII XML of a paper (profile EN 16931) and the PDF/A-3b that carries it.

WeasyPrint writes the PDF/A-3b itself, with the XML attached as `factur-x.xml`
(AFRelationship Data); the Factur-X XMP extension comes from the `factur-x` library.
Writing the XML with a template and embedding it in the one WeasyPrint pass costs about
a millisecond; rewriting the finished PDF with the library (pypdf) would cost far more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from facturx import facturx as fx_lib
from lxml import etree
from weasyprint import Attachment
from weasyprint.document import Document

from comptoir.domain.money import split_proportionally
from comptoir.domain.paris_time import to_paris
from comptoir.invoices.data import (
    VAT_EXEMPTION_MENTION,
    InvoiceData,
    invoice_vat_breakdown,
    paper_rows,
)
from comptoir.invoices.jinja import env

FACTURX_FILENAME = "factur-x.xml"
FACTURX_LEVEL = "en16931"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def amount(cents: int) -> str:
    """Cents as a CII amount: 1234 → '12.34'."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def percent(rate_bp: int) -> str:
    """Basis points as a CII percentage: 550 → '5.50'."""
    return f"{rate_bp // 100}.{rate_bp % 100:02d}"


def _day(moment: date) -> str:
    if isinstance(moment, datetime):
        moment = to_paris(moment).date()
    return moment.strftime("%Y%m%d")


@dataclass(frozen=True, slots=True)
class _CiiLine:
    name: str
    quantity: int
    net_price: str
    rate: str
    net_total: str


def _cii_lines(data: InvoiceData) -> list[_CiiLine]:
    """Lines with their HT amounts: each rate's HT shared over its lines, so they add up."""
    rows = paper_rows(data)
    vat = invoice_vat_breakdown(data)
    net_of_row: dict[int, int] = {}
    for rate in vat.per_rate:
        members = [
            i for i, row in enumerate(rows) if row.vat_rate_bp == rate.rate_bp and row.total_cents
        ]
        shares = split_proportionally(rate.ht_cents, [rows[i].total_cents for i in members])
        net_of_row.update(zip(members, shares, strict=True))
    lines = []
    for i, row in enumerate(rows):
        net = net_of_row.get(i, 0)
        price = (Decimal(net) / Decimal(100 * row.quantity)).quantize(Decimal("0.0001"))
        lines.append(
            _CiiLine(
                row.description, row.quantity, str(price), percent(row.vat_rate_bp), amount(net)
            )
        )
    return lines


def _notes(data: InvoiceData) -> list[tuple[str, str]]:
    seller = data.seller
    legal = ", ".join(
        part
        for part in (
            seller.legal_form,
            f"capital de {amount(seller.share_capital_cents)} EUR"
            if seller.share_capital_cents is not None
            else "",
            f"{seller.registration} {seller.siren}".strip() if seller.registration else "",
            f"SIRET {seller.siret}" if seller.siret else "",
        )
        if part
    )
    notes = [("REG", legal)] if legal else []
    if data.issued_on_behalf_by:
        notes.append(("AAI", data.mandate_mention))
    if seller.vat_exempt:
        notes.append(("AAK", VAT_EXEMPTION_MENTION))
    if data.note:
        notes.append(("AAI", data.note))
    return notes


def cii_xml(data: InvoiceData) -> bytes:
    """The paper as Factur-X CII XML (EN 16931 profile), UTF-8."""
    vat = invoice_vat_breakdown(data)
    settled = data.paid_at is not None or bool(data.payment_text) or data.is_credit_note
    context: dict[str, Any] = {
        "invoice": data,
        "seller": data.seller,
        "buyer": data.buyer,
        "buyer_siren": "".join(ch for ch in data.buyer.siret if ch.isdigit())[:9],
        "type_code": TYPE_CREDIT_NOTE if data.is_credit_note else TYPE_INVOICE,
        "issued": _day(data.issued_at),
        "corrected_issued": _day(data.credit_note_of.issued_at) if data.credit_note_of else "",
        "notes": _notes(data),
        "lines": _cii_lines(data),
        "category": "E" if data.seller.vat_exempt else "S",
        "vat_exemption": VAT_EXEMPTION_MENTION,
        "taxes": [
            {"rate": percent(r.rate_bp), "ht": amount(r.ht_cents), "vat": amount(r.vat_cents)}
            for r in vat.per_rate
        ]
        or [{"rate": percent(0), "ht": amount(0), "vat": amount(0)}],
        "due_date": "" if settled else _day(data.issued_at),
        "totals": {
            "ht": amount(vat.ht_cents),
            "vat": amount(vat.vat_cents),
            "ttc": amount(vat.ttc_cents),
            "prepaid": amount(vat.ttc_cents if settled else 0),
            "due": amount(0 if settled else vat.ttc_cents),
        },
    }
    return env.get_template("factur-x.xml").render(context).encode("utf-8")


@lru_cache(maxsize=1)
def _facturx_xmp() -> bytes:
    """The Factur-X XMP extension (schema + fx properties), as an rdf:RDF block, built once."""
    xmp = fx_lib.generate_xmp_object(
        {
            "pdfa3_flavor": "B",
            "title": "",
            "author": "",
            "subject": "",
            "producer": "",
            "creator_tool": "",
            "timestamp": "",
            "version": "1.0",
            "documenttype": "INVOICE",
            "xml_filename": FACTURX_FILENAME,
            "xmp_level": fx_lib.FACTURX_LEVEL2xmp[FACTURX_LEVEL],
            "urn": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
        }
    )
    rdf = next(xmp.iterchildren())  # objectify's xmp[0] would mean "first sibling"
    # WeasyPrint writes the PDF/A identification, title and dates itself: keep only the
    # Factur-X extension schema and the fx: properties.
    for description in list(rdf.iterchildren()):
        names = {etree.QName(child).localname for child in description.iterchildren()}
        if not names & {"schemas", "DocumentType"}:
            rdf.remove(description)
        else:
            description.set(f"{{{RDF_NS}}}about", "")  # XMP requires it on every description
    return bytes(etree.tostring(rdf))


def write_facturx_pdf(document: Document, xml: bytes, *, title: str) -> bytes:
    """A rendered document as PDF/A-3b with its Factur-X XML attached."""
    document.metadata.title = title
    document.metadata.xmp_metadata = [_facturx_xmp()]
    pdf = document.write_pdf(
        pdf_variant="pdf/a-3b",
        attachments=[
            Attachment(
                string=xml,
                name=FACTURX_FILENAME,
                description="Factur-X",
                relationship="Data",
            )
        ],
    )
    if pdf is None:  # only when a target file is given, never here
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
