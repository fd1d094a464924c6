"""Output formats of raw queries and the result objects behind them.

``output`` is one of :data:`OUTPUTS`: ``"json"`` (the decoded response, default),
``"bytes"`` (the raw body, untouched), ``"dataframe"`` (see
:mod:`influxorm.results.frames`) and ``"iterable"`` (:class:`QueryResult` /
:class:`ChunkedQueryResult`, iterated point by point). A session decodes the body with
:class:`~influxorm.results.decoding.ResponseDecoder` and hands each response to
:func:`convert_response` (plain queries, and every chunk of a chunked one).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from influxorm.results.points import PointMeta, iterpoints

if TYPE_CHECKING:
    from influxorm.results.frames import StatementFrames

__all__ = [
    "OUTPUTS",
    "ChunkedQueryResult",
    "Output",
    "QueryResult",
    "convert_response",
    "frames_for_statements",
]

Output = Literal["json", "bytes", "dataframe", "iterable"]
OUTPUTS: tuple[Output, ...] = ("json", "bytes", "dataframe", "iterable")

T = TypeVar("T")


class QueryResult:
    """A decoded query response to iterate point by point (``output="iterable"``)."""

    def __init__(self, response: Mapping[str, Any]) -> None:
        self.response = response

    def __iter__(self) -> Iterator[list[Any]]:
        return iterpoints(self.response)

    def iterpoints(self, parser: Callable[[list[Any], PointMeta], T]) -> Iterator[T]:
        """Points parsed by ``parser(values, meta)``, as :func:`iterpoints`."""
        return iterpoints(self.response, parser)

    @property
    def series(self) -> list[Mapping[str, Any]]:
        """Every series of every statement, in order."""
        return [s for r in self.response.get("results", ()) for s in r.get("series", ())]

    def __repr__(self) -> str:
        return f"<QueryResult: {len(self.series)} series>"


class ChunkedQueryResult:
    """The chunks of a chunked query to iterate point by point (``output="iterable"``).

    ``async for values in result`` walks every point; :meth:`iterchunks` gives the
    decoded chunks themselves. An error reported after good chunks raises when reached.
    """

    def __init__(self, chunks: AsyncIterator[Mapping[str, Any]]) -> None:
        self._chunks = chunks

    def iterchunks(self) -> AsyncIterator[Mapping[str, Any]]:
        """The decoded chunks."""
        return self._chunks

    async def __aiter__(self) -> AsyncIterator[list[Any]]:
        async for chunk in self._chunks:
            for point in iterpoints(chunk):
                yield point


def frames_for_statements(
    frames: list[StatementFrames],
) -> StatementFrames | list[StatementFrames]:
    """One statement's frame (or dict) as is; a list for several statements."""
    return frames[0] if len(frames) == 1 else frames


def convert_response(
    response: Mapping[str, Any], output: Output, *, by_series: bool = False
) -> Any:
    """Turn one decoded response (or chunk) into ``output`` (not ``"bytes"``).

    ``dataframe``: a DataFrame (or with ``by_series`` a dict of them) for a single
    statement, a list with one per statement for several.
    """
    if output == "json":
        return response
    if output == "iterable":
        return QueryResult(response)
    if output == "dataframe":
        from influxorm.results.frames import response_to_frames  # pandas, on first use

        return frames_for_statements(response_to_frames(response, by_series=by_series))
    raise ValueError(f"convert_response cannot produce output {output!r}")
