"""Where a shop is paid: its Stripe Connect account, or an IBAN/BIC checked with schwifty."""

from __future__ import annotations

from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy.orm import Session

from comptoir.errors import Unprocessable
from comptoir.models.settlements import ShopPayoutAccount

# Stripe account ids are "acct_" and letters/digits.
ACCOUNT_PREFIX = "acct_"


@dataclass(frozen=True, slots=True)
class BankAccount:
    """A checked bank account: IBAN without spaces, the BIC (given or derived), the holder."""

    iban: str
    bic: str
    holder: str


def checked_bank_account(iban: str, bic: str, holder: str) -> BankAccount:
    """Validate an IBAN (checksum, country format) and its BIC; French message when wrong."""
    try:
        parsed = IBAN(iban)
    except SchwiftyException as exc:
        raise Unprocessable(f"IBAN invalide : {iban.strip() or '(vide)'}.") from exc
    bic = bic.strip().upper()
    if bic:
        try:
            checked = BIC(bic)
        except SchwiftyException as exc:
            raise Unprocessable(f"BIC invalide : {bic}.") from exc
    else:
        derived = parsed.bic
        if derived is None:
            raise Unprocessable("BIC manquant : la banque de cet IBAN est inconnue, indiquez son BIC.")
        checked = derived
    if checked.country_code != parsed.country_code:
        raise Unprocessable("Le BIC et l'IBAN ne sont pas du même pays.")
    holder = " ".join(holder.split())
    if not holder:
        raise Unprocessable("Indiquez le titulaire du compte.")
    if len(holder) > 70:
        raise Unprocessable("Le nom du titulaire dépasse 70 caractères (limite SEPA).")
    return BankAccount(parsed.compact, str(checked), holder)


def set_payout_account(
    db: Session,
    shop_id: int,
    *,
    stripe_account_id: str = "",
    iban: str = "",
    bic: str = "",
    holder: str = "",
) -> ShopPayoutAccount:
    """Record how the shop is paid: a connected account, a bank account, or both."""
    stripe_account_id = stripe_account_id.strip()
    if stripe_account_id and (
        not stripe_account_id.startswith(ACCOUNT_PREFIX)
        or not stripe_account_id[len(ACCOUNT_PREFIX) :].isalnum()
    ):
        raise Unprocessable("Identifiant de compte Stripe Connect invalide (acct_…).")
    bank = checked_bank_account(iban, bic, holder) if iban.strip() else None
    if not stripe_account_id and bank is None:
        raise Unprocessable("Indiquez un compte Stripe Connect ou un IBAN.")
    account = db.get(ShopPayoutAccount, shop_id)
    if account is None:
        account = ShopPayoutAccount(shop_id=shop_id)
        db.add(account)
    account.stripe_account_id = stripe_account_id
    account.iban = bank.iban if bank else ""
    account.bic = bank.bic if bank else ""
    account.holder = bank.holder if bank else ""
    db.flush()
    return account
