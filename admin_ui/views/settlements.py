"""Settlements: each shop's statements per period and state; payouts to retry, SEPA files to
write and download, SEPA settlements to mark paid (each action audited); the platform's
commission invoices to download."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import streamlit as st
from sqlalchemy import select

from admin_ui import temporal_ops
from admin_ui.auth import require_operator
from admin_ui.confirm import confirmed_action, show_flash
from admin_ui.display import when
from comptoir.db import session_scope
from comptoir.domain.labels import SETTLEMENT_STATE_LABELS, count_fr
from comptoir.domain.money import format_eur
from comptoir.models import Shop
from comptoir.models.settlements import SepaBatch, Settlement, SettlementState
from comptoir.services import audit
from comptoir.services.commission import month_label
from comptoir.services.operations import settlements as settlement_actions
from comptoir.settings import get_settings
from comptoir.settlements import gateway
from comptoir.settlements.views import all_statements


def commission_pdf_loader(invoice_id: int) -> Callable[[], bytes]:
    """The PDF of a commission invoice, read only when downloaded."""
    return lambda: settlement_actions.commission_invoice_pdf(invoice_id)


def start_payout(settlement: Settlement, attempt: int) -> str:
    """Start a settlement's payout workflow on Temporal; its id."""
    settings = get_settings()
    return temporal_ops.call(
        lambda client: gateway.retry_payout(client, settings, settlement, attempt)
    )


operator = require_operator()
st.title("Versements aux commerçants")
show_flash()

ALL = "all"
with session_scope() as db:
    shop_names = dict(db.execute(select(Shop.id, Shop.name).order_by(Shop.name)).tuples().all())
left, middle, right = st.columns(3)
shop_choice = left.selectbox(
    "Boutique", [ALL, *shop_names], format_func=lambda s: "toutes" if s == ALL else shop_names[s],
    key="settlements_shop",
)  # fmt: skip
state_choice = middle.selectbox(
    "État", [ALL, *(s.value for s in SettlementState)],
    format_func=lambda s: "tous" if s == ALL else SETTLEMENT_STATE_LABELS[s],
    key="settlements_state",
)  # fmt: skip
period_choice = right.date_input("Semaine commençant le (facultatif)", value=None,
                                 key="settlements_period")  # fmt: skip
with session_scope() as db:
    statements = all_statements(
        db,
        shop_id=None if shop_choice == ALL else int(str(shop_choice)),
        state=None if state_choice == ALL else SettlementState(state_choice),
        period_start=period_choice if isinstance(period_choice, date) else None,
    )

if not statements:
    st.info("Aucun versement pour ces filtres.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "n°": s.id,
                    "boutique": s.shop_name,
                    "période": f"{s.period_start:%d/%m/%Y} – {s.period_end:%d/%m/%Y}",
                    "commandes": ", ".join(str(i) for i in s.order_ids),
                    "ventes": format_eur(s.sales_cents),
                    "remboursements": format_eur(s.refunds_cents),
                    "frais": format_eur(s.fee_cents),
                    "report": format_eur(s.carried_in_cents),
                    "net": format_eur(s.net_cents),
                    "état": s.state_label,
                    "mode": s.method_label,
                    "payé le": when(s.paid_at) if s.paid_at else "",
                    "échec": s.failure_message,
                }
                for s in statements
            ]
        ),
        hide_index=True,
    )

    st.subheader("Un versement")
    by_id = {s.id: s for s in statements}
    chosen_id = int(st.selectbox(
        "Versement", list(by_id),
        format_func=lambda i: f"n° {i} — {by_id[i].shop_name}, {by_id[i].period_start:%d/%m/%Y} "
        f"({by_id[i].state_label}, {format_eur(by_id[i].net_cents)})",
        key="settlements_chosen",
    ))  # fmt: skip
    chosen = by_id[chosen_id]
    if chosen.state == "failed" or (chosen.state == "planned" and chosen.method == "connect"):
        confirmed_action(
            f"settlements_retry_{chosen_id}", "Relancer le virement",
            lambda reason: settlement_actions.retry_payout(
                operator.id, chosen_id, reason, start_payout),
            warning=chosen.failure_message,
            confirm_text=f"Je confirme : relancer le virement n° {chosen_id} à {chosen.shop_name}.",
        )  # fmt: skip
    elif chosen.method == "sepa" and chosen.state in ("planned", "sent"):
        confirmed_action(
            f"settlements_paid_{chosen_id}", "Marquer payé",
            lambda reason: settlement_actions.mark_paid(operator.id, chosen_id, reason),
            confirm_text=f"Je confirme : la banque a payé {format_eur(chosen.net_cents)} à "
            f"{chosen.shop_name}.",
        )  # fmt: skip
    else:
        st.caption("Aucune action possible sur ce versement.")

st.subheader("Virements SEPA (boutiques sans Stripe Connect)")
execution = st.date_input("Date d'exécution demandée", value=date.today() + timedelta(days=1),
                          key="settlements_execution")  # fmt: skip
confirmed_action(
    "settlements_sepa", "Préparer le fichier SEPA",
    lambda reason: settlement_actions.write_sepa_file(
        operator.id, execution if isinstance(execution, date) else date.today(), reason),
    confirm_text="Je confirme : préparer le fichier de tous les virements SEPA prévus.",
)  # fmt: skip
with session_scope() as db:
    batches = list(db.scalars(select(SepaBatch).order_by(SepaBatch.id.desc()).limit(10)))
for batch in batches:
    st.download_button(
        f"Fichier n° {batch.id} du {when(batch.created_at)} — {count_fr(batch.transfers, 'virement', 'virements')}, "
        f"{format_eur(batch.total_cents)}",
        data=batch.xml.encode("utf-8"),
        file_name=f"comptoir-virements-{batch.id}.xml",
        mime="application/xml",
        key=f"settlements_download_{batch.id}",
    )

st.subheader("Factures de commission")
invoices = settlement_actions.commission_invoices(
    None if shop_choice == ALL else int(str(shop_choice))
)
if not invoices:
    st.caption("Aucune facture de commission pour ces filtres.")
for invoice in invoices:
    st.download_button(
        f"{invoice.number} — {invoice.shop_name}, {month_label(invoice.month)} : "
        f"{format_eur(invoice.total_ttc_cents)} TTC ({invoice.payments_count} paiement(s))",
        data=commission_pdf_loader(invoice.id),
        file_name=f"commission-{invoice.number}.pdf",
        mime="application/pdf",
        key=f"commission_pdf_{invoice.id}",
    )

st.subheader("Journal des versements")
journal = audit.recent("settlement:", limit=20) + audit.recent("sepa:", limit=10)
if journal:
    st.table(pd.DataFrame([{"le": when(a.at), "par": a.actor, "action": a.action,
                            "cible": a.target, "motif": a.reason} for a in journal]))  # fmt: skip
else:
    st.caption("Aucune action enregistrée.")
