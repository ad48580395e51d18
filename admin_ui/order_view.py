"""One order on screen: what Postgres holds, what Temporal says live, and the operator's actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from admin_ui import actions, temporal_ops
from admin_ui.auth import Operator
from admin_ui.confirm import confirmed_action
from admin_ui.display import (
    ACTOR_KIND_LABELS,
    ATTENTION_KIND_LABELS,
    LEDGER_KIND_LABELS,
    age,
    audit_action,
    eur,
    label,
    order_status,
    stage,
    vendor_status,
    when,
)
from admin_ui.markdown_text import plain, plain_frame
from comptoir.domain.labels import (
    CONSOLE_LINE_STATUS_LABELS,
    PAYMENT_STATUS_LABELS,
    RETURN_STATUS_LABELS,
)
from comptoir.domain.money import format_eur
from comptoir.domain.vendor_order_rules import shown_status
from comptoir.errors import DomainError
from comptoir.orders.contracts import order_workflow_id, vendor_order_workflow_id
from comptoir.services import audit as audit_log
from comptoir.services.checkout import START_PENDING
from comptoir.services.operations import orders as order_queries
from comptoir.services.operations import repairs


def _table(rows: list[dict[str, Any]], empty: str) -> None:
    if rows:
        st.table(plain_frame(rows))
    else:
        st.caption(empty)


def show_order(order_id: int, operator: Operator) -> None:
    """The whole detail of one order, its live workflow panel and its actions."""
    try:
        detail = order_queries.order_detail(order_id)
    except DomainError as error:
        st.error(plain(error.message))
        return
    order = detail.order
    st.header(f"Commande n° {order.id}")
    cols = st.columns(4)
    cols[0].metric("Statut", order_status(order.status))
    cols[1].metric("Étape", stage(order.stage))
    cols[2].metric("Total", eur(order.total_cents))
    cols[3].metric("Remboursé", eur(order.refunded_cents))
    st.caption(
        f"Client : {plain(order.shopper_email)} — créée le {when(order.created_at)}"
        + (f" — payée le {when(order.paid_at)}" if order.paid_at else "")
    )
    if order.needs_attention:
        st.warning("Cette commande attend un opérateur (voir les points d'attention).")
    st.markdown(
        f"[Voir le workflow {order_workflow_id(order.id)} dans Temporal Web UI]"
        f"({temporal_ops.workflow_ui_url(order_workflow_id(order.id))})"
    )

    st.subheader("Boutiques et lignes")
    for part in detail.parts:
        vo = part.vendor_order
        part_status = shown_status(vo.status, vo.total_cents, vo.refunded_cents)
        st.markdown(
            f"**{plain(part.shop_name)}** — {vendor_status(part_status)} — "
            f"{plain(vo.delivery_label)} — "
            f"{eur(vo.total_cents)} (commission {eur(vo.fee_cents)}, remboursé "
            f"{eur(vo.refunded_cents)})"
        )
        _table(
            [
                {
                    "produit": line.product_name,
                    "quantité": line.quantity,
                    "prix unitaire": eur(line.unit_price_cents),
                    "total": eur(line.total_cents),
                    "statut": label(CONSOLE_LINE_STATUS_LABELS, line.status),
                    "retourné": line.returned_quantity,
                }
                for line in part.lines
            ],
            "Aucune ligne.",
        )

    st.subheader("Paiement")
    payment = detail.payment
    _table(
        [
            {
                "PaymentIntent": payment.stripe_payment_intent_id or "",
                "montant": eur(payment.amount_cents),
                "statut": label(PAYMENT_STATUS_LABELS, payment.status),
                "commission": eur(payment.fee_cents),
                "réussi le": when(payment.succeeded_at),
                "échec": payment.failure_message,
            }
        ]
        if payment
        else [],
        "Aucun paiement.",
    )

    st.subheader("Remboursements")
    _table(
        [
            {
                "le": when(r.created_at),
                "montant": eur(r.amount_cents),
                "boutique": detail.shop_of_part(r.vendor_order_id),
                "motif": r.reason,
                "statut": label(PAYMENT_STATUS_LABELS, r.status),
                "Stripe": r.stripe_refund_id or "",
            }
            for r in detail.refunds
        ],
        "Aucun remboursement.",
    )

    st.subheader("Écritures comptables")
    _table(
        [
            {
                "le": when(e.created_at),
                "boutique": detail.shop_names.get(e.shop_id, str(e.shop_id)),
                "type": label(LEDGER_KIND_LABELS, e.kind),
                "montant": eur(e.amount_cents),
            }
            for e in detail.ledger
        ],
        "Aucune écriture.",
    )

    st.subheader("Factures")
    _table(
        [
            {
                "numéro": i.number,
                "boutique": detail.shop_names.get(i.shop_id, str(i.shop_id)),
                "émise le": when(i.issued_at),
                "HT": eur(i.total_ht_cents),
                "TVA": eur(i.total_vat_cents),
                "TTC": eur(i.total_ttc_cents),
            }
            for i in detail.invoices
        ],
        "Aucune facture.",
    )
    for invoice in detail.invoices:
        st.download_button(
            f"Télécharger la facture {invoice.number}",
            data=_pdf_loader(invoice.id),
            file_name=f"facture-{invoice.number}.pdf",
            mime="application/pdf",
            key=f"invoice_pdf_{invoice.id}",
        )
    if detail.credit_notes:
        st.caption("Avoirs (remboursements de montants facturés)")
        numbers = {i.id: i.number for i in detail.invoices}
        _table(
            [
                {
                    "numéro": n.number,
                    "facture d'origine": numbers.get(n.invoice_id, ""),
                    "boutique": detail.shop_names.get(n.shop_id, str(n.shop_id)),
                    "émis le": when(n.issued_at),
                    "HT": eur(n.total_ht_cents),
                    "TVA": eur(n.total_vat_cents),
                    "TTC": eur(n.total_ttc_cents),
                }
                for n in detail.credit_notes
            ],
            "Aucun avoir.",
        )
    for note in detail.credit_notes:
        st.download_button(
            f"Télécharger l'avoir {note.number}",
            data=_credit_note_loader(note.id),
            file_name=f"avoir-{note.number}.pdf",
            mime="application/pdf",
            key=f"credit_note_pdf_{note.id}",
        )

    st.subheader("Messages")
    _table(
        [
            {
                "le": when(m.created_at),
                "boutique": detail.shop_names.get(m.shop_id, str(m.shop_id)),
                "de": "boutique" if m.from_shop else "client",
                "message": m.body,
            }
            for m in detail.messages
        ],
        "Aucun message.",
    )

    st.subheader("E-mails envoyés")
    _table(
        [{"le": when(e.sent_at), "à": e.to_address, "objet": e.subject} for e in detail.emails],
        "Aucun e-mail.",
    )

    st.subheader("Historique des statuts")
    _table(
        [
            {
                "le": when(h.event.at),
                "partie": detail.shop_of_part(h.event.vendor_order_id) or "commande",
                "de": vendor_status(h.event.from_status) if h.event.from_status else "",
                "vers": vendor_status(h.event.to_status),
                "par": " ".join(
                    p for p in (label(ACTOR_KIND_LABELS, h.event.actor_kind), h.actor_email) if p
                ),
                "note": h.event.note,
            }
            for h in detail.history
        ],
        "Aucun changement de statut enregistré.",
    )

    st.subheader("Points d'attention")
    _table(
        [
            {
                "n°": a.id,
                "depuis": when(a.created_at),
                "âge": age(a.created_at) if a.resolved_at is None else "",
                "nature": label(ATTENTION_KIND_LABELS, a.kind),
                "étape": a.step,
                "boutique": detail.shop_of_part(a.vendor_order_id),
                "erreur": a.error,
                "résolu le": when(a.resolved_at),
                "résolution": a.resolution,
            }
            for a in detail.attention
        ],
        "Aucun point d'attention.",
    )

    if detail.returns:
        st.subheader("Retours")
        _table(
            [
                {
                    "n°": r.id,
                    "le": when(r.created_at),
                    "boutique": detail.shop_of_part(r.vendor_order_id),
                    "statut": label(RETURN_STATUS_LABELS, r.status),
                    "motif": r.reason,
                    "montant": eur(r.amount_cents),
                }
                for r in detail.returns
            ],
            "",
        )

    show_workflow_panel(detail)
    show_actions(detail, operator)

    st.subheader("Journal des actions des opérateurs")
    _table(
        [
            {"le": when(a.at), "par": a.actor, "action": audit_action(a.action), "motif": a.reason}
            for a in audit_log.recent(target=audit_log.order_target(order.id), limit=20)
        ],
        "Aucune action d'opérateur sur cette commande.",
    )


def _pdf_loader(invoice_id: int) -> Callable[[], bytes]:
    return lambda: order_queries.invoice_pdf(invoice_id)


def _credit_note_loader(credit_note_id: int) -> Callable[[], bytes]:
    return lambda: order_queries.credit_note_pdf(credit_note_id)


def _pending_table(pending: list[temporal_ops.PendingActivity]) -> None:
    st.table(
        plain_frame(
            [
                {
                    "activité": p.activity_type,
                    "tentative": p.attempt,
                    "maximum": p.maximum_attempts or "illimité",
                    "état": p.state,
                    "dernier échec": p.last_failure,
                    "prochain essai": when(p.next_attempt_at),
                }
                for p in pending
            ]
        )
    )


def show_workflow_panel(detail: order_queries.OrderDetail) -> None:
    """What Temporal says about the order's workflows right now (a warning if it is down)."""
    st.subheader("Workflow en direct (Temporal)")
    order = detail.order
    try:
        live = temporal_ops.order_panel(order.id, [p.vendor_order.id for p in detail.parts])
    except DomainError as error:
        st.warning(error.message)
        return
    panel = live.order
    if panel is None:
        if order.stage == START_PENDING:
            st.warning(
                "Le workflow n'a jamais démarré : utilisez l'action « Démarrer le workflow »."
            )
        else:
            st.warning("Temporal ne connaît pas de workflow pour cette commande.")
        return
    cols = st.columns(3)
    cols[0].metric("Exécution", panel.status_label)
    cols[1].metric("Événements", panel.history_length)
    cols[2].metric("Démarré", when(panel.started_at))
    if panel.pending:
        st.markdown("**Activités en attente**")
        _pending_table(panel.pending)
    else:
        st.caption("Aucune activité en attente.")
    if panel.state is not None:
        state = panel.state
        st.markdown("**État vu par le workflow**")
        st.table(
            plain_frame(
                [
                    {
                        "statut": order_status(state.status),
                        "étape": stage(state.stage),
                        "prochaine échéance": when(state.next_deadline),
                        "nature de l'échéance": state.next_deadline_kind,
                        "à traiter": "oui" if state.needs_attention else "non",
                        # Money is PostgreSQL's: refunds also run in their own workflows
                        # (operator refunds), which the order's workflow does not add up.
                        "remboursé (PostgreSQL)": eur(order.refunded_cents),
                    }
                ]
            )
        )
    else:
        st.caption(
            f"Le workflow ne répond pas à la requête « state » ({plain(panel.state_error)})."
        )
    st.markdown("**Workflows des boutiques**")
    st.table(
        plain_frame(
            [
                {
                    "boutique": detail.shop_of_part(part_id),
                    "workflow": vendor_order_workflow_id(part_id),
                    "exécution": child.status_label if child else "pas démarré",
                    "activités en attente": "; ".join(
                        f"{p.activity_type} (tentative {p.attempt}) : {p.last_failure}".rstrip(" :")
                        for p in child.pending
                    )
                    if child
                    else "",
                }
                for part_id, child in live.parts.items()
            ]
        )
    )


