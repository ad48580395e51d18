"""E-mails: French Jinja2 templates, sent over SMTP, at most once per `email_key`."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from comptoir.models import SentEmail
from comptoir.settings import get_settings

TEMPLATES = Path(__file__).parent / "templates" / "emails"


@lru_cache
def _env() -> Environment:
    from comptoir.domain import labels, money

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["eur"] = money.format_eur
    env.filters["date_fr"] = labels.format_date_fr
    env.filters["datetime_fr"] = labels.format_datetime_fr
    env.globals["public_url"] = get_settings().public_url
    return env


def render(template: str, **context: Any) -> tuple[str, str, str | None]:
    """(subject, text, html) of `<template>.txt` (first line `Subject: …`); the HTML version is
    `<template>.html` when there is one, else the text laid out in the platform's e-mail page."""
    text = _env().get_template(f"{template}.txt").render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"e-mail template {template}.txt must start with 'Subject:'")
    subject, body = first.removeprefix("Subject:").strip(), body.lstrip("\n")
    if (TEMPLATES / f"{template}.html").exists():
        html = _env().get_template(f"{template}.html").render(**context)
    else:
        html = _env().get_template("_layout.html").render(
            subject=subject,
            paragraphs=html_paragraphs(body),
            platform_name=get_settings().platform_name,
        )
    return subject, body, html


_URL = re.compile(r"https?://[^\s<>\"]+")


def html_paragraphs(text: str) -> list[Markup]:
    """The text body as HTML paragraphs: escaped, lines kept, addresses made links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [_URL.sub(_link, str(escape(line))) for line in block.splitlines()]
        paragraphs.append(Markup("<br>\n".join(lines)))
    return paragraphs


def _link(found: re.Match[str]) -> str:
    url = found.group(0).rstrip(".,;:)")
    tail = found.group(0)[len(url) :]
    return f'<a href="{url}" style="color: #7a3e1d;">{url}</a>{tail}'


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with an e-mail (a PDF paper by default)."""

    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


def deliver(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> None:
    """Send one message through the configured SMTP server (raises when it is down)."""
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="comptoir.localhost")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


def already_sent(db: Session, email_key: str) -> bool:
    """True when the e-mail of this key went out before."""
    return db.scalar(select(SentEmail.id).where(SentEmail.email_key == email_key)) is not None


def send_templated(
    db: Session,
    email_key: str,
    to: str,
    template: str,
    *,
    order_id: int | None = None,
    attachments: Sequence[Attachment] = (),
    **context: Any,
) -> bool:
    """Send the templated e-mail unless this key was sent already; True when it went out now.

    The row is written after a successful send, so a crash in between can at worst send
    twice (at-least-once), never lose the e-mail.
    """
    if already_sent(db, email_key):
        return False
    subject, text, html = render(template, **context)
    deliver(to, subject, text, html, attachments)
    db.execute(
        insert(SentEmail)
        .values(email_key=email_key, to_address=to, subject=subject[:300], order_id=order_id)
        .on_conflict_do_nothing(index_elements=["email_key"])
    )
    db.flush()
    return True
