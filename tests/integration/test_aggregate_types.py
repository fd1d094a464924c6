"""Aggregate rows have the types of their functions, over JSON and over msgpack alike.

What influxd 1.6.7 answers, read in msgpack (which keeps int vs float), for a float
field holding whole numbers, an int, a bool and a string field (``test_server_types``
checks every case below against ``Function.value_type``):

* ``mean``, ``median``, ``stddev``, ``integral``, ``derivative``,
  ``non_negative_derivative``, ``moving_average``: float, also over integers (and over
  a nested ``count``);
* ``count``, ``elapsed``: int, over any field type (``elapsed`` also over strings);
* ``sum``, ``spread``, ``difference``, ``cumulative_sum``, ``percentile``, ``max``,
  ``min``, ``first``, ``last``, ``top``, ``bottom``, ``sample``, ``mode``,
  ``distinct``: the argument's type (int stays int; ``max``/``min``/``first``/``last``/
  ``mode``/``distinct``/``sample`` of a bool are bools, ``first``/``last``/``mode``/
  ``distinct``/``sample`` of a string are strings);
* nested: the outer function's rule over the inner one's type (``difference(max(int))``
  is int, ``difference(count(...))`` int, ``derivative(count(...))`` float);
* ``fill(number)`` takes the function's type (``fill(1.5)`` in an int ``sum`` reads 1,
  in a ``mean`` 1.5; ``fill(0)`` in a ``mean`` reads 0.0); ``fill(null)`` is null.

JSON writes every whole float as an integer (``117.0`` -> ``117``): the row factory
makes those columns floats again, so both wires give the same dicts with the same
types. The JSON path is taken by making the session's ``Accept`` decision answer JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import influxorm as orm
from influxorm.query.compiler import compile_query
from influxorm.query.query import AggregateQuery, FillValue, Query
from influxorm.results.decoding import JSON, MSGPACK, frame_accept
from influxorm.session import Session
from influxorm.testing import InfluxDBServer

pytest.importorskip("msgpack")

SECOND = 1_000_000_000


class Reading(orm.Measurement, name="readings"):
    time: int = orm.time()
    sensor: str = orm.tag()
    temp: float = orm.field()
    hits: int = orm.field()
    ok: bool = orm.field()
    label: str = orm.field()


TEMPS = (110.0, 112.0, 117.0, 113.0, 115.0, 111.0, 116.0, 114.0)  # whole floats
READINGS = [
    Reading(
        time=(i + 1) * SECOND,
        sensor="ab"[i % 2],
        temp=temp,
        hits=3 * (i + 1),
        ok=i % 3 != 0,
        label=f"s{i % 2}",
    )
    for i, temp in enumerate(TEMPS)
]  # points at 1s .. 8s

Build = Callable[[Query[Reading]], AggregateQuery[Reading]]


def _window(q: Query[Reading]) -> Query[Reading]:
    return q.where(time__gte=0, time__lt=12 * SECOND)  # 10s..12s is empty


def _filled(fill: FillValue) -> Build:
    def build(q: Query[Reading]) -> AggregateQuery[Reading]:
        return (
            _window(q)
            .aggregate(
                avg=orm.Mean("temp"),
                avg_int=orm.Mean("hits"),
                total=orm.Sum("hits"),
                n=orm.Count("hits"),
                top=orm.Max("temp"),
                top_int=orm.Max("hits"),
            )
            .group_by("sensor", orm.every("2s"), fill=fill)
        )

    return build


CASES: dict[str, Build] = {
    "aggregations-float": lambda q: q.aggregate(
        n=orm.Count("temp"),
        avg=orm.Mean("temp"),
        med=orm.Median("temp"),
        mode=orm.Mode("temp"),
        spread=orm.Spread("temp"),
        sd=orm.Stddev("temp"),
        total=orm.Sum("temp"),
        area=orm.Integral("temp"),
        area2=orm.Integral("temp", "2s"),
    ),
    "aggregations-int": lambda q: q.aggregate(
        n=orm.Count("hits"),
        avg=orm.Mean("hits"),
        med=orm.Median("hits"),
        mode=orm.Mode("hits"),
        spread=orm.Spread("hits"),
        sd=orm.Stddev("hits"),
        total=orm.Sum("hits"),
        area=orm.Integral("hits"),
    ),
    "aggregations-bool-str": lambda q: q.aggregate(
        n=orm.Count("ok"), m=orm.Mode("ok"), ns=orm.Count("label"), ms=orm.Mode("label")
    ),
    "selectors-float": lambda q: q.aggregate(
        first=orm.First("temp"), last=orm.Last("temp"), top=orm.Max("temp"), low=orm.Min("temp")
    ),
    "selectors-int": lambda q: q.aggregate(
        first=orm.First("hits"), last=orm.Last("hits"), top=orm.Max("hits"), low=orm.Min("hits")
    ),
    "selectors-bool": lambda q: q.aggregate(
        first=orm.First("ok"), last=orm.Last("ok"), top=orm.Max("ok"), low=orm.Min("ok")
    ),
    "selectors-str": lambda q: q.aggregate(first=orm.First("label"), last=orm.Last("label")),
    "percentile-float": lambda q: q.aggregate(p=orm.Percentile("temp", 50)),
    "percentile-int": lambda q: q.aggregate(p=orm.Percentile("hits", 62.5)),
    "top-float": lambda q: q.aggregate(best=orm.Top("temp", 3)),
    "top-int-tags": lambda q: q.aggregate(best=orm.Top("hits", 2, tags=("sensor",))),
    "bottom-float-tags": lambda q: q.aggregate(worst=orm.Bottom("temp", 2, tags=("sensor",))),
    "bottom-int": lambda q: q.aggregate(worst=orm.Bottom("hits", 2)),
    "sample-float": lambda q: q.aggregate(s=orm.Sample("temp", 100)),  # all points
    "sample-int": lambda q: q.aggregate(s=orm.Sample("hits", 100)),
    "sample-bool": lambda q: q.aggregate(s=orm.Sample("ok", 100)),
    "distinct-float": lambda q: q.aggregate(d=orm.Distinct("temp")),
    "distinct-int": lambda q: q.aggregate(d=orm.Distinct("hits")),
    "distinct-str": lambda q: q.aggregate(d=orm.Distinct("label")),
    "count-distinct": lambda q: q.aggregate(n=orm.Count(orm.Distinct("temp"))),
    "derivative-float": lambda q: q.aggregate(r=orm.Derivative("temp")),
    "derivative-int": lambda q: q.aggregate(r=orm.Derivative("hits", "2s")),
    "nn-derivative-int": lambda q: q.aggregate(r=orm.NonNegativeDerivative("hits")),
    "elapsed-float": lambda q: q.aggregate(e=orm.Elapsed("temp")),
    "elapsed-str": lambda q: q.aggregate(e=orm.Elapsed("label", "1s")),
    "difference-float": lambda q: q.aggregate(d=orm.Difference("temp")),
    "difference-int": lambda q: q.aggregate(d=orm.Difference("hits")),
    "cumulative-sum-float": lambda q: q.aggregate(c=orm.CumulativeSum("temp")),
    "cumulative-sum-int": lambda q: q.aggregate(c=orm.CumulativeSum("hits")),
    "moving-average-float": lambda q: q.aggregate(m=orm.MovingAverage("temp", 2)),
    "moving-average-int": lambda q: q.aggregate(m=orm.MovingAverage("hits", 2)),
    "nested": lambda q: (
        _window(q)
        .aggregate(
            rate=orm.Derivative(orm.Mean("hits"), "1s"),
            step=orm.Difference(orm.Max("temp")),
            step_int=orm.Difference(orm.Max("hits")),
            runs=orm.CumulativeSum(orm.Count("temp")),
            grows=orm.Derivative(orm.Count("temp")),
            csum=orm.CumulativeSum(orm.Sum("hits")),
            ma=orm.MovingAverage(orm.Max("hits"), 2),
            gap=orm.Elapsed(orm.Max("temp")),
        )
        .group_by(orm.every("2s"))
    ),
    "group-by-tag": lambda q: q.aggregate(top=orm.Max("temp"), avg=orm.Mean("hits")).group_by(
        "sensor"
    ),
    **{f"fill-{fill}": _filled(fill) for fill in (0, 1.5, -2, None, "previous", "linear")},
}


@pytest.fixture(scope="module")
def readings(influxdb_server: InfluxDBServer) -> Iterator[Session]:
    name = f"aggtypes_{uuid.uuid4().hex[:8]}"
    influxdb_server.execute(f'CREATE DATABASE "{name}"')
    try:
        with Session(
            influxdb_server.url,
            database=name,
            username=influxdb_server.username,
            password=influxdb_server.password,
        ) as session:
            session.write(READINGS)
            yield session
    finally:
        influxdb_server.execute(f'DROP DATABASE "{name}"')


def _query(session: Session, case: str) -> AggregateQuery[Reading]:
    return CASES[case](Reading.objects.using(session))


def _typed(rows: list[dict[str, Any]]) -> list[dict[str, tuple[type, Any]]]:
    return [{key: (type(value), value) for key, value in row.items()} for row in rows]


def _as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the session ask for JSON, as it does without the ``msgpack`` package."""
    monkeypatch.setattr("influxorm.session.raw_query.frame_accept", lambda: JSON)