ACTION_LABELS = {
    "retry": "Relancer l'étape en échec",
    "skip": "Passer l'étape en échec (si le workflow le permet)",
    "cancel": "Annuler la commande",
    "refund": "Rembourser un montant (garantie, geste commercial)",
    "resend_email": "Renvoyer un e-mail",
    "invoice": "Émettre une facture manquante",
    "start": "Démarrer le workflow",
    "terminate": "Arrêter le workflow de force",
    "reset": "Reprendre au dernier point sain",
}


# Orders whose workflow has ended (or never will act again): nothing to signal, cancel or reset.
ENDED_STATUSES = frozenset({"cancelled", "payment_failed", "refunded"})
ENDED_STAGES = frozenset({"closed", "cancelled", "payment_failed"})


def applicable_actions(detail: order_queries.OrderDetail) -> list[str]:
    """The actions that make sense for this order now, in ACTION_LABELS order."""
    order = detail.order
    status, order_stage = str(order.status), str(order.stage)
    if order_stage == START_PENDING:
        return ["start", "cancel"]
    running = status not in ENDED_STATUSES and order_stage not in ENDED_STAGES
    waiting_operator = any(a.resolved_at is None for a in detail.attention)
    invoiced = {i.vendor_order_id for i in detail.invoices}
    sold = order.paid_at is not None and status not in ("cancelled", "payment_failed")
    paid = detail.payment is not None and detail.payment.status.value == "succeeded"
    wanted = {
        "retry": running and waiting_operator,
        "skip": running and waiting_operator,
        "cancel": running and status != "completed",
        # An operator refund has its own workflow: it applies even after the order's has ended.
        "refund": paid and order.refunded_cents < order.total_cents,
        "resend_email": sold,
        "invoice": sold
        and any(p.vendor_order.id not in invoiced for p in detail.parts),
        "terminate": running,
        "reset": running,
    }
    return [action for action in ACTION_LABELS if wanted.get(action)]


