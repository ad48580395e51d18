"""Postgres reads of the console (and its audit log writes), each a fixed number of queries.

Rows leave the session as plain dataclasses/dicts, so nothing lazy-loads during rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.db import session_scope
from comptoir.models import AuditLog, User


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    target: str
    reason: str
    details: dict[str, Any]


def record_audit(
    db: Session,
    actor_id: int,
    action: str,
    target: str,
    reason: str,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Write who did what and why (in the caller's transaction, so it commits with the act)."""
    entry = AuditLog(
        actor_id=actor_id, action=action, target=target, reason=reason, details=details or {}
    )
    db.add(entry)
    db.flush()
    return entry


def recent_audit(target_prefix: str = "", limit: int = 50) -> list[AuditRow]:
    """The latest audit entries, optionally only for targets starting with `target_prefix`."""
    query = (
        select(AuditLog, User.email)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    if target_prefix:
        query = query.where(AuditLog.target.startswith(target_prefix))
    with session_scope() as db:
        return [
            AuditRow(
                at=entry.at,
                actor=email or "",
                action=entry.action,
                target=entry.target,
                reason=entry.reason,
                details=dict(entry.details or {}),
            )
            for entry, email in db.execute(query).tuples()
        ]
