"""``AsyncSession``: the implementation of every session operation."""

from __future__ import annotations

import functools
import logging
import os
import time
import weakref
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Coroutine,
    Iterable,
    Mapping,
    Sequence,
)
from contextvars import Token
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, overload

from influxorm import _context, schema_check
from influxorm.exceptions import QueryError, ServerError, ValidationError
from influxorm.models.writing import encode_lines, model_line_batches
from influxorm.progress import Progress
from influxorm.query import execution, statements
from influxorm.query.query import AggregateQuery, Query
from influxorm.redaction import hidden
from influxorm.results import gc_paused
from influxorm.results.decoding import MSGPACK, ResponseDecoder, frame_accept
from influxorm.results.frames import FrameAccumulator
from influxorm.results.json import decode_query_body, may_hold_error
from influxorm.results.output import (
    ChunkedQueryResult,
    Output,
    convert_response,
    frames_for_statements,
)
from influxorm.session import admin, downsampling
from influxorm.session.aiohttp_transport import AiohttpTransport
from influxorm.session.base import (
    DEFAULT_URL,
    Epoch,
    Precision,
    SessionConfig,
    check_output,
    check_precision,
    require_raw_for_precision,
)
from influxorm.session.batching import (
    DEFAULT_MAX_BODY_BYTES,
    WriteBatch,
    bodies,
    chunk_points,
    frame_batches,
    group_by_model_target,
    has_raw,
    is_dataframe,
    line_batches,
    materialize,
    raw_batches,
)
from influxorm.session.chunks import ChunkIterator
from influxorm.session.messages import Request, Response
from influxorm.session.options import options_from_env, parse_url
from influxorm.session.patterns import QueryPattern, format_pattern
from influxorm.session.retry import RetryPolicy
from influxorm.session.sending import Sender, WriteTarget
from influxorm.session.servers import (
    Consistency,
    Feature,
    ServerName,
    ServerProfile,
    check_consistency,
    identify,
    needs_profile,
)
from influxorm.session.transport import Transport
from influxorm.session.writer import AsyncBulkWriter, OnError, OnProgress

if TYPE_CHECKING:
    import pandas as pd

    from influxorm.models.measurement import Measurement
    from influxorm.query.downsampling import ContinuousQuery, RetentionPolicy
    from influxorm.query.migrations import Change
    from influxorm.query.query import IntoQuery

__all__ = ["AsyncSession"]

logger = logging.getLogger("influxorm")

T = TypeVar("T")
M = TypeVar("M", bound="Measurement")

_FRAME_CHUNK = 20_000
"""Rows per chunk when a plain DataFrame query is streamed from the server."""


