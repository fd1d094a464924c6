"""``AsyncSession``: the implementation of every session operation."""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import AsyncIterator, Mapping, Sequence
from contextvars import Token
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, Unpack

from influxorm import _context, schema_check
from influxorm.progress import Progress
from influxorm.query.query import AggregateQuery, IntoQuery, Query
from influxorm.results.output import Output
from influxorm.session import querying, writing
from influxorm.session.admin import Administration
from influxorm.session.config import DEFAULT_URL, Precision, SessionConfig, check_output
from influxorm.session.downsampling import Downsampling
from influxorm.session.options import SessionOptions, options_from_env, parse_url
from influxorm.session.patterns import QueryPattern
from influxorm.session.raw_query import RawQuerying
from influxorm.session.retry import RetryPolicy
from influxorm.session.sender import Sender
from influxorm.session.servers import Consistency, ServerProfile, resolve
from influxorm.session.transport import Transport
from influxorm.session.writer import AsyncBulkWriter, OnError, OnProgress, close_writers

if TYPE_CHECKING:
    import pandas as pd

    from influxorm.models.measurement import Measurement

__all__ = ["AsyncSession"]

logger = logging.getLogger("influxorm")

T = TypeVar("T")
M = TypeVar("M", bound="Measurement")


class AsyncSession(RawQuerying, Administration, Downsampling):
    """An asyncio session with an InfluxDB server speaking the v1 HTTP API.

    ::

        async with AsyncSession("http://localhost:8086", database="market") as session:
            await session.write(trades)
            result = await session.query("SELECT * FROM trades")

    ``options`` are the :class:`~influxorm.session.options.SessionOptions` (connection,
    credentials, TLS, timeouts, retries, batching), checked before anything is opened;
    credentials never appear in reprs, logs or error messages. ``transport`` replaces
    the aiohttp transport (see :class:`~influxorm.session.transport.Transport`).

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
        return await resolve(self._config.server, self._sender)

    async def _binds_parameters(self) -> bool:
        """Whether statements with values may be sent with bound ``params``."""
        if self._config.inline_statements:
            return False
        return (await self.server_profile()).bound_parameters

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
        await close_writers(self._writers)

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
            consistency=consistency,
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
        writer = writing.open_writer(
            self._config,
            self._sender,
            batch_size=batch_size,
            flush_interval=flush_interval,
            max_concurrency=max_concurrency,
            max_buffer=max_buffer,
            on_error=on_error,
            on_progress=on_progress,
            db=db,
            rp=rp,
            consistency=consistency,
        )
        self._writers.add(writer)
        return writer

    # -- model queries: what a query's terminal operations hand themselves to -----------

    async def fetch(self, query: Query[M], /) -> list[M]:
        """The points ``query`` selects, as instances of its model."""
        return await querying.fetch(query, self.query, binds=self._binds_parameters)

    async def first(self, query: Query[M], /) -> M | None:
        """The first point of ``query`` in its order, or None."""
        return await querying.first(query, self.query, binds=self._binds_parameters)

    async def count(self, query: Query[Any], /) -> int:
        """How many points ``query`` selects (LIMIT and OFFSET applied)."""
        return await querying.count(query, self.query, binds=self._binds_parameters)

    async def exists(self, query: Query[Any], /) -> bool:
        """Whether ``query`` selects at least one point."""
        return await querying.exists(query, self.query, binds=self._binds_parameters)

    def iterate(self, query: Query[M], /, *, chunk_size: int = 10_000) -> AsyncIterator[M]:
        """Stream the points of ``query`` through a chunked response, ``chunk_size`` at a time."""
        querying.check_chunk_size(chunk_size)
        return querying.iterate(query, self.query, chunk_size, binds=self._binds_parameters)

    async def fetch_rows(self, query: AggregateQuery[Any], /) -> list[dict[str, Any]]:
        """The rows of an aggregate query, keyed by aggregate names, GROUP BY tags and time."""
        return await querying.fetch_rows(query, self.query, binds=self._binds_parameters)

    async def first_row(self, query: AggregateQuery[Any], /) -> dict[str, Any] | None:
        """The first row of an aggregate query, or None."""
        return await querying.first_row(query, self.query, binds=self._binds_parameters)

    def iterate_rows(
        self, query: AggregateQuery[Any], /, *, chunk_size: int = 10_000
    ) -> AsyncIterator[dict[str, Any]]:
        """Stream the rows of an aggregate query, ``chunk_size`` points per response."""
        querying.check_chunk_size(chunk_size)
        return querying.iterate_rows(query, self.query, chunk_size, binds=self._binds_parameters)

    async def to_dataframe(self, query: Query[Any] | AggregateQuery[Any], /) -> pd.DataFrame:
        """The result of ``query`` as a DataFrame with a UTC ``DatetimeIndex``."""
        frame: pd.DataFrame = await querying.to_dataframe(
            query, self.query, binds=self._binds_parameters
        )
        return frame

    async def delete(self, query: Query[Any], /) -> None:
        """``DELETE`` the points ``query`` matches (tag and time conditions only)."""
        await querying.delete(query, self.query, binds=self._binds_parameters)

    async def select_into(self, query: IntoQuery[Any], /) -> int:
        """Run ``SELECT ... INTO``; the number of points written."""
        self._config.server.check_feature("select_into", "SELECT ... INTO")
        return await querying.select_into(query, self.query, binds=self._binds_parameters)

    async def check_schema(self, model: type[Measurement]) -> list[schema_check.SchemaConflict]:
        """Compare ``model`` with the server's tag and field keys before writing it.

        Returns the conflicts (field type mismatches, a tag the server has as a field and
        vice versa) that would make the server refuse the model's points; empty if none.
        """
        return await schema_check.check_schema_async(self, model)
