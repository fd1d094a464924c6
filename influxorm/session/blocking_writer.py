"""``BulkWriter``: the blocking face of :class:`~influxorm.session.writer.AsyncBulkWriter`."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Self

from influxorm.session.loop_thread import LoopThread
from influxorm.session.writer import AsyncBulkWriter, FailedBatch, Handoff, WriterProgress

__all__ = ["BulkWriter"]


class BulkWriter:
    """A bulk writer for blocking code: ``with session.writer() as w: w.write(point)``.

    :meth:`write` validates and encodes its data in the calling thread (a
    :class:`~influxorm.exceptions.ValidationError` means nothing of that call was
    accepted, and concerns only that call's data) and keeps the lines there; they are
    handed to the session's loop thread a batch at a time (crossing threads per point
    would cost more than encoding it), and the writer's timer also collects a partial
    batch after ``flush_interval``. Everything else is
    :class:`~influxorm.session.writer.AsyncBulkWriter`'s behaviour: backpressure
    (:meth:`write` blocks while the buffer is full), :meth:`flush` waiting for
    acknowledgement, failures raised by the next :meth:`write` or :meth:`flush` (the
    data of the call that raises one was accepted nonetheless).
    """

    def __init__(self, loop_thread: LoopThread, writer: AsyncBulkWriter, owner: object) -> None:
        self._loop_thread = loop_thread
        self._writer = writer
        self._owner = owner  # the Session: alive (its loop running) while the writer is
        self._handoff = writer._handoff = Handoff()

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

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran."""
        return self._writer.closed

    def write(self, data: object) -> None:
        """Validate and buffer ``data`` (a point, or many); hands a full batch to the
        writer, waiting while its buffer is full. Raises
        :class:`~influxorm.exceptions.ValidationError` for bad input (nothing of
        ``data`` accepted), and the failure of an earlier batch (``data`` accepted)."""
        writer = self._writer
        if writer._closed or writer._queue is None:
            writer._check_open()
        encoder = getattr(type(data), "__influxorm_encoder__", None)
        if encoder is not None:  # one model instance: the per-point path, kept short
            key = writer._class_keys.get(type(data)) or writer._key_of(type(data))
            held = self._handoff.add_point(key, encoder.encode(data, time.time_ns()))
        else:
            held = self._handoff.add(writer._encode_any(data))
        if held >= writer.batch_size:
            self._hand_over()
        if writer._error is not None:
            writer._raise_error()

    def flush(self) -> None:
        """Send everything and wait until the server acknowledged it; raise a failure."""
        self._hand_over()
        self._loop_thread.run(self._writer.flush())

    def close(self) -> None:
        """Flush and stop the writer; raise a failure not yet raised."""
        if self._writer.closed:
            return
        try:
            self._hand_over()
        finally:
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
        """Batches the server finally refused, or the writer could not send."""
        return self._writer.failed_batches

    def _hand_over(self) -> None:
        groups = self._handoff.take()
        if groups:
            self._loop_thread.run(self._writer._take_over(groups))


async def _start(writer: AsyncBulkWriter) -> None:
    writer.start()
