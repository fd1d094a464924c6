"""The request path every session operation takes: logging, retries and 413 splits."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterable, Sequence

from influxorm.exceptions import InfluxORMError, RequestTooLargeError, ServerError
from influxorm.linescan import is_timestamped
from influxorm.progress import Progress
from influxorm.session.batching import WriteBatch
from influxorm.session.config import Precision, SessionConfig
from influxorm.session.errors import raise_for_response
from influxorm.session.messages import Endpoint, Request, Response
from influxorm.session.retry import Idempotent, RetryPolicy, retrying
from influxorm.session.transport import Transport

__all__ = [
    "OnRetry",
    "OnWritten",
    "Sender",
    "WriteTarget",
    "describe",
]

logger = logging.getLogger("influxorm")

OnRetry = Callable[[InfluxORMError, int, float], None]
OnWritten = Callable[[int], None]
"""Called with the points of each request the server acknowledged."""


class WriteTarget:
    """Where a write goes: database, retention policy, timestamp precision and the
    (Enterprise) write consistency."""

    __slots__ = ("consistency", "db", "precision", "rp")

    def __init__(
        self,
        db: str,
        rp: str | None,
        precision: Precision | None,
        consistency: str | None = None,
    ) -> None:
        self.db = db
        self.rp = rp
        self.precision = precision
        self.consistency = consistency


class Sender:
    """Sends a session's requests through its transport with its retry policy."""

    def __init__(self, config: SessionConfig, transport: Transport) -> None:
        self.config = config
        self.transport = transport
        self.rng = random.Random()

    @property
    def policy(self) -> RetryPolicy:
        """The session's retry policy."""
        return self.config.retry

    async def send(
        self, request: Request, *, idempotent: Idempotent, on_retry: OnRetry | None = None
    ) -> Response:
        """Send ``request``, retrying as the policy allows; return the successful response
        (unread) or raise what the last failure means."""

        return await retrying(
            lambda: self.send_once(request),
            self.policy,
            idempotent=idempotent,
            rng=self.rng,
            what=f"{request.method} {request.path}",
            on_retry=on_retry,
        )

    async def send_once(self, request: Request) -> Response:
        """One try: send ``request`` and return its successful response, or raise."""
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s %s", request.method, request.path, describe(request))
        response = await self.transport.request(request)
        try:
            await raise_for_response(request, response)
        except ServerError as error:
            self.config.server.annotate(error)
            raise
        return response

    async def write_body(
        self,
        body: bytes,
        points: int,
        target: WriteTarget,
        *,
        idempotent: bool | None,
        on_retry: OnRetry | None = None,
        lines: Sequence[str] | None = None,
        on_written: OnWritten | None = None,
    ) -> None:
        """POST ``body`` to ``/write``, retried when safe, cut in halves on a 413.

        ``idempotent``: True when every point carries a timestamp, None to find out from
        the body only if an ambiguous failure (transport error, 5xx) makes it matter.
        ``lines``: the body's points one per item, when known (structured data): a 413
        then halves the list instead of scanning the body. ``on_written(points)`` is
        called for each request the server acknowledged (the halves of a 413 each).
        """
        await self.write_batch(
            WriteBatch(body, points, lines),
            target,
            idempotent=idempotent,
            on_retry=on_retry,
            on_written=on_written,
        )

    async def write_batch(
        self,
        batch: WriteBatch,
        target: WriteTarget,
        *,
        idempotent: bool | None,
        on_retry: OnRetry | None = None,
        on_written: OnWritten | None = None,
    ) -> None:
        """:meth:`write_body` of a :class:`~influxorm.session.batching.WriteBatch`."""
        body, points = batch.body, batch.points
        request = self.config.write_request(
            body,
            points=points,
            db=target.db,
            rp=target.rp,
            precision=target.precision,
            consistency=target.consistency,
        )
        safe: Idempotent = idempotent if idempotent is not None else _Lazy(body)
        try:
            response = await retrying(
                lambda: self.send_once(request),
                self.policy,
                idempotent=safe,
                rng=self.rng,
                what=f"write of {points} point(s)",
                on_retry=on_retry,
            )
        except RequestTooLargeError as error:
            logger.debug("413 for %d point(s): resending as two halves", points)
            for half in _halves(batch, error):
                await self.write_batch(
                    half, target, idempotent=idempotent, on_retry=on_retry, on_written=on_written
                )
            return
        await response.aclose()
        if on_written is not None:
            on_written(points)

    async def write_bodies(
        self,
        bodies: Iterable[WriteBatch | tuple[bytes, int]],
        target: WriteTarget,
        *,
        idempotent: bool | None,
        max_concurrency: int,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> int:
        """Write each batch (or ``(body, points)``) with up to ``max_concurrency``
        requests in flight; return the points written.

        ``bodies`` is consumed lazily: each request is started before the next batch is
        taken, so a generator encoding batch ``n + 1`` runs while batch ``n`` is in
        flight. ``progress(done, total, "points written")`` is called after each
        acknowledged request, ``done`` counting cumulatively. Every batch is attempted
        even after one fails; then the first failure is raised with notes on what was
        and was not written.
        """
        slots = asyncio.Semaphore(max_concurrency)
        failures: list[tuple[int, InfluxORMError]] = []
        written = [0, 0]  # batches, points

        callback_errors: list[Exception] = []

        def acknowledged(points: int) -> None:
            written[1] += points
            if progress is not None and not callback_errors:
                try:
                    progress(written[1], total, "points written")
                except Exception as error:  # raised once every request is done
                    callback_errors.append(error)

        async def one(batch: WriteBatch) -> None:
            done = 0

            def counted(points: int) -> None:
                nonlocal done
                done += points
                acknowledged(points)

            try:
                await self.write_batch(batch, target, idempotent=idempotent, on_written=counted)
            except InfluxORMError as error:
                failures.append((batch.points - done, error))
            else:
                written[0] += 1
            finally:
                slots.release()

        tasks: list[asyncio.Task[None]] = []
        try:
            for item in bodies:
                batch = item if isinstance(item, WriteBatch) else WriteBatch(*item)
                if not batch.points:
                    continue
                await slots.acquire()
                tasks.append(asyncio.create_task(one(batch)))
                # Let the request start before the next batch is taken (and encoded).
                await asyncio.sleep(0)
        finally:
            if tasks:
                await asyncio.gather(*tasks)
        if failures:
            _, first = failures[0]
            if len(tasks) > 1:
                lost = sum(points for points, _ in failures)
                first.add_note(
                    f"({len(failures)} of {len(tasks)} requests failed ({lost} point(s) not "
                    f"acknowledged); {written[0]} succeeded ({written[1]} point(s) written))"
                )
                for _, other in failures[1:]:
                    first.add_note(f"(also: {other})")
            raise first
        if callback_errors:
            raise callback_errors[0]
        return written[1]


class _Lazy:
    """Whether a body is timestamped, found out on first ask (it costs a scan)."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._answer: bool | None = None

    def __call__(self) -> bool:
        if self._answer is None:
            self._answer = is_timestamped(self._body)
        return self._answer


def _halves(batch: WriteBatch, error: RequestTooLargeError) -> tuple[WriteBatch, WriteBatch]:
    try:
        return batch.halves()
    except RequestTooLargeError as single:
        single.add_note(f"(the server said: {error.server_message})")
        raise single from error


def describe(request: Request) -> str:
    """The request for a DEBUG log line: parameters, statement (passwords masked), sizes;
    never headers (they may carry credentials)."""
    parts = [f"{key}={value!r}" for key, value in request.params if key not in ("q", "params")]
    if request.statement is not None:
        parts.append(f"q={request.statement!r}")
    if request.points:
        parts.append(f"points={request.points}")
    if request.body:
        parts.append(f"body={len(request.body)} bytes")
    if request.endpoint is Endpoint.WRITE and request.body is not request.lines:
        parts.append("gzip")
    return " ".join(parts)
