"""Checks of the fields people type at sign-up and in shop settings: e-mail, phone, SIRET…

Each check returns the cleaned value or raises `Unprocessable` with a French message.
"""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from comptoir.errors import Unprocessable
from comptoir.settings import get_settings

_PHONE_CHARS = re.compile(r"^\+?[0-9 .\-()]+$")
_POSTAL_CODE = re.compile(r"^[0-9]{5}$")


def normalize_email(value: str, field: str = "adresse e-mail") -> str:
    """The address with its domain lower-cased; special-use domains only outside production."""
    value = value.strip()
    try:
        checked = validate_email(
            value,
            check_deliverability=False,
            # `.test` and friends are what tests and demo data use; production wants real ones.
            test_environment=get_settings().environment != "production",
        )
    except EmailNotValidError as exc:
        raise Unprocessable(
            f"L'{field} « {value} » n'est pas valide.", code="invalid_email"
        ) from exc
    return checked.normalized


def check_siret(value: str) -> str:
    """The SIRET without spaces, or Unprocessable when it is not a valid one."""
    siret = re.sub(r"[\s.]", "", value)
    if not siret.isdigit() or len(siret) != 14:
        raise Unprocessable(
            f"Le numéro SIRET « {value} » doit comporter exactement 14 chiffres.",
            code="invalid_siret",
        )
    # python-stdnum knows INSEE's rules, La Poste's establishments included.
    if not stdnum_siret.is_valid(siret):
        raise Unprocessable(
            f"Le numéro SIRET « {value} » n'existe pas (clé de contrôle incorrecte) ; "
            "vérifiez-le sur votre extrait Kbis ou avis de situation INSEE.",
            code="invalid_siret",
        )
    return siret


def check_phone(value: str, *, required: bool = False) -> str:
    """The phone number as typed (trimmed) when it looks like one; '' allowed unless required."""
    phone = value.strip()
    if not phone:
        if required:
            raise Unprocessable("Le numéro de téléphone est obligatoire.", code="invalid_phone")
        return ""
    digits = re.sub(r"\D", "", phone)
    if not _PHONE_CHARS.match(phone) or not 9 <= len(digits) <= 15:
        raise Unprocessable(
            f"Le numéro de téléphone « {phone} » n'est pas valide (exemple : 04 72 00 00 00).",
            code="invalid_phone",
        )
    return phone


FRENCH_PHONE = re.compile(r"(?:\+33|0033|0)([1-9]\d{8})")


def check_french_phone(value: str) -> str:
    """A French phone number, written '06 12 34 56 78'; a clear French error otherwise."""
    phone = value.strip()
    if not phone:
        raise Unprocessable(
            "Indiquez votre numéro de téléphone : le commerçant vous appelle pour la livraison.",
            code="phone_required",
        )
    match = FRENCH_PHONE.fullmatch(re.sub(r"[\s.\-()]", "", phone))
    if match is None:
        raise Unprocessable(
            f"Le numéro de téléphone « {phone} » n'est pas un numéro français valide "
            "(exemple : 06 12 34 56 78).",
            code="invalid_phone",
        )
    digits = "0" + match.group(1)
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def check_postal_code(value: str) -> str:
    """A French postal code: five digits."""
    code = value.strip()
    if not _POSTAL_CODE.match(code):
        raise Unprocessable(
            f"Le code postal « {value} » doit comporter 5 chiffres.", code="invalid_postal_code"
        )
    return code


def check_required(value: str, label: str) -> str:
    """The trimmed text, or Unprocessable naming the empty field."""
    text = value.strip()
    if not text:
        raise Unprocessable(f"Le champ « {label} » est obligatoire.", code="missing_field")
    return text


def slugify(text: str, max_length: int = 100) -> str:
    """ASCII, lower-case, dash-separated form of a name ('Épicerie Fine' → 'epicerie-fine')."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def check_vat_number(value: str) -> str:
    """An intra-EU VAT number, upper-cased without spaces ('' allowed); French keys checked."""
    vat = re.sub(r"[\s.\-]", "", value).upper()
    if not vat:
        return ""
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{2,13}", vat):
        raise Unprocessable(
            f"Le numéro de TVA intracommunautaire « {value} » n'est pas valide "
            "(exemple : FR40303265045).",
            code="invalid_vat_number",
        )
    if vat.startswith("FR"):
        # FR + key + SIREN: python-stdnum checks the key and the SIREN's own Luhn key.
        if not stdnum_tva.is_valid(vat):
            raise Unprocessable(
                f"Le numéro de TVA intracommunautaire « {value} » n'existe pas "
                "(clé incorrecte pour ce SIREN).",
                code="invalid_vat_number",
            )
    return vat


def check_share_capital(value: str) -> int | None:
    """A share capital typed in euros ('10 000', '7 500,50 €') as cents; '' means none."""
    typed = re.sub(r"[\s\u00a0\u202f€]", "", value).replace(",", ".")
    if not typed:
        return None
    if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,2})?", typed):
        raise Unprocessable(
            f"Le capital social « {value} » n'est pas un montant valide "
            "(exemple : 10 000 ou 7 500,50).",
            code="invalid_share_capital",
        )
    euros, _, cents = typed.partition(".")
    return int(euros) * 100 + int(cents.ljust(2, "0") or 0)


def format_share_capital(cents: int | None) -> str:
    """A share capital as the shop form shows it: '10000' or '7500,50'; '' for none."""
    if cents is None:
        return ""
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d}" if rest else str(euros)
