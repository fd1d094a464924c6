"""``datapoint`` declarations aioinflux 0.4.1 accepted, written to influxd through
influxorm.aioinflux (issue 14 items 17-21)."""

from __future__ import annotations

import enum
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compat.helpers import series
from influxorm.aioinflux import CompatWarning, InfluxDBClient, InfluxType, datapoint


def test_any_identifier_is_a_column_name_used_exactly_everywhere(client: InfluxDBClient) -> None:
    Odd = datapoint(
        {
            "t": InfluxType.TIMEINT,
            "_region": InfluxType.TAG,
            "__count": InfluxType.INT,
            "class": InfluxType.STR,
            "_": InfluxType.PLACEHOLDER,
        },
        name="Odd",
    )
    p = Odd(1, "eu", True, 7, "c")
    assert (p._region, p["__count"], getattr(p, "class"), p._) == ("eu", 7, "c", True)
    assert list(p.items()) == [
        ("t", 1),
        ("_region", "eu"),
        ("_", True),
        ("__count", 7),
        ("class", "c"),
    ]
    assert p.to_dict() == {"t": 1, "_region": "eu", "_": True, "__count": 7, "class": "c"}
    assert p.to_lineprotocol() == b'Odd,_region=eu _=true,__count=7i,class="c" 1'
    p._region = "us"
    assert p["_region"] == "us"
    client.write(p)
    [only] = series(client, 'SELECT * FROM "Odd"')
    assert only["columns"] == ["time", "_", "__count", "_region", "class"]
    assert only["values"] == [[1, True, 7, "us", "c"]]


def test_names_like_the_layers_own_attributes_are_columns_too(client: InfluxDBClient) -> None:
    Clash = datapoint(
        {
            "_dp_time": InfluxType.TAG,
            "dp_time": InfluxType.INT,
            "_x": InfluxType.INT,
            "dpcol_x": InfluxType.INT,
        },
        name="Clash",
    )
    p = Clash("t", 1, 2, 3)
    assert p.to_dict() == {"_dp_time": "t", "dp_time": 1, "_x": 2, "dpcol_x": 3}
    client.write(p)
    [only] = series(client, 'SELECT * FROM "Clash"')
    assert only["columns"] == ["time", "_dp_time", "_x", "dp_time", "dpcol_x"]
    assert only["values"][0][1:] == ["t", 2, 1, 3]


def test_a_placeholder_named_underscore_is_written_underscore_true(
    client: InfluxDBClient,
) -> None:
    @datapoint(fill_none=True)
    class Marker:
        measurement: InfluxType.MEASUREMENT
        time: InfluxType.TIMEINT
        _: InfluxType.PLACEHOLDER

    client.write(Marker("markers", 5))
    assert series(client, "SELECT * FROM markers")[0]["values"] == [[5, True]]


def test_placeholder_has_its_own_positional_slot_in_influxtype_order(
    client: InfluxDBClient,
) -> None:
    Event = datapoint(
        {
            "value": InfluxType.FLOAT,
            "present": InfluxType.PLACEHOLDER,
            "kind": InfluxType.TAGENUM,
            "host": InfluxType.TAG,
            "when": InfluxType.TIMEINT,
            "m": InfluxType.MEASUREMENT,
            "ok": InfluxType.BOOL,
        },
        name="Event",
    )
    # MEASUREMENT, time, TAG, TAGENUM, PLACEHOLDER, BOOL, INT, FLOAT, STR, ENUM
    assert list(Event("ev", 1, "h", "k", True, False, 1.5).items()) == [
        ("m", "ev"),
        ("when", 1),
        ("host", "h"),
        ("kind", "k"),
        ("present", True),
        ("ok", False),
        ("value", 1.5),
    ]
    by_keyword = Event(m="ev", when=2, host="h", kind="k", present=True, ok=True, value=2.5)
    client.write(by_keyword)
    assert series(client, "SELECT present, value FROM ev")[0]["values"] == [[2, True, 2.5]]


def test_placeholder_is_always_true_and_other_values_are_ignored_with_a_warning(
    client: InfluxDBClient,
) -> None:
    Flag = datapoint({"t": InfluxType.TIMEINT, "seen": InfluxType.PLACEHOLDER}, name="Flag")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Flag(1, None).seen is True
        assert Flag(1, True).seen is True
    with pytest.warns(CompatWarning, match=r"Flag.seen: PLACEHOLDER value 0 ignored"):
        point = Flag(3, 0)
    assert point.seen is True
    client.write(point)
    assert series(client, "SELECT seen FROM Flag")[0]["values"] == [[3, True]]


def test_a_none_measurement_column_uses_the_class_measurement_with_a_warning(
    client: InfluxDBClient,
) -> None:
    Reading = datapoint(
        {"m": InfluxType.MEASUREMENT, "t": InfluxType.TIMEINT, "v": InfluxType.FLOAT},
        name="Reading",
    )
    point = Reading(None, 1, 0.5)
    message = r"Reading.m \(MEASUREMENT\) is None: the point is written to measurement 'Reading'"
    with pytest.warns(CompatWarning, match=message):
        assert point.to_lineprotocol() == b"Reading v=0.5 1"
    with pytest.warns(CompatWarning, match=message):
        client.write(point)
    assert series(client, "SELECT v FROM Reading")[0]["values"] == [[1, 0.5]]
    assert series(client, 'SELECT * FROM "None"') == []


def test_rm_none_leaves_none_out_silently_and_fill_none_defaults_every_argument(
    client: InfluxDBClient,
) -> None:
    Sparse = datapoint(
        {
            "m": InfluxType.MEASUREMENT,
            "t": InfluxType.TIMEINT,
            "host": InfluxType.TAG,
            "a": InfluxType.FLOAT,
            "b": InfluxType.STR,
        },
        name="Sparse",
        rm_none=True,
        fill_none=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        point = Sparse("sparse", 1, None, 1.5)
        assert point.to_dict() == {"m": "sparse", "t": 1, "host": None, "a": 1.5, "b": None}
        assert point.to_lineprotocol() == b"sparse a=1.5 1"
        client.write(point)
    assert series(client, "SELECT * FROM sparse")[0]["values"] == [[1, 1.5]]
    assert Sparse().to_dict() == dict.fromkeys(["m", "t", "host", "a", "b"])


def test_a_schema_value_without_value_raises_attribute_and_type_error() -> None:
    with pytest.raises(AttributeError) as info:
        datapoint({"t": InfluxType.TIMEINT, "running": bool}, name="P")
    assert isinstance(info.value, TypeError)


def test_an_enum_member_that_is_not_an_influxtype_raises_type_error() -> None:
    Other = enum.Enum("Other", ["A", "B"])
    with pytest.raises(TypeError) as info:
        datapoint({"t": InfluxType.TIMEINT, "running": Other.A}, name="P")
    assert not isinstance(info.value, AttributeError)


identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: name != "time"
)


@settings(max_examples=60, deadline=None)
@given(names=st.lists(identifiers, min_size=1, max_size=5, unique=True))
def test_any_identifiers_are_column_names_used_exactly(names: list[str]) -> None:
    Point = datapoint(dict.fromkeys(names, InfluxType.INT), name="Point")
    values = list(range(len(names)))
    point = Point(*values)
    assert [point[name] for name in names] == values
    assert [getattr(point, name) for name in names] == values
    assert point.to_dict() == dict(zip(names, values, strict=True))
    fields = point.to_lineprotocol().decode().split(" ")[1].split(",")
    assert fields == [f"{name}={value}i" for name, value in zip(names, values, strict=True)]
