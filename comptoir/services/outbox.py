"""E-mails decided inside a transaction and sent once it committed, never failing the caller.

Services return `OutgoingMail` values instead of sending: the API hands them to a
background task (so a reply's timing never depends on SMTP, which also keeps "does this
account exist?" unreadable from the password-reset endpoint), scripts call `send_all`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from comptoir.db import session_scope
from comptoir.mail import send_templated

log = logging.getLogger("comptoir.mail")


@dataclass(frozen=True)
class OutgoingMail:
    """One templated e-mail to send; `email_key` makes it at-most-once."""

    email_key: str
    to: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def send(mail: OutgoingMail) -> bool:
    """Send in its own transaction; an unreachable SMTP server is logged, not raised."""
    try:
        with session_scope() as db:
            return send_templated(db, mail.email_key, mail.to, mail.template, **mail.context)
    except OSError:  # smtplib errors are OSErrors; a template bug must still surface
        log.warning("e-mail %s to %s not sent (SMTP unreachable)", mail.email_key, mail.to,
                    exc_info=True)
        return False


def send_after_commit(db: Session, mail: OutgoingMail | None) -> None:
    """Send `mail` once `db`'s transaction commits (never if it rolls back)."""
    if mail is None:
        return

    def after_commit(session: Session) -> None:
        send(mail)

    event.listen(db, "after_commit", after_commit, once=True)


def send_all(mails: Iterable[OutgoingMail]) -> int:
    """Send each e-mail (see `send`); the number that went out now."""
    return sum(1 for mail in mails if send(mail))
