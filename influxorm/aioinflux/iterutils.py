"""aioinflux's result wrappers for ``output='iterable'`` on influxorm's results layer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

from influxorm.results.output import QueryResult
from influxorm.results.points import PointMeta, iterpoints

__all__ = ["InfluxDBChunkedResult", "InfluxDBResult", "iterpoints"]

Parser = Callable[[list[Any], PointMeta], Any]


class InfluxDBResult(QueryResult):
    """A query response iterated point by point, through ``parser`` when given."""

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

    def __iter__(self) -> Iterator[Any]:
        return iterpoints(self.response, self.parser)

    def __repr__(self) -> str:
        return f"<InfluxDBResult: {len(self.series)} series, query={self.query!r}>"


class InfluxDBChunkedResult:
    """The chunks of a chunked query, iterated point by point (``async for``).

    In blocking mode plain ``for`` works too. :meth:`iterchunks` yields the decoded
    JSON chunks themselves.
    """

    def __init__(
        self,
        chunks: AsyncIterator[Mapping[str, Any]],
        parser: Parser | None = None,
        query: str | None = None,
        *,
        complete_iter: Callable[[AsyncIterator[Any]], Iterator[Any]] | None = None,
    ) -> None:
        self._chunks = chunks
        self.parser = parser
        self.query = query
        self._complete_iter = complete_iter

    def iterchunks(self) -> Any:
        """The decoded chunks: an async iterator (a plain one in blocking mode)."""
        if self._complete_iter is not None:
            return self._complete_iter(self._chunks)
        return self._chunks

    async def _points(self) -> AsyncIterator[Any]:
        async for chunk in self._chunks:
            for point in iterpoints(chunk, self.parser):
                yield point

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._points()

    def __iter__(self) -> Iterator[Any]:
        if self._complete_iter is None:
            raise TypeError("this result is from an async-mode query: use `async for`")
        return self._complete_iter(self._points())

    def __repr__(self) -> str:
        return f"<InfluxDBChunkedResult query={self.query!r}>"
