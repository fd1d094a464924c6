"""Filter expressions: ``Q`` objects, ``now()`` and their resolution against a schema.

Users build :class:`Q` trees from lookups (``price__gt=100``) combined with ``&``, ``|``
and ``~``. A query resolves them against its model's schema as soon as they are given
(:func:`resolve`), so a bad lookup fails where it is written. The resolved tree holds
only :class:`Condition`, :class:`And` and :class:`Or` nodes: InfluxQL has no ``NOT``
and no ``IN``, so negation is pushed down to the comparisons (De Morgan) and ``in``
becomes an ``OR`` group. Values are converted to what the column stores (an Enum to its
value, a time to nanoseconds) and checked against its type.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Final, Literal, TypeAlias

import attrs

from influxorm.exceptions import QueryBuildError, ValidationError
from influxorm.influxql import duration_to_ns
from influxorm.models.schema import Column, ColumnKind, Schema
from influxorm.timeutil import to_ns

__all__ = [
    "And",
    "Condition",
    "Node",
    "Now",
    "Op",
    "Or",
    "Q",
    "Regex",
    "TimeNs",
    "Value",
    "now",
    "resolve",
]

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


class Op(enum.Enum):
    """A comparison InfluxQL can evaluate; the value is its operator text."""

    EQ = "="
    NE = "<>"
    GT = ">"
    GTE = ">="
    LT = "<"
    LTE = "<="
    MATCH = "=~"
    NOT_MATCH = "!~"

    @property
    def negated(self) -> Op:
        """The comparison true exactly where this one is false."""
        return _NEGATED[self]


_NEGATED: Final = {
    Op.EQ: Op.NE,
    Op.NE: Op.EQ,
    Op.GT: Op.LTE,
    Op.LTE: Op.GT,
    Op.GTE: Op.LT,
    Op.LT: Op.GTE,
    Op.MATCH: Op.NOT_MATCH,
    Op.NOT_MATCH: Op.MATCH,
}

_LOOKUPS: Final[dict[str, Op | None]] = {
    "eq": Op.EQ,
    "ne": Op.NE,
    "gt": Op.GT,
    "gte": Op.GTE,
    "lt": Op.LT,
    "lte": Op.LTE,
    "regex": Op.MATCH,
    "in": None,
}
_ORDERING: Final = frozenset({Op.GT, Op.GTE, Op.LT, Op.LTE})
_TIME_OPS: Final = frozenset({Op.EQ, *_ORDERING})


@attrs.frozen
class TimeNs:
    """An absolute time, in nanoseconds since the epoch."""

    ns: int


@attrs.frozen
class Now:
    """The server's ``now()``, shifted by ``offset_ns``: build it with :func:`now`.

    ``now() - timedelta(hours=1)`` compiles to ``now() - 1h``; durations may also be
    InfluxQL text (``now() - "90m"``).
    """

    offset_ns: int = 0

    def __add__(self, other: timedelta | str) -> Now:
        return Now(self.offset_ns + _duration(other))

    def __sub__(self, other: timedelta | str) -> Now:
        return Now(self.offset_ns - _duration(other))


def _duration(value: object) -> int:
    if isinstance(value, timedelta) and value < timedelta(0):
        return -duration_to_ns(-value)
    if not isinstance(value, timedelta | str):
        raise QueryBuildError(f"now() shifts by a timedelta or duration text, not {value!r}")
    return duration_to_ns(value)


def now() -> Now:
    """The server's current time, for relative time filters: ``now() - timedelta(days=1)``."""
    return Now()


@attrs.frozen
class Regex:
    """A regular expression (RE2 syntax, as the server evaluates it)."""

    pattern: str


Value: TypeAlias = str | int | float | bool | TimeNs | Now | Regex


@attrs.frozen
class Condition:
    """``column op value``, with ``value`` already converted to what the column stores."""

    column: Column
    op: Op
    value: Value


@attrs.frozen
class And:
    """All of ``children``."""

    children: tuple[Node, ...]


@attrs.frozen
class Or:
    """Any of ``children``."""

    children: tuple[Node, ...]


Node: TypeAlias = Condition | And | Or

_Child: TypeAlias = "Q | tuple[str, object]"


