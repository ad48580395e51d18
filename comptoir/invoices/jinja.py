"""The Jinja2 environment of the papers (HTML pages and CII XML), compiled once per process."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from comptoir.domain.labels import format_date_fr
from comptoir.domain.money import format_eur, format_rate

TEMPLATES = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["eur"] = format_eur
env.filters["rate"] = format_rate
env.filters["date_fr"] = format_date_fr
