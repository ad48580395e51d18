"""Secrets never reach the logs: passwords, session tokens, reset tokens, the webhook secret.

Every logger runs at DEBUG here (stricter than production) while a user logs in (once with
a wrong password), uses the session, resets the password through the e-mailed link, and
Stripe webhooks arrive (valid and forged).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from comptoir.models import Role
from comptoir.settings import get_settings
from tests.conftest import MailSink, restore_env, set_env
from tests.factories import PASSWORD, create_user
from tests.security.conftest import CLOSED_STRIPE, CLOSED_TEMPORAL
from tests.stripe_support import event_payload, signature_header

pytestmark = pytest.mark.timeout(90)

WRONG_PASSWORD = "Devine-Moi-Si-Tu-Peux-31"
NEW_PASSWORD = "Nouveau-Mot-De-Passe-2026"


# The test's own HTTP client (httpx, under TestClient) logs every URL it requests; that is
# this harness, not the platform. (In production the server's access log would play that part:
# see the report about the reset link's token in the query string.)
CLIENT_LOGGERS = ("httpx", "httpcore")


def _logged_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        if record.name.startswith(CLIENT_LOGGERS):
            continue
        parts.append(logging.Formatter().format(record))
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(record.exc_text or "")
        parts.append(repr(getattr(record, "__dict__", {})))
    return "\n".join(parts)


def _reset_token(mail_sink: MailSink, email: str) -> str:
    mails = mail_sink.to(email)
    assert mails, "no reset e-mail caught"
    message = mails[-1]
    parts = [message] if not message.is_multipart() else list(message.walk())
    text = "".join(str(p.get_content()) for p in parts if p.get_content_maintype() == "text")
    found = re.search(r"token=([A-Za-z0-9_\-]+)", text)
    assert found, text[:500]
    return found.group(1)


@pytest.fixture(scope="module", autouse=True)
def isolated_services() -> Iterator[None]:
    """The folder's closed Temporal and Stripe, but e-mails reach the run's SMTP sink (the
    reset link is read from it), which `mail_sink` set up before this module started."""
    previous = set_env(
        {"COMPTOIR_TEMPORAL_ADDRESS": CLOSED_TEMPORAL, "COMPTOIR_STRIPE_API_BASE": CLOSED_STRIPE}
    )
    try:
        yield
    finally:
        restore_env(previous)


def test_secrets_never_reach_the_logs(
    mail_sink: MailSink, client: TestClient, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "stripe", "comptoir", "uvicorn", "fastapi", "temporalio"):
        caplog.set_level(logging.DEBUG, logger=name)  # SQL statements and parameters included
    user = create_user(db, Role.shopper)
    db.commit()
    mail_sink.clear()

    assert (
        client.post(
            "/api/auth/login", json={"email": user.email, "password": WRONG_PASSWORD}
        ).status_code
        == 401
    )
    login = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 200
    token = login.json()["token"]
    client.cookies.clear()
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).is_success
    assert client.get("/api/auth/me", cookies={"comptoir_session": token}).is_success
    client.cookies.clear()

    assert (
        client.post("/api/accounts/password-reset", json={"email": user.email}).status_code == 202
    )
    reset_token = _reset_token(mail_sink, user.email)
    assert client.get(f"/mot-de-passe/reinitialiser?token={reset_token}").status_code < 500
    confirmed = client.post(
        "/api/accounts/password-reset/confirm",
        json={"token": reset_token, "new_password": NEW_PASSWORD},
    )
    assert confirmed.status_code == 200, confirmed.text
    reused = client.post(
        "/api/accounts/password-reset/confirm",
        json={"token": reset_token, "new_password": NEW_PASSWORD + "!"},
    )
    assert reused.status_code == 400
    # The old session ended with the reset: using its token again is refused.
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )

    secret = get_settings().stripe_webhook_secret
    body = event_payload("evt_journal_1", "payment_intent.succeeded", "pi_journal_inconnu")
    ok = client.post(
        "/api/webhooks/stripe",
        content=body,
        headers={"Stripe-Signature": signature_header(body, secret)},
    )
    assert ok.status_code == 200, ok.text
    forged = client.post(
        "/api/webhooks/stripe",
        content=body,
        headers={"Stripe-Signature": signature_header(body, secret[:-1])},
    )
    assert forged.status_code == 400

    logged = _logged_text(caplog)
    # The capture works: the refused webhook and the failed login left their trace.
    assert "rejected a Stripe webhook" in logged
    assert "INSERT INTO login_sessions" in logged  # SQL and its parameters are captured too
    leaks = {
        name: value
        for name, value in {
            "password": PASSWORD,
            "wrong password": WRONG_PASSWORD,
            "new password": NEW_PASSWORD,
            "session token": token,
            "reset token": reset_token,
            "webhook secret": secret,
        }.items()
        if value in logged
    }
    assert not leaks, f"secrets found in the logs: {sorted(leaks)}"


LAUNCHERS = ("devstack/run.py", "Dockerfile", "docker-compose.yml")


def _shipped_access_log() -> bool:
    """Whether a way the platform is started runs uvicorn with its access log (the default)."""
    from tests.conftest import ROOT

    texts = [(ROOT / name).read_text() for name in LAUNCHERS if (ROOT / name).exists()]
    return any("uvicorn" in text and "--no-access-log" not in text for text in texts)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_reset_link_token_stays_out_of_the_server_log(db: Session) -> None:
    """The e-mailed link carries the reset token in its query string; the server the platform
    ships (uvicorn, started as in LAUNCHERS) must not write it to its log when the link is
    opened."""
    import threading

    import httpx
    import uvicorn

    from api.main import create_app
    from devstack.services import free_port

    access_log = _shipped_access_log()
    port = free_port()
    config = uvicorn.Config(
        create_app(),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=access_log,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    collect = _Collect()
    watched = [logging.getLogger(name) for name in ("uvicorn.access", "uvicorn.error")]
    levels = [logger.level for logger in watched]
    for logger in watched:
        logger.addHandler(collect)
        logger.setLevel(logging.INFO)
    thread = threading.Thread(target=server.run, name="uvicorn-secrets", daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started, "uvicorn did not start"
        reset_token = "Jeton-De-Reinitialisation-" + "x" * 17
        url = f"http://127.0.0.1:{port}/mot-de-passe/reinitialiser?token={reset_token}"
        assert httpx.get(url, timeout=10).status_code < 500
    finally:
        server.should_exit = True
        thread.join(10)
        for logger, level in zip(watched, levels, strict=True):
            logger.removeHandler(collect)
            logger.setLevel(level)
    if access_log:
        assert any("/mot-de-passe/reinitialiser" in line for line in collect.lines), collect.lines
    leaked = [line for line in collect.lines if reset_token in line]
    assert not leaked, f"the server log holds the reset token: {leaked}"
