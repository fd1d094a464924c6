"""Models written through a real influxd and read back exactly (epoch=ns).

Measurement names, tag keys, tag values, field keys and string values are drawn from
every character the line protocol escapes or trips on; numbers from their full ranges.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.trades import Side, Trade

import influxorm as orm
from influxorm.exceptions import ModelDefinitionError
from influxorm.models.hydration import hydrate_series
from influxorm.models.schema import schema_of
from influxorm.session import Session
from influxorm.timeutil import MAX_NS, MIN_NS

SPECIAL = ",= \"'\\#\t\x0b\x0c\x01\x7f\u00e9\u2028\U0001f600"
text = st.text(
    alphabet=st.one_of(
        st.sampled_from(SPECIAL),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"),
    ),
    max_size=12,
)
names = text.filter(lambda s: s and not s.endswith("\\") and s != "time")
field_keys = names.filter(
    lambda s: (
        not s.startswith("\t")
        and "\\," not in s
        and "\\ " not in s
        and "\\=" not in s
        and '\\"' not in s
    )
)
measurement_names = field_keys.filter(lambda s: not s.startswith("#"))
tag_values = text.filter(lambda s: not s.endswith("\\"))
_counter = itertools.count()


def quote_ident(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def select_all(session: Session, measurement: str) -> dict[str, Any]:
    result = session.query(f"SELECT * FROM {quote_ident(measurement)}", epoch="ns")
    (series,) = result["results"][0]["series"]  # type: ignore[index]
    assert series["name"] == measurement
    return series  # type: ignore[no-any-return]


def make_model(measurement: str, tag_key: str, field_key: str) -> type[orm.Measurement]:
    namespace = {
        "__module__": __name__,
        "__annotations__": {
            "time": int,
            "label": str,
            "other": str,
            "f": float,
            "i": int,
            "s": str,
            "flag": bool,
        },
        "time": orm.time(),
        "label": orm.tag(name=tag_key),
        "other": orm.tag(),
        "f": orm.field(),
        "i": orm.field(),
        "s": orm.field(name=field_key),
        "flag": orm.field(),
    }
    return type(orm.Measurement)("RoundTrip", (orm.Measurement,), namespace, name=measurement)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    measurement=measurement_names,
    tag_key=names,
    field_key=field_keys,
    points=st.lists(
        st.fixed_dictionaries(
            {
                "time": st.integers(MIN_NS, MAX_NS),
                "label": tag_values,
                "other": tag_values,
                "f": st.floats(allow_nan=False, allow_infinity=False),
                "i": st.integers(-(2**63), 2**63 - 1),
                "s": st.text(alphabet=st.characters(blacklist_categories=("Cs",))),
                "flag": st.booleans(),
            }
        ),
        min_size=1,
        max_size=5,
        unique_by=lambda p: p["time"],
    ),
)
def test_random_points_round_trip_exactly(
    influxdb_session: Session,
    measurement: str,
    tag_key: str,
    field_key: str,
    points: list[dict[str, Any]],
) -> None:
    assume(len({tag_key, field_key, "other", "f", "i", "flag"}) == 6)
    name = f"{measurement}_{next(_counter)}"  # a fresh measurement per example
    try:
        model = make_model(name, tag_key, field_key)
    except ModelDefinitionError:  # pragma: no cover - the strategies avoid these
        pytest.fail("strategies produced an invalid declaration")
    instances = [model(**p) for p in points]
    # Not asserting write()'s point count: it counts LF-split lines, and a string field
    # may hold a LF (reported to the session's owner).
    influxdb_session.write(instances)
    series = select_all(influxdb_session, name)
    back = hydrate_series(model, series["columns"], series["values"])
    assert sorted(back, key=lambda m: m.time) == sorted(instances, key=lambda m: m.time)  # type: ignore[attr-defined]
    for restored in back:
        assert type(restored.f) is float  # type: ignore[attr-defined]


class Presence(orm.Measurement, name="presence", extra_tags={"site": "lab 1"}):
    time: int = orm.time()
    host: str | None = orm.tag(default=None)


def test_design_example_round_trips(influxdb_session: Session) -> None:
    trades = [
        Trade(
            time=datetime(2024, 1, 2, tzinfo=UTC),
            instrument="AAPL",
            side=Side.BUY,
            price=219.0,
            size=100,
            trade_id="34a1",
        ),
        Trade(
            time=datetime(2024, 1, 2, 0, 0, 1, 5, tzinfo=UTC),
            instrument="MSFT",
            side=Side.SELL,
            price=1.25,
            size=-3,
            trade_id="x",
            note='a "note"',
        ),
    ]
    influxdb_session.write(trades)
    series = select_all(influxdb_session, "trades")
    assert "note" in series["columns"]
    back = hydrate_series(Trade, series["columns"], series["values"])
    assert back == trades
    assert back[0].note is None
    assert type(back[0].price) is float


def test_fieldless_model_and_extra_tags(influxdb_session: Session) -> None:
    points = [Presence(time=1, host="a"), Presence(time=2)]
    influxdb_session.write(points)
    series = select_all(influxdb_session, "presence")
    assert sorted(series["columns"]) == ["_placeholder", "host", "site", "time"]
    assert hydrate_series(Presence, series["columns"], series["values"]) == points
    grouped = influxdb_session.query("SELECT * FROM presence GROUP BY site", epoch="ns")
    (series,) = grouped["results"][0]["series"]  # type: ignore[index]
    assert series["tags"] == {"site": "lab 1"}
    assert hydrate_series(Presence, series["columns"], series["values"], series["tags"]) == points
    assert schema_of(Presence).extra_tags == (("site", "lab 1"),)
