"""The generated per-model encoder: output, inline validation, codegen visibility."""

from __future__ import annotations

import linecache
import math
import traceback
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from model_examples import Event, Level, Reading, Side, Tick, Trade

import influxorm as orm
from influxorm._codegen import compile_generated
from influxorm.exceptions import ValidationError
from influxorm.models.schema import schema_of
from influxorm.models.serializer import HEAD_CACHE_SIZE, PLACEHOLDER_FIELD, make_encoder_source

NS_2024 = 1_704_153_600_000_000_000


def trade(**changes: object) -> Trade:
    values: dict[str, object] = {
        "time": datetime(2024, 1, 2, tzinfo=UTC),
        "instrument": "AAPL",
        "side": Side.BUY,
        "price": 219.23,
        "size": 100,
        "trade_id": "34a1",
    }
    values.update(changes)
    return Trade(**values)  # type: ignore[arg-type]


def test_trade_line() -> None:
    assert trade().to_lineprotocol() == (
        b'trades,instrument=AAPL,side=BUY price=219.23,size=100i,trade_id="34a1" '
        + str(NS_2024).encode()
    )


def test_optional_none_is_left_out_never_written_as_none() -> None:
    assert b"note" not in trade().to_lineprotocol()
    assert b',note="n"' in trade(note="n").to_lineprotocol()
    assert Reading(time=1, value=1.5).to_lineprotocol() == b"readings,site=lab\\ 1 value=1.5 1"
    assert Reading(time=1, ok=False, level=Level.HIGH).to_lineprotocol() == (
        b"readings,site=lab\\ 1 ok=false,level=2i 1"
    )


def test_every_optional_field_none_is_an_empty_field_set() -> None:
    with pytest.raises(ValidationError, match="at least one field") as info:
        Reading(time=1, sensor="s").to_lineprotocol()
    assert info.value.model == "Reading"


def test_fieldless_model_writes_the_placeholder() -> None:
    assert PLACEHOLDER_FIELD == "_placeholder"
    assert Event(time="1970-01-01T00:00:00.000000002Z", host="a b").to_lineprotocol() == (
        b"Event,host\\ name=a\\ b _placeholder=true 2"
    )


def test_optional_time_none_is_stamped_or_left_to_the_server() -> None:
    encoder = Event.__influxorm_encoder__
    assert encoder.encode(Event(host="h")) == "Event,host\\ name=h _placeholder=true"
    assert encoder.encode(Event(host="h"), 42) == "Event,host\\ name=h _placeholder=true 42"


@pytest.mark.parametrize(
    ("value", "ns"),
    [
        (datetime(2024, 1, 2), NS_2024),
        (datetime(2024, 1, 2, 1, tzinfo=timezone(timedelta(hours=1))), NS_2024),
        (datetime(2024, 1, 2, 0, 0, 0, 7, tzinfo=UTC), NS_2024 + 7000),
        ("2024-01-02T00:00:00.000000009Z", NS_2024 + 9),
        (NS_2024 + 3, NS_2024 + 3),
        (pd.Timestamp(NS_2024 + 5, tz="UTC"), NS_2024 + 5),
        (np.datetime64(NS_2024 + 6, "ns"), NS_2024 + 6),
    ],
)
def test_time_values(value: object, ns: int) -> None:
    assert trade(time=value).to_lineprotocol().endswith(b" " + str(ns).encode())


def test_tags_are_sorted_with_extra_tags_and_empty_tags_left_out() -> None:
    assert Reading(time=1, sensor="z", value=1.0).to_lineprotocol() == (
        b"readings,sensor=z,site=lab\\ 1 value=1.0 1"
    )
    assert Reading(time=1, sensor="", value=1.0).to_lineprotocol() == (
        b"readings,site=lab\\ 1 value=1.0 1"
    )
    assert trade(instrument="").to_lineprotocol().startswith(b"trades,side=BUY ")


def test_enum_tag_accepts_member_values() -> None:
    assert trade(side="SELL").to_lineprotocol() == trade(side=Side.SELL).to_lineprotocol()


def test_conversions_on_the_slow_path() -> None:
    line = trade(price=3, size=np.int64(4)).to_lineprotocol()
    assert b"price=3.0,size=4i," in line
    assert b"price=2.5," in trade(price=np.float32(2.5)).to_lineprotocol()
    assert b'trade_id="a\\"b\\\\"' in trade(trade_id='a"b\\').to_lineprotocol()


@pytest.mark.parametrize(
    ("changes", "attribute", "message"),
    [
        ({"price": math.nan}, "price", "finite"),
        ({"price": math.inf}, "price", "finite"),
        ({"price": -math.inf}, "price", "finite"),
        ({"price": "1.0"}, "price", "needs a float"),
        ({"price": None}, "price", "not declared optional"),
        ({"size": 2**63}, "size", "signed 64-bit"),
        ({"size": -(2**63) - 1}, "size", "signed 64-bit"),
        ({"size": True}, "size", "needs an int"),
        ({"size": 1.5}, "size", "needs an int"),
        ({"trade_id": 5}, "trade_id", "needs a str"),
        ({"instrument": "a\nb"}, "instrument", "line feed"),
        ({"instrument": "a\rb"}, "instrument", "line feed"),
        ({"instrument": "a\x00b"}, "instrument", "line feed"),
        ({"instrument": "ab\\"}, "instrument", "backslash"),
        ({"instrument": None}, "instrument", "not declared optional"),
        ({"instrument": 5}, "instrument", "must be a str"),
        ({"instrument": ["unhashable"]}, "instrument", "must be a str"),
        ({"side": "HOLD"}, "side", "Side member"),
        ({"time": None}, "time", "not a time"),
        ({"time": 2**63}, "time", "outside the range"),
        ({"time": "soon"}, "time", "ISO-8601"),
        ({"time": datetime(3000, 1, 1)}, "time", "outside the range"),
    ],
)
def test_validation_names_model_attribute_and_value(
    changes: dict[str, object], attribute: str, message: str
) -> None:
    point = trade(**changes)
    (value,) = changes.values()
    for encode in (lambda: point.to_lineprotocol(), lambda: Trade.to_lineprotocol_many([point])):
        with pytest.raises(ValidationError, match=message) as info:
            encode()
        assert info.value.model == "Trade"
        assert info.value.attribute == attribute
        assert info.value.value is value or info.value.value == value
        assert f"Trade.{attribute}" in str(info.value)


