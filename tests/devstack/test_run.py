"""`python -m devstack.run` (what `make run` starts) end to end: every service on
free ports, the demo data loaded once, the API serving it, and Ctrl-C leaving no process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.models import Product
from comptoir.settings import Settings
from demo.accounts import DEMO_LOGINS, DEMO_PASSWORD
from demo.town import OPERATOR
from devstack.run import Ports, Supervisor, child_environment
from devstack.services import free_port, port_is_open
from tests.conftest import ROOT

READY_LINE = "Comptoir is running"


def processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment holds `marker` (our children inherit it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if marker.encode() in environ.split(b"\0") and state != "Z":
            pids.append(int(entry.name))
    return pids


class Output:
    """The supervisor's output, read by a thread so its pipe never fills up."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stdout is not None
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, needle: str, process: subprocess.Popen[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text:
            assert process.poll() is None, f"the stack exited early:\n{self.text}"
            assert time.monotonic() < deadline, f"no {needle!r} after {timeout} s:\n{self.text}"
            time.sleep(0.2)


@pytest.fixture
def stack_env(db: Session, database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment of a stack on free ports, with its own var/ and the clean test database."""
    env = {
        **os.environ,
        **{variable: str(free_port()) for variable in Ports.ENV.values()},
        "DATABASE_URL": database_url,
        "COMPTOIR_VAR_DIR": str(tmp_path / "var"),
        "COMPTOIR_ENVIRONMENT": "development",
    }
    env.pop("COMPTOIR_LOAD_DEMO", None)
    yield env
    leftovers = processes_with(f"COMPTOIR_VAR_DIR={env['COMPTOIR_VAR_DIR']}")
    for pid in leftovers:  # never leave a stray stack behind a failed test
        os.kill(pid, signal.SIGKILL)


@pytest.mark.timeout(300)
def test_the_stack_serves_the_demo_town_and_ctrl_c_stops_every_process(
    stack_env: dict[str, str], db: Session
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.run"],
        cwd=ROOT,
        env=stack_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = Output(process)
    try:
        output.wait_for(READY_LINE, process, timeout=240)
        api = f"http://127.0.0.1:{stack_env['COMPTOIR_PORT']}"
        with httpx.Client(base_url=api, timeout=30) as client:
            assert client.get("/healthz").status_code == 200
            found = client.get("/api/products/search", params={"q": "croisant"}).json()
            assert found["items"][0]["name"].startswith("Croissant pur beurre")
            login = client.post(
                "/api/auth/login", json={"email": OPERATOR.email, "password": DEMO_PASSWORD}
            )
            assert login.status_code == 200, login.text
        admin = httpx.get(f"http://127.0.0.1:{stack_env['COMPTOIR_ADMIN_PORT']}/", timeout=30)
        assert admin.status_code == 200
        for _, email, password in DEMO_LOGINS:
            assert f"{email}  /  {password}" in output.text
        assert (db.scalar(select(func.count()).select_from(Product)) or 0) >= 600
        # The supervisor and its six children (so the check after Ctrl-C can see them).
        assert len(processes_with(f"COMPTOIR_VAR_DIR={stack_env['COMPTOIR_VAR_DIR']}")) >= 7
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGINT)  # what Ctrl-C sends
        code = process.wait(timeout=90)
    assert code == 0, output.text
    assert "stopped; data kept in" in output.text
    assert processes_with(f"COMPTOIR_VAR_DIR={stack_env['COMPTOIR_VAR_DIR']}") == []
    for variable in Ports.ENV.values():
        assert not port_is_open(int(stack_env[variable])), variable


@pytest.mark.timeout(120)
def test_demo_data_is_loaded_once_per_database_unless_forced(
    db: Session, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(var_dir=tmp_path)
    supervisor = Supervisor(settings, Ports())
    supervisor.database_url = database_url
    supervisor.env = child_environment(database_url, Ports())
    monkeypatch.delenv("COMPTOIR_LOAD_DEMO", raising=False)

    def products() -> int:
        db.rollback()  # see what the loader's process committed
        return db.scalar(select(func.count()).select_from(Product)) or 0

    supervisor.load_demo_data()
    loaded = products()
    assert loaded >= 600
    stamp = json.loads((tmp_path / "demo-loaded.json").read_text())
    assert len(stamp) == 1

    db.execute(Product.__table__.delete().where(Product.sku == "FOU-0101"))
    db.commit()
    supervisor.load_demo_data()  # stamped: not loaded again, the deleted product stays deleted
    assert products() == loaded - 1
    assert "already loaded" in capsys.readouterr().out

    monkeypatch.setenv("COMPTOIR_LOAD_DEMO", "force")
    supervisor.load_demo_data()  # forced: the loader runs and only adds what is missing
    assert products() == loaded

    monkeypatch.setenv("COMPTOIR_LOAD_DEMO", "0")
    capsys.readouterr()
    supervisor.load_demo_data()
    assert "not loaded" in capsys.readouterr().out
