"""InfluxQL functions for ``Query.aggregate``: ``Mean("price")``, ``Top("price", 3)``, ...

Each function names a field by its model attribute (or wraps another function, e.g.
``Derivative(Mean("price"), "1s")``). Arguments are checked when the function is built;
the field names are checked against the model when it is passed to ``aggregate()``.
The text is written by the compiler, from :meth:`Function.arguments`.

Each function also knows the type of its values (:meth:`Function.value_type`), from the
type of its argument, as influxd 1.6.7 computes them (checked in msgpack, which keeps
int vs float; see ``tests/integration/test_aggregate_types.py``):

* always ``float``: ``mean``, ``median`` (also of integers), ``stddev``, ``integral``,
  ``derivative``, ``non_negative_derivative``, ``moving_average``;
* always ``int``: ``count`` and ``elapsed`` (of any field type);
* the argument's type: ``sum``, ``spread``, ``difference``, ``cumulative_sum`` (of
  integers: integers), ``percentile``, ``max``, ``min``, ``first``, ``last``, ``top``,
  ``bottom``, ``sample``, ``mode``, ``distinct``.

A number given to ``fill()`` takes the function's type too (``fill(1.5)`` in an integer
``sum`` reads ``1``).

Each function also knows the types it can read (:attr:`Function.accepts`), as influxd
1.6.7 answers them (see ``tests/integration/test_function_argument_types.py``), so a
function the server would refuse with ``unsupported ... iterator type`` is refused when
it is given to ``aggregate()``:

* any field: ``count``, ``distinct``, ``mode``, ``first``, ``last``, ``sample``,
  ``elapsed``;
* not strings: ``max``, ``min`` (of booleans: ``true`` is the greater);
* numbers only: every other function (``mean``, ``median``, ``sum``, ``spread``,
  ``stddev``, ``integral``, ``percentile``, ``top``, ``bottom``, ``derivative``,
  ``non_negative_derivative``, ``difference``, ``cumulative_sum``, ``moving_average``),
  also over a nested function (``Derivative(First("name"))`` reads strings).
"""

from __future__ import annotations

import enum
import math
from datetime import timedelta
from typing import ClassVar, Final, TypeAlias

import attrs

from influxorm.exceptions import QueryBuildError
from influxorm.influxql import duration_to_ns
from influxorm.models.schema import ColumnKind, Schema

__all__ = [
    "Bottom",
    "Count",
    "CumulativeSum",
    "Derivative",
    "Difference",
    "Distinct",
    "DurationArg",
    "Elapsed",
    "FieldArg",
    "First",
    "Function",
    "FunctionKind",
    "Integral",
    "Last",
    "Max",
    "Mean",
    "Median",
    "Min",
    "Mode",
    "MovingAverage",
    "NonNegativeDerivative",
    "Percentile",
    "Sample",
    "Spread",
    "Stddev",
    "Sum",
    "TagArg",
    "Top",
]

Duration: TypeAlias = timedelta | str

_ANY_TYPE: Final[frozenset[type]] = frozenset({int, float, str, bool})
_NOT_STR: Final[frozenset[type]] = frozenset({int, float, bool})
_NUMBERS: Final[frozenset[type]] = frozenset({int, float})
_TYPE_WORDS: Final = {_NUMBERS: "numbers (int or float)", _NOT_STR: "numbers and bools"}


class FunctionKind(enum.Enum):
    """InfluxQL's families of functions."""

    AGGREGATION = "aggregation"
    SELECTOR = "selector"
    TRANSFORMATION = "transformation"


@attrs.frozen
class FieldArg:
    """The field a function reads, by model attribute name (``"*"``: every field)."""

    attr: str


@attrs.frozen
class TagArg:
    """A tag named in ``top``/``bottom``, by model attribute name."""

    attr: str


@attrs.frozen
class DurationArg:
    """A duration argument, in nanoseconds."""

    ns: int


Argument: TypeAlias = "FieldArg | TagArg | DurationArg | int | float | Function"


def _field(value: object) -> str | Function:
    if isinstance(value, str | Function):
        if value == "":
            raise QueryBuildError("a function needs a field name")
        return value
    raise QueryBuildError(f"a function reads a field name (str) or a function, not {value!r}")


def _positive_int(what: str, value: object) -> int:
    if type(value) is not int or value < 1:
        raise QueryBuildError(f"{what} must be a positive int, not {value!r}")
    return value


def _sample_n(value: object) -> int:
    return _positive_int("sample N", value)


def _top_n(value: object) -> int:
    return _positive_int("top/bottom N", value)


def _window(value: object) -> int:
    return _positive_int("moving_average N", value)


def _optional_duration(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, timedelta | str):
        raise QueryBuildError(f"a function's unit is a timedelta or duration text, not {value!r}")
    ns = duration_to_ns(value)
    if ns == 0:
        raise QueryBuildError(f"a function's unit cannot be zero: {value!r}")
    return ns


