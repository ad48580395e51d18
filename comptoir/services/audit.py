"""The audit log: who did what to which target, and why (operators' actions and decisions).

Targets are named `<kind>:<id>` by the helpers below (`order:12`, `shop:3`, `user:7`,
`settlement:5`, `sepa:2`), so the
console can list one order's or one kind's entries whatever wrote them (API or console).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.db import session_scope
from comptoir.models import AuditLog, User


def order_target(order_id: int) -> str:
    """The audit log's name for an order."""
    return f"order:{order_id}"


def shop_target(shop_id: int) -> str:
    """The audit log's name for a shop."""
    return f"shop:{shop_id}"


def user_target(user_id: int) -> str:
    """The audit log's name for an account."""
    return f"user:{user_id}"


def settlement_target(settlement_id: int) -> str:
    """The audit log's name for a settlement."""
    return f"settlement:{settlement_id}"


def sepa_target(batch_id: int) -> str:
    """The audit log's name for a SEPA file."""
    return f"sepa:{batch_id}"


def record(
    db: Session,
    actor_id: int | None,
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


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    target: str
    reason: str
    details: dict[str, Any]


def recent(target_prefix: str = "", limit: int = 50, *, target: str = "") -> list[AuditRow]:
    """The latest audit entries, optionally only for targets starting with `target_prefix`
    or equal to `target`."""
    query = (
        select(AuditLog, User.email)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    if target_prefix:
        query = query.where(AuditLog.target.startswith(target_prefix))
    if target:
        query = query.where(AuditLog.target == target)
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
