"""The query layer: filters, functions, immutable queries and their compiler (no I/O).

Importing it registers the factory behind ``Model.objects``.
"""

from typing import Any

from influxorm.models.measurement import _register_query_factory
from influxorm.query.compiler import compile_delete, compile_query
from influxorm.query.expressions import Now, Q, now
from influxorm.query.functions import (
    Bottom,
    Count,
    CumulativeSum,
    Derivative,
    Difference,
    Distinct,
    Elapsed,
    First,
    Function,
    Integral,
    Last,
    Max,
    Mean,
    Median,
    Min,
    Mode,
    MovingAverage,
    NonNegativeDerivative,
    Percentile,
    Sample,
    Spread,
    Stddev,
    Sum,
    Top,
)
from influxorm.query.query import AggregateQuery, Every, IntoQuery, Query, every

__all__ = [
    "AggregateQuery",
    "Bottom",
    "Count",
    "CumulativeSum",
    "Derivative",
    "Difference",
    "Distinct",
    "Elapsed",
    "Every",
    "First",
    "Function",
    "Integral",
    "IntoQuery",
    "Last",
    "Max",
    "Mean",
    "Median",
    "Min",
    "Mode",
    "MovingAverage",
    "NonNegativeDerivative",
    "Now",
    "Percentile",
    "Q",
    "Query",
    "Sample",
    "Spread",
    "Stddev",
    "Sum",
    "Top",
    "compile_delete",
    "compile_query",
    "every",
    "now",
]


def _objects(model: type[Any]) -> Query[Any]:
    return Query(model)


_register_query_factory(_objects)
