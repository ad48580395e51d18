"""Render a French invoice or credit note (facture, avoir) to HTML and Factur-X PDF.

The same layout serves the shops' invoices and credit notes (issued by the platform in the
shop's name, under a billing mandate) and the platform's own commission invoices to shops.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree

import cssselect2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from comptoir.invoices.data import (
    VAT_EXEMPTION_MENTION,
    CorrectedInvoice,
    InvoiceBuyer,
    InvoiceData,
    InvoiceLine,
    InvoiceSeller,
    invoice_vat_breakdown,
    paper_rows,
)
from comptoir.invoices.facturx import cii_xml, write_facturx_pdf
from comptoir.invoices.jinja import TEMPLATES, env

__all__ = [
    "CorrectedInvoice",
    "InvoiceBuyer",
    "InvoiceData",
    "InvoiceLine",
    "InvoiceSeller",
    "invoice_vat_breakdown",
    "render_invoice_html",
    "render_invoice_pdf",
]


def _lowercase_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    # Parsed once per process: re-parsing the inline <style> costs ~10 % of each PDF.
    return CSS(filename=str(TEMPLATES / "invoice.css"))


class _InvoiceHTML(HTML):
    """An invoice page, styled with our cut-down user-agent stylesheet (invoice-ua.css)."""

    @classmethod
    def from_tree(cls, root: ElementTree.Element, base_url: str) -> _InvoiceHTML:
        """The page from an already parsed tree: what HTML.__init__ (WeasyPrint 70) sets up
        after running its pure-Python HTML5 parser, which cost ~3 ms per PDF."""
        page = cls.__new__(cls)
        page.base_url = base_url  # the template has no <base>
        page.url_fetcher = URLFetcher()
        page.media_type = "print"
        page.wrapper_element = cssselect2.ElementWrapper.from_html_root(
            root, content_language=None
        )
        page.etree_element = page.wrapper_element.etree_element
        return page

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        # WeasyPrint 70 asks the document for its user-agent stylesheets here (the HTML5
        # one by default); the invoice template only needs a handful of its rules.
        return [_ua_stylesheet()]


@lru_cache(maxsize=1)
def _ua_stylesheet() -> CSS:
    return CSS(filename=str(TEMPLATES / "invoice-ua.css"))


def _parsed_page(html: str) -> _InvoiceHTML:
    """The page parsed by expat: the template writes well-formed XHTML and Jinja escapes the
    data. Should some data still not be XML (a control character), WeasyPrint parses it."""
    try:
        root = ElementTree.fromstring(html)
    except ElementTree.ParseError:
        return _InvoiceHTML(string=html, base_url=str(TEMPLATES))
    return _InvoiceHTML.from_tree(root, str(TEMPLATES))


_BETWEEN_TAGS = re.compile(r">\n\s*<")  # a line break and indentation only, never a space

_fonts = threading.local()


def _font_config() -> FontConfiguration:
    # One per thread (Pango's font map is not thread-safe), kept: building it and warming its
    # font caches again for every PDF costs CPU each time.
    config: FontConfiguration | None = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def _render_html(data: InvoiceData, *, inline_css: bool) -> str:
    context: dict[str, Any] = {
        "inline_css": inline_css,
        "invoice": data,
        "seller": data.seller,
        "buyer": data.buyer,
        "rows": paper_rows(data),
        "vat": invoice_vat_breakdown(data),
        "payment_method_text": _lowercase_first(data.payment_method),
        "vat_exemption": VAT_EXEMPTION_MENTION,
    }
    return env.get_template("invoice.html").render(context)


def render_invoice_html(data: InvoiceData) -> str:
    """The invoice as a standalone HTML page (styles inline), in French."""
    return _render_html(data, inline_css=True)


def render_invoice_pdf(data: InvoiceData) -> bytes:
    """The invoice as a Factur-X PDF (PDF/A-3b, A4, with its CII XML embedded)."""
    # Without the template's indentation between tags: every whitespace run is a text node
    # the HTML parser and the box builder go through, then drop.
    html = _BETWEEN_TAGS.sub("><", _render_html(data, inline_css=False))
    document = _parsed_page(html).render(
        stylesheets=[_stylesheet()], font_config=_font_config()
    )
    return write_facturx_pdf(document, cii_xml(data), title=f"{data.title} {data.number}")
