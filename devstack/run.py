"""`python -m devstack.run` (`make run`): the whole platform on 127.0.0.1; Ctrl-C stops it.

Starts PostgreSQL (DATABASE_URL's server, else an embedded one in var/pg), migrates it,
then the Temporal dev server (state in var/temporal.db, Web UI), localstripe (state in
var/localstripe.pickle), the SMTP sink (messages in var/mail, web page), loads the demo
data once per database, points localstripe's webhook at the API, and starts the worker,
the API + storefront (uvicorn) and the admin console (Streamlit). A second run reuses
everything in var/. Each child's output goes to var/log/<name>.log; a child that dies is
reported with its log. Ctrl-C or SIGTERM stops everything in reverse order.

Environment (defaults in brackets):
  COMPTOIR_PORT [8000]              API + storefront
  COMPTOIR_ADMIN_PORT [8501]        admin console (Streamlit)
  COMPTOIR_TEMPORAL_PORT [7233]     Temporal frontend (gRPC)
  COMPTOIR_TEMPORAL_UI_PORT [8233]  Temporal Web UI
  COMPTOIR_STRIPE_PORT [8420]       localstripe (Stripe API + test Stripe.js)
  COMPTOIR_SMTP_PORT [8025]         SMTP sink (also the platform's smtp_port setting)
  COMPTOIR_MAIL_UI_PORT [8026]      web page of the caught e-mails
  DATABASE_URL                      use this PostgreSQL instead of the embedded one
  COMPTOIR_LOAD_DEMO [1]            0: never load demo data; force: load it again
Children receive DATABASE_URL, PYTHONPATH=<repo> and the COMPTOIR_* addresses of the
services started here (Temporal, Stripe API and JS, SMTP, public URL).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import IO, ClassVar

from comptoir.settings import Settings, get_settings
from devstack.services import (
    HOST,
    PROJECT_ROOT,
    Closer,
    ServiceProcess,
    ServiceStartError,
    configure_localstripe_webhook,
    port_is_open,
    spawn,
    start_localstripe,
    start_postgres,
    start_smtp_sink,
    start_temporal,
)

PYTHON = sys.executable


@dataclass(frozen=True)
class Ports:
    """Where each service listens; every one can be moved by an environment variable."""

    api: int = 8000
    admin: int = 8501
    temporal: int = 7233
    temporal_ui: int = 8233
    stripe: int = 8420
    smtp: int = 8025
    mail_ui: int = 8026

    ENV: ClassVar[dict[str, str]] = {
        "api": "COMPTOIR_PORT",
        "admin": "COMPTOIR_ADMIN_PORT",
        "temporal": "COMPTOIR_TEMPORAL_PORT",
        "temporal_ui": "COMPTOIR_TEMPORAL_UI_PORT",
        "stripe": "COMPTOIR_STRIPE_PORT",
        "smtp": "COMPTOIR_SMTP_PORT",
        "mail_ui": "COMPTOIR_MAIL_UI_PORT",
    }

    @classmethod
    def from_env(cls) -> Ports:
        """Defaults overridden by COMPTOIR_*_PORT variables."""
        values = {
            name: int(os.environ[variable])
            for name, variable in cls.ENV.items()
            if os.environ.get(variable)
        }
        return cls(**values)

    def busy(self) -> list[str]:
        """`VARIABLE=port` for each port something already listens on."""
        return [
            f"{variable}={getattr(self, name)}"
            for name, variable in self.ENV.items()
            if port_is_open(getattr(self, name))
        ]


def say(message: str) -> None:
    """One line of the supervisor's own output."""
    print(f"[comptoir] {message}", flush=True)


