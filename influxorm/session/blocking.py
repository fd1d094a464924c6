"""``Session``: the blocking face of :class:`AsyncSession`, run on a private loop thread."""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator, Mapping, Sequence
from contextvars import Token
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, Unpack, overload

from influxorm import _context, schema_check
from influxorm.progress import Progress
from influxorm.query.query import AggregateQuery, IntoQuery, Query
from influxorm.query.statements import Privilege
from influxorm.results.output import Output
from influxorm.session.async_session import AsyncSession
from influxorm.session.blocking_writer import BulkWriter
from influxorm.session.config import DEFAULT_URL, Epoch, Precision
from influxorm.session.lifecycle import (
    UnsentPointsWarning,
    register_session,
    unregister_session,
    unsent_warning,
)
from influxorm.session.loop_thread import LoopThread
from influxorm.session.options import SessionOptions, options_from_env, parse_url
from influxorm.session.retry import RetryPolicy
from influxorm.session.servers import Consistency, ServerProfile
from influxorm.session.transport import Transport
from influxorm.session.writer import OnError, OnProgress

if TYPE_CHECKING:
    import pandas as pd

    from influxorm.models.measurement import Measurement
    from influxorm.query.downsampling import ContinuousQuery, RetentionPolicy
    from influxorm.query.migrations import Change

__all__ = ["Session"]

T = TypeVar("T")
M = TypeVar("M", bound="Measurement")

_thread_names = itertools.count(1)


