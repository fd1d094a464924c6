"""``Session``: the blocking face of :class:`AsyncSession`, run on a private loop thread."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping
from contextvars import Token
from types import TracebackType
from typing import Any, Literal, Self, TypeVar, overload

from influxorm import _context
from influxorm.session.async_session import AsyncSession
from influxorm.session.base import DEFAULT_URL, Epoch, Output, Precision
from influxorm.session.loop_thread import LoopThread
from influxorm.session.transport import Transport

__all__ = ["Session"]

T = TypeVar("T")

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
        database: str | None = None,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        unix_socket: str | None = None,
        timeout: float | None = 60.0,
        output: Output = "json",
        transport: Transport | None = None,
    ) -> None:
        self._session = AsyncSession(
            url,
            database=database,
            username=username,
            password=password,
            token=token,
            unix_socket=unix_socket,
            timeout=timeout,
            output=output,
            transport=transport,
        )
        self._loop_thread = LoopThread(f"influxorm-session-{next(_thread_names)}")
        self._context_tokens: list[Token[_context.SessionProtocol | None]] = []

    def __repr__(self) -> str:
        return f"<Session {self._session._config.describe()}>"

    @property
    def database(self) -> str | None:
        """The default database of writes and queries."""
        return self._session.database

    @database.setter
    def database(self, value: str | None) -> None:
        self._session.database = value

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

    # -- the query layer's contract (see influxorm._context.SessionProtocol) ------------

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
        """Close the connections and stop the loop thread."""
        try:
            if self._loop_thread.running:
                self._loop_thread.run(self._session.aclose())
        finally:
            self._loop_thread.stop()

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
    ) -> int:
        """Write ``data``; returns the points sent. See :meth:`AsyncSession.write`."""
        return self._complete(self._session.write(data, db=db, rp=rp, precision=precision))

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
    ) -> Any:
        """Run InfluxQL ``q``. See :meth:`AsyncSession.query`.

        With ``chunked=True`` the answer is a plain iterator of chunks; leaving it early
        (or calling its ``close()``) closes the response.
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
            )
        )
        if chunked:
            return self._complete_iter(result)
        return result

    def create_database(self, name: str | None = None) -> None:
        """``CREATE DATABASE``; see :meth:`AsyncSession.create_database`."""
        self._complete(self._session.create_database(name))

    def drop_database(self, name: str | None = None) -> None:
        """``DROP DATABASE``; see :meth:`AsyncSession.drop_database`."""
        self._complete(self._session.drop_database(name))

    def show_databases(self) -> list[str]:
        """The names of the server's databases."""
        return self._complete(self._session.show_databases())


async def _noop() -> None:
    pass