def module_file(dotted: str) -> Path | None:
    """The source file of a project module, without importing it (None when absent)."""
    base = PROJECT_ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def child_environment(database_url: str, ports: Ports) -> dict[str, str]:
    """What every child process gets on top of our own environment."""
    python_path = [str(PROJECT_ROOT)]
    if os.environ.get("PYTHONPATH"):
        python_path.append(os.environ["PYTHONPATH"])
    environment = {
        "DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join(python_path),
        "COMPTOIR_TEMPORAL_ADDRESS": f"{HOST}:{ports.temporal}",
        "COMPTOIR_TEMPORAL_UI_URL": f"http://{HOST}:{ports.temporal_ui}",
        "COMPTOIR_STRIPE_API_BASE": f"http://{HOST}:{ports.stripe}",
        "COMPTOIR_STRIPE_JS_URL": f"http://{HOST}:{ports.stripe}/js.stripe.com/v3/",
        "COMPTOIR_SMTP_HOST": HOST,
        "COMPTOIR_SMTP_PORT": str(ports.smtp),
        "COMPTOIR_PUBLIC_URL": os.environ.get("COMPTOIR_PUBLIC_URL")
        or f"http://{HOST}:{ports.api}",
        "PYTHONUNBUFFERED": "1",
    }
    return environment


def _libpq_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def database_identity(url: str) -> str:
    """Identifies one database of one cluster (a re-created one gets a new identity)."""
    try:
        import psycopg

        with psycopg.connect(_libpq_url(url), connect_timeout=5) as connection:
            row = connection.execute(
                "SELECT (SELECT system_identifier FROM pg_control_system())::text, oid::text"
                " FROM pg_database WHERE datname = current_database()"
            ).fetchone()
        if row:
            return f"{row[0]}/{row[1]}"
    except Exception:  # no permission on pg_control_system(): the URL will do
        pass
    return url


