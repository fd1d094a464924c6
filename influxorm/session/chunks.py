"""The async iterator over the chunks of a chunked query response."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from influxorm.session.messages import Response

__all__ = ["ChunkIterator"]

T = TypeVar("T")

# Closing tasks started from __del__, kept referenced until they finish.
_closing: set[asyncio.Task[None]] = set()


class ChunkIterator(Generic[T], AsyncIterator[T]):
    """The chunks of one chunked query response, decoded one at a time from ``source``
    (an async generator reading ``response``).

    The response is closed when the last chunk has been read, when a chunk reports an
    error (raised as :class:`~influxorm.exceptions.QueryError`), on :meth:`aclose` or
    ``async with`` exit, and, as a last resort, when the iterator is garbage collected.
    """

    def __init__(self, response: Response, source: AsyncGenerator[T, None]) -> None:
        self._response = response
        self._lines = source
        self._loop = asyncio.get_running_loop()
        self._closed = False

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        if self._closed:
            raise StopAsyncIteration
        try:
            return await anext(self._lines)
        except StopAsyncIteration:
            self._closed = True
            raise
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._lines.aclose()
        finally:
            await self._response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        if self._closed or self._loop.is_closed():
            return
        self._closed = True
        with contextlib.suppress(RuntimeError):  # the loop has closed
            self._loop.call_soon_threadsafe(_close_later, self._lines, self._response)


def _close_later(lines: AsyncGenerator[Any, None], response: Response) -> None:
    async def close() -> None:
        try:
            await lines.aclose()
        finally:
            await response.aclose()

    task = asyncio.get_running_loop().create_task(close())
    _closing.add(task)
    task.add_done_callback(_closing.discard)
