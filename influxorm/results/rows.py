"""Shaping decoded query answers: series into model instances or result-row dicts.

Pure functions over the JSON-shaped answer of ``/query`` (``{"results": [{"series":
[...]}]}``); :mod:`influxorm.session.querying` runs the queries and hands the answers
here. Rows become model instances through the model's generated hydrator, one result
series at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from influxorm.models.hydration import hydrate_series
from influxorm.models.schema import Schema
from influxorm.query.functions import Top
from influxorm.query.query import AggregateQuery, Query

if TYPE_CHECKING:
    from influxorm.models.measurement import Measurement

__all__ = [
    "Row",
    "enum_tag_columns",
    "float_columns",
    "instances",
    "rows",
    "series_of",
]

M = TypeVar("M", bound="Measurement")

Row = dict[str, Any]


def series_of(response: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every series of every statement result of ``response``."""
    for result in response.get("results", ()):
        yield from result.get("series", ())


def instances(query: Query[M], response: Mapping[str, Any]) -> list[M]:
    """The rows of ``response`` as instances of ``query``'s model."""
    # With only(), the model's other columns are left out on purpose: not "missing".
    partial = bool(query.selected)
    out: list[M] = []
    for series in series_of(response):
        out += hydrate_series(
            query.model,
            series["columns"],
            series.get("values"),
            series.get("tags"),
            partial=partial,
        )
    return out


def float_columns(query: AggregateQuery[Any]) -> frozenset[str]:
    """The names of ``query``'s functions whose values are floats (see ``value_type``)."""
    schema = query.schema
    return frozenset(name for name, fn in query.aggregates if fn.value_type(schema) is float)


def enum_tag_columns(query: AggregateQuery[Any]) -> frozenset[str]:
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


def rows(
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
    for series in series_of(response):
        tags = {
            key: _tag_value(schema, key, value) for key, value in (series.get("tags") or {}).items()
        }
        columns = series["columns"]
        start = len(out)
        values_of_series = series.get("values") or ()
        for values in values_of_series:
            row = dict(tags)
            row.update(zip(columns, values, strict=True))
            out.append(row)
        if floats and values_of_series:
            for name in floats.intersection(columns):
                if int in map(type, map(itemgetter(columns.index(name)), values_of_series)):
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
