"""The papers as PDFs: invoices, credit notes and commission invoices, from plain data.

`data.py` says what a paper contains, `render.py` turns it into HTML (Jinja2) and a Factur-X
PDF (WeasyPrint), `facturx.py` writes the CII XML and embeds it; `commission.py` is the CLI
that issues a month's commission invoices.
"""
