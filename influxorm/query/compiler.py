"""Queries -> InfluxQL text and bind parameters: ``compile_query(query) -> (text, params)``.

All statement text is written here; query and expression objects only hold data.
What no value can change, by construction:

* identifiers are always double-quoted and escaped (:func:`~influxorm.influxql.quote_ident`);
* strings, ints, bools, absolute times and regexes are bound through the ``/query``
  ``params`` API as ``$p0``, ``$p1``... (verified on influxd 1.6.7: strings, ints,
  bools and ``{"regex": ...}`` bind in WHERE; a time binds as an RFC 3339 string);
* floats, durations, counts and ``now()`` arithmetic are written as literals formatted
  from validated numbers, which keeps the text readable (and a float does not always
  bind: the server reads the JSON ``1e-07`` as an int and refuses it);
* a time zone name is a single-quoted, escaped string literal.

With ``inline=True`` (``compile_query(query, inline=True) -> (text, {})``, what
``query.inline_influxql`` shows) the values that would be bound are written as the
literals influxd parses back to the same values: a string as an escaped ``'...'``
literal (:func:`~influxorm.influxql.quote_string`), a time as the same RFC 3339 text
in quotes, a regex as ``/.../`` (:func:`~influxorm.influxql.quote_regex`), an int in
decimal, a bool as ``true``/``false``. A value no literal can carry (a carriage return
or a NUL in a string: influxd's scanner reads them as a line break and the end) raises
:class:`~influxorm.exceptions.QueryBuildError`: there is no fallback to splicing.
``tests/integration/test_inline_statements.py`` checks on influxd that both forms are
the same statement.

Build errors (GROUP BY time without a function, a DELETE on fields, ...) raise
:class:`~influxorm.exceptions.QueryBuildError` naming the model.
"""

from __future__ import annotations

from typing import Any

from influxorm.exceptions import QueryBuildError
from influxorm.influxql import (
    format_duration,
    format_float,
    quote_ident,
    quote_regex,
    quote_string,
)
from influxorm.models.schema import ColumnKind, Schema
from influxorm.query.expressions import And, Condition, Node, Now, Or, Regex, TimeNs, Value
from influxorm.query.functions import (
    DurationArg,
    FieldArg,
    Function,
    FunctionKind,
    TagArg,
    Top,
)
from influxorm.query.query import UNSET, AggregateQuery, Every, Into, IntoQuery, Query, _QueryBase
from influxorm.query.statements import measurement_ref
from influxorm.timeutil import ns_to_rfc3339

__all__ = ["compile_delete", "compile_query"]


class _Params:
    """Collects bind parameters, naming them ``p0``, ``p1``... in order of appearance;
    with ``inline``, writes each value as its literal instead and collects nothing."""

    def __init__(self, *, inline: bool) -> None:
        self.inline = inline
        self.values: dict[str, Any] = {}

    def bind(self, value: str | int | bool | Regex) -> str:
        if self.inline:
            return _literal(value)
        name = f"p{len(self.values)}"
        self.values[name] = {"regex": value.pattern} if isinstance(value, Regex) else value
        return "$" + name


def _literal(value: str | int | bool | Regex) -> str:
    """``value`` as the InfluxQL literal influxd reads as the value it would bind.

    Subclasses of str and int are read through the base type's own methods (as
    ``json.dumps`` does for the bound form), so an overridden ``__str__`` or ``__repr__``
    cannot write text of its own choosing.
    """
    if isinstance(value, Regex):
        return quote_regex(value.pattern)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    return quote_string(str.__str__(value))


def compile_query(
    query: _QueryBase[Any] | IntoQuery[Any], *, inline: bool = False
) -> tuple[str, dict[str, Any]]:
    """Compile a SELECT (or SELECT ... INTO) to ``(text, params)``.

    With ``inline=True`` every value is a literal in the text and ``params`` is empty;
    raises QueryBuildError for a value no InfluxQL literal can carry.
    """
    params = _Params(inline=inline)
    if isinstance(query, IntoQuery):
        return _select(query.source, query.target, params), params.values
    return _select(query, None, params), params.values


def compile_delete(query: Query[Any], *, inline: bool = False) -> tuple[str, dict[str, Any]]:
    """Compile ``DELETE FROM measurement WHERE ...`` (conditions on tags and time only).

    ``inline`` as for :func:`compile_query`.
    """
    schema = query.schema
    name = schema.model.__qualname__
    if query.selected or query.group_tags or query.interval or query.descending:
        raise QueryBuildError(f"{name}: delete() takes filters only (no only/group_by/order_by)")
    if any(limit is not None for limit in query.limits) or query.timezone:
        raise QueryBuildError(f"{name}: delete() takes filters only (no limit/offset/tz)")
    params = _Params(inline=inline)
    for node in query.conditions:
        for condition in _leaves(node):
            if condition.column.kind is ColumnKind.FIELD:
                raise QueryBuildError(
                    f"{name}.{condition.column.attr} is a field: InfluxQL DELETE filters on "
                    "tags and time only"
                )
    text = "DELETE FROM " + quote_ident(schema.measurement)
    where = _where(query.conditions, params)
    if where:
        text += " WHERE " + where
    return text, params.values


def _leaves(node: Node) -> list[Condition]:
    if isinstance(node, Condition):
        return [node]
    return [leaf for child in node.children for leaf in _leaves(child)]