@attrs.frozen
class Function:
    """Base of every InfluxQL function: ``name`` is its InfluxQL name."""

    name: ClassVar[str]
    kind: ClassVar[FunctionKind]
    #: The type of every value, whatever the argument; ``None``: the argument's type.
    result_type: ClassVar[type | None] = None
    #: The value types of the argument the server accepts (``float int str bool``).
    accepts: ClassVar[frozenset[type]] = _NUMBERS

    field: str | Function = attrs.field(converter=_field)

    def arguments(self) -> tuple[Argument, ...]:
        """The arguments in InfluxQL order, for the compiler."""
        return (self._field_arg(),)

    def _field_arg(self) -> FieldArg | Function:
        return self.field if isinstance(self.field, Function) else FieldArg(self.field)

    def validate(self, schema: Schema) -> None:
        """Raise QueryBuildError if a named column is not a field (or tag) of ``schema``."""
        for arg in self.arguments():
            if isinstance(arg, Function):
                arg.validate(schema)
            elif isinstance(arg, FieldArg | TagArg) and arg.attr != "*":
                # A tag argument may be one of the model's extra_tags, as in group_by().
                column = (
                    schema.filter_column(arg.attr)
                    if isinstance(arg, TagArg)
                    else schema.column(arg.attr)
                )
                wanted = ColumnKind.FIELD if isinstance(arg, FieldArg) else ColumnKind.TAG
                if column.kind is not wanted:
                    raise QueryBuildError(
                        f"{schema.model.__qualname__}.{arg.attr} is a {column.kind.value}: "
                        f"{self.name}() takes a {wanted.value} there"
                    )
        self._check_argument_type(schema)

    def _check_argument_type(self, schema: Schema) -> None:
        if self.field == "*" or self.accepts == _ANY_TYPE:
            return
        model = schema.model.__qualname__
        takes = f"{self.name}() takes {_TYPE_WORDS[self.accepts]}"
        if isinstance(self.field, Function):
            inner = self.field.value_type(schema)
            if inner is not None and inner not in self.accepts:
                raise QueryBuildError(
                    f"{model}: {takes}, and {self.field.name}() of "
                    f"{self.field.innermost.field!r} gives {inner.__name__} values"
                )
            return
        column = schema.column(self.field)
        if column.value_type not in self.accepts:
            kind = f"an Enum of {column.value_type.__name__}" if column.is_enum else "a"
            raise QueryBuildError(
                f"{model}.{column.attr} is {kind} {column.value_type.__name__} field: "
                f"{takes} (the server would refuse it)"
            )

    def value_type(self, schema: Schema) -> type | None:
        """The type of this function's values over ``schema``'s fields, ``None`` if unknown.

        One of ``float``, ``int``, ``bool``, ``str``: :attr:`result_type` when the function
        has one, else the type of its argument (a field's stored type, an Enum field's
        member value type, or a nested function's value type). Unknown for ``"*"``
        anywhere in the call (the server answers one column per field, named
        ``<name>_<field>``, not one named after the function) and for a name that is not
        a field of ``schema``.
        """
        if self.innermost.field == "*":
            return None
        if self.result_type is not None:
            return self.result_type
        if isinstance(self.field, Function):
            return self.field.value_type(schema)
        column = schema.get(self.field)
        if column is None or column.kind is not ColumnKind.FIELD:
            return None
        return column.value_type

    @property
    def innermost(self) -> Function:
        """The innermost function of a nested call (``self`` when not nested)."""
        return self.field.innermost if isinstance(self.field, Function) else self


@attrs.frozen
class Count(Function):
    """``count(field)``: the number of non-null values."""

    name = "count"
    kind = FunctionKind.AGGREGATION
    accepts = _ANY_TYPE
    result_type = int


@attrs.frozen
class Distinct(Function):
    """``distinct(field)``: the distinct values (one row each)."""

    name = "distinct"
    kind = FunctionKind.AGGREGATION
    accepts = _ANY_TYPE


@attrs.frozen
class Mean(Function):
    """``mean(field)``: the arithmetic mean."""

    name = "mean"
    kind = FunctionKind.AGGREGATION
    result_type = float


@attrs.frozen
class Median(Function):
    """``median(field)``: the middle value."""

    name = "median"
    kind = FunctionKind.AGGREGATION
    result_type = float


@attrs.frozen
class Mode(Function):
    """``mode(field)``: the most frequent value."""

    name = "mode"
    kind = FunctionKind.AGGREGATION
    accepts = _ANY_TYPE


@attrs.frozen
class Spread(Function):
    """``spread(field)``: maximum minus minimum."""

    name = "spread"
    kind = FunctionKind.AGGREGATION


@attrs.frozen
class Stddev(Function):
    """``stddev(field)``: the standard deviation."""

    name = "stddev"
    kind = FunctionKind.AGGREGATION
    result_type = float


@attrs.frozen
class Sum(Function):
    """``sum(field)``: the sum."""

    name = "sum"
    kind = FunctionKind.AGGREGATION


