"""Pydantic's validation errors told in French, one sentence per problem, naming the field.

Pydantic's own messages are English; the caller reads these instead. Types not listed fall
back to a neutral French sentence, never to pydantic's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# {field} is the field's path; other names come from the error's `ctx`.
MESSAGES: dict[str, str] = {
    "missing": "le champ « {field} » est obligatoire",
    "extra_forbidden": "le champ « {field} » n'est pas accepté ici",
    "string_too_long": "« {field} » ne doit pas dépasser {max_length} caractères",
    "string_too_short": "« {field} » doit contenir au moins {min_length} caractère(s)",
    "too_long": "« {field} » ne doit pas contenir plus de {max_length} élément(s)",
    "too_short": "« {field} » doit contenir au moins {min_length} élément(s)",
    "string_type": "« {field} » doit être un texte",
    "string_pattern_mismatch": "« {field} » n'a pas le format attendu",
    "string_unicode": "« {field} » doit être un texte valide",
    "int_parsing": "« {field} » doit être un nombre entier",
    "int_type": "« {field} » doit être un nombre entier",
    "int_from_float": "« {field} » doit être un nombre entier, sans décimales",
    "float_parsing": "« {field} » doit être un nombre",
    "float_type": "« {field} » doit être un nombre",
    "decimal_parsing": "« {field} » doit être un nombre",
    "decimal_type": "« {field} » doit être un nombre",
    "finite_number": "« {field} » doit être un nombre fini",
    "greater_than": "« {field} » doit être supérieur à {gt}",
    "greater_than_equal": "« {field} » doit être supérieur ou égal à {ge}",
    "less_than": "« {field} » doit être inférieur à {lt}",
    "less_than_equal": "« {field} » doit être inférieur ou égal à {le}",
    "multiple_of": "« {field} » doit être un multiple de {multiple_of}",
    "bool_parsing": "« {field} » doit valoir vrai ou faux",
    "bool_type": "« {field} » doit valoir vrai ou faux",
    "date_parsing": "« {field} » doit être une date (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "« {field} » doit être une date (AAAA-MM-JJ)",
    "date_type": "« {field} » doit être une date (AAAA-MM-JJ)",
    "datetime_parsing": "« {field} » doit être une date et une heure",
    "datetime_from_date_parsing": "« {field} » doit être une date et une heure",
    "datetime_type": "« {field} » doit être une date et une heure",
    "time_parsing": "« {field} » doit être une heure (HH:MM)",
    "time_type": "« {field} » doit être une heure (HH:MM)",
    "enum": "« {field} » doit valoir l'une de ces valeurs : {expected}",
    "literal_error": "« {field} » doit valoir l'une de ces valeurs : {expected}",
    "list_type": "« {field} » doit être une liste",
    "dict_type": "« {field} » doit être un objet",
    "model_type": "« {field} » doit être un objet",
    "model_attributes_type": "« {field} » doit être un objet",
    "json_invalid": "le corps de la requête n'est pas un JSON valide",
    "json_type": "« {field} » doit être du JSON",
    "uuid_parsing": "« {field} » doit être un identifiant valide",
    "url_parsing": "« {field} » doit être une adresse web valide",
    "url_type": "« {field} » doit être une adresse web valide",
    "none_required": "« {field} » doit être vide",
    "union_tag_invalid": "« {field} » n'est pas d'un type accepté",
    "bytes_too_long": "« {field} » est trop volumineux",
}
INVALID = "« {field} » : valeur invalide"
EMAIL_INVALID = "« {field} » n'est pas une adresse e-mail valide"
_CTX_ENGLISH = {"and", "or"}


def _french_expected(text: str) -> str:
    # Pydantic says "'a', 'b' or 'c'": keep the values, translate the conjunction.
    return " ".join("ou" if word in _CTX_ENGLISH else word for word in text.split(" "))


def _value_error(field: str, err: Mapping[str, Any]) -> str:
    ctx = err.get("ctx") or {}
    if "reason" in ctx or "email" in str(err.get("msg", "")).lower():
        return EMAIL_INVALID.format(field=field)
    # Our own validators raise ValueError with a French sentence: keep it.
    raised = ctx.get("error")
    if isinstance(raised, ValueError) and str(raised) and _looks_french(str(raised)):
        return f"« {field} » : {raised}"
    return INVALID.format(field=field)


def _looks_french(text: str) -> bool:
    return any(ch in text for ch in "éèêàçôù«") or text.startswith(("le ", "la ", "les "))


def french_message(field: str, err: Mapping[str, Any]) -> str:
    """One French sentence for one pydantic error about `field`."""
    kind = str(err.get("type", ""))
    if kind in ("value_error", "assertion_error"):
        return _value_error(field, err)
    template = MESSAGES.get(kind)
    if template is None:
        return INVALID.format(field=field)
    values = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    if "expected" in values:
        values["expected"] = _french_expected(str(values["expected"]))
    try:
        return template.format(field=field, **values)
    except (KeyError, IndexError):  # a context pydantic did not give: say it plainly
        return INVALID.format(field=field)
