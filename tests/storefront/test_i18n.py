"""French wording of the pages: plurals, elision, no-break spaces in amounts and times, and no
"(s)" left in any page or e-mail template."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from comptoir.domain import money
from storefront import i18n
from storefront.templating import environment

ROOT = Path(__file__).resolve().parents[2]
NBSP, NNBSP = "\u00a0", "\u202f"


def test_without_a_catalogue_zero_takes_the_singular() -> None:
    assert i18n.ngettext("%(num)s produit", "%(num)s produits", 0) == "0 produit"
    assert i18n.ngettext("%(num)s produit", "%(num)s produits", 1) == "1 produit"
    assert i18n.ngettext("%(num)s produit", "%(num)s produits", 2) == "2 produits"
    page = environment().from_string(
        "{{ ngettext('%(num)s article', '%(num)s articles', n) }}"
    )
    assert [page.render(n=n) for n in (0, 1, 5)] == ["0 article", "1 article", "5 articles"]


@pytest.mark.parametrize("cents", [0, 5, 99, 100, 123456, 100000000, -730])
def test_amounts_come_from_babel_with_no_break_spaces(cents: int) -> None:
    written = i18n.format_amount(cents)
    assert written == money.format_eur(cents)  # the e-mails and PDFs write the same
    assert " " not in written and written.endswith(f"{NBSP}€")
    assert i18n.format_amount(123456) == f"1{NNBSP}234,56{NBSP}€"


def test_times_stay_on_one_line() -> None:
    assert i18n.format_time(time(9, 5)) == f"9{NBSP}h{NBSP}05"
    # 12:30 UTC in December is 13:30 in Paris.
    assert i18n.format_datetime(datetime(2026, 12, 3, 12, 30, tzinfo=UTC)) == (
        f"jeudi 3 décembre 2026 à 13{NBSP}h{NBSP}30"
    )
    rendered = environment().from_string("{{ t|time_fr }} {{ d|hour_fr }}").render(
        t=time(14, 0), d=datetime(2026, 7, 1, 7, 15, tzinfo=UTC)
    )
    assert rendered == f"14{NBSP}h{NBSP}00 9{NBSP}h{NBSP}15"


def test_templates_elide_and_contract_shop_names() -> None:
    page = environment().from_string(
        "{{ _('Comment récupérer vos produits %(de_shop)s ?', de_shop=name|de) }} "
        "{{ _('Votre message %(a_shop)s', a_shop=name|a) }}"
    )
    assert html.unescape(page.render(name="Au Fournil")) == (
        "Comment récupérer vos produits d'Au Fournil ? Votre message au Fournil"
    )


def test_no_template_writes_a_plural_in_brackets() -> None:
    folders = [ROOT / "storefront" / "templates", ROOT / "comptoir" / "templates"]
    found = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.suffix in {".html", ".txt"}
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"\w\((s|es|e)\)", line)
    ]
    assert not found, "\n".join(found)
