"""Running compiled queries on an ``AsyncSession`` and shaping the answers.

These coroutines are what the terminal operations of :mod:`influxorm.query.query` hand
to a session's ``_complete``; they are also the precisely typed way to run a query
(``rows: list[Trade] = await fetch_async(query, session)``). Rows are turned into model
instances by the model's generated hydrator, one result series at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from influxorm.exceptions import QueryBuildError
from influxorm.models.hydration import hydrate_series
from influxorm.models.schema import Schema
from influxorm.query.compiler import compile_delete, compile_query
from influxorm.query.functions import Count, Top
from influxorm.query.query import AggregateQuery, IntoQuery, Query

if TYPE_CHECKING:
    from influxorm.models.measurement import Measurement
    from influxorm.session.async_session import AsyncSession

__all__ = [
    "ModelFrame",
    "check_chunk_size",
    "count_async",
    "delete_async",
    "execute_into_async",
    "exists_async",
    "fetch_async",
    "fetch_rows_async",
    "first_async",
    "first_row_async",
    "iterate_async",
    "iterate_rows_async",
    "register_model_frame",
    "to_dataframe_async",
]

M = TypeVar("M", bound="Measurement")

Row = dict[str, Any]


async def _compile(
    query: Query[Any] | AggregateQuery[Any] | IntoQuery[Any], session: AsyncSession
) -> tuple[str, dict[str, Any]]:
    """``query``'s statement and params; inline (no params) when the session's server
    cannot bind parameters (asked only when there are values to bind)."""
    text, params = compile_query(query, inline=session.inline_statements)
    if params and not await session._binds_parameters():
        return compile_query(query, inline=True)
    return text, params


def _series(response: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for result in response.get("results", ()):
        yield from result.get("series", ())


async def _json(
    query: Query[Any] | AggregateQuery[Any], session: AsyncSession
) -> Mapping[str, Any]:
    text, params = await _compile(query, session)
    response: Mapping[str, Any] = await session.query(
        text, db=query.schema.database, epoch="ns", params=params or None, output="json"
    )
    return response


def _instances(query: Query[M], response: Mapping[str, Any]) -> list[M]:
    # With only(), the model's other columns are left out on purpose: not "missing".
    partial = bool(query.selected)
    out: list[M] = []
    for series in _series(response):
        out += hydrate_series(
            query.model,
            series["columns"],
            series.get("values"),
            series.get("tags"),
            partial=partial,
        )
    return out


def _float_columns(query: AggregateQuery[Any]) -> frozenset[str]:
    """The names of ``query``'s functions whose values are floats (see ``value_type``)."""
    schema = query.schema
    return frozenset(name for name, fn in query.aggregates if fn.value_type(schema) is float)


def _enum_tag_columns(query: AggregateQuery[Any]) -> frozenset[str]:
    """The Enum tags ``top()``/``bottom()`` return as columns (``tags=``): their values
    become members, as GROUP BY tags' do."""
    schema = query.schema
    return frozenset(
        column.key
        for _, fn in query.aggregates
        if isinstance(fn, Top)
        for column in map(schema.filter_column, fn.tags)
        if column.is_enum
    )


def _rows(
    schema: Schema,
    response: Mapping[str, Any],
    floats: frozenset[str] = frozenset(),
    enum_tags: frozenset[str] = frozenset(),
) -> list[Row]:
    """Result rows as dicts; the ``floats`` columns' whole numbers made floats and the
    ``enum_tags`` columns' values Enum members.

    JSON writes a whole float as ``117``: a float column holding a Python int is
    converted, value by value. msgpack keeps floats, so there the only cost is a scan of
    each float column's types, done in C (``int in map(type, ...)``).
    """
    out: list[Row] = []
    for series in _series(response):
        tags = {
            key: _tag_value(schema, key, value) for key, value in (series.get("tags") or {}).items()
        }
        columns = series["columns"]
        start = len(out)
        rows = series.get("values") or ()
        for values in rows:
            row = dict(tags)
            row.update(zip(columns, values, strict=True))
            out.append(row)
        if floats and rows:
            for name in floats.intersection(columns):
                if int in map(type, map(itemgetter(columns.index(name)), rows)):
                    _as_floats(out, start, name)
        for name in enum_tags.intersection(columns):
            for i in range(start, len(out)):
                out[i][name] = _tag_value(schema, name, out[i][name])
    return out


def _as_floats(rows: list[Row], start: int, name: str) -> None:
    for i in range(start, len(rows)):
        row = rows[i]
        value = row[name]
        if type(value) is int:
            row[name] = float(value)


def _tag_value(schema: Schema, key: str, value: str) -> object:
    column = schema.get(key)
    if column is None or not column.is_enum or value == "":
        return value
    try:
        return column.python_type(value)
    except ValueError:
        return value


#: Points per response when a whole result is fetched. Results are always streamed:
#: a plain answer is cut by the server's ``[http] max-row-limit`` when one is set, a
#: chunked one never, and chunks keep the memory of one response bounded.
FETCH_CHUNK_SIZE = 50_000


async def fetch_async(query: Query[M], session: AsyncSession) -> list[M]:
    """The rows of ``query`` as instances of its model (streamed in chunks, any size)."""
    out: list[M] = []
    async for chunk in _chunks(query, session, FETCH_CHUNK_SIZE):
        out += _instances(query, chunk)
    return out


async def first_async(query: Query[M], session: AsyncSession) -> M | None:
    """The first row of ``query`` (in its order), or None."""
    rows = await fetch_async(query.limit(1), session)
    return rows[0] if rows else None