@attrs.frozen(init=False)
class Q:
    """A filter: keyword lookups ANDed together, combinable with ``&``, ``|`` and ``~``.

    ``Q(side=Side.BUY, price__gt=100) | ~Q(instrument__in=["AAPL", "MSFT"])``. Lookups
    are ``attr`` (equality) or ``attr__op`` with ``op`` one of ``eq ne gt gte lt lte in
    regex``; the time column takes ``eq gt gte lt lte``. ``attr`` is an attribute, an
    InfluxDB key, or the key of one of the model's ``extra_tags`` (a ``str`` tag).
    """

    children: tuple[_Child, ...]
    connector: Literal["AND", "OR"] = "AND"
    negated: bool = False

    def __init__(self, *children: Q, **lookups: object) -> None:
        for child in children:
            if not isinstance(child, Q):
                raise QueryBuildError(f"Q() takes Q objects and keyword lookups, not {child!r}")
        self.__attrs_init__((*children, *lookups.items()))

    @classmethod
    def _make(
        cls, children: tuple[_Child, ...], connector: Literal["AND", "OR"], negated: bool = False
    ) -> Q:
        # attrs.evolve would call the user-facing __init__, which takes lookups.
        q = object.__new__(cls)
        q.__attrs_init__(children, connector, negated)
        return q

    def __and__(self, other: Q) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return Q._make((self, other), "AND")

    def __or__(self, other: Q) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return Q._make((self, other), "OR")

    def __invert__(self) -> Q:
        return Q._make(self.children, self.connector, not self.negated)


def resolve(schema: Schema, q: Q, *, negate: bool = False) -> Node:
    """Resolve ``q`` against ``schema`` into a NOT-free tree of conditions.

    Raises :class:`QueryBuildError` naming the model for unknown attributes, lookups a
    column kind cannot take, values of the wrong type, and time conditions under an
    ``OR`` (the server silently returns nothing for those).
    """
    node = _resolve(schema, q, negate)
    _check_time_not_in_or(schema, node, inside_or=False)
    return node


def _resolve(schema: Schema, q: Q, negate: bool) -> Node:
    negate ^= q.negated
    children = tuple(
        _resolve(schema, child, negate)
        if isinstance(child, Q)
        else _lookup(schema, child[0], child[1], negate)
        for child in q.children
    )
    is_and = (q.connector == "AND") != negate
    return And(children) if is_and else Or(children)


def _check_time_not_in_or(schema: Schema, node: Node, *, inside_or: bool) -> None:
    if isinstance(node, Condition):
        if inside_or and node.column.kind is ColumnKind.TIME:
            raise QueryBuildError(
                f"{_name(schema)}: a time condition cannot be combined with OR (InfluxQL "
                "silently matches nothing); split it into separate queries"
            )
        return
    within_or = inside_or or (isinstance(node, Or) and len(node.children) > 1)
    for child in node.children:
        _check_time_not_in_or(schema, child, inside_or=within_or)


def _name(schema: Schema) -> str:
    return schema.model.__qualname__


def _split(schema: Schema, lookup: str) -> tuple[Column, str]:
    attr, sep, op = lookup.rpartition("__")
    if sep and op in _LOOKUPS:
        return schema.filter_column(attr), op
    if sep and attr and not _is_column(schema, lookup) and _is_column(schema, attr):
        raise QueryBuildError(
            f"{_name(schema)}.{attr}: unknown lookup {op!r} in {lookup!r} (lookups: "
            f"{', '.join(_LOOKUPS)}; a plain {attr!r} means eq)"
        )
    return schema.filter_column(lookup), "eq"


def _is_column(schema: Schema, name: str) -> bool:
    try:
        schema.filter_column(name)
    except QueryBuildError:
        return False
    return True


def _lookup(schema: Schema, lookup: str, value: object, negate: bool) -> Node:
    column, name = _split(schema, lookup)
    op = _LOOKUPS[name]
    if op is None:
        return _in(schema, column, lookup, value, negate)
    _check_op(schema, column, op, name)
    converted = _convert(schema, column, op, value)
    final = op.negated if negate else op
    if column.kind is ColumnKind.TIME and final not in _TIME_OPS:
        raise QueryBuildError(
            f"{_name(schema)}.{column.attr}: InfluxQL cannot compare time with {final.value}"
            " (a negated time equality); use a range instead"
        )
    return Condition(column, final, converted)


