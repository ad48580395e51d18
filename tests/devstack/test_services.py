"""The devstack helpers start real services on free ports and leave no process behind."""

from __future__ import annotations

import json
import os
import smtplib
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest
import stripe
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client

from devstack.services import (
    SEARCH_ATTRIBUTES,
    ServiceProcess,
    configure_localstripe_webhook,
    free_port,
    start_localstripe,
    start_smtp_sink,
    start_temporal,
    temporal_answers,
)

pytestmark = pytest.mark.timeout(60)


def assert_gone(service: ServiceProcess) -> None:
    """The process has exited and was reaped, and nothing of its group is left."""
    assert service.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(service.pid, 0)


def test_localstripe_confirms_a_payment_intent_with_the_real_sdk(tmp_path: Path) -> None:
    port = free_port()
    service = start_localstripe(port, log_dir=tmp_path)
    try:
        client = stripe.StripeClient(
            "sk_test_devstack", base_addresses={"api": f"http://127.0.0.1:{port}"}
        )
        intent = client.payment_intents.create(
            params={
                "amount": 1234,
                "currency": "eur",
                "payment_method": "pm_card_visa",
                "confirm": True,
            }
        )
        assert intent.status == "succeeded"
        assert intent.amount == 1234
        configure_localstripe_webhook(
            f"http://127.0.0.1:{port}", "http://127.0.0.1:9/api/webhooks/stripe", "whsec_test"
        )
    finally:
        service.stop()
    assert_gone(service)


def test_smtp_sink_catches_a_message_and_shows_it(tmp_path: Path) -> None:
    smtp_port, http_port = free_port(), free_port()
    sink = start_smtp_sink(smtp_port, tmp_path / "mail", http_port, log_dir=tmp_path)
    try:
        message = EmailMessage()
        message["From"] = "Comptoir <no-reply@comptoir.localhost>"
        message["To"] = "cliente@example.org"
        message["Subject"] = "Votre commande est prête"
        message.set_content("Bonjour, votre commande <n°42> est prête.")
        message.add_alternative("<p>Bonjour <script>alert(1)</script></p>", subtype="html")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            smtp.send_message(message)

        mails = sink.read_mails()
        assert len(mails) == 1
        assert mails[0]["Subject"] == "Votre commande est prête"
        assert mails[0]["To"] == "cliente@example.org"
        body = mails[0].get_body(preferencelist=("plain",))
        assert body is not None and "n°42" in body.get_content()

        listing = json.load(urllib.request.urlopen(f"http://127.0.0.1:{http_port}/api/mails"))
        assert [mail["subject"] for mail in listing] == ["Votre commande est prête"]
        page = urllib.request.urlopen(f"http://127.0.0.1:{http_port}/mail/{listing[0]['id']}")
        text = page.read().decode()
        assert "&lt;n°42&gt;" in text  # the text part is escaped
        assert "<script>" not in text  # the HTML part lives in a sandboxed iframe
        assert "iframe sandbox" in text
        html_part = urllib.request.urlopen(
            f"http://127.0.0.1:{http_port}/mail/{listing[0]['id']}/html"
        )
        assert "sandbox" in html_part.headers["Content-Security-Policy"]
    finally:
        sink.stop()
    assert_gone(sink)


def test_localstripe_state_file_survives_a_restart(tmp_path: Path) -> None:
    port = free_port()
    state = tmp_path / "localstripe.pickle"
    client = stripe.StripeClient(
        "sk_test_devstack", base_addresses={"api": f"http://127.0.0.1:{port}"}
    )
    with start_localstripe(port, state_file=state, log_dir=tmp_path) as first:
        intent = client.payment_intents.create(params={"amount": 500, "currency": "eur"})
    assert_gone(first)
    with start_localstripe(port, state_file=state, log_dir=tmp_path) as second:
        assert client.payment_intents.retrieve(intent.id).amount == 500
    assert_gone(second)


async def test_temporal_dev_server_counts_workflows_and_stops(tmp_path: Path) -> None:
    port = free_port()
    server = start_temporal(
        tmp_path, port=port, headless=True, db_file=tmp_path / "temporal.db", log_dir=tmp_path
    )
    try:
        client = await Client.connect(server.address)
        assert (await client.count_workflows()).count == 0
        attributes = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace="default")
        )
        assert set(SEARCH_ATTRIBUTES) <= set(attributes.custom_attributes)
    finally:
        server.stop()
    assert_gone(server)
    assert (tmp_path / "temporal.db").exists()


def test_temporal_ui_answers_when_not_headless(tmp_path: Path) -> None:
    port, ui_port = free_port(), free_port()
    with start_temporal(tmp_path, port=port, ui_port=ui_port, log_dir=tmp_path) as server:
        assert temporal_answers(server.address)
        assert server.ui_url is not None
        assert urllib.request.urlopen(server.ui_url, timeout=10).status == 200
    assert_gone(server)
