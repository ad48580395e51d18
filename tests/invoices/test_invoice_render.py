import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from comptoir.domain.money import format_eur
from comptoir.domain.paris_time import PARIS
from comptoir.invoices.render import (
    InvoiceBuyer,
    InvoiceData,
    InvoiceLine,
    InvoiceSeller,
    invoice_vat_breakdown,
    render_invoice_html,
    render_invoice_pdf,
)

SELLER = InvoiceSeller(
    legal_name="Boulangerie Martin SARL",
    shop_name="Au Bon Pain",
    siret="123 456 789 00012",
    vat_number="FR32123456789",
    address_line="12 rue de la République",
    postal_code="69001",
    city="Lyon",
    email="contact@aubonpain.fr",
    phone="04 78 00 00 00",
)
BUYER = InvoiceBuyer(
    name="Camille Durand",
    line1="5 place Bellecour",
    line2="Appartement 3B",
    postal_code="69002",
    city="Lyon",
    country="France",
    email="camille@example.org",
)
LINES = [
    InvoiceLine("Pain de campagne 800 g", 2, 420, 550),
    InvoiceLine("Coffret cadeau", 1, 123_456, 2000),
    InvoiceLine("Jus de pomme bio 1 L", 3, 390, 550),
]
INVOICE = InvoiceData(
    number="AUBONPAIN-2026-000042",
    issued_at=datetime(2026, 12, 3, 14, 30, tzinfo=PARIS),
    order_reference="CMD-2026-0815",
    seller=SELLER,
    buyer=BUYER,
    lines=LINES,
    delivery_label="Livraison locale",
    delivery_cents=490,
    paid_at=datetime(2026, 12, 3, 13, 25, tzinfo=UTC),
)

def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """Text of a PDF with every run of whitespace (incl. no-break spaces) as one space."""
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return normalize(text)


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_vat_breakdown_of_the_invoice_includes_delivery_at_20_percent() -> None:
    vat = invoice_vat_breakdown(INVOICE)
    # 5.5 %: 840 + 1170 = 2010 TTC; 20 %: 123456 + 490 = 123946 TTC.
    # Goods: 5.5 % 2010, 20 % 123456; delivery 490 shared 8 / 482 in proportion.
    assert [(r.rate_bp, r.ttc_cents) for r in vat.per_rate] == [(550, 2_018), (2000, 123_938)]
    assert vat.ttc_cents == 125_956
    assert vat.ht_cents + vat.vat_cents == vat.ttc_cents
    assert (vat.ht_cents, vat.vat_cents) == (1_913 + 103_282, 105 + 20_656)


def test_pdf_shows_the_legal_content_in_french(tmp_path: Path) -> None:
    pdf = render_invoice_pdf(INVOICE)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    vat = invoice_vat_breakdown(INVOICE)

    def eur(cents: int) -> str:
        return normalize(format_eur(cents))

    expected = [
        "FACTURE",
        "N° de facture AUBONPAIN-2026-000042",
        "Date d'émission jeudi 3 décembre 2026",
        "Commande CMD-2026-0815",
        "Au Bon Pain",
        "Boulangerie Martin SARL",
        "12 rue de la République",
        "69001 Lyon",
        "SIRET : 123 456 789 00012",
        "N° TVA intracommunautaire : FR32123456789",
        "Camille Durand",
        "5 place Bellecour",
        "Appartement 3B",
        "69002 Lyon",
        "Désignation Quantité Prix unitaire TTC TVA Total TTC",
        "Pain de campagne 800 g 2 4,20 € 5,5 % 8,40 €",
        "Coffret cadeau 1 1 234,56 € 20 % 1 234,56 €",
        "Jus de pomme bio 1 L 3 3,90 € 5,5 % 11,70 €",
        # Delivery follows the goods' VAT: 2 010 / 125 466 of it at 5,5 %, the rest at 20 %.
        "Livraison locale (part à 5,5 %) 1 0,08 € 5,5 % 0,08 €",
        "Livraison locale (part à 20 %) 1 4,82 € 20 % 4,82 €",
        f"Total HT {eur(vat.ht_cents)}",
        f"TVA 5,5 % {eur(vat.per_rate[0].vat_cents)}",
        f"TVA 20 % {eur(vat.per_rate[1].vat_cents)}",
        "Total TTC 1 259,56 €",
        "Payée le jeudi 3 décembre 2026 par carte bancaire (Stripe).",
        "Facture acquittée.",
        "Page 1 / 1",
    ]
    for fragment in expected:
        assert fragment in text, fragment
    assert "Total HT 1 051,95 €" in text  # 19,13 € + 1 032,82 €
    # Consumers do not get the B2B late-payment mentions.
    assert "indemnité forfaitaire" not in text


