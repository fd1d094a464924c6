"""``InfluxDBClient``: aioinflux 0.4's client on influxorm's sessions.

The client holds an :class:`~influxorm.AsyncSession` for ``mode='async'`` (created in
the caller's running loop on first use) and a blocking :class:`~influxorm.Session` for
``mode='blocking'`` (created on first use; it runs on a private loop thread, so
blocking mode also works inside a running event loop, unlike aioinflux). Encoding,
HTTP, retries, result conversion and quoting are influxorm's; this module only
translates aioinflux's arguments and lenient input (with :class:`CompatWarning`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from functools import partialmethod
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

from influxorm.aioinflux.iterutils import InfluxDBChunkedResult, InfluxDBResult, Parser
from influxorm.aioinflux.patterns import (
    BUILTIN_PATTERNS,
    RESERVED_PLACEHOLDERS,
    PatternText,
    compat,
)
from influxorm.aioinflux.serialization import dataframe
from influxorm.aioinflux.serialization.datapoint import CompatWarning
from influxorm.aioinflux.writing import is_dataframe, prepare, send
from influxorm.exceptions import InfluxORMError, QueryError, ValidationError, WriteError
from influxorm.session import AsyncSession, Session

__all__ = ["InfluxDBClient", "InfluxDBError", "InfluxDBWriteError", "logger"]

logger = logging.getLogger("aioinflux")
"""aioinflux's logger name, kept so existing logging configuration still applies."""

T = TypeVar("T")

_MODES = ("async", "blocking")
_OUTPUTS = ("json", "bytes", "dataframe", "iterable")
_PRECISIONS = {"ns": "n", "n": "n", "u": "u", "µ": "u", "ms": "ms", "s": "s", "m": "m", "h": "h"}


class InfluxDBError(InfluxORMError):
    """aioinflux's error: raised for server errors (and a base of the ones below).

    Errors from influxorm are re-raised as subclasses of both this class and the
    original influxorm class, so ``except InfluxDBError`` and ``except
    influxorm.QueryError`` (or ``WriteError``, ``PartialWriteError``...) both work.
    """


class InfluxDBWriteError(InfluxDBError, WriteError):
    """A write the server refused (also a :class:`influxorm.WriteError`)."""


_combined: dict[type[BaseException], type[InfluxDBError]] = {}


def _compat_error(exc: InfluxORMError) -> InfluxDBError:
    """``exc`` as an instance of a class deriving from aioinflux's and its own class."""
    kind = type(exc)
    combined = _combined.get(kind)
    if combined is None:
        base: type[InfluxDBError] = (
            InfluxDBWriteError if isinstance(exc, WriteError) else InfluxDBError
        )
        combined = type(f"InfluxDB{kind.__name__}", (base, kind), {"__module__": __name__})
        _combined[kind] = combined
    new = combined.__new__(combined)
    new.__dict__.update(exc.__dict__)
    new.args = exc.args
    return new


def _translate(exc: InfluxORMError) -> InfluxORMError:
    """The error aioinflux users catch for ``exc``: ``exc`` itself for bad input and
    errors already translated, else :func:`_compat_error`."""
    if isinstance(exc, QueryError | WriteError):
        return _compat_error(exc)
    if isinstance(exc, ValidationError | InfluxDBError):
        return exc
    return _compat_error(exc)