def _select(query: _QueryBase[Any], into: Into | None, params: _Params) -> str:
    schema = query.schema
    aggregates = query.aggregates if isinstance(query, AggregateQuery) else ()
    _check(query, schema, aggregates)
    parts = ["SELECT", _projection(query, aggregates)]
    if into is not None:
        parts += ["INTO", _target(into)]
    parts += ["FROM", measurement_ref(schema.measurement, schema.retention_policy)]
    where = _where(query.conditions, params)
    if where:
        parts += ["WHERE", where]
    group_tags = query.group_tags
    if into is not None and not aggregates and not group_tags:
        # Without GROUP BY *, SELECT * INTO turns the source's tags into fields.
        group_tags = ("*",)
    group = [("*" if tag == "*" else quote_ident(tag)) for tag in group_tags]
    if query.interval is not None:
        group.append(_every(query.interval))
    if group:
        parts += ["GROUP BY", ", ".join(group)]
    if query.fill_value is not UNSET:
        parts.append(_fill(query.fill_value))
    if query.descending:
        parts.append("ORDER BY time DESC")
    for keyword, value in zip(("LIMIT", "OFFSET", "SLIMIT", "SOFFSET"), query.limits, strict=True):
        if value is not None:
            parts += [keyword, str(value)]
    if query.timezone is not None:
        parts.append(f"tz({quote_string(query.timezone)})")
    return " ".join(parts)


def _check(
    query: _QueryBase[Any], schema: Schema, aggregates: tuple[tuple[str, Function], ...]
) -> None:
    name = schema.model.__qualname__
    if isinstance(query, AggregateQuery) and not aggregates:
        raise QueryBuildError(f"{name}: aggregate() needs at least one function")
    if len(aggregates) > 1 and any(isinstance(fn, Top) for _, fn in aggregates):
        raise QueryBuildError(f"{name}: top() and bottom() cannot be combined with other functions")
    if query.interval is None:
        return
    if not aggregates:
        raise QueryBuildError(
            f"{name}: GROUP BY time (every(...)) needs an aggregate, e.g. "
            ".aggregate(avg=Mean('price'))"
        )
    for alias, function in aggregates:
        if function.kind is FunctionKind.TRANSFORMATION and not isinstance(
            function.field, Function
        ):
            raise QueryBuildError(
                f"{name}: {alias}={type(function).__name__}(...) with GROUP BY time needs a "
                f"function inside, e.g. {type(function).__name__}(Mean(...))"
            )


def _projection(query: _QueryBase[Any], aggregates: tuple[tuple[str, Function], ...]) -> str:
    if aggregates:
        return ", ".join(
            f"{_function(fn, query.schema)} AS {quote_ident(alias)}" for alias, fn in aggregates
        )
    selected = query.selected if isinstance(query, Query) else ()
    if not selected:
        return "*"
    return ", ".join(quote_ident(column.key) for column in selected)


def _function(function: Function, schema: Schema) -> str:
    args: list[str] = []
    for arg in function.arguments():
        if isinstance(arg, Function):
            args.append(_function(arg, schema))
        elif isinstance(arg, FieldArg) and arg.attr == "*":
            args.append("*")
        elif isinstance(arg, TagArg):
            args.append(quote_ident(schema.filter_column(arg.attr).key))
        elif isinstance(arg, FieldArg):
            args.append(quote_ident(schema.column(arg.attr).key))
        elif isinstance(arg, DurationArg):
            args.append(format_duration(arg.ns))
        elif isinstance(arg, float):
            args.append(format_float(arg))
        else:
            args.append(str(int(arg)))
    return f"{function.name}({', '.join(args)})"


def _target(into: Into) -> str:
    measurement = quote_ident(into.measurement)
    rp = quote_ident(into.retention_policy) if into.retention_policy is not None else ""
    if into.database is not None:
        return f"{quote_ident(into.database)}.{rp}.{measurement}"
    if rp:
        return f"{rp}.{measurement}"
    return measurement


def _every(interval: Every) -> str:
    text = format_duration(interval.interval_ns)
    if interval.offset_ns > 0:
        text += ", " + format_duration(interval.offset_ns)
    elif interval.offset_ns < 0:
        text += ", -" + format_duration(-interval.offset_ns)
    return f"time({text})"


def _fill(value: object) -> str:
    if value is None:
        return "fill(null)"
    if isinstance(value, str):
        return f"fill({value})"
    if isinstance(value, float):
        return f"fill({format_float(value)})"
    return f"fill({int(value)})"  # type: ignore[call-overload]


def _where(nodes: tuple[Node, ...], params: _Params) -> str:
    return _node(And(nodes), params, top=True)


def _node(node: Node, params: _Params, *, top: bool = False) -> str:
    if isinstance(node, Condition):
        return _condition(node, params)
    flat = _flatten(node)
    if len(flat) == 1:
        return _node(flat[0], params, top=top)
    children = [text for child in flat if (text := _node(child, params))]
    if not children:
        return ""
    joiner = " AND " if isinstance(node, And) else " OR "
    text = joiner.join(children)
    return text if top else f"({text})"


def _flatten(node: And | Or) -> list[Node]:
    """The children of ``node``, with those of nested nodes of the same kind spliced in."""
    flat: list[Node] = []
    for child in node.children:
        if type(child) is type(node):
            flat.extend(_flatten(child))
        else:
            flat.append(child)
    return flat


def _condition(condition: Condition, params: _Params) -> str:
    column = condition.column
    left = "time" if column.kind is ColumnKind.TIME else quote_ident(column.key)
    return f"{left} {condition.op.value} {_value(condition.value, params)}"


def _value(value: Value, params: _Params) -> str:
    if isinstance(value, TimeNs):
        return params.bind(ns_to_rfc3339(value.ns))
    if isinstance(value, Now):
        if value.offset_ns > 0:
            return "now() + " + format_duration(value.offset_ns)
        if value.offset_ns < 0:
            return "now() - " + format_duration(-value.offset_ns)
        return "now()"
    if isinstance(value, float):
        return format_float(value)
    return params.bind(value)
