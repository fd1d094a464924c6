"""Running model queries: compile, send through a raw-query callable, shape the answer.

The sessions' typed query methods (``AsyncSession.fetch`` ...) are one line each, handing
the query and the session's raw :meth:`~influxorm.session.AsyncSession.query` to the
coroutines here, with ``binds`` saying whether values may be sent as bound parameters
(else every value is written in, as ``inline_statements`` or the server profile asks).
They need nothing but a :class:`RawQuery`, so a unit test can feed
them canned answers without a server. The answers are shaped by
:mod:`influxorm.results.rows` (instances, row dicts) and
:mod:`influxorm.frames.models` (model-typed DataFrames).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs

from influxorm.exceptions import QueryBuildError
from influxorm.query.compiler import compile_delete, compile_query
from influxorm.query.functions import Count, Top
from influxorm.query.query import AggregateQuery, IntoQuery, Query
from influxorm.results.rows import (
    Row,
    enum_tag_columns,
    float_columns,
    instances,
    rows,
    series_of,
)

if TYPE_CHECKING:
    from influxorm.models.measurement import Measurement

__all__ = [
    "FETCH_CHUNK_SIZE",
    "Binds",
    "RawQuery",
    "check_chunk_size",
    "count",
    "delete",
    "exists",
    "fetch",
    "fetch_rows",
    "first",
    "first_row",
    "iterate",
    "iterate_rows",
    "select_into",
    "to_dataframe",
]

M = TypeVar("M", bound="Measurement")


class RawQuery(Protocol):
    """What running a model query needs of a session: :meth:`AsyncSession.query`'s shape."""

    async def __call__(
        self,
        q: str,
        *,
        db: str | None = ...,
        epoch: Any = ...,
        params: Mapping[str, Any] | None = ...,
        chunked: bool = ...,
        chunk_size: int | None = ...,
        output: Any = ...,
    ) -> Any: ...


Binds = Callable[[], Awaitable[bool]]
"""Whether the session may send bound ``params`` (False: values are written in, as with
``inline_statements`` or a server that cannot bind them); asked only when there are
values to bind."""


async def _binds() -> bool:
    return True


async def _compile(
    query: Query[Any] | AggregateQuery[Any] | IntoQuery[Any], binds: Binds
) -> tuple[str, dict[str, Any]]:
    """``query``'s statement and params; inline (no params) when ``binds()`` says so."""
    text, params = compile_query(query)
    if params and not await binds():
        return compile_query(query, inline=True)
    return text, params


#: Points per response when a whole result is fetched. Results are always streamed:
#: a plain answer is cut by the server's ``[http] max-row-limit`` when one is set, a
#: chunked one never, and chunks keep the memory of one response bounded.
FETCH_CHUNK_SIZE = 50_000


async def _json(
    query: Query[Any] | AggregateQuery[Any], run: RawQuery, binds: Binds
) -> Mapping[str, Any]:
    text, params = await _compile(query, binds)
    response: Mapping[str, Any] = await run(
        text, db=query.schema.database, epoch="ns", params=params or None, output="json"
    )
    return response


async def fetch(query: Query[M], run: RawQuery, *, binds: Binds = _binds) -> list[M]:
    """The rows of ``query`` as instances of its model (streamed in chunks, any size)."""
    out: list[M] = []
    async for chunk in _chunks(query, run, FETCH_CHUNK_SIZE, binds):
        out += instances(query, chunk)
    return out


async def first(query: Query[M], run: RawQuery, *, binds: Binds = _binds) -> M | None:
    """The first row of ``query`` (in its order), or None."""
    found = await fetch(query.limit(1), run, binds=binds)
    return found[0] if found else None


async def exists(query: Query[Any], run: RawQuery, *, binds: Binds = _binds) -> bool:
    """Whether ``query`` has at least one row."""
    return any(
        series.get("values") for series in series_of(await _json(query.limit(1), run, binds))
    )


async def count(query: Query[Any], run: RawQuery, *, binds: Binds = _binds) -> int:
    """The number of points ``query`` returns, LIMIT and OFFSET (per series) applied.

    Counts a required field of the model, which every point the model wrote has; for a
    model without one, each series' most frequent field (``count(*)``).
    """
    schema = query.schema
    required = next((c.attr for c in schema.fields if not c.optional), "*")
    counting = attrs.evolve(query, limit=None, offset=None, descending=False, only=())
    response = await _json(counting.aggregate(n=Count(required)), run, binds)
    limit, offset = query.limits[0], query.limits[1] or 0
    total = 0
    for series in series_of(response):
        for values in series.get("values") or ():
            n = max(0, max((v for v in values[1:] if isinstance(v, int)), default=0) - offset)
            total += n if limit is None else min(n, limit)
    return total