def _check_op(schema: Schema, column: Column, op: Op, name: str) -> None:
    where = f"{_name(schema)}.{column.attr}"
    if column.kind is ColumnKind.TAG and op in _ORDERING:
        raise QueryBuildError(
            f"{where} is a tag: tags are strings and take only eq, ne, in and regex "
            f"lookups, not {name!r}"
        )
    if column.kind is ColumnKind.TIME and op not in _TIME_OPS:
        raise QueryBuildError(
            f"{where} is the time column: use eq, gt, gte, lt or lte, not {name!r}"
        )
    if op is Op.MATCH and column.kind is ColumnKind.FIELD and column.value_type is not str:
        raise QueryBuildError(f"{where} is a {column.value_type.__name__} field: regex needs text")
    if column.kind is ColumnKind.FIELD and column.value_type is bool and op in _ORDERING:
        raise QueryBuildError(f"{where} is a bool field: use eq or ne, not {name!r}")
    if column.kind is ColumnKind.FIELD and column.value_type is str and op in _ORDERING:
        # Verified on influxd 1.6.7: every ordering comparison of a string field (either
        # operand order, any literal) silently matches no row.
        raise QueryBuildError(
            f"{where} is a str field: InfluxDB 1.x compares strings only for equality "
            f"({name!r} would silently match no row); use eq, ne, in or regex"
        )


def _in(schema: Schema, column: Column, lookup: str, values: object, negate: bool) -> Node:
    _check_op(schema, column, Op.EQ, "in")
    if column.kind is ColumnKind.TIME:
        raise QueryBuildError(f"{_name(schema)}.{column.attr} is the time column: it takes no 'in'")
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise QueryBuildError(
            f"{_name(schema)}: {lookup} needs a list, tuple or set of values, not {values!r}"
        )
    items = tuple(dict.fromkeys(_convert(schema, column, Op.EQ, v) for v in values))
    op = Op.NE if negate else Op.EQ
    if not items:
        # Matches nothing (negated: everything that has the column).
        empty = _EMPTY[column.value_type]
        contradiction = (Condition(column, Op.EQ, empty), Condition(column, Op.NE, empty))
        return Or(contradiction) if negate else And(contradiction)
    conditions = tuple(Condition(column, op, item) for item in items)
    return And(conditions) if negate else Or(conditions)


_EMPTY: Final[dict[type, Value]] = {str: "", int: 0, float: 0.0, bool: False}


def _convert(schema: Schema, column: Column, op: Op, value: object) -> Value:
    where = f"{_name(schema)}.{column.attr}"
    if op is Op.MATCH:
        return _regex(where, value)
    if column.kind is ColumnKind.TIME:
        if isinstance(value, Now):
            return value
        try:
            return TimeNs(to_ns(value))
        except ValidationError as exc:
            raise QueryBuildError(f"{where}: {exc}") from None
    if isinstance(value, enum.Enum):
        if column.is_enum and not isinstance(value, column.python_type):
            raise QueryBuildError(f"{where} takes {column.python_type.__name__}, not {value!r}")
        value = value.value
    expected = str if column.kind is ColumnKind.TAG else column.value_type
    if expected is float and type(value) is int:
        value = float(value)
    if type(value) is not expected and not (
        isinstance(value, expected) and not isinstance(value, bool | enum.Enum)
    ):
        raise QueryBuildError(
            f"{where} holds {expected.__name__} values: cannot compare it with {value!r}"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise QueryBuildError(f"{where}: InfluxDB stores no {value!r}")
    if type(value) is int and not _INT64_MIN <= value <= _INT64_MAX:
        raise QueryBuildError(f"{where}: {value!r} is outside int64")
    if column.is_enum:
        _check_member(where, column.python_type, value)
    return value  # type: ignore[return-value]  # an exact str/int/float/bool, checked above


def _check_member(where: str, enum_type: type[enum.Enum], value: object) -> None:
    if value not in enum_type._value2member_map_:
        members = ", ".join(f"{m.name} ({m.value!r})" for m in enum_type)
        raise QueryBuildError(
            f"{where} takes {enum_type.__name__} members or their values, and {value!r} "
            f"is not one (members: {members})"
        )


_FLAGS: Final = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))


def _regex(where: str, value: object) -> Regex:
    if isinstance(value, re.Pattern):
        pattern = value.pattern
        if not isinstance(pattern, str):
            raise QueryBuildError(f"{where}: regex must be text, not bytes")
        flags = "".join(letter for flag, letter in _FLAGS if value.flags & flag)
        return Regex(f"(?{flags}){pattern}" if flags else pattern)
    if isinstance(value, str):
        return Regex(value)
    raise QueryBuildError(f"{where}: a regex lookup takes a str or re.Pattern, not {value!r}")
