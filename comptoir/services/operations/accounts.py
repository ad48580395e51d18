"""Reads of the Accounts page: deletion requests with what blocks them, and data exports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from comptoir.db import session_scope
from comptoir.errors import NotFound
from comptoir.models import DeletionRequest, User
from comptoir.services.accounts import export_personal_data
from comptoir.services.erasure import open_orders_of

DELETION_STATUS_LABELS = {
    "requested": "À traiter",
    "waiting": "En attente (commande en cours)",
    "completed": "Effacé",
    "refused": "Refusée",
}


@dataclass(frozen=True)
class DeletionRow:
    id: int
    user_id: int | None
    email: str
    role: str
    name: str
    reason: str
    status: str
    requested_at: datetime
    completed_at: datetime | None
    handled_by: str
    open_orders: list[int]


def deletion_requests(open_only: bool) -> list[DeletionRow]:
    """Deletion requests, oldest first, with each account's open orders (three queries)."""
    handler = select(User.id, User.email).subquery()
    query = (
        select(DeletionRequest, User, handler.c.email)
        .outerjoin(User, User.id == DeletionRequest.user_id)
        .outerjoin(handler, handler.c.id == DeletionRequest.handled_by)
        .order_by(DeletionRequest.requested_at, DeletionRequest.id)
    )
    if open_only:
        query = query.where(DeletionRequest.status.in_(("requested", "waiting")))
    with session_scope() as db:
        found = list(db.execute(query).tuples())
        blocking = open_orders_of(db, [u.id for _, u, _ in found if u is not None])
        return [
            DeletionRow(
                id=request.id,
                user_id=request.user_id,
                email=user.email if user else request.email_at_request,
                role=user.role.value if user else "",
                name=user.display_name if user else "",
                reason=request.reason,
                status=request.status.value,
                requested_at=request.requested_at,
                completed_at=request.completed_at,
                handled_by=handled_by or "",
                open_orders=blocking.get(user.id, []) if user else [],
            )
            for request, user, handled_by in found
        ]


def personal_data_export(user_id: int) -> bytes:
    """Everything held about one account, as indented UTF-8 JSON."""
    with session_scope() as db:
        user = db.get(User, user_id)
        if user is None:
            raise NotFound("Ce compte n'existe pas.")
        data = export_personal_data(db, user)
    return json.dumps(data, ensure_ascii=False, indent=2).encode()