async def delete(query: Query[Any], run: RawQuery, *, binds: Binds = _binds) -> None:
    """``DELETE`` the points ``query`` matches (tags and time conditions only)."""
    text, params = compile_delete(query)
    if params and not await binds():
        text, params = compile_delete(query, inline=True)
    await run(text, db=query.schema.database, params=params or None, output="json")


async def fetch_rows(
    query: AggregateQuery[Any], run: RawQuery, *, binds: Binds = _binds
) -> list[Row]:
    """The result rows of an aggregate query: dicts of ``time``, names and GROUP BY tags."""
    response = await _json(query, run, binds)
    return rows(query.schema, response, float_columns(query), enum_tag_columns(query))


async def first_row(
    query: AggregateQuery[Any], run: RawQuery, *, binds: Binds = _binds
) -> Row | None:
    """The first result row of an aggregate query, or None."""
    # A LIMIT changes what top()/bottom() select on influxd (and one below their count
    # is refused): those queries, at most n rows per group, are read as they are.
    if not any(isinstance(f, Top) for _, f in query.aggregates):
        query = query.limit(1)
    found = await fetch_rows(query, run, binds=binds)
    return found[0] if found else None


def check_chunk_size(chunk_size: int) -> None:
    """Raise QueryBuildError unless ``chunk_size`` is a positive int."""
    if type(chunk_size) is not int or chunk_size < 1:
        raise QueryBuildError(f"chunk_size must be a positive int, not {chunk_size!r}")


async def _chunks(
    query: Query[Any] | AggregateQuery[Any], run: RawQuery, chunk_size: int, binds: Binds
) -> AsyncIterator[Mapping[str, Any]]:
    check_chunk_size(chunk_size)
    text, params = await _compile(query, binds)
    chunks = await run(
        text,
        db=query.schema.database,
        epoch="ns",
        params=params or None,
        chunked=True,
        chunk_size=chunk_size,
        output="json",
    )
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        await chunks.aclose()


async def iterate(
    query: Query[M], run: RawQuery, chunk_size: int = 10_000, *, binds: Binds = _binds
) -> AsyncIterator[M]:
    """Stream the rows of ``query`` as instances, ``chunk_size`` points per response."""
    async for chunk in _chunks(query, run, chunk_size, binds):
        for instance in instances(query, chunk):
            yield instance


async def iterate_rows(
    query: AggregateQuery[Any], run: RawQuery, chunk_size: int = 10_000, *, binds: Binds = _binds
) -> AsyncIterator[Row]:
    """Stream the result rows of an aggregate query."""
    floats, enum_tags = float_columns(query), enum_tag_columns(query)
    async for chunk in _chunks(query, run, chunk_size, binds):
        for row in rows(query.schema, chunk, floats, enum_tags):
            yield row


async def to_dataframe(
    query: Query[Any] | AggregateQuery[Any], run: RawQuery, *, binds: Binds = _binds
) -> Any:
    """The result of ``query`` as a ``pandas.DataFrame`` with a UTC ``DatetimeIndex``.

    Columns of a row query are named by model attribute and typed by the model; an
    aggregate query keeps its names and GROUP BY tags.
    """
    text, params = await _compile(query, binds)
    frame = await run(
        text, db=query.schema.database, epoch="ns", params=params or None, output="dataframe"
    )
    if isinstance(query, AggregateQuery):
        # A whole-number float column of a JSON answer is int64; make it what the
        # function returns (msgpack's float64 columns are left as they are).
        present = float_columns(query).intersection(getattr(frame, "columns", ()))
        casts = {name: "float64" for name in present if frame[name].dtype.kind in "iu"}
        return frame.astype(casts) if casts else frame
    from influxorm.frames.models import model_frame  # pandas, loaded on first use

    return model_frame(query.model, frame)


async def select_into(query: IntoQuery[Any], run: RawQuery, *, binds: Binds = _binds) -> int:
    """Run ``SELECT ... INTO``; return the number of points written."""
    text, params = await _compile(query, binds)
    response = await run(
        text, db=query.source.schema.database, epoch="ns", params=params or None, output="json"
    )
    for series in series_of(response):
        for values in series.get("values") or ():
            return int(values[series["columns"].index("written")])
    return 0
