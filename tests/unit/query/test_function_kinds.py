"""The type of each function's values, from its argument's type (``Function.value_type``).

The table is what influxd 1.6.7 answers in msgpack (which keeps int vs float), checked
against the server in ``tests/integration/test_aggregate_types.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from query_models import Quote, Trade

import influxorm as orm
from influxorm.models.schema import schema_of
from influxorm.query.functions import Function
from influxorm.results.rows import rows as _rows

TRADE = schema_of(Trade)

ALWAYS_FLOAT = [orm.Mean, orm.Median, orm.Stddev, orm.Integral, orm.Derivative]
ALWAYS_FLOAT += [orm.NonNegativeDerivative]
SAME_AS_ARGUMENT = [orm.Sum, orm.Spread, orm.Difference, orm.CumulativeSum, orm.Max, orm.Min]
SAME_AS_ARGUMENT += [orm.First, orm.Last, orm.Mode, orm.Distinct]
#: Trade's fields and their stored types (``level`` is an Enum of ints)
FIELDS = {"price": float, "size": int, "flagged": bool, "trade_id": str, "level": int}


@pytest.mark.parametrize("function", ALWAYS_FLOAT, ids=lambda f: f.__name__)
@pytest.mark.parametrize("field", FIELDS)
def test_always_float(function: type[Function], field: str) -> None:
    assert function(field).value_type(TRADE) is float


@pytest.mark.parametrize("field", FIELDS)
def test_always_float_with_an_argument(field: str) -> None:
    assert orm.MovingAverage(field, 3).value_type(TRADE) is float


@pytest.mark.parametrize("function", [orm.Count, orm.Elapsed], ids=lambda f: f.__name__)
@pytest.mark.parametrize("field", FIELDS)
def test_always_int(function: type[Function], field: str) -> None:
    assert function(field).value_type(TRADE) is int


@pytest.mark.parametrize("function", SAME_AS_ARGUMENT, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("field", "expected"), FIELDS.items())
def test_same_as_argument(function: type[Function], field: str, expected: type) -> None:
    assert function(field).value_type(TRADE) is expected


@pytest.mark.parametrize(("field", "expected"), FIELDS.items())
def test_same_as_argument_with_n(field: str, expected: type) -> None:
    for function in (
        orm.Percentile(field, 50),
        orm.Sample(field, 2),
        orm.Top(field, 2),
        orm.Bottom(field, 2, tags=("instrument",)),
    ):
        assert function.value_type(TRADE) is expected, function


def test_field_named_by_key_or_attribute() -> None:
    quote = schema_of(Quote)
    assert orm.Max("bid").value_type(quote) is float
    assert orm.Max("bid price").value_type(quote) is float


def test_nested_functions_take_the_inner_type() -> None:
    assert orm.Difference(orm.Max("size")).value_type(TRADE) is int
    assert orm.Difference(orm.Max("price")).value_type(TRADE) is float
    assert orm.CumulativeSum(orm.Sum("size")).value_type(TRADE) is int
    assert orm.Difference(orm.Count("price")).value_type(TRADE) is int
    assert orm.Difference(orm.Mean("size")).value_type(TRADE) is float
    assert orm.Derivative(orm.Count("price"), "1s").value_type(TRADE) is float
    assert orm.MovingAverage(orm.Max("size"), 2).value_type(TRADE) is float
    assert orm.Elapsed(orm.Max("price")).value_type(TRADE) is int
    assert orm.Count(orm.Distinct("price")).value_type(TRADE) is int


def test_unknown_for_star_and_unknown_names() -> None:
    # "*" answers one column per field (``<name>_<field>``): no column has the name.
    for function in (orm.Mean("*"), orm.Count("*"), orm.Max("*"), orm.Derivative(orm.Max("*"))):
        assert function.value_type(TRADE) is None, function
    assert orm.Max("nope").value_type(TRADE) is None
    assert orm.Max("instrument").value_type(TRADE) is None  # a tag: not a field's type
    # a fixed result type does not depend on knowing the argument
    assert orm.Mean("nope").value_type(TRADE) is float


def _response(columns: list[str], values: list[list[Any]], **tags: str) -> dict[str, Any]:
    series: dict[str, Any] = {"name": "trades", "columns": columns, "values": values}
    if tags:
        series["tags"] = tags
    return {"results": [{"statement_id": 0, "series": [series]}]}


def test_rows_make_float_columns_floats() -> None:
    response = _response(
        ["time", "avg", "n", "top"],
        [[0, 117, 3, 5], [1, 2.5, 4, None], [2, None, 0, True]],
        instrument="AAPL",
    )
    rows = _rows(TRADE, response, frozenset({"avg", "top", "absent"}))
    assert rows == [
        {"time": 0, "instrument": "AAPL", "avg": 117.0, "n": 3, "top": 5.0},
        {"time": 1, "instrument": "AAPL", "avg": 2.5, "n": 4, "top": None},
        {"time": 2, "instrument": "AAPL", "avg": None, "n": 0, "top": True},
    ]
    assert [type(r["avg"]) for r in rows] == [float, float, type(None)]
    assert [type(r["n"]) for r in rows] == [int, int, int]
    assert type(rows[2]["top"]) is bool  # bools are never numbers here
    assert [type(r["time"]) for r in rows] == [int, int, int]


def test_rows_leave_float_columns_of_floats_as_they_are() -> None:
    values = [[0, 117.0, 1], [1, 2.5, 2]]
    rows = _rows(TRADE, _response(["time", "avg", "n"], values), frozenset({"avg"}))
    assert rows == [{"time": 0, "avg": 117.0, "n": 1}, {"time": 1, "avg": 2.5, "n": 2}]
    assert all(row["avg"] is v[1] for row, v in zip(rows, values, strict=True))