def show_actions(detail: order_queries.OrderDetail, operator: Operator) -> None:
    """The operator's actions that apply to this order, each confirmed with a reason."""
    order = detail.order
    st.subheader("Actions")
    choices = applicable_actions(detail)
    if not choices:
        st.caption("Aucune action ne s'applique à cette commande dans son état actuel.")
        return
    action = st.selectbox(
        "Action", choices, format_func=ACTION_LABELS.__getitem__, key=f"order_action_{order.id}"
    )
    key = f"order_{order.id}_{action}"
    run: Callable[[str], str]
    warning = ""
    if action in ("retry", "skip", "cancel"):
        open_items = [a for a in detail.attention if a.resolved_at is None]
        item_id = None
        if open_items:
            item_id = st.selectbox(
                "Point d'attention",
                [a.id for a in open_items],
                format_func=lambda i: next(
                    f"n° {a.id} — {a.step} ({detail.shop_of_part(a.vendor_order_id) or 'commande'})"
                    for a in open_items
                    if a.id == i
                ),
                key=f"{key}_item",
            )
        key = f"{key}_{item_id or 0}"
        if action == "cancel":
            warning = "La commande sera annulée et le client remboursé de ce qu'il a payé."

        def run(reason: str) -> str:
            return actions.operator_signal(operator.id, order.id, action, reason, item_id)

    elif action == "refund":
        run, key, warning = _refund_form(detail, operator, key)

    elif action == "resend_email":
        template = str(
            st.selectbox(
                "E-mail",
                list(repairs.RESENDABLE_EMAILS),
                format_func=lambda t: repairs.RESENDABLE_EMAILS[t].label,
                key=f"{key}_template",
            )
        )
        part_id = None
        if repairs.RESENDABLE_EMAILS[template].per_shop:
            part_id = _part_choice(detail, f"{key}_part")
        key = f"{key}_{template}_{part_id or 0}"

        def run(reason: str) -> str:
            return repairs.resend_email(operator.id, order.id, template, part_id, reason)

    elif action == "invoice":
        invoiced = {i.vendor_order_id for i in detail.invoices}
        missing = [p for p in detail.parts if p.vendor_order.id not in invoiced]
        if not missing:
            st.info("Chaque boutique de cette commande a sa facture.")
            return
        part_id = _part_choice(detail, f"{key}_part", [p.vendor_order.id for p in missing])
        key = f"{key}_{part_id}"

        def run(reason: str) -> str:
            assert part_id is not None
            return repairs.issue_missing_invoice(operator.id, order.id, part_id, reason)

    elif action == "start":

        def run(reason: str) -> str:
            return actions.start_workflow(operator.id, order.id, reason)

    elif action == "terminate":
        warning = (
            "Dernier recours : le workflow s'arrête sans rien compenser (ni remboursement, ni "
            "remise en stock) et la commande ne sera plus mise à jour."
        )

        def run(reason: str) -> str:
            return actions.terminate_workflow(operator.id, order.id, reason)

    else:
        warning = "Le workflow rejoue son historique jusqu'à la dernière tâche réussie."

        def run(reason: str) -> str:
            return actions.reset_workflow(operator.id, order.id, reason)

    confirmed_action(
        key,
        ACTION_LABELS[action],
        run,
        warning=warning,
        confirm_text=f"Je confirme : {ACTION_LABELS[action].lower()} (commande n° {order.id}).",
    )


