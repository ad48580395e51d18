"""Factur-X papers: the embedded CII XML validates against the library's XSD, and the PDF
reads back (pdftotext) with the legal mentions."""

from dataclasses import replace
from datetime import datetime
from io import BytesIO
from pathlib import Path

from facturx import facturx as fx
from lxml import etree
from pypdf import PdfReader

from comptoir.domain.paris_time import PARIS
from comptoir.invoices.data import CorrectedInvoice, InvoiceLine
from comptoir.invoices.facturx import cii_xml
from comptoir.invoices.render import invoice_vat_breakdown, render_invoice_pdf
from tests.invoices.test_invoice_render import INVOICE, SELLER, pdf_text

NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}
LEGAL_SELLER = replace(
    SELLER, legal_form="SARL", share_capital_cents=1_000_000, registration="RCS Lyon"
)


def embedded_xml(pdf: bytes) -> etree._Element:
    """The factur-x.xml the PDF carries, checked against the EN 16931 XSD on the way out."""
    filename, xml = fx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert fx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    return etree.fromstring(xml)


def pdf_xmp(pdf: bytes) -> str:
    """The XMP metadata stream of the PDF's catalog."""
    reader = PdfReader(BytesIO(pdf))
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def texts(root: etree._Element, path: str) -> list[str]:
    return [node.text for node in root.xpath(path, namespaces=NS)]


def test_shop_invoice_is_factur_x_with_mandate_and_legal_mentions(tmp_path: Path) -> None:
    invoice = replace(INVOICE, seller=LEGAL_SELLER, issued_on_behalf_by="Comptoir")
    pdf = render_invoice_pdf(invoice)
    xmp = pdf_xmp(pdf)
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp  # PDF/A-3b
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    root = embedded_xml(pdf)
    assert texts(root, "//rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    assert texts(root, "//rsm:ExchangedDocument/ram:ID") == [invoice.number]
    vat = invoice_vat_breakdown(invoice)
    assert texts(root, "//ram:GrandTotalAmount") == [f"{vat.ttc_cents / 100:.2f}"]
    assert texts(root, "//ram:TaxBasisTotalAmount") == [f"{vat.ht_cents / 100:.2f}"]
    # Lines' HT add up to the tax basis (rounded once per rate, as printed).
    line_totals = texts(
        root, "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
    )
    assert sum(round(float(x) * 100) for x in line_totals) == vat.ht_cents
    assert texts(
        root,
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent",
    ) == ["5.50", "20.00"]
    assert texts(root, "//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID") == [
        "123456789"
    ]
    text = pdf_text(pdf, tmp_path)
    assert "Boulangerie Martin SARL (SARL), capital de 10 000,00 €" in text
    assert "RCS Lyon 123456789" in text
    assert (
        "Facture émise par Comptoir au nom et pour le compte de Boulangerie Martin SARL "
        "(mandat de facturation)." in text
    )
    assert "TVA non applicable" not in text


def test_seller_without_vat_number_charges_no_vat(tmp_path: Path) -> None:
    invoice = replace(INVOICE, seller=replace(SELLER, vat_number=""))
    vat = invoice_vat_breakdown(invoice)
    assert vat.vat_cents == 0 and vat.ht_cents == vat.ttc_cents == 125_956
    pdf = render_invoice_pdf(invoice)
    root = embedded_xml(pdf)
    assert texts(
        root, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"
    ) == ["E"]
    assert texts(root, "//ram:ExemptionReason") == ["TVA non applicable, art. 293 B du CGI"]
    text = pdf_text(pdf, tmp_path)
    assert "TVA non applicable, art. 293 B du CGI" in text
    assert "TVA 20 %" not in text


def test_credit_note_refers_to_the_invoice(tmp_path: Path) -> None:
    note = replace(
        INVOICE,
        number="A-0001-000001",
        credit_note_of=CorrectedInvoice("F-0001-000007", datetime(2026, 12, 1, 10, tzinfo=PARIS)),
        lines=[InvoiceLine("Pain de campagne 800 g", 1, 420, 550)],
        delivery_cents=0,
        delivery_label="",
        payment_text="Remboursé sur la carte ayant servi au paiement.",
        issued_on_behalf_by="Comptoir",
    )
    pdf = render_invoice_pdf(note)
    root = embedded_xml(pdf)
    assert texts(root, "//rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert texts(root, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == ["F-0001-000007"]
    text = pdf_text(pdf, tmp_path)
    assert "AVOIR" in text
    assert "N° d'avoir A-0001-000001" in text
    assert "Facture d'origine F-0001-000007 du mardi 1er décembre 2026" in text
    assert "Avoir émis par Comptoir au nom et pour le compte de" in text
    assert "Total TTC 4,20 €" in text


def test_xml_special_characters_are_escaped() -> None:
    invoice = replace(INVOICE, lines=[InvoiceLine("Tarte <maison> & « fine »", 1, 1_850, 550)])
    root = etree.fromstring(cii_xml(invoice))
    assert texts(root, "//ram:SpecifiedTradeProduct/ram:Name")[0] == "Tarte <maison> & « fine »"