async def _translated(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return await coro
    except InfluxORMError as exc:
        error = _translate(exc)
        if error is exc:
            raise
        raise error from exc


class _CompatChunks(AsyncIterator[T]):
    """The chunks of a chunked query, with an error reported in the middle of the stream
    (after good chunks) raised as :class:`InfluxDBError` like every other one."""

    def __init__(self, chunks: AsyncIterator[T]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        try:
            return await anext(self._chunks)
        except InfluxORMError as exc:
            error = _translate(exc)
            if error is exc:
                raise
            raise error from exc

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        close = getattr(self._chunks, "aclose", None)
        if close is not None:
            await close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class InfluxDBClient:
    """aioinflux 0.4's client; see the aioinflux documentation and ``docs/migration.md``.

    ``mode`` (``'async'``/``'blocking'``), ``output`` (``'json'``, ``'bytes'``,
    ``'dataframe'``, ``'iterable'``) and ``db`` are attributes that may be changed at
    any time. ``database`` is an alias of ``db``; ``loop`` is ignored (influxorm uses
    the running loop, or a private one in blocking mode).
    """

    def __init__(
        self,
        host: str = "localhost",
        port: int = 8086,
        mode: str = "async",
        output: str = "json",
        db: str | None = None,
        *,
        ssl: bool = False,
        unix_socket: str | None = None,
        username: str | None = None,
        password: str | None = None,
        database: str | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        **session_options: Any,
    ) -> None:
        if loop is not None:
            warnings.warn(
                "InfluxDBClient(loop=...) is ignored: async mode uses the running loop",
                CompatWarning,
                stacklevel=2,
            )
        self._url = f"{'https' if ssl else 'http'}://{host}:{port}"
        self._options: dict[str, Any] = {
            "username": username,
            "password": password,
            "unix_socket": unix_socket,
            **session_options,
        }
        self.mode = mode
        self.output = output
        self._set_db(database or db, stacklevel=3)
        self._async_session: AsyncSession | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._blocking_session: Session | None = None

    def __repr__(self) -> str:
        return f"<InfluxDBClient {self._url} mode={self.mode!r} db={self.db!r}>"

    # -- switchable attributes ---------------------------------------------------------

    @property
    def mode(self) -> str:
        """``'async'`` (methods return coroutines) or ``'blocking'`` (they return results)."""
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in _MODES:
            raise ValueError(f"invalid mode {value!r}: use 'async' or 'blocking'")
        self._mode = value

    @property
    def output(self) -> str:
        """The result format of :meth:`query`: json, bytes, dataframe or iterable."""
        return self._output

    @output.setter
    def output(self, value: str) -> None:
        if value not in _OUTPUTS:
            raise ValueError(f"invalid output {value!r}: use one of {', '.join(_OUTPUTS)}")
        self._output = value

    @property
    def database(self) -> str | None:
        """Alias of :attr:`db`."""
        return self.db

    @database.setter
    def database(self, value: str | None) -> None:
        self._set_db(value, stacklevel=3)

    @property
    def db(self) -> str | None:
        """The default database of writes and queries (``db=`` overrides it per call)."""
        return self._db

    @db.setter
    def db(self, value: str | None) -> None:
        self._set_db(value, stacklevel=3)

    def _set_db(self, value: str | None, stacklevel: int) -> None:
        self._db = value
        if not value:
            warnings.warn(
                "No default databases is set. Database must be specified when querying/writing.",
                UserWarning,
                stacklevel=stacklevel,
            )

    # -- sessions and mode dispatch ----------------------------------------------------

    def _async(self) -> AsyncSession:
        loop = asyncio.get_running_loop()
        if self._async_session is None or self._async_loop is not loop:
            self._async_session = AsyncSession(self._url, **self._options)
            self._async_loop = loop
        return self._async_session

    def _blocking(self) -> Session:
        if self._blocking_session is None:
            self._blocking_session = Session(self._url, **self._options)
        return self._blocking_session

    def _run(self, make: Callable[[AsyncSession], Coroutine[Any, Any, T]]) -> Any:
        if self._mode == "async":

            async def run() -> T:
                return await _translated(make(self._async()))

            return run()
        session = self._blocking()
        return session._complete(_translated(make(session._async)))

    # -- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._aclose_async()
        self._close_blocking()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close_blocking()

    async def _aclose_async(self) -> None:
        session, self._async_session = self._async_session, None
        if session is not None:
            await session.aclose()

    def _close_blocking(self) -> None:
        session, self._blocking_session = self._blocking_session, None
        if session is not None:
            session.close()

    def close(self) -> Any:
        """Close the connections (a coroutine in async mode, as in aioinflux)."""
        if self._mode == "async":

            async def close() -> None:
                await self._aclose_async()
                self._close_blocking()

            return close()
        self._close_blocking()
        return None

    # -- the three endpoints -----------------------------------------------------------

    def ping(self) -> Any:
        """Ping the server; returns ``{'X-Influxdb-Version': ...}``."""

        async def ping(session: AsyncSession) -> dict[str, str]:
            return {"X-Influxdb-Version": await session.ping()}

        return self._run(ping)

    def write(
        self,
        data: Any,
        measurement: str | None = None,
        db: str | None = None,
        precision: str | None = None,
        rp: str | None = None,
        tag_columns: Iterable[str] | None = None,
        **extra_tags: str,
    ) -> Any:
        """Write ``data`` (line protocol, dict points, a DataFrame, DataPoints, or an
        iterable of those); returns True, raises :class:`InfluxDBWriteError` on refusal.

        ``measurement`` is the default of dict points (required for DataFrames);
        ``extra_tags`` are added to dict points and DataFrames. ``precision``
        (``ns u µ ms s m h``) gives the unit of integer times of line protocol and of
        dict points; other times are exact already.
        """
        database = db if db is not None else self.db
        unit = None
        if precision is not None:
            unit = _PRECISIONS.get(precision)
            if unit is None:
                raise ValidationError(f"invalid precision {precision!r}", value=precision)
        if is_dataframe(data):
            if unit not in (None, "n"):
                _warn(f"precision={precision!r} ignored: DataFrame times are exact (ns)")
            tags = [str(c) for c in tag_columns or ()]

            async def write_frame(session: AsyncSession) -> bool:
                await _untyped(session.write)(
                    data,
                    db=database,
                    rp=rp,
                    measurement=measurement,
                    tag_columns=tags,
                    **extra_tags,
                )
                return True

            return self._run(write_frame)
        prepared = prepare(data, measurement, extra_tags, unit, stacklevel=2)

        async def write(session: AsyncSession) -> bool:
            await send(session, prepared, database, rp, unit)
            return True

        return self._run(write)

    def query(
        self,
        q: str,
        *args: Any,
        epoch: str = "ns",
        chunked: bool = False,
        chunk_size: int | None = None,
        db: str | None = None,
        parser: Parser | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run ``q`` (formatted as a query pattern when ``args``/``kwargs`` are given).

        Returns the result in :attr:`output` format; with ``chunked=True`` an async
        iterator of chunks (a plain iterator in blocking mode; an
        :class:`InfluxDBChunkedResult` in iterable mode). ``parser`` is used in
        iterable mode, as by :func:`iterpoints`.
        """
        database = db if db is not None else self.db
        if isinstance(q, PatternText) or args or kwargs or (isinstance(q, str) and "{db}" in q):
            pattern = compat(q)
            q = pattern.format(pattern.fill(args, kwargs, database))
        output = self._output
        if chunked and output == "dataframe":
            raise ValueError("chunked queries are not supported with output='dataframe'")
        blocking = self._blocking() if self._mode == "blocking" else None
        by_series = output == "dataframe"

        async def query(session: AsyncSession) -> Any:
            result = await _untyped(session.query)(
                q,
                db=database,
                epoch=epoch,
                chunked=chunked,
                chunk_size=chunk_size,
                output="json" if output == "iterable" else output,
                by_series=by_series,
            )
            if chunked:
                result = _CompatChunks(result)
                if output == "iterable":
                    complete = blocking._complete_iter if blocking is not None else None
                    return InfluxDBChunkedResult(result, parser, q, complete_iter=complete)
                return blocking._complete_iter(result) if blocking is not None else result
            if output == "iterable":
                return InfluxDBResult(result, parser, q)
            if output == "dataframe":
                return dataframe.shape(result)
            return result

        return self._run(query)

    # -- query patterns ----------------------------------------------------------------

    _user_patterns: ClassVar[set[str]] = set()

    @classmethod
    def set_query_pattern(cls, name: str, qp: str) -> None:
        """Add method ``name`` running pattern ``qp`` (see :mod:`influxorm.aioinflux.patterns`).

        As in aioinflux, an invalid ``name`` (not an identifier, or an existing attribute
        that is not a user pattern) or a pattern using one of ``query()``'s own argument
        names as a placeholder is ignored with a warning. A user pattern may be redefined.
        """
        if RESERVED_PLACEHOLDERS.intersection(re.findall(r"\{(\w+)", qp)):
            warnings.warn(f"Ignoring invalid query pattern: {qp}", UserWarning, stacklevel=2)
        elif not name.isidentifier() or (name in dir(cls) and name not in cls._user_patterns):
            warnings.warn(f"Ignoring invalid query pattern name: {name}", UserWarning, stacklevel=2)
        else:
            cls._user_patterns.add(name)
            setattr(cls, name, partialmethod(cls.query, PatternText(qp)))


for _name, _text in BUILTIN_PATTERNS.items():
    setattr(InfluxDBClient, _name, partialmethod(InfluxDBClient.query, PatternText(_text)))


# -- input normalisation (aioinflux's leniency, announced) -----------------------------


def _untyped(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` for arguments checked by the session at run time (aioinflux's loose types)."""
    return method


def _warn(message: str) -> None:
    warnings.warn(message, CompatWarning, stacklevel=4)
