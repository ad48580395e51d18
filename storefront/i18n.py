"""Translations of the storefront (gettext catalogues compiled by Babel, French first).

Source strings are written in French; `storefront/translations/messages.pot` is extracted
with `pybabel extract -F storefront/babel.cfg`, and each language's catalogue lives in
`translations/<lang>/LC_MESSAGES/messages.po` (compiled to `.mo`). A missing catalogue
falls back to the French source strings, so the pages never break for want of one; that
fallback follows French plural rules ("0 produit", not "0 produits").
"""

from __future__ import annotations

import gettext as gettext_module
from datetime import datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

from comptoir.domain import labels
from comptoir.domain.paris_time import to_paris

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "fr"
BABEL_LOCALE = "fr_FR"
DOMAIN = "messages"
NBSP = "\u00a0"


class FrenchSource(NullTranslations):
    """No catalogue: the French source strings, with French plurals (0 and 1 singular)."""

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return labels.plural_fr(n, msgid1, msgid2)

    def npgettext(self, context: str, singular: str, plural: str, num: int) -> str:
        return labels.plural_fr(num, singular, plural)

    # Jinja's i18n extension prefers these older names when they exist.
    ungettext = ngettext
    unpgettext = npgettext


@lru_cache
def translations(locale: str = DEFAULT_LOCALE) -> gettext_module.NullTranslations:
    """The compiled catalogue of a locale (French source strings when there is none)."""
    catalogue = Translations.load(str(TRANSLATIONS_DIR), [locale], domain=DOMAIN)
    return catalogue if isinstance(catalogue, Translations) else FrenchSource()


def gettext(message: str, **variables: Any) -> str:
    """Translate `message`, then fill its `%(name)s` placeholders from `variables`."""
    text = translations().gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """Singular or plural form for `n`; `%(num)s` is `n` unless given."""
    text = translations().ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def format_amount(cents: int) -> str:
    """An amount in euros as Babel writes it for fr_FR: '1 234,56 €' with no-break spaces."""
    return format_currency(Decimal(cents) / 100, "EUR", locale=BABEL_LOCALE)


def format_time(value: time) -> str:
    """A time of day the French way, kept on one line: '14 h 30' with no-break spaces."""
    return labels.format_time_fr(value).replace(" ", NBSP)


def format_hour(value: datetime) -> str:
    """The Paris time of day of an instant, e.g. '14 h 30' (no-break spaces)."""
    return format_time(to_paris(value).time())


def format_datetime(value: datetime) -> str:
    """'jeudi 3 décembre 2026 à 14 h 30' in Paris time, the time kept on one line."""
    local = to_paris(value)
    return f"{labels.format_date_fr(local.date())} à {format_time(local.time())}"


# The conventional short name, so `pybabel extract` finds the strings in Python modules.
_ = gettext
