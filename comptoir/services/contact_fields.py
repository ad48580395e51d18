"""Checks of the fields people type at sign-up and in shop settings: e-mail, phone, SIRET…

Each check returns the cleaned value or raises `Unprocessable` with a French message.
"""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from comptoir.errors import Unprocessable
from comptoir.settings import get_settings

# La Poste's establishments share this SIREN and are numbered beyond what Luhn allows:
# INSEE checks them with "sum of the digits is a multiple of 5" instead.
LA_POSTE_SIREN = "356000000"
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


def luhn_ok(digits: str) -> bool:
    """Luhn checksum of a string of digits (the key of SIREN and SIRET numbers)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def siret_is_valid(siret: str) -> bool:
    """Whether a SIRET passes INSEE's check: 14 digits, Luhn key (La Poste: digit sum % 5)."""
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return luhn_ok(siret) or sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret)


def check_siret(value: str) -> str:
    """The SIRET without spaces, or Unprocessable when it is not a valid one."""
    siret = re.sub(r"[\s.]", "", value)
    if not siret.isdigit() or len(siret) != 14:
        raise Unprocessable(
            f"Le numéro SIRET « {value} » doit comporter exactement 14 chiffres.",
            code="invalid_siret",
        )
    if not siret_is_valid(siret):
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
    if vat.startswith("FR") and vat[2:].isdigit():
        # French numbers are FR + 2-digit key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97.
        key, siren = vat[2:4], vat[4:]
        if len(siren) != 9 or int(key) != (12 + 3 * (int(siren) % 97)) % 97:
            raise Unprocessable(
                f"Le numéro de TVA intracommunautaire « {value} » n'existe pas "
                "(clé incorrecte pour ce SIREN).",
                code="invalid_vat_number",
            )
    return vat