def test_business_buyer_gets_the_b2b_mentions(tmp_path: Path) -> None:
    invoice = replace(INVOICE, buyer=replace(BUYER, is_business=True))
    text = pdf_text(render_invoice_pdf(invoice), tmp_path)
    assert "Pas d'escompte pour paiement anticipé." in text
    assert (
        "En cas de retard de paiement, indemnité forfaitaire pour frais de recouvrement : 40 €"
        in text
    )


def test_unpaid_invoice_without_vat_number_or_delivery(tmp_path: Path) -> None:
    invoice = replace(
        INVOICE,
        seller=replace(SELLER, vat_number=""),
        buyer=replace(BUYER, line2=""),
        delivery_label="",
        delivery_cents=0,
        paid_at=None,
    )
    text = pdf_text(render_invoice_pdf(invoice), tmp_path)
    assert "TVA intracommunautaire" not in text
    assert "Livraison" not in text
    assert "Payée le" not in text and "Facture acquittée" not in text
    assert "En attente de paiement" in text
    assert "Total TTC 1 254,66 €" in text


def test_free_pickup_line_is_shown_but_adds_no_vat_row() -> None:
    invoice = replace(
        INVOICE, lines=LINES[:1], delivery_label="Retrait en boutique", delivery_cents=0
    )
    html = render_invoice_html(invoice)
    assert "Retrait en boutique" in html
    assert [r.rate_bp for r in invoice_vat_breakdown(invoice).per_rate] == [550]
    assert "TVA 20" not in html


def test_html_special_characters_are_escaped() -> None:
    evil = InvoiceLine('Tarte <script>alert("x")</script> & crème', 1, 1_850, 550)
    invoice = replace(
        INVOICE,
        lines=[evil],
        seller=replace(SELLER, legal_name="Martin & Fils <SARL>"),
    )
    html = render_invoice_html(invoice)
    assert "<script>" not in html
    assert "Tarte &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; crème" in html
    assert "Martin &amp; Fils &lt;SARL&gt;" in html


def test_escaped_characters_print_as_typed(tmp_path: Path) -> None:
    invoice = replace(INVOICE, lines=[InvoiceLine('Tarte <maison> & "fine"', 1, 1_850, 550)])
    assert 'Tarte <maison> & "fine" 1 18,50 €' in pdf_text(render_invoice_pdf(invoice), tmp_path)


def test_long_invoice_runs_over_pages_with_page_numbers(tmp_path: Path) -> None:
    lines = [InvoiceLine(f"Article {i:03d}", 1, 100 + i, 2000) for i in range(60)]
    text = pdf_text(render_invoice_pdf(replace(INVOICE, lines=lines)), tmp_path)
    pages = re.findall(r"Page (\d+) / (\d+)", text)
    count = len(pages)
    assert count >= 2
    assert pages == [(str(n), str(count)) for n in range(1, count + 1)]
    assert "Article 000" in text and "Article 059" in text
    # The table header repeats on every page the table runs over.
    assert text.count("Désignation Quantité") >= 2


def test_text_that_is_not_xml_still_prints(tmp_path: Path) -> None:
    # The PDF path parses the page as XML; a control character (not XML) in the data sends
    # it to WeasyPrint's HTML parser instead, and the invoice still prints.
    invoice = replace(INVOICE, lines=[InvoiceLine("Tarte\x0b maison", 1, 1_850, 550)])
    assert "maison 1 18,50 €" in pdf_text(render_invoice_pdf(invoice), tmp_path)
