"""The bulk writer: batches points, sends batches concurrently, bounds its memory and
never drops a batch silently."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Self

import attrs

from influxorm.exceptions import (
    InfluxORMError,
    SessionStateError,
    UnsentBatchError,
    ValidationError,
    WriteError,
)
from influxorm.linescan import chunk_points
from influxorm.models.measurement import Measurement
from influxorm.models.writing import encode_lines
from influxorm.session.batching import (
    DEFAULT_MAX_BODY_BYTES,
    WriteBatch,
    cut,
    has_raw,
    is_dataframe,
    materialize,
)
from influxorm.session.lifecycle import (
    UnsentPointsWarning,
    register_writer,
    unregister_writer,
    unsent_warning,
)
from influxorm.session.options import check_session_options
from influxorm.session.routing import (
    NO_MODEL_TARGET,
    TargetKey,
    group_by_model_target,
    model_target,
    route,
)
from influxorm.session.sender import Sender, WriteTarget

__all__ = [
    "AsyncBulkWriter",
    "FailedBatch",
    "Handoff",
    "OnError",
    "OnProgress",
    "WriterProgress",
    "close_writers",
]

logger = logging.getLogger("influxorm")


@attrs.frozen
class WriterProgress:
    """A bulk writer's counters, handed to ``on_progress`` after each batch and retry.

    ``buffered`` is the number of points accepted but not yet acknowledged (pending,
    queued or in flight); ``high_water`` the most there ever were.
    """

    points_written: int
    batches_written: int
    retries: int
    failures: int
    points_failed: int
    buffered: int
    high_water: int


@attrs.frozen
class FailedBatch:
    """A batch the server finally refused (after retries): its body and the error.

    Nothing of it is known to be written, except what ``error`` says (a
    :class:`~influxorm.exceptions.PartialWriteError` means the rest WAS written).
    ``database`` and ``retention_policy`` say where it was sent.
    """

    body: bytes = attrs.field(repr=lambda body: f"<{len(body)} bytes>")
    points: int
    error: InfluxORMError
    database: str | None = None
    """Where the batch was sent (a writer routes models with ``database=``)."""
    retention_policy: str | None = None


OnError = Callable[[FailedBatch], None]
OnProgress = Callable[[WriterProgress], None]

# Points of no model that names a database/retention policy: the writer's own target.
_DEFAULT: TargetKey = NO_MODEL_TARGET

Group = tuple[TargetKey, list[str], int, bool | None]
"""Encoded points for one target: ``(key, lines, points, idempotent)``."""


@attrs.define
class _Pending:
    """Points accepted for one target and not yet cut into a batch."""

    lines: list[str] = attrs.Factory(list)
    points: int = 0
    idempotent: bool | None = True
    since: float = 0.0


@attrs.define
class _Batch:
    target: WriteTarget
    lines: list[str]
    points: int
    idempotent: bool | None


class Handoff:
    """Points a blocking writer accepted in its caller's thread, in the order written,
    until the loop thread takes them (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Groups in the order written; a run of single points has points -1 (counted
        # when taken) and grows while the points go to the same target.
        self._groups: list[Group] = []
        self._run_key: TargetKey | None = None
        self._run: list[str] | None = None
        self.points = 0

    def add_point(self, key: TargetKey, line: str) -> int:
        """Add one encoded point; returns the points held."""
        with self._lock:
            run = self._run
            if run is not None and (key is self._run_key or key == self._run_key):
                run.append(line)
            else:
                self._run, self._run_key = [line], key
                self._groups.append((key, self._run, -1, True))
            self.points += 1
            return self.points

    def add(self, groups: list[Group]) -> int:
        """Add encoded groups; returns the points held."""
        with self._lock:
            self._groups += groups
            self._run = None
            self.points += sum(group[2] for group in groups)
            return self.points

    def take(self) -> list[Group]:
        """Everything held, emptied."""
        with self._lock:
            groups, self._groups, self._run, self.points = self._groups, [], None, 0
        return [
            (key, lines, len(lines) if points < 0 else points, idempotent)
            for key, lines, points, idempotent in groups
        ]


class AsyncBulkWriter:
    """Writes a stream of points in batches; use it as ``async with session.writer()``.

    :meth:`write` validates and encodes its data at once (a
    :class:`~influxorm.exceptions.ValidationError` means none of that call was
    accepted), then buffers it. A batch is cut at ``batch_size`` points, and after
    ``flush_interval`` seconds for a partial one; up to ``max_concurrency`` batches are
    in flight, each through the session's retry policy (points without a timestamp are
    stamped when written, so retries never duplicate them). While ``max_buffer`` points
    are accepted but not yet acknowledged, :meth:`write` waits: memory stays bounded
    when the producer is faster than the server. :meth:`flush` waits for every accepted
    point to be acknowledged. A batch that finally fails is handed to ``on_error``;
    without one, it is raised by the next :meth:`write`, :meth:`flush` or the block's
    exit (and kept in :attr:`failed_batches`), never dropped.

    With ``route_models`` (what ``session.writer()`` does unless given ``db=``), the
    points of a model whose class names ``database=`` or ``retention_policy=`` go there,
    as :meth:`AsyncSession.write <influxorm.session.AsyncSession.write>` sends them, in
    batches of their own; ``target.rp``, when set, wins over the model's retention
    policy. ``target`` may be None (no default database) when only such models are
    written.
    """

    def __init__(
        self,
        sender: Sender,
        target: WriteTarget | None,
        *,
        batch_size: int,
        flush_interval: float | None,
        max_concurrency: int,
        max_buffer: int | None,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        on_error: OnError | None = None,
        on_progress: OnProgress | None = None,
        route_models: bool = False,
        default_rp: str | None = None,
        consistency: str | None = None,
    ) -> None:
        check_session_options(
            {
                "batch_size": batch_size,
                "flush_interval": flush_interval,
                "max_concurrency": max_concurrency,
                "max_buffer": max_buffer,
            }
        )
        self._sender = sender
        self._target = target
        self._route_models = route_models
        self._rp = target.rp if target is not None else default_rp
        self._consistency = consistency
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_concurrency = max_concurrency
        self.max_buffer = max_buffer if max_buffer is not None else batch_size * max_concurrency * 2
        if self.max_buffer < batch_size:
            raise ValidationError(
                f"max_buffer ({self.max_buffer}) must hold a batch ({batch_size})"
            )
        self._max_bytes = max_bytes
        self._on_error = on_error
        self._on_progress = on_progress
        self.failed_batches: list[FailedBatch] = []
        self._pending: dict[TargetKey, _Pending] = {}
        self._targets: dict[TargetKey, WriteTarget] = {}
        self._class_keys: dict[type, TargetKey] = {}
        self._buffered = 0
        self._high_water = 0
        self._written = 0
        self._batches = 0
        self._retries = 0
        self._failures = 0
        self._points_failed = 0
        self._error: InfluxORMError | None = None
        self._queue: asyncio.Queue[_Batch] | None = None
        self._space = asyncio.Event()
        self._sent = asyncio.Event()  # a batch ended (flush re-checks what is left)
        self._tasks: list[asyncio.Task[None]] = []
        # A blocking writer's points accepted in its caller's thread, not yet handed over.
        self._handoff: Handoff | None = None
        self._orphaned = 0  # points in flight when something else cancelled a worker
        self._warned = False
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def start(self) -> None:
        """Start the sending tasks (``async with`` does it)."""
        if self._queue is not None:
            return
        if self._closed:
            raise SessionStateError("the writer is closed")
        self._queue = asyncio.Queue()
        self._tasks = [
            asyncio.create_task(self._worker(), name=f"influxorm-writer-{n}")
            for n in range(self.max_concurrency)
        ]
        if self.flush_interval is not None:
            self._tasks.append(asyncio.create_task(self._ticker(), name="influxorm-writer-timer"))
        for task in self._tasks:
            task.add_done_callback(self._wake)
        register_writer(self)

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` ran (the writer takes no more points)."""
        return self._closed

    async def aclose(self) -> None:
        """Flush everything, stop the tasks, and raise a batch failure not yet raised.

        If closing is interrupted (the task is cancelled, or a writer task ended), every
        point not yet acknowledged becomes a :class:`FailedBatch` whose error is an
        :class:`UnsentBatchError` (handed to ``on_error`` when given); the interruption
        propagates with a note saying how many points were not acknowledged, and the
        same is logged at WARNING.
        """
        if self._closed:
            return
        if self._queue is None:
            self._closed = True
            return
        try:
            await self.flush()
        except BaseException as error:
            unsent = await self._stop()
            if unsent:
                message = (
                    f"influxorm: the bulk writer was closed by {type(error).__name__} with "
                    f"{unsent} point(s) not acknowledged; they are in writer.failed_batches"
                )
                error.add_note(message)
                logger.warning("%s", message)
            raise
        await self._stop()

    def _unsent(self) -> int:
        """Points accepted and not acknowledged, including those a blocking writer holds."""
        if self._closed:
            return 0
        held = self._handoff.points if self._handoff is not None else 0
        return self._buffered + held + self._orphaned

    def _take_unsent(self) -> int:
        """:meth:`_unsent`, for a warning about them: warned once only."""
        if self._warned:
            return 0
        self._warned = True
        return self._unsent()

    def __del__(self) -> None:
        # Garbage collected while open (its tasks gone): the points it held are lost.
        if getattr(self, "_warned", True) or self._queue is None:
            return
        unsent = self._take_unsent()
        if unsent:
            warnings.warn(
                unsent_warning(unsent, "the writer was garbage collected without being closed"),
                UnsentPointsWarning,
                stacklevel=1,
                source=self,
            )

    # -- the API ---------------------------------------------------------------------

    @property
    def progress(self) -> WriterProgress:
        """The current counters."""
        return WriterProgress(
            points_written=self._written,
            batches_written=self._batches,
            retries=self._retries,
            failures=self._failures,
            points_failed=self._points_failed,
            buffered=self._buffered,
            high_water=self._high_water,
        )

    @property
    def high_water(self) -> int:
        """The most points ever accepted but not yet acknowledged (at most about
        ``max_buffer``)."""
        return self._high_water

    async def write(self, data: object) -> int:
        """Validate and buffer ``data`` (anything ``session.write`` takes except
        DataFrames); waits while the buffer is full. Returns the points accepted.

        A :class:`~influxorm.exceptions.ValidationError` means nothing of ``data`` was
        accepted. Any other error it raises is the failure of an earlier batch (see
        :attr:`failed_batches`): ``data`` itself was accepted. Interrupted while it
        waits for space (cancelled, or a task of the writer ended), the points of
        ``data`` not yet buffered become failed batches (:class:`UnsentBatchError`).
        """
        self._check_open()
        encoder = getattr(type(data), "__influxorm_encoder__", None)
        if encoder is not None:
            # One model instance, the common case of a stream: no dispatch, and no
            # coroutine unless the buffer is full (this runs once per point).
            key = self._class_keys.get(type(data))
            if key is None:
                key = self._key_of(type(data))
            line: str = encoder.encode(data, time.time_ns())
            if self._buffered >= self.max_buffer:
                await self._accept_groups([(key, [line], 1, True)])
            else:
                self._add_line(key, line)
            if self._error is not None:
                self._raise_error()
            return 1
        accepted = await self._accept_groups(self._encode_any(data))
        self._raise_error()
        return accepted

    async def flush(self) -> None:
        """Send what is buffered and wait until every accepted point is acknowledged;
        raise a batch failure not yet raised (unless ``on_error`` took it)."""
        if self._queue is None:
            raise SessionStateError("the writer is not started: use `async with session.writer()`")
        while True:
            # Points written meanwhile (by another task, or a blocking writer's thread)
            # are cut too: a partial batch left pending would keep _buffered above 0.
            self._drain_feeder()
            self._cut_all()
            if not self._buffered:
                break
            self._check_tasks()
            self._sent.clear()
            await self._sent.wait()
        self._raise_error()

    # -- internals -------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed or self._queue is None:
            raise SessionStateError(
                "the writer is closed or not started: use `async with session.writer() as w`"
            )

    def _check_tasks(self) -> None:
        """Raise rather than wait forever when a task of the writer has ended."""
        for task in self._tasks:
            if task.done():
                how = "was cancelled" if task.cancelled() else f"raised {task.exception()!r}"
                raise SessionStateError(
                    f"a task of the bulk writer ended ({task.get_name()} {how}); "
                    f"{self._buffered} point(s) are not acknowledged"
                )

    def _wake(self, task: asyncio.Task[None]) -> None:
        self._sent.set()
        self._space.set()

    def _raise_error(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error

    def _key_of(self, model: type) -> TargetKey:
        """Where ``model``'s points go (cached per class); checks a target exists."""
        key = _DEFAULT
        if self._route_models and issubclass(model, Measurement):
            key = model_target(model) or _DEFAULT
        self._target_of(key)
        self._class_keys[model] = key
        return key

    def _target_of(self, key: TargetKey) -> WriteTarget:
        target = self._targets.get(key)
        if target is not None:
            return target
        default = self._target
        target = route(
            key,
            db=default.db if default is not None else None,
            rp=self._rp,
            precision=default.precision if default is not None else None,
            consistency=self._consistency,
        )
        if target is None:
            raise ValidationError(
                "no database given: pass db=... to writer(), set the session's database, "
                "or name one in the model (class M(Measurement, database=...))"
            )
        self._targets[key] = target
        return target

    def _encode_any(self, data: object) -> list[Group]:
        """:meth:`_encode` of what :meth:`write` takes (points, not DataFrames)."""
        if is_dataframe(data):
            raise ValidationError(
                "the bulk writer takes points; write a DataFrame with session.write(df, "
                "measurement=...)"
            )
        return self._encode(materialize(data))

    def _encode(self, data: object) -> list[Group]:
        """``data`` validated and encoded, per target: ``(key, lines, points,
        idempotent)``; raw line protocol is not idempotent (None)."""
        groups = group_by_model_target(data) if self._route_models else None
        parts: list[tuple[TargetKey, object]] = (
            [(_DEFAULT, data)] if groups is None else list(groups.items())
        )
        stamp = time.time_ns()
        out: list[Group] = []
        for key, items in parts:
            self._target_of(key)
            lines = encode_lines(items, stamp_ns=stamp)
            if not lines:
                continue
            if has_raw(items):
                out.append((key, lines, sum(map(chunk_points, lines)), None))
            else:
                out.append((key, lines, len(lines), True))
        return out

    def _chunks(self, groups: list[Group]) -> list[Group]:
        """``groups`` cut into pieces of at most ``batch_size`` points (raw line protocol,
        whose lines may hold several points, stays whole)."""
        size = self.batch_size
        out: list[Group] = []
        for key, lines, points, idempotent in groups:
            if idempotent is None or len(lines) <= size:
                out.append((key, lines, points, idempotent))
            else:
                for start in range(0, len(lines), size):
                    chunk = lines[start : start + size]
                    out.append((key, chunk, len(chunk), idempotent))
        return out

    async def _accept_groups(
        self, groups: list[Group], why: str = "write() was interrupted"
    ) -> int:
        """Buffer encoded ``groups`` (waiting while the buffer is full); their points. If
        interrupted meanwhile (cancelled, or a task of the writer ended), what is left
        becomes failed batches: a call's points are all buffered or all reported."""
        chunks = self._chunks(groups)
        done = accepted = 0
        try:
            for key, lines, points, idempotent in chunks:
                await self._accept(lines, points, idempotent, key)
                done += 1
                accepted += points
        except BaseException:
            for key, lines, _, _ in chunks[done:]:
                self._fail_unsent(self._target_of(key), lines, why)
            raise
        return accepted

    async def _take_over(self, groups: list[Group]) -> None:
        """Buffer ``groups`` that a blocking writer already accepted from its caller; if
        the writer is closed, or the hand-over interrupted, what is left becomes failed
        batches (never dropped)."""
        try:
            self._check_open()
        except SessionStateError:
            for key, lines, _, _ in groups:
                self._fail_unsent(self._target_of(key), lines, "the writer was closed")
            raise
        await self._accept_groups(groups, "the hand-over was interrupted")

    async def _accept(
        self,
        lines: list[str],
        points: int,
        idempotent: bool | None,
        key: TargetKey = _DEFAULT,
    ) -> None:
        while self._buffered and self._buffered + points > self.max_buffer:
            self._check_tasks()
            self._space.clear()
            await self._space.wait()
        self._add(key, lines, points, idempotent)

    def _add_line(self, key: TargetKey, line: str) -> None:
        """:meth:`_add` for one timestamped line, the per-point path of :meth:`write`."""
        self._buffered += 1
        if self._buffered > self._high_water:
            self._high_water = self._buffered
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending()
        lines = pending.lines
        if not lines:
            pending.since = time.monotonic()
        lines.append(line)
        pending.points += 1
        if pending.points >= self.batch_size:
            self._cut(key)

    def _add(self, key: TargetKey, lines: list[str], points: int, idempotent: bool | None) -> None:
        self._buffered += points
        if self._buffered > self._high_water:
            self._high_water = self._buffered
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending()
        if not pending.lines:
            pending.since = time.monotonic()
        pending.lines += lines
        pending.points += points
        if idempotent is None:
            pending.idempotent = None
        if pending.points >= self.batch_size:
            self._cut(key)

    def _cut(self, key: TargetKey) -> None:
        pending = self._pending.pop(key, None)
        if pending is None or not pending.lines:
            return
        assert self._queue is not None
        batch = _Batch(self._target_of(key), pending.lines, pending.points, pending.idempotent)
        self._queue.put_nowait(batch)

    def _cut_all(self) -> None:
        for key in list(self._pending):
            self._cut(key)

    def _drain_feeder(self) -> None:
        if self._handoff is not None:
            # Already encoded and bounded (one batch at most): no waiting here.
            for key, lines, points, idempotent in self._handoff.take():
                self._add(key, lines, points, idempotent)

    async def _ticker(self) -> None:
        assert self.flush_interval is not None
        interval = self.flush_interval
        while True:
            await asyncio.sleep(interval / 2)
            try:
                self._drain_feeder()
                now = time.monotonic()
                for key, pending in list(self._pending.items()):
                    if pending.lines and now - pending.since >= interval:
                        logger.debug(
                            "writer: flushing %d point(s) after %.3gs", pending.points, interval
                        )
                        self._cut(key)
            except Exception as error:  # never let the timer die: report it
                self._callback_failed("the writer's timer", error)

    async def _worker(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            batch = await queue.get()
            try:
                await self._send(batch)
            finally:
                self._release(batch.points)
                self._report()

    def _release(self, points: int) -> None:
        self._buffered -= points
        self._space.set()
        self._sent.set()

    def _pieces(self, batch: _Batch) -> list[WriteBatch]:
        """The batch as request bodies of at most ``max_bytes``, with exact counts."""
        # idempotent None: it holds raw line protocol, cut where influxd would.
        raw = batch.idempotent is None
        return cut(batch.lines, batch.points, raw=raw, max_bytes=self._max_bytes)

    async def _send(self, batch: _Batch) -> None:
        """Send ``batch``; every way it can fail ends as a :class:`FailedBatch`."""
        target = batch.target
        try:
            pieces = self._pieces(batch)
        except Exception as error:  # e.g. a string no codec can encode
            self._fail(
                _body(batch.lines),
                batch.points,
                batch.points,
                _unsent_error("could not be encoded", error, maybe_written=False),
                target,
            )
            return
        logger.debug(
            "writer: sending a batch of %d point(s), %d bytes",
            batch.points,
            sum(len(piece.body) for piece in pieces),
        )
        for index, piece in enumerate(pieces):
            done = 0

            def written(points: int) -> None:
                nonlocal done
                done += points
                self._written += points

            try:
                await self._sender.write_batch(
                    piece,
                    target,
                    idempotent=batch.idempotent,
                    on_retry=self._retried,
                    on_written=written,
                )
            except asyncio.CancelledError:
                in_flight = UnsentBatchError(
                    "the writer was cancelled while this batch was in flight: the server may "
                    "have stored it",
                    maybe_written=True,
                )
                self._fail(piece.body, piece.points, piece.points - done, in_flight, target)
                lost = piece.points - done
                for rest in pieces[index + 1 :]:
                    never = UnsentBatchError(
                        "the writer was cancelled before this batch was sent", maybe_written=False
                    )
                    self._fail(rest.body, rest.points, rest.points, never, target)
                    lost += rest.points
                if not self._closed:  # cancelled from outside: still counted at exit
                    self._orphaned += lost
                raise
            except InfluxORMError as error:
                lost = _points_lost(error, piece.points - done)
                self._fail(piece.body, piece.points, lost, error, target)
            except Exception as error:
                unsent = _unsent_error("failed while it was sent", error, maybe_written=True)
                self._fail(piece.body, piece.points, piece.points - done, unsent, target)
            else:
                self._batches += 1

    def _fail(
        self, body: bytes, points: int, lost: int, error: InfluxORMError, target: WriteTarget
    ) -> None:
        """Record a failed batch: counted, kept, handed to ``on_error`` or stored."""
        self._failures += 1
        self._points_failed += lost
        failed = FailedBatch(body, points, error, target.db, target.rp)
        self.failed_batches.append(failed)
        logger.debug("writer: a batch of %d point(s) failed: %s", points, error)
        if self._on_error is not None:
            try:
                self._on_error(failed)
            except Exception as callback_error:
                self._callback_failed("on_error", callback_error, f"for: {error}")
        else:
            self._store(error)

    def _fail_unsent(self, target: WriteTarget, lines: list[str], why: str) -> int:
        """Record points never sent (not counted as buffered) as a failed batch."""
        points = sum(map(chunk_points, lines))
        error = UnsentBatchError(f"{why}: the batch was not sent", maybe_written=False)
        self._fail(_body(lines), points, points, error, target)
        return points

    async def _stop(self) -> int:
        """Close: stop the tasks; points not acknowledged become failed batches.
        Returns how many points were not acknowledged."""
        self._closed = True
        unregister_writer(self)
        failed_before = self._points_failed
        for key in list(self._pending):
            pending = self._pending.pop(key)
            self._fail(
                _body(pending.lines),
                pending.points,
                pending.points,
                UnsentBatchError(
                    "the writer was closed before this batch was sent", maybe_written=False
                ),
                self._target_of(key),
            )
            self._release(pending.points)
        assert self._queue is not None
        while not self._queue.empty():
            batch = self._queue.get_nowait()
            never = UnsentBatchError(
                "the writer was closed before this batch was sent", maybe_written=False
            )
            self._fail(_body(batch.lines), batch.points, batch.points, never, batch.target)
            self._release(batch.points)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # The workers record their batches in flight as failed.
            await asyncio.wait(self._tasks)
        self._tasks = []
        return self._points_failed - failed_before

    def _retried(self, error: InfluxORMError, retry: int, delay: float) -> None:
        self._retries += 1
        self._report()

    def _store(self, error: InfluxORMError) -> None:
        if self._error is None:
            self._error = error
        elif error is not self._error:
            self._error.add_note(f"(another failure: {error})")
        self._space.set()

    def _callback_failed(self, where: str, error: Exception, context: str = "") -> None:
        """A callback (or the timer) raised: raised by the next write or flush."""
        if isinstance(error, InfluxORMError):
            wrapped = error
        else:
            wrapped = _CallbackError(f"{where} raised {type(error).__name__}: {error}")
            wrapped.__cause__ = error
        wrapped.add_note(f"(in {where}{', ' + context if context else ''})")
        self._store(wrapped)

    def _report(self) -> None:
        if self._on_progress is not None:
            try:
                self._on_progress(self.progress)
            except Exception as error:
                self._on_progress = None
                self._callback_failed("on_progress", error, "it is not called again")


def _body(lines: list[str]) -> bytes:
    """``lines`` as a request body, also when a string cannot be UTF-8 (kept for the
    :class:`FailedBatch`, never sent)."""
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _points_lost(error: InfluxORMError, points: int) -> int:
    """How many of a failed request's ``points`` were not written."""
    if isinstance(error, WriteError) and error.written is True:  # a partial write
        refused = len(error.rejected_lines) or error.dropped
        if refused is not None:
            return min(points, refused)
    return points


def _unsent_error(what: str, error: Exception, *, maybe_written: bool) -> UnsentBatchError:
    unsent = UnsentBatchError(
        f"the batch {what}: {type(error).__name__}: {error}", maybe_written=maybe_written
    )
    unsent.__cause__ = error
    return unsent


class _CallbackError(InfluxORMError):
    """A callback given to the writer (``on_error``, ``on_progress``) raised."""


async def close_writers(writers: Iterable[AsyncBulkWriter]) -> None:
    """Close the ``writers`` still open (a session's, when it closes), each flushing its
    points; the first failure is raised after all were closed, with a note counting the
    points the failed writers did not write."""
    failure: BaseException | None = None
    failed_writers: list[AsyncBulkWriter] = []
    for writer in list(writers):
        if writer.closed:
            continue
        try:
            await writer.aclose()
        except Exception as error:
            failed_writers.append(writer)
            if failure is None:
                failure = error
    if failure is not None:
        lost = sum(writer.progress.points_failed for writer in failed_writers)
        failure.add_note(
            f"(closing the session: its open bulk writer(s) did not write {lost} "
            "point(s); see their failed_batches)"
        )
        raise failure
