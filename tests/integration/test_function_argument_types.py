"""What the query builder refuses at build time is exactly what influxd refuses.

For every function over a float, an int, a bool and a str field (and the transformations
over a nested selector or count): when ``aggregate()`` accepts it, the server answers it;
when ``aggregate()`` refuses it (naming the field's type), the same statement, compiled
without the check, makes influxd 1.6.7 answer ``unsupported ... iterator type``. Also:
ordering comparisons of a string field, which the builder refuses, match no row on the
server even where they should.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

import influxorm as orm
from influxorm.query.compiler import compile_query
from influxorm.query.functions import Function
from influxorm.query.query import AggregateQuery
from influxorm.session import Session
from influxorm.testing import InfluxDBServer

SECOND = 1_000_000_000


class Obs(orm.Measurement, name="samples"):
    time: int = orm.time()
    host: str = orm.tag()
    f: float = orm.field()
    i: int = orm.field()
    b: bool = orm.field()
    s: str = orm.field()


POINTS = [
    Obs(time=(n + 1) * SECOND, host="h", f=n + 0.5, i=n, b=n % 2 == 0, s=f"v{n}") for n in range(6)
]
TYPES = {"f": float, "i": int, "b": bool, "s": str}

Make = Callable[[str], Function]
FUNCTIONS: dict[str, Make] = {
    "count": orm.Count,
    "distinct": orm.Distinct,
    "mode": orm.Mode,
    "first": orm.First,
    "last": orm.Last,
    "sample": lambda f: orm.Sample(f, 2),
    "elapsed": orm.Elapsed,
    "max": orm.Max,
    "min": orm.Min,
    "mean": orm.Mean,
    "median": orm.Median,
    "spread": orm.Spread,
    "stddev": orm.Stddev,
    "sum": orm.Sum,
    "integral": orm.Integral,
    "percentile": lambda f: orm.Percentile(f, 50),
    "top": lambda f: orm.Top(f, 2),
    "bottom": lambda f: orm.Bottom(f, 2),
    "derivative": orm.Derivative,
    "non_negative_derivative": orm.NonNegativeDerivative,
    "difference": orm.Difference,
    "cumulative_sum": orm.CumulativeSum,
    "moving_average": lambda f: orm.MovingAverage(f, 2),
}
OUTER: dict[str, Callable[[Function], Function]] = {
    "derivative": orm.Derivative,
    "difference": orm.Difference,
    "cumulative_sum": orm.CumulativeSum,
    "moving_average": lambda f: orm.MovingAverage(f, 2),
}
INNER: dict[str, Make] = {
    "first": orm.First,
    "distinct": orm.Distinct,
    "count": orm.Count,
    "max": orm.Max,
}


@pytest.fixture(scope="module")
def db(influxdb_server: InfluxDBServer) -> Iterator[Session]:
    name = f"fn_{uuid.uuid4().hex[:8]}"
    influxdb_server.execute(f'CREATE DATABASE "{name}"')
    try:
        with Session(
            influxdb_server.url,
            database=name,
            username=influxdb_server.username,
            password=influxdb_server.password,
        ) as session:
            session.write(POINTS)
            yield session
    finally:
        influxdb_server.execute(f'DROP DATABASE "{name}"')


def _unchecked(query: AggregateQuery[Obs], function: Function) -> AggregateQuery[Obs]:
    """``query`` with ``function`` added without the builder's checks."""
    return attrs.evolve(query, aggregates=(("x", function),))


def _server_error(session: Session, query: AggregateQuery[Obs]) -> str | None:
    text, params = compile_query(query)
    try:
        session.query(text, params=params or None)
    except orm.QueryError as error:
        return error.server_message
    return None


def _agree(session: Session, query: AggregateQuery[Obs], function: Function) -> None:
    refused: orm.QueryBuildError | None = None
    try:
        built = query.aggregate(x=function)
    except orm.QueryBuildError as error:
        refused = error
    if refused is None:
        assert _server_error(session, built) is None
        return
    error = _server_error(session, _unchecked(query, function))
    assert error is not None, f"the builder refused what the server answers: {refused}"
    assert "unsupported" in error


@pytest.mark.parametrize("field", list(TYPES))
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_the_builder_refuses_what_the_server_refuses(db: Session, name: str, field: str) -> None:
    function = FUNCTIONS[name](field)
    _agree(db, AggregateQuery(Obs), function)


@pytest.mark.parametrize("field", list(TYPES))
@pytest.mark.parametrize("inner", list(INNER))
@pytest.mark.parametrize("outer", list(OUTER))
def test_nested_functions_agree_with_the_server(
    db: Session, outer: str, inner: str, field: str
) -> None:
    try:
        inner_function = INNER[inner](field)
        inner_function.validate(Obs.objects.schema)
    except orm.QueryBuildError:
        pytest.skip("the inner function itself is refused (checked above)")
    base: Any = AggregateQuery(Obs).where(time__gte=0, time__lt=10 * SECOND)
    base = base.group_by(orm.every("1s"))
    _agree(db, base, OUTER[outer](inner_function))


def test_the_refusals_name_the_field_and_its_type() -> None:
    with pytest.raises(orm.QueryBuildError) as caught:
        Obs.objects.aggregate(avg=orm.Mean("s"))
    assert str(caught.value) == (
        "Obs.s is a str field: mean() takes numbers (int or float) (the server would refuse it)"
    )
    with pytest.raises(orm.QueryBuildError, match=r"Obs.s is a str field: max\(\) takes "):
        Obs.objects.aggregate(top=orm.Max("s"))
    with pytest.raises(orm.QueryBuildError, match=r"Obs.b is a bool field: sum\(\)"):
        Obs.objects.aggregate(total=orm.Sum("b"))
    with pytest.raises(orm.QueryBuildError) as nested:
        Obs.objects.aggregate(d=orm.Derivative(orm.First("s")))
    assert "derivative() takes numbers (int or float), and first() of 's' gives str" in str(
        nested.value
    )


@pytest.mark.parametrize("op", [">", ">=", "<", "<="])
def test_string_ordering_matches_nothing_on_the_server(db: Session, op: str) -> None:
    # Every stored value compares true against '' (or false against 'zzz'), yet none match.
    literal = "''" if op.startswith(">") else "'zzz'"
    result = db.query(f'SELECT "s" FROM "samples" WHERE "s" {op} {literal}')
    assert "series" not in result["results"][0]
    lookup = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}[op]
    with pytest.raises(orm.QueryBuildError, match="is a str field"):
        Obs.objects.where(**{f"s__{lookup}": literal.strip("'")})
