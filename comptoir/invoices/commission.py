"""`python -m comptoir.invoices.commission [--month 2026-11]`: issue the platform's commission
invoices of a month (default: last month) to every shop that bore payment fees in it.

Issuing is idempotent (one invoice per shop and month), so running it twice changes nothing.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime

from comptoir.domain.labels import count_fr
from comptoir.domain.paris_time import PARIS
from comptoir.services.commission import issue_month, month_label
from comptoir.settlements.periods import previous_month


def parse_month(text: str) -> date:
    """'2026-11' → 1 November 2026."""
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"Mois invalide « {text} » : attendu AAAA-MM.") from exc


def main(argv: list[str] | None = None) -> None:
    """Issue the month's commission invoices and say how many were issued."""
    parser = argparse.ArgumentParser(description="Factures de commission mensuelles aux boutiques")
    parser.add_argument("--month", type=parse_month, help="mois à facturer (AAAA-MM)")
    args = parser.parse_args(argv)
    month = args.month or previous_month(datetime.now(PARIS).date())
    issued = issue_month(month)
    invoices = count_fr(len(issued), "facture de commission", "factures de commission")
    print(f"{invoices} pour {month_label(month)}.")


if __name__ == "__main__":
    main()
