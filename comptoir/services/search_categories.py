"""Queries that name a category: "fromage de chèvre" asks for cheeses whose text says chèvre.

Goat cheeses are named "Crottin de Chavignol" or "Selles-sur-Cher" and never say "fromage":
the word is their category's. A query word close to a category's name (typos allowed) is
read as that category, and the other words are searched in the products' text; such a
product ranks above one that only scatters the words over its name and description (a
"Plateau de fromages" whose description mentions chèvres).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.models import Category

_WORD = re.compile(r"[^\W\d_]+")
# "fromge" ~ "fromage" (0.92), "chocolas" ~ "chocolat" (0.88); "fromage" vs "froment" (0.71)
# is too far.
CATEGORY_WORD_SIMILARITY = 0.8
# Shorter words must be spelt right ("vin" is the category "Vins", "riz" is no "rôtisserie").
MIN_FUZZY_LENGTH = 5
MIN_WORD_LENGTH = 3


def fold(word: str) -> str:
    """Lowercase, without accents, without a plural mark: 'Fromages' → 'fromage'."""
    plain = unicodedata.normalize("NFKD", word.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return plain[:-1] if len(plain) > MIN_WORD_LENGTH and plain[-1] in "sx" else plain


def _close(word: str, other: str) -> bool:
    if len(word) < MIN_FUZZY_LENGTH or len(other) < MIN_FUZZY_LENGTH:
        return word == other
    return SequenceMatcher(None, word, other).ratio() >= CATEGORY_WORD_SIMILARITY


@dataclass(frozen=True)
class CategoryQuery:
    """A query read as categories (their ids and own words) plus words to find in the text."""

    category_ids: list[int]
    category_words: list[str]
    other_words: list[str]


def read_category_query(categories: list[tuple[int, str]], q: str) -> CategoryQuery | None:
    """Split `q` into category words and the rest; None when no word names a category or
    nothing else is asked (a bare "fromage" is an ordinary search)."""
    words = [w for w in _WORD.findall(q) if len(w) >= MIN_WORD_LENGTH]
    ids: list[int] = []
    own_words: list[str] = []
    others: list[str] = []
    for word in words:
        folded = fold(word)
        named = [
            (category_id, name_word)
            for category_id, name in categories
            for name_word in _WORD.findall(name)
            if _close(folded, fold(name_word))
        ]
        if named:
            ids += [category_id for category_id, _ in named]
            own_words += [name_word for _, name_word in named]
        else:
            others.append(word)
    if not ids or not others:
        return None
    return CategoryQuery(sorted(set(ids)), sorted(set(own_words)), others)


def category_query(db: Session, q: str) -> CategoryQuery | None:
    """`read_category_query` against the platform's categories (one small statement, only
    for queries of several words)."""
    if len(_WORD.findall(q)) < 2:
        return None
    categories = [(row.id, row.name) for row in db.execute(select(Category.id, Category.name))]
    return read_category_query(categories, q)
