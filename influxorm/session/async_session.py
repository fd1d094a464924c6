"""``AsyncSession``: the implementation of every session operation."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Coroutine, Mapping
from contextvars import Token
from types import TracebackType
from typing import Any, Literal, Self, TypeVar, overload

from influxorm import _context
from influxorm.models.writing import encode_lines
from influxorm.results.json import decode_query_body, may_hold_error
from influxorm.session.aiohttp_transport import AiohttpTransport
from influxorm.session.base import (
    DEFAULT_URL,
    Epoch,
    Output,
    Precision,
    SessionConfig,
    check_output,
    check_precision,
    count_points,
    quote_ident,
    require_raw_for_precision,
)
from influxorm.session.chunks import ChunkIterator
from influxorm.session.errors import raise_for_response
from influxorm.session.messages import Request, Response
from influxorm.session.transport import Transport

__all__ = ["AsyncSession"]

logger = logging.getLogger("influxorm")

T = TypeVar("T")

_PASSWORD = re.compile(r"(PASSWORD\s+)'(?:[^'\\]|\\.)*'", re.IGNORECASE)
_REDACTED = r"\1'***'"


class AsyncSession:
    """An asyncio session with an InfluxDB server speaking the v1 HTTP API.

    ::

        async with AsyncSession("http://localhost:8086", database="market") as session:
            await session.write(trades)
            result = await session.query("SELECT * FROM trades")

    ``database`` is the default for writes and queries (switchable as an attribute);
    ``username``/``password`` authenticate with HTTP basic auth, ``token`` with
    ``Authorization: Token ...`` (InfluxDB 1.8+, 2.x and 3.x v1 APIs); ``unix_socket``
    connects through a unix socket instead of TCP; ``timeout`` bounds connecting and each
    wait for the server (None waits forever); ``output`` is the default result format of
    :meth:`query`. Inside ``async with`` the session is the current one for
    ``Model.objects``. Connections are opened in the running event loop on first use;
    the session then belongs to that loop.
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
        self._config = SessionConfig(
            url,
            database=database,
            username=username,
            password=password,
            token=token,
            unix_socket=unix_socket,
            timeout=timeout,
            output=output,
        )
        self._transport: Transport = transport or AiohttpTransport(
            self._config.url, unix_socket=unix_socket, timeout=timeout
        )
        self._context_tokens: list[Token[_context.SessionProtocol | None]] = []

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
        """The server's base URL."""
        return self._config.url

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
        """Close the connections; the session cannot be used afterwards."""
        await self._transport.aclose()

    # -- operations ------------------------------------------------------------------

    async def ping(self) -> str:
        """Check the server answers; returns its version (``X-Influxdb-Version``)."""
        request = self._config.ping_request()
        response = await self._send(request)
        await response.aclose()
        return response.headers.get("X-Influxdb-Version", "")

    async def write(
        self,
        data: object,
        *,
        db: str | None = None,
        rp: str | None = None,
        precision: Precision | None = None,
    ) -> int:
        """Write ``data`` and return the number of points sent.

        ``data``: a model instance, a dict point, raw line protocol (``str``/``bytes``),
        or an iterable of those; everything is validated before anything is sent.
        ``db`` defaults to the session's database, ``rp`` to the database's default
        retention policy. ``precision`` (``n u ms s m h``) gives the unit of raw line
        protocol timestamps; structured points are encoded in nanoseconds, so mixing
        them with another precision is a ValidationError.
        """
        if precision is not None:
            check_precision(precision)
        database = self._config.require_database(db)
        lines = encode_lines(require_raw_for_precision(data, precision))
        points = count_points(lines)
        if not points:
            return 0
        request = self._config.write_request(
            "\n".join(lines).encode(), points=points, db=database, rp=rp, precision=precision
        )
        response = await self._send(request)
        await response.aclose()
        return points

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
    ) -> Any:
        """Run InfluxQL ``q`` and return the result in the ``output`` format.

        ``output``: ``"json"`` the parsed JSON response, ``"bytes"`` the raw body
        (still checked for errors); None uses the session's :attr:`output`. ``db`` defaults
        to the session's database; ``epoch`` is the unit of returned timestamps (None:
        RFC3339 strings); ``params`` are bound to ``$name`` placeholders by the server.
        With ``chunked=True`` the answer is a :class:`ChunkIterator` of one decoded
        response per chunk of at most ``chunk_size`` points; leaving it early closes
        the response. Errors the server reports, in the HTTP status or inside a 200
        answer, raise :class:`~influxorm.exceptions.QueryError` with the statement.
        """
        fmt = check_output(output) if output is not None else self._config.output
        request = self._config.query_request(
            q,
            db=db,
            rp=rp,
            epoch=epoch,
            params=params,
            chunked=chunked,
            chunk_size=chunk_size,
        )
        response = await self._send(request)
        if chunked:
            return ChunkIterator(response, lambda body: _decode(body, q, fmt, chunked=True))
        return _decode(await response.read(), q, fmt, chunked=False)

    async def create_database(self, name: str | None = None) -> None:
        """``CREATE DATABASE`` ``name`` (default: the session's database); idempotent."""
        target = self._config.require_database(name)
        await self.query(f"CREATE DATABASE {quote_ident(target)}", db=None, output="json")

    async def drop_database(self, name: str | None = None) -> None:
        """``DROP DATABASE`` ``name`` (default: the session's database); idempotent."""
        target = self._config.require_database(name)
        await self.query(f"DROP DATABASE {quote_ident(target)}", db=None, output="json")

    async def show_databases(self) -> list[str]:
        """The names of the server's databases."""
        result = await self.query("SHOW DATABASES", db=None, output="json")
        series = result["results"][0].get("series", [])
        return [row[0] for s in series for row in s.get("values", [])]

    # -- the request path -------------------------------------------------------------

    async def _send(self, request: Request) -> Response:
        """Send ``request`` and return its successful response, or raise what it means.

        Every request goes through here: the place for retries and fault handling.
        """
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s %s", request.method, request.path, _describe(request))
        response = await self._transport.request(request)
        await raise_for_response(request, response)
        return response


def _decode(body: bytes, statement: str, output: Output, *, chunked: bool) -> Any:
    if output == "bytes":
        if may_hold_error(body):
            decode_query_body(body, statement, chunked=chunked)
        return body
    return decode_query_body(body, statement, chunked=chunked)


def _describe(request: Request) -> str:
    parts = [f"{key}={value!r}" for key, value in request.params if key not in ("q", "params")]
    if request.statement is not None:
        parts.append(f"q={_PASSWORD.sub(_REDACTED, request.statement)!r}")
    if request.points:
        parts.append(f"points={request.points}")
    if request.body:
        parts.append(f"body={len(request.body)} bytes")
    return " ".join(parts)
