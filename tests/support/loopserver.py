"""A TCP server on 127.0.0.1 running its own event loop in a daemon thread.

The base of the test proxies (:mod:`tests.support.faultproxy`,
:mod:`tests.support.tlsproxy`): usable as a context manager from synchronous and
asynchronous tests alike, since the server never shares the test's loop. Subclasses
implement :meth:`LoopServer._handle` and add each connection's writer to ``_writers``
so that leaving the context drops whatever is still open.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Self

__all__ = ["LoopServer", "abort"]


class LoopServer:
    """Listens on a free loopback port (``port``) between ``__enter__`` and ``__exit__``."""

    thread_name = "loopserver"

    def __init__(self) -> None:
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._startup_error is not None:
            raise self._startup_error
        return self

    def __exit__(self, *exc: object) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(30)
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        current = asyncio.current_task()
        handlers = [task for task in asyncio.all_tasks() if task is not current]
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        for writer in list(self._writers):
            abort(writer)
        for _ in range(3):
            await asyncio.sleep(0)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._handle, "127.0.0.1", 0)
            )
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()


def abort(writer: asyncio.StreamWriter) -> None:
    """Drop the connection at once (a reset if anything is unsent), marking it closed."""
    if writer.transport.is_closing():
        return
    writer.transport.abort()
    writer.close()
