"""Browser tests: the real platform served by uvicorn, driven by Debian's chromium (Playwright).

The server runs in a subprocess on the test database, the run's Temporal dev server and
worker, localstripe (which also serves the test Stripe.js) and the SMTP sink. Screenshots
go to `test-artifacts/`. Never `playwright install`: the browser is /usr/bin/chromium.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, MailSink

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEAD_URL = "http://127.0.0.1:9/nobody"


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the web server did not answer {url} within {timeout} s")


@pytest.fixture(scope="session")
def web_server(
    database_url: str,
    temporal_server: str,
    stripe_server: str,
    mail_sink: MailSink,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The API and storefront under uvicorn on a free port; its base URL."""
    from devstack.services import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "COMPTOIR_PUBLIC_URL": base,
        "COMPTOIR_STRIPE_JS_URL": f"{stripe_server}/js.stripe.com/v3/",
    }
    log = (tmp_path_factory.mktemp("web") / "uvicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_up(f"{base}/healthz", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def stripe_webhook(web_server: str, stripe_server: str, live_platform: MailSink) -> Iterator[None]:
    """localstripe posts its signed payment events to the server while the test runs."""
    from comptoir.settings import get_settings
    from devstack.services import configure_localstripe_webhook

    secret = get_settings().stripe_webhook_secret
    events = ["payment_intent.succeeded", "payment_intent.payment_failed"]
    configure_localstripe_webhook(
        stripe_server, f"{web_server}/api/webhooks/stripe", secret, webhook_id="e2e", events=events
    )
    try:
        yield
    finally:  # other tests of the run send their own events
        configure_localstripe_webhook(stripe_server, DEAD_URL, secret, webhook_id="e2e", events=events)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's chromium through Playwright, for one module.

    Module-scoped on purpose: Playwright's sync API keeps an event loop running in the
    main thread while it is open, which would break the asyncio tests that run later.
    """
    if not CHROMIUM.exists():
        pytest.fail("chromium is not installed: run scripts/setup.sh (it installs it with apt)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