def test_enum_field_value_must_be_a_member_value() -> None:
    with pytest.raises(ValidationError, match="Level member"):
        Reading(time=1, level=7).to_lineprotocol()  # type: ignore[arg-type]


def test_bool_field_refuses_ints() -> None:
    with pytest.raises(ValidationError, match="needs a bool"):
        Reading(time=1, ok=1).to_lineprotocol()  # type: ignore[arg-type]


def test_many_is_the_lines_of_each() -> None:
    points = [trade(size=i, instrument=f"I{i % 3}") for i in range(10)]
    assert Trade.to_lineprotocol_many(points) == b"\n".join(p.to_lineprotocol() for p in points)
    assert Trade.to_lineprotocol_many(iter(points)) == Trade.to_lineprotocol_many(points)
    assert Trade.to_lineprotocol_many([]) == b""


def test_many_refuses_other_classes() -> None:
    with pytest.raises(ValidationError, match="Trade instances only"):
        Trade.to_lineprotocol_many([trade(), Reading(time=1, value=1.0)])  # type: ignore[list-item]


def test_head_cache_is_bounded_and_correct() -> None:
    schema = schema_of(Trade)
    source, globs = make_encoder_source(schema)
    encode = compile_generated(source, globs, "encode", "<test encoder>")
    for i in range(HEAD_CACHE_SIZE + 10):
        line = encode(trade(instrument=f"I{i}"))
        assert line.startswith(f"trades,instrument=I{i},side=BUY ")
    assert 0 < len(globs["_heads"]) <= HEAD_CACHE_SIZE
    assert encode(trade(instrument="I0")).startswith("trades,instrument=I0,")


def test_generated_source_is_in_linecache_and_tracebacks() -> None:
    encoder = Trade.__influxorm_encoder__
    assert encoder.filename == "<influxorm generated encoder support.trades.Trade>"
    assert encoder.encode.__code__.co_filename == encoder.filename
    assert "".join(linecache.getlines(encoder.filename)) == encoder.source
    with pytest.raises(ValidationError) as info:
        trade(price=math.nan).to_lineprotocol()
    rendered = "".join(traceback.format_exception(info.value))
    assert encoder.filename in rendered
    assert "_slow(v, _C['price']" in rendered  # the real generated line is shown


def test_make_encoder_source_is_pure() -> None:
    schema = schema_of(Tick)
    first, _ = make_encoder_source(schema)
    second, _ = make_encoder_source(schema)
    assert first == second
    assert "def encode(self, stamp=None):" in first
    assert "def encode_many(objs, stamp=None):" in first


def test_compile_generated_keeps_distinct_sources_apart() -> None:
    one = compile_generated("def f():\n    return 1\n", {}, "f", "<influxorm test same>")
    two = compile_generated("def f():\n    return 2\n", {}, "f", "<influxorm test same>")
    assert (one(), two()) == (1, 2)
    assert one.__code__.co_filename == "<influxorm test same>"
    assert two.__code__.co_filename == "<influxorm test same-2>"
    assert linecache.getline("<influxorm test same-2>", 2).strip() == "return 2"


def test_pandas_time_column() -> None:
    assert Tick(time=pd.Timestamp(5, tz="UTC"), symbol="S", bid=1.5).to_lineprotocol() == (
        b"ticks,symbol=S bid\\ price=1.5 5"
    )


tag_text = st.text(
    alphabet=st.characters(blacklist_characters="\n\r\x00", blacklist_categories=("Cs",)),
    min_size=1,
).filter(lambda s: not s.endswith("\\"))


class Point(orm.Measurement, name="point"):
    time: int = orm.time()
    a: str = orm.tag()
    b: str = orm.tag()
    f: float = orm.field()
    i: int = orm.field()
    s: str = orm.field()
    flag: bool = orm.field()


@given(
    a=tag_text,
    b=tag_text,
    f=st.floats(allow_nan=False, allow_infinity=False),
    i=st.integers(-(2**63), 2**63 - 1),
    s=st.text(),
    flag=st.booleans(),
    t=st.integers(-(2**63) + 2, 2**63 - 2),
)
def test_encoder_matches_the_reference_encoder(
    a: str, b: str, f: float, i: int, s: str, flag: bool, t: int
) -> None:
    from influxorm.lineprotocol import encode_point

    line = Point(time=t, a=a, b=b, f=f, i=i, s=s, flag=flag).to_lineprotocol().decode()
    assert line == encode_point(
        "point", {"a": a, "b": b}, {"f": f, "i": i, "s": s, "flag": flag}, t
    )