class Session:
    """A blocking session: the same constructor and operations as :class:`AsyncSession`.

    ::

        with Session("http://localhost:8086", database="market") as session:
            session.write(trades)
            result = session.query("SELECT * FROM trades")

    Every operation runs the wrapped :class:`AsyncSession` on a private event loop in a
    thread of its own, started on entry or first use and stopped by :meth:`close`. So
    it also works where an event loop is already running (Jupyter, inside
    ``asyncio.run``): that loop is never touched (though it waits while the call blocks).
    Inside ``with`` the session is the current one for ``Model.objects``.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        transport: Transport | None = None,
        **options: Unpack[SessionOptions],
    ) -> None:
        self._session = AsyncSession(url, transport=transport, **options)
        self._loop_thread = LoopThread(f"influxorm-session-{next(_thread_names)}")
        self._context_tokens: list[Token[_context.SessionProtocol | None]] = []
        self._closed = False
        register_session(self)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Self:
        """A session configured by a URL; see :meth:`AsyncSession.from_url`."""
        return cls(**(parse_url(url) | options))

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, prefix: str = "INFLUXDB_", **options: Any
    ) -> Self:
        """A session configured by the environment; see :meth:`AsyncSession.from_env`."""
        found = options_from_env(os.environ if environ is None else environ, prefix)
        return cls(**(found | options))

    def __repr__(self) -> str:
        return f"<Session {self._session._config.describe()}>"

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy of every request."""
        return self._session.retry

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self._session.retry = policy

    @property
    def database(self) -> str | None:
        """The default database of writes and queries."""
        return self._session.database

    @database.setter
    def database(self, value: str | None) -> None:
        self._session.database = value

    @property
    def inline_statements(self) -> bool:
        """See :attr:`AsyncSession.inline_statements`."""
        return self._session.inline_statements

    @property
    def server(self) -> ServerProfile | None:
        """See :attr:`AsyncSession.server`."""
        return self._session.server

    def server_profile(self) -> ServerProfile:
        """See :meth:`AsyncSession.server_profile`."""
        return self._complete(self._session.server_profile())

    @property
    def output(self) -> Output:
        """The default result format of :meth:`query`."""
        return self._session.output

    @output.setter
    def output(self, value: Output) -> None:
        self._session.output = value

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._session.url

    # -- running the AsyncSession's coroutines on the loop thread (also the aioinflux layer's) --

    @property
    def _async(self) -> AsyncSession:
        return self._session

    def _complete(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._loop_thread.run(coro)

    def _complete_iter(self, ait: AsyncIterator[T]) -> Iterator[T]:
        return self._loop_thread.iterate(ait)

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._loop_thread.run(_noop())
        self._context_tokens.append(_context.set_current_session(self))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.close()
        finally:
            if self._context_tokens:
                _context.reset_current_session(self._context_tokens.pop())

    def close(self) -> None:
        """Close the bulk writers still open (flushing them), the connections, and stop
        the loop thread.

        If a writer fails to write points, everything is closed all the same and its
        error is raised, with a note saying how many points its writers did not write
        (see their ``failed_batches``).
        """
        self._closed = True
        unregister_session(self)
        try:
            if self._loop_thread.running:
                # Closes the writers too: each one's flush takes what its BulkWriter holds.
                self._loop_thread.run(self._session.aclose())
        finally:
            self._loop_thread.stop()

    def _take_unsent(self) -> int:
        return sum(writer._take_unsent() for writer in list(self._session._writers))

    def _close_at_exit(self) -> None:
        """At interpreter exit: close the connections and the loop thread, quietly and
        without sending (the exit hook warns about unsent points)."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._loop_thread.running:
                self._loop_thread.run(self._session._close_connections(), timeout=5.0)
        finally:
            self._loop_thread.stop(timeout=5.0)  # a daemon thread: exit never waits longer

    def __del__(self) -> None:
        # Like an unclosed file: warn, then release the loop thread and connections.
        if getattr(self, "_closed", True) or not self._loop_thread.running:
            return
        self._closed = True
        unsent = self._take_unsent()
        warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=1, source=self)
        if unsent:
            warnings.warn(
                unsent_warning(unsent, "its session was garbage collected without being closed"),
                UnsentPointsWarning,
                stacklevel=1,
            )
        self._loop_thread.stop_soon(self._session._close_connections())

    # -- operations ------------------------------------------------------------------

    def ping(self) -> str:
        """Check the server answers; returns its version. See :meth:`AsyncSession.ping`."""
        return self._complete(self._session.ping())

    def write(
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
        """Write ``data``; returns the points written. See :meth:`AsyncSession.write`.

        ``progress(done, total, "points written")`` is called after each acknowledged
        request, on the session's loop thread (not the calling thread).
        """
        return self._complete(
            self._session.write(
                data,
                db=db,
                rp=rp,
                precision=precision,
                measurement=measurement,
                tag_columns=tag_columns,
                progress=progress,
                consistency=consistency,
                **extra_tags,
            )
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
    ) -> BulkWriter:
        """A blocking bulk writer: ``with session.writer() as w: w.write(point)``.

        See :meth:`AsyncSession.writer`; callbacks run on the session's loop thread.
        """
        writer = BulkWriter(
            self._loop_thread,
            self._session.writer(
                batch_size=batch_size,
                flush_interval=flush_interval,
                max_concurrency=max_concurrency,
                max_buffer=max_buffer,
                on_error=on_error,
                on_progress=on_progress,
                db=db,
                rp=rp,
                consistency=consistency,
            ),
            self,
        )
        return writer

    @overload
    def query(
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
    def query(
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
    ) -> Iterator[bytes]: ...

    @overload
    def query(
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
    ) -> Iterator[Any]: ...

    @overload
    def query(
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

    def query(
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
        """Run InfluxQL ``q``. See :meth:`AsyncSession.query`.

        With ``chunked=True`` the answer is a plain iterator of chunks (``"iterable"``:
        of points); leaving it early (or calling its ``close()``) closes the response.
        """
        result = self._complete(
            self._session.query(
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
        )
        if chunked:
            return self._complete_iter(aiter(result))
        return result

    def set_query_pattern(self, name: str, pattern: str) -> None:
        """Register a query pattern; see :meth:`AsyncSession.set_query_pattern`."""
        self._session.set_query_pattern(name, pattern)

    def format_query(self, name: str, /, **arguments: object) -> str:
        """See :meth:`AsyncSession.format_query`."""
        return self._session.format_query(name, **arguments)

    def query_pattern(
        self,
        name: str,
        /,
        *,
        db: str | None = None,
        output: Output | None = None,
        **arguments: object,
    ) -> Any:
        """See :meth:`AsyncSession.query_pattern`."""
        return self._complete(self._session.query_pattern(name, db=db, output=output, **arguments))

    def execute(self, statement: str, *, db: str | None = None) -> dict[str, Any]:
        """See :meth:`AsyncSession.execute`."""
        return self._complete(self._session.execute(statement, db=db))

    def create_database(self, name: str | None = None) -> None:
        """See :meth:`AsyncSession.create_database`."""
        self._complete(self._session.create_database(name))

    def drop_database(self, name: str | None = None) -> None:
        """See :meth:`AsyncSession.drop_database`."""
        self._complete(self._session.drop_database(name))

    def show_databases(self) -> list[str]:
        """See :meth:`AsyncSession.show_databases`."""
        return self._complete(self._session.show_databases())

    def create_retention_policy(
        self,
        name: str,
        *,
        duration: timedelta | str | int,
        replication: int = 1,
        shard_duration: timedelta | str | int | None = None,
        default: bool = False,
        database: str | None = None,
    ) -> None:
        """See :meth:`AsyncSession.create_retention_policy`."""
        self._complete(
            self._session.create_retention_policy(
                name,
                duration=duration,
                replication=replication,
                shard_duration=shard_duration,
                default=default,
                database=database,
            )
        )

    def alter_retention_policy(
        self,
        name: str,
        *,
        duration: timedelta | str | int | None = None,
        replication: int | None = None,
        shard_duration: timedelta | str | int | None = None,
        default: bool = False,
        database: str | None = None,
    ) -> None:
        """See :meth:`AsyncSession.alter_retention_policy`."""
        self._complete(
            self._session.alter_retention_policy(
                name,
                duration=duration,
                replication=replication,
                shard_duration=shard_duration,
                default=default,
                database=database,
            )
        )

    def drop_retention_policy(self, name: str, *, database: str | None = None) -> None:
        """See :meth:`AsyncSession.drop_retention_policy`."""
        self._complete(self._session.drop_retention_policy(name, database=database))

    def show_retention_policies(self, database: str | None = None) -> list[dict[str, Any]]:
        """See :meth:`AsyncSession.show_retention_policies`."""
        return self._complete(self._session.show_retention_policies(database))

    def show_continuous_queries(self, database: str | None = None) -> list[dict[str, str]]:
        """See :meth:`AsyncSession.show_continuous_queries`."""
        return self._complete(self._session.show_continuous_queries(database))

    def create_continuous_query(
        self, query: ContinuousQuery, *, database: str | None = None
    ) -> None:
        """See :meth:`AsyncSession.create_continuous_query`."""
        self._complete(self._session.create_continuous_query(query, database=database))

    def drop_continuous_query(self, name: str, *, database: str | None = None) -> None:
        """See :meth:`AsyncSession.drop_continuous_query`."""
        self._complete(self._session.drop_continuous_query(name, database=database))

    def migrate(
        self,
        *,
        retention_policies: Iterable[RetentionPolicy] = (),
        continuous_queries: Iterable[ContinuousQuery] = (),
        database: str | None = None,
        prune: bool = False,
        dry_run: bool = False,
    ) -> list[Change]:
        """See :meth:`AsyncSession.migrate`."""
        return self._complete(
            self._session.migrate(
                retention_policies=retention_policies,
                continuous_queries=continuous_queries,
                database=database,
                prune=prune,
                dry_run=dry_run,
            )
        )

    def backfill(
        self,
        query: ContinuousQuery | IntoQuery[Any],
        *,
        start: object,
        end: object,
        step: timedelta | str | int | None = None,
        database: str | None = None,
        progress: Progress | None = None,
    ) -> int:
        """See :meth:`AsyncSession.backfill`."""
        return self._complete(
            self._session.backfill(
                query, start=start, end=end, step=step, database=database, progress=progress
            )
        )

    def create_user(self, name: str, password: str, *, admin: bool = False) -> None:
        """See :meth:`AsyncSession.create_user`."""
        self._complete(self._session.create_user(name, password, admin=admin))

    def drop_user(self, name: str) -> None:
        """See :meth:`AsyncSession.drop_user`."""
        self._complete(self._session.drop_user(name))

    def set_password(self, name: str, password: str) -> None:
        """See :meth:`AsyncSession.set_password`."""
        self._complete(self._session.set_password(name, password))

    def show_users(self) -> list[dict[str, Any]]:
        """See :meth:`AsyncSession.show_users`."""
        return self._complete(self._session.show_users())

    def grant(self, privilege: Privilege, user: str, *, database: str | None = None) -> None:
        """See :meth:`AsyncSession.grant`."""
        self._complete(self._session.grant(privilege, user, database=database))

    def revoke(self, privilege: Privilege, user: str, *, database: str | None = None) -> None:
        """See :meth:`AsyncSession.revoke`."""
        self._complete(self._session.revoke(privilege, user, database=database))

    def grant_admin(self, user: str) -> None:
        """See :meth:`AsyncSession.grant_admin`."""
        self._complete(self._session.grant_admin(user))

    def revoke_admin(self, user: str) -> None:
        """See :meth:`AsyncSession.revoke_admin`."""
        self._complete(self._session.revoke_admin(user))

    def show_measurements(self, *, database: str | None = None) -> list[str]:
        """See :meth:`AsyncSession.show_measurements`."""
        return self._complete(self._session.show_measurements(database=database))

    def show_tag_keys(
        self, measurement: str | None = None, *, database: str | None = None
    ) -> dict[str, list[str]]:
        """See :meth:`AsyncSession.show_tag_keys`."""
        return self._complete(self._session.show_tag_keys(measurement, database=database))

    def show_tag_values(
        self, key: str, measurement: str | None = None, *, database: str | None = None
    ) -> dict[str, list[str]]:
        """See :meth:`AsyncSession.show_tag_values`."""
        return self._complete(self._session.show_tag_values(key, measurement, database=database))

    def show_field_keys(
        self, measurement: str | None = None, *, database: str | None = None
    ) -> dict[str, dict[str, str]]:
        """See :meth:`AsyncSession.show_field_keys`."""
        return self._complete(self._session.show_field_keys(measurement, database=database))

    def show_series(
        self,
        measurement: str | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> list[str]:
        """See :meth:`AsyncSession.show_series`."""
        return self._complete(self._session.show_series(measurement, tags=tags, database=database))

    def drop_measurement(self, name: str, *, database: str | None = None) -> None:
        """See :meth:`AsyncSession.drop_measurement`."""
        self._complete(self._session.drop_measurement(name, database=database))

    def drop_series(
        self,
        measurement: str | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> None:
        """See :meth:`AsyncSession.drop_series`."""
        self._complete(self._session.drop_series(measurement, tags=tags, database=database))

    # -- model queries: what a query's terminal operations hand themselves to -----------

    def fetch(self, query: Query[M], /) -> list[M]:
        """See :meth:`AsyncSession.fetch`."""
        return self._complete(self._session.fetch(query))

    def first(self, query: Query[M], /) -> M | None:
        """See :meth:`AsyncSession.first`."""
        return self._complete(self._session.first(query))

    def count(self, query: Query[Any], /) -> int:
        """See :meth:`AsyncSession.count`."""
        return self._complete(self._session.count(query))

    def exists(self, query: Query[Any], /) -> bool:
        """See :meth:`AsyncSession.exists`."""
        return self._complete(self._session.exists(query))

    def iterate(self, query: Query[M], /, *, chunk_size: int = 10_000) -> Iterator[M]:
        """See :meth:`AsyncSession.iterate`; a plain iterator, closed if abandoned."""
        return self._complete_iter(self._session.iterate(query, chunk_size=chunk_size))

    def fetch_rows(self, query: AggregateQuery[Any], /) -> list[dict[str, Any]]:
        """See :meth:`AsyncSession.fetch_rows`."""
        return self._complete(self._session.fetch_rows(query))

    def first_row(self, query: AggregateQuery[Any], /) -> dict[str, Any] | None:
        """See :meth:`AsyncSession.first_row`."""
        return self._complete(self._session.first_row(query))

    def iterate_rows(
        self, query: AggregateQuery[Any], /, *, chunk_size: int = 10_000
    ) -> Iterator[dict[str, Any]]:
        """See :meth:`AsyncSession.iterate_rows`; a plain iterator, closed if abandoned."""
        return self._complete_iter(self._session.iterate_rows(query, chunk_size=chunk_size))

    def to_dataframe(self, query: Query[Any] | AggregateQuery[Any], /) -> pd.DataFrame:
        """See :meth:`AsyncSession.to_dataframe`."""
        return self._complete(self._session.to_dataframe(query))

    def delete(self, query: Query[Any], /) -> None:
        """See :meth:`AsyncSession.delete`."""
        self._complete(self._session.delete(query))

    def select_into(self, query: IntoQuery[Any], /) -> int:
        """See :meth:`AsyncSession.select_into`."""
        return self._complete(self._session.select_into(query))

    def check_schema(self, model: type[Measurement]) -> list[schema_check.SchemaConflict]:
        """See :meth:`AsyncSession.check_schema`."""
        return self._complete(schema_check.check_schema_async(self._session, model))


async def _noop() -> None:
    pass
