"""Reads of the Contact page: messages of the public contact form, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from comptoir.db import session_scope
from comptoir.models import ContactMessage

CONTACT_PAGE_SIZE = 200


@dataclass(frozen=True)
class ContactRow:
    id: int
    received_at: datetime
    name: str
    email: str
    subject: str
    body: str


def contact_messages(limit: int = CONTACT_PAGE_SIZE) -> list[ContactRow]:
    """The latest messages of the contact form (suggested shops, questions), newest first."""
    with session_scope() as db:
        rows = db.scalars(
            select(ContactMessage)
            .order_by(ContactMessage.created_at.desc(), ContactMessage.id.desc())
            .limit(limit)
        )
        return [ContactRow(m.id, m.created_at, m.name, m.email, m.subject, m.body) for m in rows]
