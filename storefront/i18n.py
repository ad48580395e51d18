"""Translations of the storefront (gettext catalogues compiled by Babel, French first).

Source strings are written in French; `storefront/translations/messages.pot` is extracted
with `pybabel extract -F storefront/babel.cfg`, and each language's catalogue lives in
`translations/<lang>/LC_MESSAGES/messages.po` (compiled to `.mo`). A missing catalogue
falls back to the French source strings, so the pages never break for want of one.
"""

from __future__ import annotations

import gettext as gettext_module
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import Translations

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "fr"
DOMAIN = "messages"


@lru_cache
def translations(locale: str = DEFAULT_LOCALE) -> gettext_module.NullTranslations:
    """The compiled catalogue of a locale (French source strings when there is none)."""
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain=DOMAIN)


def gettext(message: str, **variables: Any) -> str:
    """Translate `message`, then fill its `%(name)s` placeholders from `variables`."""
    text = translations().gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """Singular or plural form for `n`; `%(num)s` is `n` unless given."""
    text = translations().ngettext(singular, plural, n)
    return text % {"num": n, **variables}


# The conventional short name, so `pybabel extract` finds the strings in Python modules.
_ = gettext