def _refund_form(
    detail: order_queries.OrderDetail, operator: Operator, key: str
) -> tuple[Callable[[str], str], str, str]:
    """Amount and who bears it: the whole order split between its shops, or one shop."""
    order = detail.order
    left = order.total_cents - order.refunded_cents
    euros = st.number_input(
        f"Montant à rembourser (€, au plus {format_eur(left)})",
        min_value=0.01,
        max_value=left / 100,
        value=left / 100,
        step=1.0,
        format="%.2f",
        key=f"{key}_amount",
    )
    cents = round(float(euros) * 100)
    whole = 0
    parts = [whole] + [p.vendor_order.id for p in detail.parts]
    part_id = int(
        st.selectbox(
            "Charge du remboursement",
            parts,
            format_func=lambda i: (
                "Toute la commande (réparti entre les boutiques au prorata)"
                if i == whole
                else f"Boutique « {detail.shop_of_part(i)} »"
            ),
            key=f"{key}_part",
        )
    )
    warning = (
        f"Le client sera remboursé de {format_eur(cents)} sur sa carte ; la somme est retirée "
        "du solde de la ou des boutiques."
    )

    def run(reason: str) -> str:
        return actions.refund(operator.id, order.id, cents, part_id or None, reason)

    return run, f"{key}_{part_id}", warning


def _part_choice(
    detail: order_queries.OrderDetail, key: str, part_ids: list[int] | None = None
) -> int | None:
    ids = part_ids if part_ids is not None else [p.vendor_order.id for p in detail.parts]
    if not ids:
        return None
    return int(
        st.selectbox(
            "Boutique",
            ids,
            format_func=lambda i: detail.shop_of_part(i) or str(i),
            key=key,
        )
    )
