"""A private event loop running in its own thread, for the blocking session."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, Self, TypeVar

from influxorm.exceptions import SessionStateError

__all__ = ["LoopThread", "SyncIterator"]

T = TypeVar("T")


class LoopThread:
    """An event loop in a daemon thread: started on first use, stopped by :meth:`stop`.

    Coroutines are submitted with :meth:`run` from any other thread, including one
    whose own event loop is running (the caller's loop is never touched).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the loop thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float | None = None) -> T:
        """Run ``coro`` on the loop thread and return its result (or raise its error);
        after ``timeout`` seconds it is cancelled and :class:`TimeoutError` raised."""
        if threading.current_thread() is self._thread:
            coro.close()
            raise SessionStateError(
                "a blocking Session was called from its own event-loop thread; use its "
                "AsyncSession (session._async) there"
            )
        loop = self._start()
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()
            raise

    def submit(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Start ``coro`` on the loop thread if it runs, without waiting for it."""
        loop = self._loop
        if loop is None or not self.running:
            coro.close()
            return
        try:
            asyncio.run_coroutine_threadsafe(coro, loop)
        except RuntimeError:  # the loop closed meanwhile
            coro.close()

    def iterate(self, ait: AsyncIterator[T]) -> SyncIterator[T]:
        """A plain iterator pulling ``ait``'s items through the loop thread."""
        return SyncIterator(self, ait)

    def stop(self, timeout: float | None = None) -> None:
        """Stop the loop (cancelling what still runs on it) and wait for the thread (at
        most ``timeout`` seconds)."""
        with self._lock:
            thread, loop, stopping = self._thread, self._loop, self._stopping
            self._thread = self._loop = self._stopping = None
        if thread is None or loop is None or stopping is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed
            loop.call_soon_threadsafe(stopping.set)
        if thread is not threading.current_thread():
            thread.join(timeout)

    def stop_soon(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` on the loop, then stop the loop, without waiting for either
        (safe from a finalizer, from any thread)."""
        with self._lock:
            loop, stopping = self._loop, self._stopping
            self._thread = self._loop = self._stopping = None
        if loop is None or stopping is None:
            coro.close()
            return

        async def then_stop() -> None:
            try:
                await coro
            finally:
                stopping.set()

        job = then_stop()
        try:
            asyncio.run_coroutine_threadsafe(job, loop)
        except RuntimeError:  # the loop has closed
            job.close()
            coro.close()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is not None and self.running:
                return self._loop
            ready = threading.Event()
            thread = threading.Thread(target=self._main, args=(ready,), name=self._name)
            thread.daemon = True
            thread.start()
            ready.wait()
            self._thread = thread
            assert self._loop is not None
            return self._loop

    def _main(self, ready: threading.Event) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopping = asyncio.Event()
            ready.set()
            await self._stopping.wait()

        asyncio.run(serve())


class SyncIterator(Iterator[T]):
    """Items of an async iterator, pulled one at a time through a :class:`LoopThread`.

    :meth:`close` (also run when the iterator is garbage collected) closes the async
    iterator if it has an ``aclose``.
    """

    def __init__(self, loop_thread: LoopThread, ait: AsyncIterator[T]) -> None:
        self._loop_thread = loop_thread
        self._ait: AsyncIterator[T] | None = ait

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        if self._ait is None:
            raise StopIteration
        try:
            return self._loop_thread.run(_next(self._ait))
        except _Exhausted:
            self._ait = None
            raise StopIteration from None
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop iterating and close the async iterator."""
        ait, self._ait = self._ait, None
        aclose = getattr(ait, "aclose", None)
        if aclose is not None and self._loop_thread.running:
            self._loop_thread.run(aclose())

    def __del__(self) -> None:
        ait, self._ait = self._ait, None
        aclose = getattr(ait, "aclose", None)
        if aclose is not None:
            self._loop_thread.submit(aclose())


class _Exhausted(Exception):
    pass


async def _next(ait: AsyncIterator[T]) -> T:
    try:
        return await anext(ait)
    except StopAsyncIteration:
        raise _Exhausted from None
