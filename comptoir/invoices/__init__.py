"""Invoice PDFs: one French invoice per shop and order, from plain data (no database here).

`render.py` turns an `InvoiceData` into HTML (Jinja2) and PDF (WeasyPrint).
"""
