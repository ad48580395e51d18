"""`python -m devstack.smtp_sink`: catch the platform's e-mails in development and tests.

An SMTP server on 127.0.0.1 that accepts every message and writes it, unchanged but for
`X-MailFrom`/`X-RcptTo` envelope headers on top, to `<maildir>/<time_ns>-<n>.eml` (names
sort by arrival). With `--http-port`, a read-only web page lists the caught messages and
shows each one: the text part escaped, the HTML part in a sandboxed iframe whose own
Content-Security-Policy forbids scripts and remote content.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import os
import re
import signal
import time
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from devstack.services import HOST, MAIL_SUFFIX, read_mail

MAIL_NAME = re.compile(r"^[0-9]{20}-[0-9]+-[0-9]+$")
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'none'"
# The HTML part of a message runs in a sandbox, without scripts or any remote fetch.
MAIL_HTML_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


class MaildirHandler:
    """aiosmtpd handler writing each accepted message to its own file."""

    def __init__(self, maildir: Path) -> None:
        self.maildir = maildir
        self._counter = itertools.count()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        """Store the message; the client sees it as delivered."""
        content = envelope.original_content or b""
        if isinstance(envelope.content, bytes) and not content:
            content = envelope.content
        recipients = ", ".join(envelope.rcpt_tos)
        header = f"X-MailFrom: {envelope.mail_from}\r\nX-RcptTo: {recipients}\r\n"
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._counter)}"
        partial = self.maildir / f"{name}.part"
        partial.write_bytes(header.encode() + content)
        os.replace(partial, self.maildir / f"{name}{MAIL_SUFFIX}")
        return "250 Message accepted for delivery"


# --- web page ---------------------------------------------------------------------------


def _page(title: str, body: str) -> web.Response:
    document = (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}"
        "table{border-collapse:collapse;width:100%}td,th{padding:.35rem .6rem;"
        "border-bottom:1px solid #ddd;text-align:left}pre{white-space:pre-wrap;"
        "background:#f6f6f6;padding:1rem}iframe{width:100%;height:32rem;border:1px solid #ccc}"
        "</style></head><body>"
        f"{body}</body></html>"
    )
    return web.Response(
        text=document,
        content_type="text/html",
        headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"},
    )


def _date(message: EmailMessage) -> str:
    raw = message.get("Date")
    if not raw:
        return ""
    try:
        return parsedate_to_datetime(str(raw)).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return str(raw)


def _mail_path(request: web.Request) -> Path:
    name = request.match_info["name"]
    path = request.app["maildir"] / f"{name}{MAIL_SUFFIX}"
    if not MAIL_NAME.match(name) or not path.is_file():
        raise web.HTTPNotFound(text="no such e-mail")
    return path


async def index(request: web.Request) -> web.Response:
    """Every caught message, newest first."""
    maildir: Path = request.app["maildir"]
    paths = sorted(maildir.glob(f"*{MAIL_SUFFIX}"), reverse=True)
    rows = []
    for path in paths:
        message = read_mail(path)
        name = path.name.removesuffix(MAIL_SUFFIX)
        rows.append(
            "<tr>"
            f"<td>{html.escape(_date(message))}</td>"
            f"<td>{html.escape(str(message.get('To', '')))}</td>"
            f"<td><a href='/mail/{name}'>{html.escape(str(message.get('Subject', '(sans objet)')))}</a></td>"
            "</tr>"
        )
    table = (
        "<table><tr><th>Date</th><th>À</th><th>Objet</th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p>Aucun e-mail pour l'instant.</p>"
    )
    return _page("E-mails capturés", f"<h1>E-mails capturés ({len(rows)})</h1>{table}")


async def show(request: web.Request) -> web.Response:
    """One message: headers, text part escaped, HTML part in a sandboxed iframe."""
    path = _mail_path(request)
    message = read_mail(path)
    name = path.name.removesuffix(MAIL_SUFFIX)
    headers = "".join(
        f"<tr><th>{html.escape(key)}</th><td>{html.escape(str(message.get(key, '')))}</td></tr>"
        for key in ("Date", "From", "To", "Cc", "Subject", "X-RcptTo")
        if message.get(key)
    )
    parts = [f"<p><a href='/'>← tous les e-mails</a> · <a href='/mail/{name}/raw'>source</a></p>"]
    parts.append(f"<table>{headers}</table>")
    text_part = message.get_body(preferencelist=("plain",))
    if text_part is not None:
        text = text_part.get_content() if isinstance(text_part, EmailMessage) else ""
        parts.append(f"<h2>Texte</h2><pre>{html.escape(str(text))}</pre>")
    if message.get_body(preferencelist=("html",)) is not None:
        parts.append(
            f"<h2>HTML</h2><iframe sandbox referrerpolicy='no-referrer' "
            f"src='/mail/{name}/html' title='HTML'></iframe>"
        )
    attachments = [
        html.escape(part.get_filename() or "(sans nom)") for part in message.iter_attachments()
    ]
    if attachments:
        parts.append(
            "<h2>Pièces jointes</h2><ul><li>" + "</li><li>".join(attachments) + "</li></ul>"
        )
    return _page(str(message.get("Subject", "e-mail")), "".join(parts))


async def show_html(request: web.Request) -> web.Response:
    """The HTML part alone, sandboxed by its CSP even when opened directly."""
    message = read_mail(_mail_path(request))
    part = message.get_body(preferencelist=("html",))
    if not isinstance(part, EmailMessage):
        raise web.HTTPNotFound(text="no HTML part")
    return web.Response(
        text=str(part.get_content()),
        content_type="text/html",
        headers={"Content-Security-Policy": MAIL_HTML_CSP, "Cache-Control": "no-store"},
    )


async def show_raw(request: web.Request) -> web.Response:
    """The message source as plain text."""
    path = _mail_path(request)
    return web.Response(
        body=path.read_bytes(),
        content_type="text/plain",
        charset="utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


async def list_json(request: web.Request) -> web.Response:
    """Caught messages as JSON (date, from, to, subject), oldest first, for scripts."""
    maildir: Path = request.app["maildir"]
    return web.json_response(
        [
            {
                "id": path.name.removesuffix(MAIL_SUFFIX),
                "date": _date(message),
                "from": str(message.get("From", "")),
                "to": str(message.get("To", "")),
                "subject": str(message.get("Subject", "")),
            }
            for path in sorted(maildir.glob(f"*{MAIL_SUFFIX}"))
            for message in [read_mail(path)]
        ]
    )


def web_app(maildir: Path) -> web.Application:
    """The read-only web page over `maildir`."""
    app = web.Application()
    app["maildir"] = maildir
    app.router.add_get("/", index)
    app.router.add_get("/api/mails", list_json)
    app.router.add_get("/mail/{name}", show)
    app.router.add_get("/mail/{name}/html", show_html)
    app.router.add_get("/mail/{name}/raw", show_raw)
    return app


# --- process ----------------------------------------------------------------------------


async def serve(host: str, port: int, maildir: Path, http_port: int | None) -> None:
    """Run the SMTP server (and the web page) until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    handler = MaildirHandler(maildir)
    smtp_server = await loop.create_server(
        lambda: SMTP(handler, hostname="comptoir-smtp-sink", enable_SMTPUTF8=True),
        host=host,
        port=port,
    )
    runner: web.AppRunner | None = None
    if http_port is not None:
        runner = web.AppRunner(web_app(maildir), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, http_port).start()
    print(
        f"SMTP sink on {host}:{port} writing to {maildir}"
        + (f"; web page http://{host}:{http_port}/" if http_port else ""),
        flush=True,
    )
    stopping = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()
    smtp_server.close()
    await smtp_server.wait_closed()
    if runner is not None:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--maildir", type=Path, default=Path("var/mail"))
    parser.add_argument("--http-port", type=int, default=None)
    args = parser.parse_args(argv)
    args.maildir.mkdir(parents=True, exist_ok=True)
    asyncio.run(serve(args.host, args.port, args.maildir.resolve(), args.http_port))


if __name__ == "__main__":
    main()
