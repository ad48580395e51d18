"""The daily figures as the charts draw them: indexed by real dates, so days stay in order.

A "dd/mm" text index is sorted as text by the charts ("01/12" before "28/11").
"""

from __future__ import annotations

import pandas as pd

from comptoir.services.operations.figures import DayFigures

CHART_COLUMNS = ("commandes", "ventes (€)", "commissions (€)", "remboursements (€)")


def daily_chart_frame(daily: list[DayFigures]) -> pd.DataFrame:
    """One row per day, oldest first, indexed by the day's date (`jour`)."""
    frame = pd.DataFrame(
        {
            "jour": pd.to_datetime([d.day for d in daily]),
            "commandes": [d.orders for d in daily],
            "ventes (€)": [d.sales_cents / 100 for d in daily],
            "commissions (€)": [d.fees_cents / 100 for d in daily],
            "remboursements (€)": [d.refunds_cents / 100 for d in daily],
        }
    )
    return frame.set_index("jour").sort_index()