@attrs.frozen
class Integral(Function):
    """``integral(field[, unit])``: the area under the curve, per ``unit`` (default 1s)."""

    name = "integral"
    kind = FunctionKind.AGGREGATION
    result_type = float
    unit: int | None = attrs.field(default=None, converter=_optional_duration)

    def arguments(self) -> tuple[Argument, ...]:
        """``field`` and, when given, the unit."""
        unit = () if self.unit is None else (DurationArg(self.unit),)
        return (self._field_arg(), *unit)


@attrs.frozen
class First(Function):
    """``first(field)``: the oldest value."""

    name = "first"
    kind = FunctionKind.SELECTOR
    accepts = _ANY_TYPE


@attrs.frozen
class Last(Function):
    """``last(field)``: the newest value."""

    name = "last"
    kind = FunctionKind.SELECTOR
    accepts = _ANY_TYPE


@attrs.frozen
class Max(Function):
    """``max(field)``: the greatest value."""

    name = "max"
    kind = FunctionKind.SELECTOR
    accepts = _NOT_STR


@attrs.frozen
class Min(Function):
    """``min(field)``: the least value."""

    name = "min"
    kind = FunctionKind.SELECTOR
    accepts = _NOT_STR


def _percent(value: object) -> int | float:
    if (
        type(value) not in (int, float)
        or not math.isfinite(value)  # type: ignore[arg-type]
        or not 0 <= value <= 100  # type: ignore[operator]
    ):
        raise QueryBuildError(f"percentile N must be a number from 0 to 100, not {value!r}")
    return value  # type: ignore[return-value]


@attrs.frozen
class Percentile(Function):
    """``percentile(field, n)``: the value at the ``n``-th percentile (0-100)."""

    name = "percentile"
    kind = FunctionKind.SELECTOR
    n: int | float = attrs.field(converter=_percent)

    def arguments(self) -> tuple[Argument, ...]:
        """``field, n``."""
        return (self._field_arg(), self.n)


@attrs.frozen
class Sample(Function):
    """``sample(field, n)``: ``n`` randomly chosen values."""

    name = "sample"
    kind = FunctionKind.SELECTOR
    accepts = _ANY_TYPE
    n: int = attrs.field(converter=_sample_n)

    def arguments(self) -> tuple[Argument, ...]:
        """``field, n``."""
        return (self._field_arg(), self.n)


def _tags(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise QueryBuildError(f"tags must be a tuple of tag names, not {value!r}")
    for tag in value:
        if not isinstance(tag, str) or not tag:
            raise QueryBuildError(f"not a tag name: {tag!r}")
    return tuple(value)


@attrs.frozen
class Top(Function):
    """``top(field[, tags...], n)``: the ``n`` greatest values (per distinct ``tags``)."""

    name = "top"
    kind = FunctionKind.SELECTOR
    n: int = attrs.field(converter=_top_n)
    tags: tuple[str, ...] = attrs.field(default=(), converter=_tags)

    def arguments(self) -> tuple[Argument, ...]:
        """``field, tags..., n``."""
        if isinstance(self.field, Function):
            raise QueryBuildError(f"{self.name}() takes a field name, not a function")
        return (self._field_arg(), *(TagArg(t) for t in self.tags), self.n)


@attrs.frozen
class Bottom(Top):
    """``bottom(field[, tags...], n)``: the ``n`` least values (per distinct ``tags``)."""

    name = "bottom"


@attrs.frozen
class Derivative(Function):
    """``derivative(field_or_function[, unit])``: rate of change per ``unit`` (default 1s)."""

    name = "derivative"
    kind = FunctionKind.TRANSFORMATION
    result_type: ClassVar[type | None] = float
    unit: int | None = attrs.field(default=None, converter=_optional_duration)

    def arguments(self) -> tuple[Argument, ...]:
        """``field`` and, when given, the unit."""
        unit = () if self.unit is None else (DurationArg(self.unit),)
        return (self._field_arg(), *unit)


@attrs.frozen
class NonNegativeDerivative(Derivative):
    """``non_negative_derivative(...)``: like :class:`Derivative`, negative rates dropped."""

    name = "non_negative_derivative"


@attrs.frozen
class Elapsed(Derivative):
    """``elapsed(field[, unit])``: time between consecutive points, in ``unit`` (default 1ns)."""

    name = "elapsed"
    result_type = int
    accepts = _ANY_TYPE


@attrs.frozen
class Difference(Function):
    """``difference(field_or_function)``: the change from the previous value."""

    name = "difference"
    kind = FunctionKind.TRANSFORMATION


@attrs.frozen
class CumulativeSum(Function):
    """``cumulative_sum(field_or_function)``: the running total."""

    name = "cumulative_sum"
    kind = FunctionKind.TRANSFORMATION


@attrs.frozen
class MovingAverage(Function):
    """``moving_average(field_or_function, n)``: the mean of each ``n`` consecutive values."""

    name = "moving_average"
    kind = FunctionKind.TRANSFORMATION
    result_type = float
    n: int = attrs.field(converter=_window)

    def arguments(self) -> tuple[Argument, ...]:
        """``field, n``."""
        return (self._field_arg(), self.n)
