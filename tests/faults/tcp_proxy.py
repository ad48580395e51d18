"""A loopback TCP proxy that can play a server restart: every open connection is cut and
new ones are refused until it is "up" again. Put in front of PostgreSQL, it shows the
platform exactly what a restart of the database looks like, without touching the server
other tests use."""

from __future__ import annotations

import asyncio
import threading
from typing import Self

from devstack.services import free_port


class TcpRestartProxy:
    """Forwards 127.0.0.1:<port> to a target; `down()` cuts everything, `up()` accepts again."""

    def __init__(self, target_host: str, target_port: int, unix_socket: str = "") -> None:
        self.target = (target_host, target_port)
        self.unix_socket = unix_socket  # forward to this socket file instead, when set
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> Self:
        self.thread.start()
        self._call(self._listen())
        return self

    def _call(self, coro: object) -> object:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)  # type: ignore[arg-type]

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.unix_socket:
                up_reader, up_writer = await asyncio.open_unix_connection(self.unix_socket)
            else:
                up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.links -= {writer, up_writer}

    async def _down(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for link in list(self.links):
            transport = link.transport
            transport.abort()  # a crash, not a polite goodbye
        self.links.clear()

    def down(self) -> None:
        """Cut every connection and refuse new ones (the server is 'restarting')."""
        self._call(self._down())

    def up(self) -> None:
        """Accept connections again (the server is back)."""
        self._call(self._listen())

    def stop(self) -> None:
        self.down()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
