"""aioinflux's result wrappers for ``output='iterable'`` on influxorm's results layer.

:func:`iterpoints` is influxorm's (it walks every series of every statement; aioinflux's
stopped after the first series, a bug not kept).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Mapping
from typing import Any

from influxorm.results.output import QueryResult
from influxorm.results.points import PointMeta, iterpoints

__all__ = ["InfluxDBChunkedResult", "InfluxDBResult", "iterpoints"]

Parser = Callable[[list[Any], PointMeta], Any]
CompleteIter = Callable[[AsyncIterator[Any]], Iterator[Any]]


def _short(query: str | None) -> str:
    text = query or ""
    return text[:80] + "..." if len(text) > 80 else text


class InfluxDBResult(QueryResult):
    """A query response iterated point by point, through ``parser`` when given.

    ``len(result)`` is the number of points over all statements and series,
    :attr:`series_count` the number of series, :meth:`show` the points as a list.
    """

    def __init__(
        self, data: Mapping[str, Any], parser: Parser | None = None, query: str | None = None
    ) -> None:
        super().__init__(data)
        self.parser = parser
        self.query = query

    @property
    def data(self) -> Mapping[str, Any]:
        """The decoded JSON response."""
        return self.response

    @property
    def series_count(self) -> int:
        """The number of series over all statements."""
        return len(self.series)

    def __len__(self) -> int:
        return sum(len(s.get("values") or ()) for s in self.series)

    def __iter__(self) -> Iterator[Any]:
        return iterpoints(self.response, self.parser)

    def show(self) -> list[Any]:
        """Every point, as a list (``list(result)``)."""
        return list(self)

    def __repr__(self) -> str:
        return f'<{type(self).__name__} [q="{_short(self.query)}"]>'


async def _decoded_chunks(chunks: AsyncIterator[Mapping[str, Any]]) -> AsyncGenerator[Any, None]:
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()


class InfluxDBChunkedResult:
    """The chunks of a chunked query, iterated point by point (``async for``).

    :attr:`gen` is the async generator of decoded chunks (one per server chunk);
    :meth:`iterpoints` and ``async for`` walk the points, :meth:`iterchunks` the chunks
    (``wrap=True``: each as an :class:`InfluxDBResult` with this result's ``parser``
    and ``query``). All of them read the same single-pass stream. In blocking mode
    they are plain iterators (``for``).
    """

    def __init__(
        self,
        chunks: AsyncIterator[Mapping[str, Any]],
        parser: Parser | None = None,
        query: str | None = None,
        *,
        complete_iter: CompleteIter | None = None,
    ) -> None:
        self._gen = _decoded_chunks(chunks)
        self.parser = parser
        self.query = query
        self._complete_iter = complete_iter

    @property
    def gen(self) -> AsyncGenerator[Any, None]:
        """The decoded chunks, as a native async generator."""
        return self._gen

    def _face(self, stream: AsyncIterator[Any]) -> Any:
        return self._complete_iter(stream) if self._complete_iter is not None else stream

    async def _points(self) -> AsyncGenerator[Any, None]:
        async for chunk in self._gen:
            for point in iterpoints(chunk, self.parser):
                yield point

    async def _chunks(self, wrap: bool) -> AsyncGenerator[Any, None]:
        async for chunk in self._gen:
            yield InfluxDBResult(chunk, self.parser, self.query) if wrap else chunk

    def iterpoints(self) -> Any:
        """Every point of every chunk (through ``parser`` when given)."""
        return self._face(self._points())

    def iterchunks(self, wrap: bool = False) -> Any:
        """One item per server chunk: the decoded chunk, or with ``wrap=True`` an
        :class:`InfluxDBResult` carrying this result's ``parser`` and ``query``."""
        return self._face(self._chunks(wrap))

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._points()

    def __iter__(self) -> Iterator[Any]:
        if self._complete_iter is None:
            raise TypeError("this result is from an async-mode query: use `async for`")
        return self._complete_iter(self._points())

    def __repr__(self) -> str:
        return f'<{type(self).__name__} [q="{_short(self.query)}"]>'