async def exists_async(query: Query[Any], session: AsyncSession) -> bool:
    """Whether ``query`` has at least one row."""
    return any(series.get("values") for series in _series(await _json(query.limit(1), session)))


async def count_async(query: Query[Any], session: AsyncSession) -> int:
    """The number of points ``query`` returns, LIMIT and OFFSET (per series) applied.

    Counts a required field of the model, which every point the model wrote has; for a
    model without one, each series' most frequent field (``count(*)``).
    """
    schema = query.schema
    required = next((c.attr for c in schema.fields if not c.optional), "*")
    counting = attrs.evolve(query, limit=None, offset=None, descending=False, only=())
    response = await _json(counting.aggregate(n=Count(required)), session)
    limit, offset = query.limits[0], query.limits[1] or 0
    total = 0
    for series in _series(response):
        for values in series.get("values") or ():
            n = max(0, max((v for v in values[1:] if isinstance(v, int)), default=0) - offset)
            total += n if limit is None else min(n, limit)
    return total


async def delete_async(query: Query[Any], session: AsyncSession) -> None:
    """``DELETE`` the points ``query`` matches (tags and time conditions only)."""
    text, params = compile_delete(query, inline=session.inline_statements)
    if params and not await session._binds_parameters():
        text, params = compile_delete(query, inline=True)
    await session.query(text, db=query.schema.database, params=params or None, output="json")


async def fetch_rows_async(query: AggregateQuery[Any], session: AsyncSession) -> list[Row]:
    """The result rows of an aggregate query: dicts of ``time``, names and GROUP BY tags."""
    response = await _json(query, session)
    return _rows(query.schema, response, _float_columns(query), _enum_tag_columns(query))


async def first_row_async(query: AggregateQuery[Any], session: AsyncSession) -> Row | None:
    """The first result row of an aggregate query, or None."""
    # A LIMIT changes what top()/bottom() select on influxd (and one below their count
    # is refused): those queries, at most n rows per group, are read as they are.
    if not any(isinstance(f, Top) for _, f in query.aggregates):
        query = query.limit(1)
    rows = await fetch_rows_async(query, session)
    return rows[0] if rows else None


def check_chunk_size(chunk_size: int) -> None:
    """Raise QueryBuildError unless ``chunk_size`` is a positive int."""
    if type(chunk_size) is not int or chunk_size < 1:
        raise QueryBuildError(f"chunk_size must be a positive int, not {chunk_size!r}")


async def _chunks(
    query: Query[Any] | AggregateQuery[Any], session: AsyncSession, chunk_size: int
) -> AsyncIterator[Mapping[str, Any]]:
    check_chunk_size(chunk_size)
    text, params = await _compile(query, session)
    chunks = await session.query(
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


async def iterate_async(
    query: Query[M], session: AsyncSession, chunk_size: int = 10_000
) -> AsyncIterator[M]:
    """Stream the rows of ``query`` as instances, ``chunk_size`` points per response."""
    async for chunk in _chunks(query, session, chunk_size):
        for instance in _instances(query, chunk):
            yield instance


async def iterate_rows_async(
    query: AggregateQuery[Any], session: AsyncSession, chunk_size: int = 10_000
) -> AsyncIterator[Row]:
    """Stream the result rows of an aggregate query."""
    floats, enum_tags = _float_columns(query), _enum_tag_columns(query)
    async for chunk in _chunks(query, session, chunk_size):
        for row in _rows(query.schema, chunk, floats, enum_tags):
            yield row


ModelFrame = Callable[[type[Any], Any], Any]
_model_frame: ModelFrame | None = None


def register_model_frame(convert: ModelFrame) -> None:
    """Register the results layer's ``(model, frame) -> frame`` typing a row query's frame.

    Until one is registered, :func:`to_dataframe_async` names columns by attribute and
    makes float fields ``float64`` itself.
    """
    global _model_frame
    _model_frame = convert


async def to_dataframe_async(query: Query[Any] | AggregateQuery[Any], session: AsyncSession) -> Any:
    """The result of ``query`` as a ``pandas.DataFrame`` with a UTC ``DatetimeIndex``.

    Columns of a row query are named by model attribute and typed by the model; an
    aggregate query keeps its names and GROUP BY tags.
    """
    text, params = await _compile(query, session)
    frame = await session.query(
        text, db=query.schema.database, epoch="ns", params=params or None, output="dataframe"
    )
    if isinstance(query, AggregateQuery):
        # A whole-number float column of a JSON answer is int64; make it what the
        # function returns (msgpack's float64 columns are left as they are).
        present = _float_columns(query).intersection(getattr(frame, "columns", ()))
        casts = {name: "float64" for name in present if frame[name].dtype.kind in "iu"}
        return frame.astype(casts) if casts else frame
    if _model_frame is not None:
        return _model_frame(query.model, frame)
    schema = query.schema
    columns = set(frame.columns)
    floats = {c.key: "float64" for c in schema.fields if c.value_type is float and c.key in columns}
    if floats:
        frame = frame.astype(floats)
    renames = {c.key: c.attr for c in schema.columns if c.key != c.attr and c.key in columns}
    return frame.rename(columns=renames) if renames else frame


async def execute_into_async(query: IntoQuery[Any], session: AsyncSession) -> int:
    """Run ``SELECT ... INTO``; return the number of points written."""
    session._require("select_into", "SELECT ... INTO")
    text, params = await _compile(query, session)
    response = await session.query(
        text, db=query.source.schema.database, epoch="ns", params=params or None, output="json"
    )
    for series in _series(response):
        for values in series.get("values") or ():
            return int(values[series["columns"].index("written")])
    return 0
