"""``AsyncSession``: the implementation of every session operation."""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import (
    AsyncIterator,
    Mapping,
    Sequence,
)
from contextvars import Token
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, Unpack, overload

from influxorm import _context, schema_check
from influxorm.progress import Progress
from influxorm.query.query import AggregateQuery, IntoQuery, Query
from influxorm.results.output import (
    Output,
)
from influxorm.session import querying, raw_query, writing
from influxorm.session.admin import Administration
from influxorm.session.chunks import ChunkIterator
from influxorm.session.config import (
    DEFAULT_URL,
    Epoch,
    Precision,
    SessionConfig,
    check_output,
)
from influxorm.session.options import SessionOptions, options_from_env, parse_url
from influxorm.session.patterns import QueryPattern, format_pattern
from influxorm.session.retry import RetryPolicy
from influxorm.session.sender import Sender, WriteTarget
from influxorm.session.transport import Transport
from influxorm.session.writer import AsyncBulkWriter, OnError, OnProgress

if TYPE_CHECKING:
    import pandas as pd

    from influxorm.models.measurement import Measurement

__all__ = ["AsyncSession"]

logger = logging.getLogger("influxorm")

T = TypeVar("T")
M = TypeVar("M", bound="Measurement")

_FRAME_CHUNK = 20_000
"""Rows per chunk when a plain DataFrame query is streamed from the server."""


class AsyncSession(Administration):
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
        transport: Transport | None = None,
        **options: Unpack[SessionOptions],
    ) -> None:
        self._config = SessionConfig(url, **options)
        config = self._config
        if transport is None:
            # aiohttp is imported by the first session, not by `import influxorm`.
            from influxorm.session.aiohttp_transport import AiohttpTransport

            transport = AiohttpTransport(
                config.url,
                unix_socket=config.unix_socket,
                connect_timeout=config.connect_timeout,
                read_timeout=config.read_timeout,
                ssl_context=config.ssl,
                max_connections=config.max_connections,
            )
        self._transport: Transport = transport
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
    def retry(self) -> RetryPolicy:
        """The retry policy of every request."""
        return self._config.retry

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self._config.retry = policy

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
        """
        return await writing.write(
            self._config,
            self._sender,
            data,
            db=db,
            rp=rp,
            precision=precision,
            measurement=measurement,
            tag_columns=tag_columns,
            progress=progress,
            extra_tags=extra_tags,
        )

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
    ) -> AsyncBulkWriter:
        """A bulk writer for a stream of points: ``async with session.writer() as w:
        await w.write(point)``. See :class:`~influxorm.session.writer.AsyncBulkWriter`;
        ``max_concurrency`` defaults to the session's, ``max_buffer`` (points accepted
        but not acknowledged) to ``2 * batch_size * max_concurrency``.

        Points go where :meth:`write` sends them: without ``db=``, a model whose class
        names ``database=``/``retention_policy=`` is written there (in batches of its
        own), everything else to the session's database; ``rp=`` overrides the
        retention policy. With ``db=``, everything goes to ``db`` (and ``rp``)."""
        target = None
        if db is not None or self._config.database:
            target = WriteTarget(self._config.require_database(db), rp, None)
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
        return await raw_query.run_query(
            self._config,
            self._sender,
            q,
            db=db,
            rp=rp,
            epoch=epoch,
            params=params,
            chunked=chunked,
            chunk_size=chunk_size,
            output=output,
            by_series=by_series,
        )

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

    # -- model queries: what a query's terminal operations hand themselves to -----------

    async def fetch(self, query: Query[M], /) -> list[M]:
        """The points ``query`` selects, as instances of its model."""
        return await querying.fetch(query, self.query)

    async def first(self, query: Query[M], /) -> M | None:
        """The first point of ``query`` in its order, or None."""
        return await querying.first(query, self.query)

    async def count(self, query: Query[Any], /) -> int:
        """How many points ``query`` selects (LIMIT and OFFSET applied)."""
        return await querying.count(query, self.query)

    async def exists(self, query: Query[Any], /) -> bool:
        """Whether ``query`` selects at least one point."""
        return await querying.exists(query, self.query)

    def iterate(self, query: Query[M], /, *, chunk_size: int = 10_000) -> AsyncIterator[M]:
        """Stream the points of ``query`` through a chunked response, ``chunk_size`` at a time."""
        querying.check_chunk_size(chunk_size)
        return querying.iterate(query, self.query, chunk_size)

    async def fetch_rows(self, query: AggregateQuery[Any], /) -> list[dict[str, Any]]:
        """The rows of an aggregate query, keyed by aggregate names, GROUP BY tags and time."""
        return await querying.fetch_rows(query, self.query)

    async def first_row(self, query: AggregateQuery[Any], /) -> dict[str, Any] | None:
        """The first row of an aggregate query, or None."""
        return await querying.first_row(query, self.query)

    def iterate_rows(
        self, query: AggregateQuery[Any], /, *, chunk_size: int = 10_000
    ) -> AsyncIterator[dict[str, Any]]:
        """Stream the rows of an aggregate query, ``chunk_size`` points per response."""
        querying.check_chunk_size(chunk_size)
        return querying.iterate_rows(query, self.query, chunk_size)

    async def to_dataframe(self, query: Query[Any] | AggregateQuery[Any], /) -> pd.DataFrame:
        """The result of ``query`` as a DataFrame with a UTC ``DatetimeIndex``."""
        frame: pd.DataFrame = await querying.to_dataframe(query, self.query)
        return frame

    async def delete(self, query: Query[Any], /) -> None:
        """``DELETE`` the points ``query`` matches (tag and time conditions only)."""
        await querying.delete(query, self.query)

    async def select_into(self, query: IntoQuery[Any], /) -> int:
        """Run ``SELECT ... INTO``; the number of points written."""
        return await querying.select_into(query, self.query)

    async def check_schema(self, model: type[Measurement]) -> list[schema_check.SchemaConflict]:
        """Compare ``model`` with the server's tag and field keys before writing it.

        Returns the conflicts (field type mismatches, a tag the server has as a field and
        vice versa) that would make the server refuse the model's points; empty if none.
        """
        return await schema_check.check_schema_async(self, model)