class Supervisor:
    """Starts the platform's processes, watches them, stops them in reverse order."""

    def __init__(self, settings: Settings, ports: Ports) -> None:
        self.settings = settings
        self.ports = ports
        self.var_dir = settings.var_dir
        self.log_dir = self.var_dir / "log"
        self.services: list[ServiceProcess] = []
        self.closers: list[tuple[str, Closer]] = []
        self.skipped: list[str] = []
        self.reported: set[str] = set()
        self.database_url = ""
        self.env: dict[str, str] = {}

    # --- start ----------------------------------------------------------------------------

    def start(self) -> None:
        """Everything, in dependency order; what is missing is reported, not fatal."""
        say("starting PostgreSQL…")
        try:
            self.database_url, close_postgres = start_postgres(self.var_dir)
        except Exception as error:  # nothing works without a database
            log = self.relative(self.var_dir / "pg" / "log")
            raise ServiceStartError(f"PostgreSQL did not start: {error!r} (log: {log})") from error
        if not os.environ.get("DATABASE_URL"):
            self.closers.append(("embedded PostgreSQL", close_postgres))
        self.env = child_environment(self.database_url, self.ports)
        os.environ.update(self.env)  # modules imported here (demo logins) see the same settings

        say("starting Temporal, localstripe and the SMTP sink…")
        starting = [
            start_temporal(
                self.var_dir,
                port=self.ports.temporal,
                ui_port=self.ports.temporal_ui,
                db_file=self.var_dir / "temporal.db",
                wait=False,
            ),
            start_localstripe(
                self.ports.stripe, state_file=self.var_dir / "localstripe.pickle", wait=False
            ),
            start_smtp_sink(self.ports.smtp, self.var_dir / "mail", self.ports.mail_ui, wait=False),
        ]
        self.services.extend(starting)
        migrated = self.migrate()
        for service in starting:
            self.wait_ready(service)
        if migrated:
            self.load_demo_data()
        self.configure_webhook()

        self.start_app_process("worker", "workflows.worker", [PYTHON, "-m", "workflows.worker"])
        self.start_app_process(
            "documents", "workflows.worker", [PYTHON, "-m", "workflows.worker", "--documents"]
        )
        api = self.start_app_process(
            "api",
            "api.main",
            [PYTHON, "-m", "uvicorn", "api.main:app", "--host", HOST,
             "--port", str(self.ports.api)],
            port=self.ports.api,
        )  # fmt: skip
        admin = self.start_app_process(
            "admin",
            "admin_ui.app",
            [PYTHON, "-m", "streamlit", "run", "admin_ui/app.py",
             "--server.address", HOST, "--server.port", str(self.ports.admin),
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--client.toolbarMode", "minimal"],
            port=self.ports.admin,
        )  # fmt: skip
        for web_process in (api, admin):
            if web_process is not None:
                self.wait_ready(web_process, timeout=60)

    def wait_ready(self, service: ServiceProcess, timeout: float | None = None) -> None:
        """Wait for one service; a failure is reported (with its log), not raised."""
        try:
            service.wait_ready(timeout)
        except ServiceStartError as error:
            self.reported.add(service.name)
            say("✗ " + str(error).replace("\n", "\n    "))

    def run_step(self, title: str, module: str, *, quiet: bool = False) -> bool:
        """Run `python -m module` in the foreground with the children's environment."""
        if module_file(module) is None:
            say(f"– {title} skipped: module {module} does not exist yet")
            self.skipped.append(f"{title} ({module} missing)")
            return False
        say(f"{title}…")
        result = subprocess.run(
            [PYTHON, "-m", module],
            cwd=PROJECT_ROOT,
            env={**os.environ, **self.env},
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if result.returncode != 0:
            say(f"✗ {title} failed (`python -m {module}` exited with {result.returncode})")
            self.skipped.append(f"{title} (failed)")
            return False
        return True

    def migrate(self) -> bool:
        """Bring the schema to head."""
        return self.run_step("migrating the database", "comptoir.migrate")

    def load_demo_data(self) -> None:
        """Demo data once per database (COMPTOIR_LOAD_DEMO=0 never, =force again)."""
        mode = os.environ.get("COMPTOIR_LOAD_DEMO", "1").strip().lower()
        if mode in {"0", "false", "no"}:
            say("– demo data not loaded (COMPTOIR_LOAD_DEMO=0)")
            return
        stamp = self.var_dir / "demo-loaded.json"
        loaded: dict[str, str] = json.loads(stamp.read_text()) if stamp.exists() else {}
        identity = database_identity(self.database_url)
        if identity in loaded and mode != "force":
            say(
                f"demo data already loaded on {loaded[identity]} (COMPTOIR_LOAD_DEMO=force reloads)"
            )
            return
        if self.run_step("loading demo data", "demo.load"):
            loaded[identity] = datetime.now().isoformat(timespec="seconds")
            stamp.write_text(json.dumps(loaded, indent=2) + "\n")

    def configure_webhook(self) -> None:
        """localstripe signs its events with our secret and posts them to the API."""
        if not self.is_up("localstripe"):
            return
        webhook_url = f"http://{HOST}:{self.ports.api}/api/webhooks/stripe"
        try:
            configure_localstripe_webhook(
                f"http://{HOST}:{self.ports.stripe}",
                webhook_url,
                self.settings.stripe_webhook_secret,
            )
            say(f"localstripe webhook → {webhook_url}")
        except OSError as error:
            say(f"✗ could not configure the localstripe webhook: {error}")

    def start_app_process(
        self, name: str, module: str, argv: list[str], port: int = 0
    ) -> ServiceProcess | None:
        """Start one of the platform's own processes if its module exists yet."""
        if module_file(module) is None:
            say(f"– {name} not started: module {module} does not exist yet")
            self.skipped.append(f"{name} ({module} missing)")
            return None
        service = spawn(
            name,
            argv,
            log_dir=self.log_dir,
            env=self.env,
            port=port,
            url=f"http://{HOST}:{port}" if port else None,
        )
        self.services.append(service)
        say(f"{name} started (pid {service.pid}, log {self.relative(service.log_path)})")
        return service

    # --- watch and stop -------------------------------------------------------------------

    def is_up(self, name: str) -> bool:
        """Whether the service of that name was started and is still running."""
        return any(s.name == name and s.is_running() for s in self.services)

    def relative(self, path: Path) -> str:
        """A path relative to the repository when it is inside it."""
        try:
            return str(path.relative_to(PROJECT_ROOT))
        except ValueError:
            return str(path)

    def report_deaths(self) -> None:
        """Say once which child died, with its exit code and the end of its log."""
        for service in self.services:
            if service.name in self.reported or service.is_running():
                continue
            self.reported.add(service.name)
            say(
                f"✗ {service.name} exited with code {service.returncode}; "
                f"log: {self.relative(service.log_path)}"
            )
            tail = service.log_tail(15)
            if tail:
                print("    " + tail.replace("\n", "\n    "), flush=True)

    def watch(self) -> int:
        """Until interrupted, or until every child has died (then exit code 1)."""
        while True:
            self.report_deaths()
            if self.services and not any(s.is_running() for s in self.services):
                say("every process has stopped; exiting")
                return 1
            time.sleep(0.5)

    def stop(self) -> None:
        """Every child in reverse start order, then PostgreSQL if we started it."""
        for service in reversed(self.services):
            if service.is_running():
                say(f"stopping {service.name}…")
            service.stop()
        for title, close in reversed(self.closers):
            close()
            say(f"{title} released")
        self.services.clear()
        self.closers.clear()

    # --- summary --------------------------------------------------------------------------

    def summary(self) -> str:
        """The block of URLs and demo logins shown once everything is started."""
        p = self.ports

        def line(label: str, url: str, service: str) -> str:
            state = "" if self.is_up(service) else "   (not running)"
            return f"   {label:<16}{url}{state}"

        rows = [
            "─" * 72,
            " Comptoir is running on 127.0.0.1 — Ctrl-C stops everything",
            line("Storefront", f"http://{HOST}:{p.api}/", "api"),
            line("API docs", f"http://{HOST}:{p.api}/docs", "api"),
            line("Admin", f"http://{HOST}:{p.admin}", "admin"),
            line("Temporal UI", f"http://{HOST}:{p.temporal_ui}", "temporal"),
            line("E-mails", f"http://{HOST}:{p.mail_ui}", "smtp-sink"),
            line("Stripe (local)", f"http://{HOST}:{p.stripe}", "localstripe"),
            f"   {'Database':<16}{self.database_url}",
            f"   {'Logs':<16}{self.relative(self.log_dir)}/<name>.log",
        ]
        logins = demo_logins()
        if logins:
            rows.append(" Demo logins")
            # Labels longer than the URL column ("Vendeur en attente") must not touch the e-mail.
            width = max(16, *(len(role) + 2 for role, _, _ in logins))
            rows += [f"   {role:<{width}}{email}  /  {password}" for role, email, password in logins]
        if self.skipped:
            rows.append(" Not available yet: " + "; ".join(self.skipped))
        rows.append("─" * 72)
        return "\n".join(rows)


def demo_logins() -> list[tuple[str, str, str]]:
    """`demo.accounts.DEMO_LOGINS` when that module exists."""
    if module_file("demo.accounts") is None:
        return []
    try:
        from demo.accounts import DEMO_LOGINS  # type: ignore[import-not-found,unused-ignore]
    except Exception as error:
        say(f"– demo logins unavailable: {error}")
        return []
    return [(str(role), str(email), str(password)) for role, email, password in DEMO_LOGINS]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _lock_var_dir(var_dir: Path) -> IO[str] | None:
    """Hold var/run.lock for the whole run: two stacks must not share var/."""
    var_dir.mkdir(parents=True, exist_ok=True)
    lock = open(var_dir / "run.lock", "w")  # noqa: SIM115 - held until the process exits
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return None
    return lock


def main() -> int:
    """Run the stack until Ctrl-C/SIGTERM; the exit code says whether it ran."""
    settings = get_settings()
    if settings.database_url and not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = settings.database_url  # e.g. from .env
    ports = Ports.from_env()
    lock = _lock_var_dir(settings.var_dir)
    if lock is None:
        say(f"another `make run` is already using {settings.var_dir}; stop it first")
        return 1
    busy = ports.busy()
    if busy:
        say("these ports are already taken: " + ", ".join(busy))
        say("stop what uses them, or move ours, e.g. `COMPTOIR_PORT=8001 make run`")
        return 1

    supervisor = Supervisor(settings, ports)
    # SIGINT too: a shell starting us in the background leaves SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    code = 0
    try:
        supervisor.start()
        supervisor.report_deaths()
        print(supervisor.summary(), flush=True)
        code = supervisor.watch()
    except KeyboardInterrupt:
        print(flush=True)
        say("stopping…")
    except ServiceStartError as error:
        say(f"✗ {error}")
        code = 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # let the shutdown finish
        supervisor.stop()
        say("stopped; data kept in " + supervisor.relative(settings.var_dir))
        lock.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
