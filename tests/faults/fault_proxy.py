"""A loopback HTTP fault proxy in front of localstripe, with switchable failure modes.

The proxy listens on a free 127.0.0.1 port (its own event loop in a daemon thread) and
forwards each request to the upstream base URL, or fails it as its mode says:

- ``pass``: forward and answer what upstream answered;
- ``error500``: answer HTTP 500 with a Stripe-like error body, upstream never reached;
- ``hang``: read the request, wait ``hang_seconds``, then drop the connection unanswered
  (a client with a longer read timeout sees the connection reset, so tests stay bounded);
- ``drop``: drop the connection as soon as the request is read;
- ``forward_then_drop``: forward (upstream does the work) but drop the answer, the worst
  case for exactly-once: the client cannot know its request succeeded.

``only`` restricts the fault to requests whose "METHOD /path" starts with one of its
prefixes; the other requests pass; ``times`` limits it to the next N matching requests.
Every request is counted per mode applied.

localstripe ignores idempotency keys; real Stripe honours them (a POST replayed with the
same `Idempotency-Key` gets the first answer, nothing is created twice). The proxy does the
same for the requests it forwards, so a lost answer followed by the SDK's own retry behaves
as it would against Stripe rather than as a localstripe artefact.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp

from devstack.services import HOST, free_port

MODES = ("pass", "error500", "hang", "drop", "forward_then_drop")
# Hop-by-hop and encoding headers are rewritten by the proxy; the rest go through as sent.
_SKIPPED_REQUEST = {"host", "connection", "keep-alive", "accept-encoding", "content-length",
                    "transfer-encoding", "proxy-connection"}  # fmt: skip
_SKIPPED_RESPONSE = {"connection", "keep-alive", "content-encoding", "content-length",
                     "transfer-encoding"}  # fmt: skip
_ERROR_BODY = (
    b'{"error": {"type": "api_error", "message": "Injected fault: internal server error."}}'
)


class FaultProxy:
    """A started proxy: set `mode` (and `only`, `hang_seconds`) at any time from the test."""

    def __init__(self, upstream: str, *, hang_seconds: float = 2.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.mode = "pass"
        self.only: tuple[str, ...] = ()
        self.times: int | None = None
        self.replayed = 0  # POSTs answered from the idempotency cache
        self._answers: dict[str, tuple[int, str, list[tuple[str, str]], bytes]] = {}
        self.hang_seconds = hang_seconds
        self.seen: Counter[str] = Counter()  # mode applied → requests
        self.requests: list[str] = []  # "MODE METHOD /path" in arrival order
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.AbstractServer | None = None
        self._session: aiohttp.ClientSession | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="fault-proxy", daemon=True)

    # --- control ----------------------------------------------------------------------

    def set(self, mode: str, *, only: tuple[str, ...] = (), times: int | None = None) -> None:
        """Switch the failure mode, optionally only for some "METHOD /path" prefixes and only
        for the next `times` matching requests (then back to pass)."""
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        with self._lock:
            self.mode, self.only, self.times = mode, only, times

    def count(self, mode: str) -> int:
        """How many requests were handled in this mode so far."""
        with self._lock:
            return self.seen[mode]

    def _mode_for(self, method: str, path: str) -> str:
        with self._lock:
            mode, only = self.mode, self.only
            if only and not any(f"{method} {path}".startswith(p) for p in only):
                mode = "pass"
            elif mode != "pass" and self.times is not None:
                if self.times <= 0:
                    mode = self.mode = "pass"
                else:
                    self.times -= 1
            self.seen[mode] += 1
            self.requests.append(f"{mode} {method} {path}")
            return mode

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fault proxy did not start within 10 s")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._open())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _open(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=30), auto_decompress=True
        )
        self._server = await asyncio.start_server(self._handle, HOST, self.port)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._session is not None:
            await self._session.close()

    # --- one connection: one request (answers close the connection) ------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers: list[tuple[str, str]] = []
        length = 0
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip(), value.strip()
            if name.lower() == "content-length":
                length = int(value)
            headers.append((name, value))
        body = await reader.readexactly(length) if length else b""
        mode = self._mode_for(method, target.split("?", 1)[0])
        try:
            if mode == "error500":
                await self._answer(writer, 500, "Internal Server Error",
                                   [("Content-Type", "application/json")], _ERROR_BODY)  # fmt: skip
            elif mode == "hang":
                await asyncio.sleep(self.hang_seconds)
                writer.transport.abort()
            elif mode == "drop":
                writer.transport.abort()
            else:
                status, reason, out_headers, out_body = await self._forward(
                    method, target, headers, body
                )
                if mode == "forward_then_drop":
                    writer.transport.abort()
                else:
                    await self._answer(writer, status, reason, out_headers, out_body)
        except (TimeoutError, ConnectionError, aiohttp.ClientError):
            writer.transport.abort()

    async def _forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        assert self._session is not None
        key = next((v for k, v in headers if k.lower() == "idempotency-key"), "")
        key = f"{method} {target.split('?', 1)[0]} {key}" if key and method == "POST" else ""
        if key and key in self._answers:
            self.replayed += 1
            return self._answers[key]
        answer = await self._upstream(method, target, headers, body)
        if key and answer[0] < 500:
            self._answers[key] = answer
        return answer

    async def _upstream(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        assert self._session is not None
        sent = [(k, v) for k, v in headers if k.lower() not in _SKIPPED_REQUEST]
        async with self._session.request(
            method, self.upstream + target, headers=sent, data=body or None,
            allow_redirects=False,
        ) as response:  # fmt: skip
            data = await response.read()
            kept = [(k, v) for k, v in response.headers.items() if k.lower() not in _SKIPPED_RESPONSE]
            return response.status, response.reason or "", kept, data

    @staticmethod
    async def _answer(
        writer: asyncio.StreamWriter,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        body: bytes,
    ) -> None:
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        writer.write("\r\n".join(lines).encode("latin-1") + body)
        await writer.drain()
        writer.close()


@contextmanager
def running_proxy(upstream: str, *, hang_seconds: float = 2.0) -> Iterator[FaultProxy]:
    """A started proxy in front of `upstream`, stopped on exit."""
    proxy = FaultProxy(upstream, hang_seconds=hang_seconds).start()
    try:
        yield proxy
    finally:
        proxy.stop()
