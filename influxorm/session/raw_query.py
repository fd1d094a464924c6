"""Raw querying: what ``AsyncSession.query`` does with a statement.

The request is built by :meth:`SessionConfig.query_request
<influxorm.session.config.SessionConfig.query_request>` (msgpack asked for when installed,
except raw bytes and RFC 3339 times), sent by :meth:`Sender.send
<influxorm.session.sender.Sender.send>`, and its body decoded by
:class:`~influxorm.results.decoding.ResponseDecoder` and shaped by
:func:`~influxorm.results.output.convert_response` (chunk by chunk when streamed).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from influxorm.exceptions import QueryError, ServerError
from influxorm.results import gc_paused
from influxorm.results.decoding import MSGPACK, ResponseDecoder, frame_accept
from influxorm.results.json import decode_query_body, may_hold_error
from influxorm.results.output import (
    ChunkedQueryResult,
    Output,
    convert_response,
    frames_for_statements,
)
from influxorm.session.chunks import ChunkIterator
from influxorm.session.config import Epoch, SessionConfig, check_output
from influxorm.session.messages import Request, Response
from influxorm.session.patterns import QueryPattern, format_pattern
from influxorm.session.sender import Sender
from influxorm.session.servers import resolve

__all__ = ["RawQuerying", "run_query"]

logger = logging.getLogger("influxorm")

T = TypeVar("T")

_FRAME_CHUNK = 20_000
"""Rows per chunk when a plain DataFrame query is streamed from the server."""


class RawQuerying:
    """:meth:`query` and the query patterns of :class:`~influxorm.session.AsyncSession`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _config: SessionConfig
        _sender: Sender
        _patterns: dict[str, QueryPattern]

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
        return await run_query(
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


async def run_query(
    config: SessionConfig,
    sender: Sender,
    q: str,
    *,
    db: str | None,
    rp: str | None,
    epoch: Epoch | None,
    params: Mapping[str, Any] | None,
    chunked: bool,
    chunk_size: int | None,
    output: Output | None,
    by_series: bool,
) -> Any:
    """:meth:`AsyncSession.query <influxorm.session.AsyncSession.query>` on ``config``'s
    server through ``sender``; the server profile's notes added to its errors."""
    try:
        return await _run(
            config, sender, q, db, rp, epoch, params, chunked, chunk_size, output, by_series
        )
    except QueryError as error:
        config.server.annotate(error)  # e.g. 2.x: DBRP notes
        raise


async def _noted(config: SessionConfig, chunks: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
    """``chunks``, with the server's notes on an error raised after good chunks."""
    try:
        async for chunk in chunks:
            yield chunk
    except QueryError as error:
        config.server.annotate(error)
        raise
    finally:
        await chunks.aclose()


async def _run(
    config: SessionConfig,
    sender: Sender,
    q: str,
    db: str | None,
    rp: str | None,
    epoch: Epoch | None,
    params: Mapping[str, Any] | None,
    chunked: bool,
    chunk_size: int | None,
    output: Output | None,
    by_series: bool,
) -> Any:
    fmt = check_output(output) if output is not None else config.output
    frames = fmt == "dataframe"
    stream = chunked or frames
    # Refused only by a known profile: an "auto" session does not /ping for this (the
    # server refuses what it cannot run itself).
    config.server.check_statement(q)
    if params and not (await resolve(config.server, sender)).bound_parameters:
        # The server would drop them silently and run the statement unbound.
        raise config.server.current().refusal("params", "bound parameters (params=)")
    build = functools.partial(
        config.query_request,
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
        response = await sender.send(request, idempotent=request.method == "GET")
    except ServerError as error:
        if not (_asks_msgpack(request) and config.server.refuses_msgpack(error)):
            raise
        logger.info("the server refused msgpack (%s): asking for JSON from now on", error)
        request = build(accept=None)
        response = await sender.send(request, idempotent=request.method == "GET")
    q = request.statement or q  # passwords masked in error messages
    if chunked:
        if fmt == "bytes":
            return ChunkIterator(response, _raw_chunks(response, q))
        per_chunk = "json" if fmt == "iterable" else fmt
        decoded = ChunkIterator(
            response,
            _noted(config, _decoded_chunks(response, q, per_chunk, by_series, as_json=not frames)),
        )
        return ChunkedQueryResult(decoded) if fmt == "iterable" else decoded
    if frames:
        from influxorm.results.frames import FrameAccumulator  # pandas, on first use

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