class AsyncSession:
    """An asyncio session with an InfluxDB server speaking the v1 HTTP API.

    ::

        async with AsyncSession("http://localhost:8086", database="market") as session:
            await session.write(trades)
            result = await session.query("SELECT * FROM trades")

    Connection: ``url`` (may carry ``user:password@``) or ``unix_socket``;
    ``username``/``password`` authenticate with HTTP basic auth, ``token`` with
    ``Authorization: Token ...`` (InfluxDB 1.8+, 2.x and 3.x v1 APIs). TLS for ``https``
    URLs verifies the server unless ``verify_ssl=False``; ``ssl_ca`` is a CA bundle to
    trust, ``ssl_cert``/``ssl_key`` a client certificate (``ssl_password`` the passphrase
    of an encrypted key; never shown anywhere). ``connect_timeout`` and
    ``read_timeout`` (default ``timeout``; None waits forever) bound connecting and each
    wait for data. ``gzip=True`` compresses write bodies (off by default: on fast links
    it costs more than it saves). ``headers`` are sent with every request. Connections
    are pooled (``max_connections``) and kept alive.

    Behaviour: ``database`` is the default for writes and queries (switchable as an
    attribute); ``output`` the default result format of :meth:`query`; ``retry`` the
    :class:`~influxorm.session.retry.RetryPolicy` (``retry_attempts`` a shorthand for its
    ``max_attempts``); ``batch_size`` and ``max_concurrency`` how :meth:`write` cuts and
    sends large writes. Credentials never appear in reprs, logs or error messages.

    Inside ``async with`` the session is the current one for ``Model.objects``.
    Connections are opened in the running event loop on first use; the session then
    belongs to that loop. See also :meth:`from_url` and :meth:`from_env`.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        database: str | None = None,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        unix_socket: str | None = None,
        timeout: float | None = 60.0,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        output: Output = "json",
        gzip: bool = False,
        headers: Mapping[str, str] | None = None,
        verify_ssl: bool = True,
        ssl_ca: str | None = None,
        ssl_cert: str | None = None,
        ssl_key: str | None = None,
        ssl_password: str | None = None,
        retry: RetryPolicy | None = None,
        retry_attempts: int | None = None,
        batch_size: int = 5_000,
        max_concurrency: int = 4,
        max_connections: int = 100,
        inline_statements: bool = False,
        server: ServerName = "auto",
        consistency: Consistency | None = None,
        transport: Transport | None = None,
    ) -> None:
        self._config = SessionConfig(
            url,
            database=database,
            username=username,
            password=password,
            token=token,
            unix_socket=unix_socket,
            timeout=timeout,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            output=output,
            gzip=gzip,
            headers=headers,
            verify_ssl=verify_ssl,
            ssl_ca=ssl_ca,
            ssl_cert=ssl_cert,
            ssl_key=ssl_key,
            ssl_password=ssl_password,
            retry=retry,
            retry_attempts=retry_attempts,
            batch_size=batch_size,
            max_concurrency=max_concurrency,
            max_connections=max_connections,
            inline_statements=inline_statements,
            server=server,
            consistency=consistency,
        )
        config = self._config
        self._transport: Transport = transport or AiohttpTransport(
            config.url,
            unix_socket=unix_socket,
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            ssl_context=config.ssl,
            max_connections=max_connections,
        )
        self._sender = Sender(config, self._transport)
        self._patterns: dict[str, QueryPattern] = {}
        self._context_tokens: list[Token[_context.SessionProtocol | None]] = []
        self._writers: weakref.WeakSet[AsyncBulkWriter] = weakref.WeakSet()

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Self:
        """A session configured by a URL such as
        ``https://user:pass@host:8086/mydb?timeout=5&verify_ssl=false`` (the form is
        described in :mod:`influxorm.session.options`); ``options`` override it."""
        return cls(**(parse_url(url) | options))

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, prefix: str = "INFLUXDB_", **options: Any
    ) -> Self:
        """A session configured by ``INFLUXDB_URL`` (the :meth:`from_url` form) and
        ``INFLUXDB_DATABASE``/``USERNAME``/``PASSWORD``/``TOKEN``/``UNIX_SOCKET``/``SSL_CA``/
        ``SSL_CERT``/``SSL_KEY``/``SSL_PASSWORD`` (which override the URL's parts);
        ``options`` override both."""
        found = options_from_env(os.environ if environ is None else environ, prefix)
        return cls(**(found | options))

    def __repr__(self) -> str:
        return f"<AsyncSession {self._config.describe()}>"

    @property
    def database(self) -> str | None:
        """The default database of writes and queries."""
        return self._config.database

    @database.setter
    def database(self, value: str | None) -> None:
        self._config.database = value

    @property
    def output(self) -> Output:
        """The default result format of :meth:`query`."""
        return self._config.output

    @output.setter
    def output(self, value: Output) -> None:
        self._config.output = check_output(value)

    @property
    def url(self) -> str:
        """The server's base URL (without credentials)."""
        return self._config.url

    @property
    def inline_statements(self) -> bool:
        """Whether model queries are sent as ``query.inline_influxql`` (values written as
        literals, no ``params``) rather than as ``query.influxql`` with bound parameters:
        the ``inline_statements`` option, or a server profile without bound parameters."""
        profile = self._config.server.profile
        return self._config.inline_statements or (
            profile is not None and not profile.bound_parameters
        )

    @property
    def server(self) -> ServerProfile | None:
        """The server's profile (see :mod:`influxorm.session.servers`): the one given as
        ``server=``, else the one ``/ping`` identified, None while not yet needed."""
        return self._config.server.profile

    async def server_profile(self) -> ServerProfile:
        """The server's profile; with ``server="auto"`` found by one ``/ping``, once."""
        state = self._config.server
        if state.profile is None:
            state.found(await identify(self._sender))
        assert state.profile is not None
        return state.profile

    async def _binds_parameters(self) -> bool:
        """Whether statements with values may be sent with bound ``params``."""
        if self._config.inline_statements:
            return False
        return (await self.server_profile()).bound_parameters

    def _require(self, feature: Feature, what: str) -> None:
        """UnsupportedByServerError if the server's known profile lacks ``feature``."""
        self._config.server.check_feature(feature, what)

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy of every request."""
        return self._config.retry

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self._config.retry = policy

    # -- the query layer's contract (see influxorm._context.SessionProtocol) ------------

    @property
    def _async(self) -> AsyncSession:
        return self

    def _complete(self, coro: Coroutine[Any, Any, T]) -> Coroutine[Any, Any, T]:
        return coro

    def _complete_iter(self, ait: AsyncIterator[T]) -> AsyncIterator[T]:
        return ait

    # -- lifecycle -------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._context_tokens.append(_context.set_current_session(self))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.aclose()
        finally:
            if self._context_tokens:
                _context.reset_current_session(self._context_tokens.pop())

    async def aclose(self) -> None:
        """Close the session's bulk writers still open (flushing them), then the
        connections; the session cannot be used afterwards.

        If a writer fails to write points, the connections are closed all the same and
        its error is raised, with a note saying how many points its writers did not
        write (see their ``failed_batches``).
        """
        try:
            await self._close_writers()
        finally:
            await self._transport.aclose()

    async def _close_writers(self) -> None:
        failure: BaseException | None = None
        failed_writers: list[AsyncBulkWriter] = []
        for writer in list(self._writers):
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

    async def _close_connections(self) -> None:
        """Close the connections only (at exit, or when the session is collected)."""
        await self._transport.aclose()

    # -- writing ---------------------------------------------------------------------

    async def ping(self) -> str:
        """Check the server answers; returns its version (``X-Influxdb-Version``)."""
        response = await self._sender.send(self._config.ping_request(), idempotent=True)
        await response.aclose()
        return response.headers.get("X-Influxdb-Version", "")

    async def write(
        self,
        data: object,
        *,
        db: str | None = None,
        rp: str | None = None,
        precision: Precision | None = None,
        measurement: str | None = None,
        tag_columns: Sequence[str] = (),
        progress: Progress | None = None,
        consistency: Consistency | None = None,
        **extra_tags: str,
    ) -> int:
        """Write ``data`` and return the number of points written.

        ``data``: a model instance, a dict point, raw line protocol (``str``/``bytes``),
        an iterable of those, or a pandas DataFrame (with ``measurement=``,
        ``tag_columns=`` and constant tags as keywords: ``write(df, measurement="prices",
        tag_columns=["ticker"], region="eu")``). Everything is validated before anything
        is sent. Large writes are cut into requests of ``batch_size`` points sent
        ``max_concurrency`` at a time (a list of model instances is encoded a batch at a
        time while the previous batches are in flight); if some fail, the others are
        still sent and the first failure is raised with notes saying what was written.

        ``progress``: an optional :class:`~influxorm.progress.Progress` callable, called
        as ``progress(done, total, "points written")`` after each request the server
        acknowledged: ``done`` is cumulative and never decreases, ``total`` the points of
        the whole write.

        Points without a time are stamped with the client's time before sending, so
        retries never store them twice; raw line protocol whose lines lack timestamps
        is retried only when the server certainly did nothing (throttling).
        ``db`` defaults to the model's ``database=`` class keyword, else the session's
        database; ``rp`` to the model's ``retention_policy=`` (when ``db`` is not given),
        else the database's default retention policy. ``precision`` (``n u ms s m h``)
        gives the unit of raw line protocol timestamps; structured points are encoded
        in nanoseconds, so mixing them with another precision is a ValidationError.
        ``consistency`` (``any``, ``one``, ``quorum``, ``all``; default: the session's) is
        the write consistency an InfluxDB Enterprise cluster applies.
        """
        if precision is not None:
            check_precision(precision)
            if needs_profile(precision):
                await self.server_profile()
        check_consistency(consistency)
        if is_dataframe(data):
            target = WriteTarget(self._config.require_database(db), rp, precision, consistency)
            return await self._write_dataframe(
                data, target, measurement, tag_columns, extra_tags, progress
            )
        if measurement is not None or tag_columns or extra_tags:
            raise ValidationError(
                "measurement=, tag_columns= and extra tags apply to DataFrame writes only"
            )
        data = materialize(require_raw_for_precision(data, precision))
        if precision is not None:
            # u/m/h on InfluxDB 3: timestamps converted to ns; what has no form refused.
            data, precision = self._config.server.scaled(data, precision)  # type: ignore[assignment]
            self._config.server.wire_precision(precision)
        stamp = time.time_ns()
        groups = group_by_model_target(data) if db is None else None
        # Everything is validated (and counted) before the first request is sent. Models
        # whose class names a database= or retention_policy= go there unless the call
        # names db= (rp= alone overrides only the retention policy).
        if groups is None:
            target = WriteTarget(self._config.require_database(db), rp, precision, consistency)
            plans = [self._plan(data, target, stamp)]
        else:
            plans = [
                self._plan(
                    items,
                    WriteTarget(
                        model_db or self._config.require_database(None),
                        rp or model_rp,
                        precision,
                        consistency,
                    ),
                    stamp,
                )
                for (model_db, model_rp), items in groups.items()
            ]
        total = sum(plan.points for plan in plans)
        report = _ProgressOffset(progress, total) if progress is not None else None
        for plan in plans:
            if not plan.points:
                continue
            await self._sender.write_bodies(
                plan.batches,
                plan.target,
                idempotent=plan.idempotent,
                max_concurrency=self._config.max_concurrency,
                progress=report,
                total=total,
            )
            if report is not None:
                report.offset += plan.points
        return total

    def _plan(self, data: object, target: WriteTarget, stamp: int) -> _WritePlan:
        """Validate and count ``data``; its batches are encoded when sent for a list of
        model instances, now for anything else."""
        batch_size = self._config.batch_size
        prepared = model_line_batches(data, batch_size, stamp_ns=stamp)
        if prepared is not None:
            points, line_runs = prepared
            return _WritePlan(target, points, line_batches(line_runs, DEFAULT_MAX_BODY_BYTES), True)
        lines = encode_lines(data, stamp_ns=stamp)
        if has_raw(data):
            counts = [chunk_points(chunk) for chunk in lines]
            batches = raw_batches(lines, counts, batch_size, DEFAULT_MAX_BODY_BYTES)
            return _WritePlan(target, sum(counts), batches, None)
        return _WritePlan(
            target, len(lines), bodies(lines, batch_size, DEFAULT_MAX_BODY_BYTES), True
        )

    async def _write_dataframe(
        self,
        df: Any,
        target: WriteTarget,
        measurement: str | None,
        tag_columns: Sequence[str],
        extra_tags: Mapping[str, str],
        progress: Progress | None,
    ) -> int:
        from influxorm.results.frame_writer import encode_dataframe

        if measurement is None:
            raise ValidationError("a DataFrame write needs measurement=...")
        if target.precision not in (None, "n"):
            raise ValidationError("a DataFrame is written with nanosecond times: drop precision=")
        encoded = encode_dataframe(
            df,
            measurement=measurement,
            tag_columns=tag_columns,
            extra_tags=extra_tags,
            batch_rows=self._config.batch_size,
        )
        if encoded.skipped_rows:
            logger.info(
                "DataFrame write to %r: %d row(s) left out, every field missing",
                measurement,
                encoded.skipped_rows,
            )
        await self._sender.write_bodies(
            frame_batches(encoded.batches, encoded.rows, DEFAULT_MAX_BODY_BYTES),
            target,
            idempotent=True,
            max_concurrency=self._config.max_concurrency,
            progress=progress,
            total=encoded.rows,
        )
        return encoded.rows

    def writer(
        self,
        *,
        batch_size: int = 5_000,
        flush_interval: float | None = 1.0,
        max_concurrency: int | None = None,
        max_buffer: int | None = None,
        on_error: OnError | None = None,
        on_progress: OnProgress | None = None,
        db: str | None = None,
        rp: str | None = None,
        consistency: Consistency | None = None,
    ) -> AsyncBulkWriter:
        """A bulk writer for a stream of points: ``async with session.writer() as w:
        await w.write(point)``. See :class:`~influxorm.session.writer.AsyncBulkWriter`;
        ``max_concurrency`` defaults to the session's, ``max_buffer`` (points accepted
        but not acknowledged) to ``2 * batch_size * max_concurrency``.

        Points go where :meth:`write` sends them: without ``db=``, a model whose class
        names ``database=``/``retention_policy=`` is written there (in batches of its
        own), everything else to the session's database; ``rp=`` overrides the
        retention policy. With ``db=``, everything goes to ``db`` (and ``rp``).
        ``consistency`` as in :meth:`write`."""
        check_consistency(consistency)
        target = None
        if db is not None or self._config.database:
            target = WriteTarget(self._config.require_database(db), rp, None, consistency)
        writer = AsyncBulkWriter(
            self._sender,
            target,
            route_models=db is None,
            default_rp=rp,
            batch_size=batch_size,
            flush_interval=flush_interval,
            max_concurrency=max_concurrency or self._config.max_concurrency,
            max_buffer=max_buffer,
            on_error=on_error,
            on_progress=on_progress,
            consistency=consistency,
        )
        self._writers.add(writer)
        return writer

    # -- querying --------------------------------------------------------------------

    @overload
    async def query(
        self,
        q: str,
        *,
        db: str | None = ...,
        rp: str | None = ...,
        epoch: Epoch | None = ...,
        params: Mapping[str, Any] | None = ...,
        chunked: Literal[False] = ...,
        chunk_size: int | None = ...,
        output: Literal["bytes"],
        by_series: bool = ...,
    ) -> bytes: ...

    @overload
    async def query(
        self,
        q: str,
        *,
        db: str | None = ...,
        rp: str | None = ...,
        epoch: Epoch | None = ...,
        params: Mapping[str, Any] | None = ...,
        chunked: Literal[True],
        chunk_size: int | None = ...,
        output: Literal["bytes"],
        by_series: bool = ...,
    ) -> ChunkIterator[bytes]: ...

    @overload
    async def query(
        self,
        q: str,
        *,
        db: str | None = ...,
        rp: str | None = ...,
        epoch: Epoch | None = ...,
        params: Mapping[str, Any] | None = ...,
        chunked: Literal[True],
        chunk_size: int | None = ...,
        output: Output | None = ...,
        by_series: bool = ...,
    ) -> ChunkIterator[Any]: ...

    @overload
    async def query(
        self,
        q: str,
        *,
        db: str | None = ...,
        rp: str | None = ...,
        epoch: Epoch | None = ...,
        params: Mapping[str, Any] | None = ...,
        chunked: bool = ...,
        chunk_size: int | None = ...,
        output: Output | None = ...,
        by_series: bool = ...,
    ) -> Any: ...

    async def query(
        self,
        q: str,
        *,
        db: str | None = None,
        rp: str | None = None,
        epoch: Epoch | None = "ns",
        params: Mapping[str, Any] | None = None,
        chunked: bool = False,
        chunk_size: int | None = None,
        output: Output | None = None,
        by_series: bool = False,
    ) -> Any:
        """Run InfluxQL ``q`` and return the result in the ``output`` format.

        ``output`` (None: the session's :attr:`output`): ``"json"`` the decoded response,
        ``"bytes"`` the raw body (still checked for errors), ``"dataframe"`` a DataFrame
        (with ``by_series`` a dict of them by series; for several statements a list,
        one per statement; fetched as msgpack when the ``msgpack`` package is installed,
        streamed from the server in chunks so memory stays bounded), ``"iterable"`` a
        :class:`~influxorm.results.QueryResult` to iterate point by point. ``db``
        defaults to the session's database; ``epoch`` is the unit of returned timestamps
        (None: RFC3339 strings); ``params`` are bound to ``$name`` placeholders by the
        server. With ``chunked=True`` the answer is a :class:`ChunkIterator` of one
        result per chunk of at most ``chunk_size`` points (``"iterable"``: a
        :class:`~influxorm.results.ChunkedQueryResult`); leaving it early closes the
        response. Errors the server reports, in the HTTP status, inside a 200 answer or
        after good chunks, raise :class:`~influxorm.exceptions.QueryError`.
        """
        try:
            return await self._query(
                q, db, rp, epoch, params, chunked, chunk_size, output, by_series=by_series
            )
        except QueryError as error:
            self._config.server.annotate(error)  # e.g. 2.x: DBRP notes
            raise

    async def _noted(self, chunks: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
        """``chunks``, with the server's notes on an error raised after good chunks."""
        try:
            async for chunk in chunks:
                yield chunk
        except QueryError as error:
            self._config.server.annotate(error)
            raise
        finally:
            await chunks.aclose()

    async def _query(
        self,
        q: str,
        db: str | None,
        rp: str | None,
        epoch: Epoch | None,
        params: Mapping[str, Any] | None,
        chunked: bool,
        chunk_size: int | None,
        output: Output | None,
        *,
        by_series: bool,
    ) -> Any:
        fmt = check_output(output) if output is not None else self._config.output
        frames = fmt == "dataframe"
        stream = chunked or frames
        # Refused only by a known profile: an "auto" session does not /ping for this (the
        # server refuses what it cannot run itself).
        self._config.server.check_statement(q)
        if params and not (await self.server_profile()).bound_parameters:
            # The server would drop them silently and run the statement unbound.
            raise self._config.server.current().refusal("params", "bound parameters (params=)")
        build = functools.partial(
            self._config.query_request,
            q,
            db=db,
            rp=rp,
            epoch=epoch,
            params=params,
            chunked=stream,
            chunk_size=chunk_size if chunked or chunk_size else (_FRAME_CHUNK if frames else None),
        )
        # msgpack when installed; "bytes" stays JSON, and so do RFC 3339 times (a msgpack
        # time has no tz() offset).
        request = build(
            accept=frame_accept() if frames or (fmt != "bytes" and epoch is not None) else None
        )
        try:
            response = await self._sender.send(request, idempotent=request.method == "GET")
        except ServerError as error:
            if not (_asks_msgpack(request) and self._config.server.refuses_msgpack(error)):
                raise
            logger.info("the server refused msgpack (%s): asking for JSON from now on", error)
            request = build(accept=None)
            response = await self._sender.send(request, idempotent=request.method == "GET")
        q = request.statement or q  # passwords masked in error messages
        if chunked:
            if fmt == "bytes":
                return ChunkIterator(response, _raw_chunks(response, q))
            per_chunk = "json" if fmt == "iterable" else fmt
            decoded = ChunkIterator(
                response,
                self._noted(_decoded_chunks(response, q, per_chunk, by_series, as_json=not frames)),
            )
            return ChunkedQueryResult(decoded) if fmt == "iterable" else decoded
        if frames:
            accumulator = FrameAccumulator(by_series=by_series)
            # The decoded chunks hold no reference cycles; collecting during the read
            # only walks them again (measured: the largest part of decode time).
            with gc_paused():
                async for chunk in _decoded_chunks(response, q, "json", by_series, as_json=False):
                    accumulator.feed(chunk)
            return frames_for_statements(accumulator.frames())
        body = await response.read()
        if fmt == "bytes":
            if may_hold_error(body):
                decode_query_body(body, q)
            return body
        decoder = ResponseDecoder(_content_type(response), q, chunked=False, as_json=True)
        objects = decoder.feed(body) + decoder.close()
        if not objects:
            return convert_response(decode_query_body(body, q), fmt, by_series=by_series)
        return convert_response(objects[0], fmt, by_series=by_series)

    # -- query patterns --------------------------------------------------------------

    def set_query_pattern(self, name: str, pattern: str) -> None:
        """Register ``pattern`` (see :mod:`influxorm.session.patterns`) for this session."""
        self._patterns[name] = QueryPattern(pattern)

    def format_query(self, name: str, /, **arguments: object) -> str:
        """The statement of pattern ``name`` with every argument quoted by its kind."""
        return format_pattern(name, arguments, self._patterns)

    async def query_pattern(
        self,
        name: str,
        /,
        *,
        db: str | None = None,
        output: Output | None = None,
        **arguments: object,
    ) -> Any:
        """Run pattern ``name`` with ``arguments`` (``db`` and ``output`` as in :meth:`query`)."""
        return await self.query(self.format_query(name, **arguments), db=db, output=output)

    # -- administration ----------------------------------------------------------------

    async def execute(self, statement: str, *, db: str | None = None) -> dict[str, Any]:
        """Run an InfluxQL statement and return its JSON result (errors raised)."""
        result: dict[str, Any] = await self.query(statement, db=db, output="json")
        return result

    async def create_database(self, name: str | None = None) -> None:
        """``CREATE DATABASE`` ``name`` (default: the session's database); idempotent."""
        await self.execute(statements.create_database(self._config.require_database(name)))

    async def drop_database(self, name: str | None = None) -> None:
        """``DROP DATABASE`` ``name`` (default: the session's database); idempotent."""
        await self.execute(statements.drop_database(self._config.require_database(name)))

    async def show_databases(self) -> list[str]:
        """The names of the server's databases."""
        return admin.single_column(await self.execute(statements.show_databases()))

    async def create_retention_policy(
        self,
        name: str,
        *,
        duration: timedelta | str | int,
        replication: int = 1,
        shard_duration: timedelta | str | int | None = None,
        default: bool = False,
        database: str | None = None,
    ) -> None:
        """``CREATE RETENTION POLICY`` on ``database`` (default: the session's)."""
        await self.execute(
            statements.create_retention_policy(
                name,
                self._config.require_database(database),
                duration=duration,
                replication=replication,
                shard_duration=shard_duration,
                default=default,
            )
        )

    async def alter_retention_policy(
        self,
        name: str,
        *,
        duration: timedelta | str | int | None = None,
        replication: int | None = None,
        shard_duration: timedelta | str | int | None = None,
        default: bool = False,
        database: str | None = None,
    ) -> None:
        """``ALTER RETENTION POLICY``, changing what is given."""
        await self.execute(
            statements.alter_retention_policy(
                name,
                self._config.require_database(database),
                duration=duration,
                replication=replication,
                shard_duration=shard_duration,
                default=default,
            )
        )

    async def drop_retention_policy(self, name: str, *, database: str | None = None) -> None:
        """``DROP RETENTION POLICY``."""
        await self.execute(
            statements.drop_retention_policy(name, self._config.require_database(database))
        )

    async def show_retention_policies(self, database: str | None = None) -> list[dict[str, Any]]:
        """The database's retention policies, one dict per policy (``name``, ``duration``,
        ``shardGroupDuration``, ``replicaN``, ``default``)."""
        target = self._config.require_database(database)
        return admin.rows_as_dicts(await self.execute(statements.show_retention_policies(target)))

    async def show_continuous_queries(self, database: str | None = None) -> list[dict[str, str]]:
        """Continuous queries (``database``, ``name``, ``query`` as the server prints it), of
        ``database`` only when given."""
        return await downsampling.show_continuous_queries(self, database)

    async def create_continuous_query(
        self, query: ContinuousQuery, *, database: str | None = None
    ) -> None:
        """``CREATE CONTINUOUS QUERY`` for a declaration on ``database`` (default: session's)."""
        await downsampling.create_continuous_query(
            self, query, self._config.require_database(database)
        )

    async def drop_continuous_query(self, name: str, *, database: str | None = None) -> None:
        """``DROP CONTINUOUS QUERY`` (nothing happens if there is none of that name)."""
        await downsampling.drop_continuous_query(
            self, name, self._config.require_database(database)
        )

    async def migrate(
        self,
        *,
        retention_policies: Iterable[RetentionPolicy] = (),
        continuous_queries: Iterable[ContinuousQuery] = (),
        database: str | None = None,
        prune: bool = False,
        dry_run: bool = False,
    ) -> list[Change]:
        """Bring ``database``'s retention policies and continuous queries to the declarations.

        Creates what is missing, alters a changed policy (``ALTER RETENTION POLICY``), drops
        and re-creates a changed continuous query, and with ``prune=True`` drops what is not
        declared. Returns the changes (each with its exact statement): ``[]`` when nothing
        differs. ``dry_run=True`` only reads the server and returns the plan. InfluxDB 1.x
        only: UnsupportedByServerError on 2.x and 3.x.
        """
        return await downsampling.migrate(
            self,
            self._config.require_database(database),
            retention_policies=retention_policies,
            continuous_queries=continuous_queries,
            prune=prune,
            dry_run=dry_run,
        )

    async def backfill(
        self,
        query: ContinuousQuery | IntoQuery[Any],
        *,
        start: object,
        end: object,
        step: timedelta | str | int | None = None,
        database: str | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Run a continuous query (or ``SELECT ... INTO`` query) over ``[start, end)``.

        The range is widened to whole GROUP BY buckets and run in slices of ``step``
        (a whole number of intervals; default 1000 of them), one statement at a time, so
        the server aggregates a bounded range per request. Re-running writes the same
        points again (idempotent). ``progress(done, total, "backfill slices")`` after each
        slice. Returns the number of points written.
        """
        return await downsampling.backfill(
            self, query, start=start, end=end, step=step, database=database, progress=progress
        )

    async def create_user(self, name: str, password: str, *, admin: bool = False) -> None:
        """``CREATE USER`` (``admin=True``: with all privileges).

        A password InfluxQL cannot carry (NUL, carriage return) is a ValidationError that
        does not show it; no message or log line ever does.
        """
        with hidden(password):
            statement = statements.create_user(name, password, admin=admin)
        await self.execute(statement)

    async def drop_user(self, name: str) -> None:
        """``DROP USER``."""
        await self.execute(statements.drop_user(name))

    async def set_password(self, name: str, password: str) -> None:
        """``SET PASSWORD FOR`` (the password is checked as :meth:`create_user` does)."""
        with hidden(password):
            statement = statements.set_password(name, password)
        await self.execute(statement)

    async def show_users(self) -> list[dict[str, Any]]:
        """The users: dicts with ``user`` and ``admin``."""
        return admin.rows_as_dicts(await self.execute(statements.show_users()))

    async def grant(
        self, privilege: statements.Privilege, user: str, *, database: str | None = None
    ) -> None:
        """``GRANT READ|WRITE|ALL ON database TO user`` (database: the session's)."""
        await self.execute(
            statements.grant(privilege, user, self._config.require_database(database))
        )

    async def revoke(
        self, privilege: statements.Privilege, user: str, *, database: str | None = None
    ) -> None:
        """``REVOKE READ|WRITE|ALL ON database FROM user`` (database: the session's)."""
        await self.execute(
            statements.revoke(privilege, user, self._config.require_database(database))
        )

    async def grant_admin(self, user: str) -> None:
        """``GRANT ALL PRIVILEGES TO user``."""
        await self.execute(statements.grant("ALL", user, None))

    async def revoke_admin(self, user: str) -> None:
        """``REVOKE ALL PRIVILEGES FROM user``."""
        await self.execute(statements.revoke("ALL", user, None))

    async def show_measurements(self, *, database: str | None = None) -> list[str]:
        """The measurement names of ``database`` (default: the session's)."""
        database = self._config.require_database(database)
        result = await self.execute(statements.show_measurements(), db=database)
        return admin.single_column(result)

    async def show_tag_keys(
        self, measurement: str | None = None, *, database: str | None = None
    ) -> dict[str, list[str]]:
        """Measurement -> its tag keys (one measurement, or all)."""
        statement = statements.show_tag_keys(measurement)
        return admin.keyed_column(
            await self.execute(statement, db=self._config.require_database(database))
        )

    async def show_tag_values(
        self, key: str, measurement: str | None = None, *, database: str | None = None
    ) -> dict[str, list[str]]:
        """Measurement -> the values of tag ``key`` (one measurement, or all)."""
        statement = statements.show_tag_values(key, measurement)
        return admin.keyed_column(
            await self.execute(statement, db=self._config.require_database(database)), column=1
        )

    async def show_field_keys(
        self, measurement: str | None = None, *, database: str | None = None
    ) -> dict[str, dict[str, str]]:
        """Measurement -> {field key: type} (one measurement, or all)."""
        result = await self.execute(
            statements.show_field_keys(measurement),
            db=self._config.require_database(database),
        )
        keys = admin.keyed_column(result, 0)
        types = admin.keyed_column(result, 1)
        return {name: dict(zip(keys[name], types[name], strict=True)) for name in keys}

    async def show_series(
        self,
        measurement: str | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> list[str]:
        """The series keys (``m,k=v``), optionally of one measurement and matching tags."""
        statement = statements.show_series(measurement, tags)
        return admin.single_column(
            await self.execute(statement, db=self._config.require_database(database))
        )

    async def drop_measurement(self, name: str, *, database: str | None = None) -> None:
        """``DROP MEASUREMENT`` (its series and points)."""
        await self.execute(
            statements.drop_measurement(name), db=self._config.require_database(database)
        )

    async def drop_series(
        self,
        measurement: str | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> None:
        """``DROP SERIES FROM measurement WHERE tag = value ...`` (one of them required)."""
        await self.execute(
            statements.drop_series(measurement, tags or {}),
            db=self._config.require_database(database),
        )

    # -- model queries: the precisely typed equivalents of a query's terminal operations --

    async def fetch(self, query: Query[M]) -> list[M]:
        """The points ``query`` selects, as instances of its model."""
        return await execution.fetch_async(query, self)

    async def first(self, query: Query[M]) -> M | None:
        """The first point of ``query`` in its order, or None."""
        return await execution.first_async(query, self)

    async def count(self, query: Query[Any]) -> int:
        """How many points ``query`` selects (LIMIT and OFFSET applied)."""
        return await execution.count_async(query, self)

    async def exists(self, query: Query[Any]) -> bool:
        """Whether ``query`` selects at least one point."""
        return await execution.exists_async(query, self)

    def iterate(self, query: Query[M], *, chunk_size: int = 10_000) -> AsyncIterator[M]:
        """Stream the points of ``query`` through a chunked response, ``chunk_size`` at a time."""
        execution.check_chunk_size(chunk_size)
        return execution.iterate_async(query, self, chunk_size)

    async def fetch_rows(self, query: AggregateQuery[Any]) -> list[dict[str, Any]]:
        """The rows of an aggregate query, keyed by aggregate names, GROUP BY tags and time."""
        return await execution.fetch_rows_async(query, self)

    async def to_dataframe(self, query: Query[Any] | AggregateQuery[Any]) -> pd.DataFrame:
        """The result of ``query`` as a DataFrame with a UTC ``DatetimeIndex``."""
        frame: pd.DataFrame = await execution.to_dataframe_async(query, self)
        return frame

    async def delete(self, query: Query[Any]) -> None:
        """``DELETE`` the points ``query`` matches (tag and time conditions only)."""
        await execution.delete_async(query, self)

    async def check_schema(self, model: type[Measurement]) -> list[schema_check.SchemaConflict]:
        """Compare ``model`` with the server's tag and field keys before writing it.

        Returns the conflicts (field type mismatches, a tag the server has as a field and
        vice versa) that would make the server refuse the model's points; empty if none.
        """
        return await schema_check.check_schema_async(self, model)


class _WritePlan:
    """One target's share of a write: validated and counted, batches possibly lazy."""

    __slots__ = ("batches", "idempotent", "points", "target")

    def __init__(
        self,
        target: WriteTarget,
        points: int,
        batches: Iterable[WriteBatch],
        idempotent: bool | None,
    ) -> None:
        self.target = target
        self.points = points
        self.batches = batches
        self.idempotent = idempotent


class _ProgressOffset:
    """A write's progress across its targets: each target's counts start where the
    previous target's ended."""

    __slots__ = ("offset", "progress", "total")

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total
        self.offset = 0

    def __call__(self, done: int, total: int | None, what: str) -> None:
        self.progress(self.offset + done, self.total, what)


def _asks_msgpack(request: Request) -> bool:
    return any(k == "Accept" and MSGPACK in v for k, v in request.headers)


def _content_type(response: Response) -> str:
    return response.headers.get("Content-Type", "application/json")


async def _decoded_chunks(
    response: Response, statement: str, output: Output, by_series: bool, *, as_json: bool
) -> AsyncGenerator[Any, None]:
    content_type = _content_type(response)
    decoder = ResponseDecoder(content_type, statement, chunked=True, as_json=as_json)
    # JSON chunks are lines: fed one by one, the good chunks before an error are all
    # delivered before it is raised.
    source = response.iter_raw() if MSGPACK in content_type else _lines(response)
    async for data in source:
        for chunk in decoder.feed(data):
            yield convert_response(chunk, output, by_series=by_series)
    for chunk in decoder.close():
        yield convert_response(chunk, output, by_series=by_series)


async def _lines(response: Response) -> AsyncGenerator[bytes, None]:
    async for line in response.iter_lines():
        yield line + b"\n"


async def _raw_chunks(response: Response, statement: str) -> AsyncGenerator[bytes, None]:
    async for line in response.iter_lines():
        if may_hold_error(line):
            decode_query_body(line, statement, chunked=True)
        yield line
