"""``BulkWriter``: the blocking face of :class:`~influxorm.session.writer.AsyncBulkWriter`."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

from influxorm.session.loop_thread import LoopThread
from influxorm.session.writer import AsyncBulkWriter, FailedBatch, WriterProgress

__all__ = ["BulkWriter"]


class BulkWriter:
    """A bulk writer for blocking code: ``with session.writer() as w: w.write(point)``.

    Points are collected in the calling thread and handed to the session's loop thread a
    batch at a time (crossing threads per point would cost more than encoding it); the
    writer's timer also collects a partial batch after ``flush_interval``. Everything
    else is :class:`~influxorm.session.writer.AsyncBulkWriter`'s behaviour: validation
    per :meth:`write` call at hand-over, backpressure (:meth:`write` blocks while the
    buffer is full), :meth:`flush` waiting for acknowledgement, failures raised.
    """

    def __init__(self, loop_thread: LoopThread, writer: AsyncBulkWriter) -> None:
        self._loop_thread = loop_thread
        self._writer = writer
        self._lock = threading.Lock()
        self._items: list[object] = []
        writer._feeder = self._take

    def __enter__(self) -> Self:
        self._loop_thread.run(_start(self._writer))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def write(self, data: object) -> None:
        """Buffer ``data`` (a point, or many); hands a full batch to the writer, waiting
        while its buffer is full. Bad input raises :class:`ValidationError` when its batch
        is handed over (at the latest on :meth:`flush`)."""
        with self._lock:
            if isinstance(data, list | tuple):
                self._items.extend(data)
            else:
                self._items.append(data)
            full = len(self._items) >= self._writer.batch_size
        if full:
            self._hand_over()

    def flush(self) -> None:
        """Send everything and wait until the server acknowledged it; raise a failure."""
        self._hand_over()
        self._loop_thread.run(self._writer.flush())

    def close(self) -> None:
        """Flush and stop the writer."""
        self._hand_over()
        self._loop_thread.run(self._writer.aclose())

    @property
    def progress(self) -> WriterProgress:
        """The writer's counters."""
        return self._writer.progress

    @property
    def high_water(self) -> int:
        """The most points ever accepted but not yet acknowledged."""
        return self._writer.high_water

    @property
    def failed_batches(self) -> list[FailedBatch]:
        """Batches the server finally refused."""
        return self._writer.failed_batches

    def _take(self) -> list[object]:
        with self._lock:
            items, self._items = self._items, []
        return items

    def _hand_over(self) -> None:
        items = self._take()
        if items:
            self._loop_thread.run(self._writer.write(items))


async def _start(writer: AsyncBulkWriter) -> None:
    writer.start()