def test_sessions_ask_for_msgpack_here() -> None:
    # The msgpack side of these tests is the session's own choice.
    assert frame_accept() == MSGPACK


@pytest.mark.parametrize("case", CASES)
def test_server_types(readings: Session, case: str) -> None:
    """influxd's own types (msgpack, no conversion by influxorm) are the table's."""
    query = _query(readings, case)
    text, params = compile_query(query)
    raw = readings.query(text, params=params or None, output="json")
    checked = 0
    for result in raw["results"]:
        assert "error" not in result, result
        for series in result.get("series", ()):
            columns = series["columns"]
            for name, function in query.aggregates:
                expected = function.value_type(query.schema)
                assert expected is not None
                column = columns.index(name)
                for values in series["values"]:
                    if values[column] is not None:
                        assert type(values[column]) is expected, (name, values)
                        checked += 1
    assert checked > 0


@pytest.mark.parametrize("case", CASES)
def test_json_and_msgpack_rows_are_identical(
    readings: Session, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = _query(readings, case)
    over_msgpack = query.fetch()
    with monkeypatch.context() as patch:
        _as_json(patch)
        over_json = query.fetch()
        iterated_json = list(query.iterate(chunk_size=3))
    assert over_msgpack, case
    assert _typed(over_json) == _typed(over_msgpack)
    assert _typed(iterated_json) == _typed(over_msgpack)
    for name, function in query.aggregates:
        expected = function.value_type(query.schema)
        for row in over_json:
            assert row[name] is None or type(row[name]) is expected, (name, row)
        if expected is float:
            assert not any(type(row[name]) is int for row in over_json)
    assert all(type(row["time"]) is int for row in over_json)  # int nanoseconds, as before


@pytest.mark.parametrize("case", ["aggregations-float", "selectors-float", "nested", "fill-None"])
def test_json_and_msgpack_first_rows_are_identical(
    readings: Session, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = _query(readings, case)
    over_msgpack = query.first()
    _as_json(monkeypatch)
    over_json = query.first()
    assert over_msgpack is not None
    assert over_json is not None
    assert _typed([over_json]) == _typed([over_msgpack])


def test_whole_floats_arrive_as_ints_over_json(
    readings: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the conversion is for: JSON's ``117`` for 117.0, and the row's 117.0."""
    query = Reading.objects.using(readings).aggregate(top=orm.Max("temp"), n=orm.Count("temp"))
    text, _ = compile_query(query)
    _as_json(monkeypatch)
    raw = readings.query(text, output="json")
    assert raw["results"][0]["series"][0]["values"] == [[0, 117, 8]]
    assert type(raw["results"][0]["series"][0]["values"][0][1]) is int
    row = query.first()
    assert row == {"time": 0, "top": 117.0, "n": 8}
    assert type(row["top"]) is float
    assert type(row["n"]) is int


@pytest.mark.parametrize("case", ["aggregations-int", "selectors-float", "nested", "fill-0"])
def test_json_and_msgpack_dataframes_have_the_same_dtypes(
    readings: Session, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = _query(readings, case)
    over_msgpack = query.to_dataframe()
    _as_json(monkeypatch)
    over_json = query.to_dataframe()
    assert dict(over_json.dtypes) == dict(over_msgpack.dtypes)
    assert over_json.equals(over_msgpack)
    for name, function in query.aggregates:
        if function.value_type(query.schema) is float:
            assert over_json[name].dtype == "float64"
