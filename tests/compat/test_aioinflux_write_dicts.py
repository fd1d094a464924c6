"""Writing dict points through influxorm.aioinflux: what aioinflux 0.4.1 cleaned up is
adapted the same way or stored as given, always with a CompatWarning; what line
protocol cannot carry is a ValueError before anything is sent (issue 14 items 1-5,
issue 12 item 9)."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compat.helpers import series, values
from influxorm.aioinflux import CompatWarning, InfluxDBClient
from influxorm.influxql import quote_ident


def _messages(record: pytest.WarningsRecorder) -> str:
    assert {type(w.message) for w in record} == {CompatWarning}
    return "\n".join(str(w.message) for w in record)


def test_line_feeds_in_names_are_removed_with_a_warning_naming_both(
    client: InfluxDBClient,
) -> None:
    point = {
        "measurement": "cp\nu",
        "tags": {"ho\nst": "serv\ner01"},
        "fields": {"va\nlue": 0.5},
        "time": 1,
    }
    with pytest.warns(CompatWarning) as record:
        assert client.write(point) is True
    text = _messages(record)
    for original, stored in [
        ("'cp\\nu'", "'cpu'"),
        ("'ho\\nst'", "'host'"),
        ("'serv\\ner01'", "'server01'"),
        ("'va\\nlue'", "'value'"),
    ]:
        assert f"{original} is stored as {stored}: line feeds removed" in text
    [only] = series(client, "SELECT * FROM cpu")
    assert only["columns"] == ["time", "host", "value"]
    assert only["values"] == [[1, "server01", 0.5]]


def test_backslashes_in_names_are_stored_as_given_and_warned(client: InfluxDBClient) -> None:
    point = {
        "measurement": "a\\b",
        "tags": {"k\\ey": "v\\al"},
        "fields": {"f\\ld": 1.5},
        "time": 2,
    }
    with pytest.warns(CompatWarning) as record:
        client.write(point)
    text = _messages(record)
    assert "measurement 'a\\\\b' is stored as given; aioinflux stored 'a\\\\\\\\b'" in text
    assert "tag key 'k\\\\ey' is stored as given" in text
    assert "value 'v\\\\al' is stored as given" in text
    assert "field key 'f\\\\ld' is stored as given" in text
    assert values(client, "SHOW MEASUREMENTS") == [["a\\b"]]
    [only] = series(client, "SELECT * FROM " + quote_ident("a\\b"))
    assert only["columns"] == ["time", "f\\ld", "k\\ey"]
    assert only["values"] == [[2, 1.5, "v\\al"]]


@pytest.mark.parametrize("bad", ["cr\rhere", "nul\x00here", "trailing\\"])
@pytest.mark.parametrize("position", ["measurement", "tag key", "tag value", "field key"])
def test_what_line_protocol_cannot_carry_raises_value_error_before_sending(
    client: InfluxDBClient, bad: str, position: str
) -> None:
    point: dict = {"measurement": "m", "tags": {"t": "x"}, "fields": {"v": 1.5}, "time": 3}
    if position == "measurement":
        point["measurement"] = bad
    elif position == "tag key":
        point["tags"] = {bad: "x"}
    elif position == "tag value":
        point["tags"] = {"t": bad}
    else:
        point["fields"] = {bad: 1.5}
    good = {"measurement": "good", "fields": {"v": 1.5}, "time": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompatWarning)  # a trailing backslash is also warned
        with pytest.raises(ValueError, match=r"carriage return|NUL|backslash"):
            client.write([good, point])
    assert series(client, "SHOW MEASUREMENTS") == []


def test_line_feeds_in_string_field_values_are_kept_with_a_warning(
    client: InfluxDBClient,
) -> None:
    point = {"measurement": "notes", "fields": {"text": "line 1\nline 2\n"}, "time": 4}
    with pytest.warns(CompatWarning) as record:
        client.write(point)
    text = _messages(record)
    assert "string field 'text' 'line 1\\nline 2\\n' keeps its line feeds" in text
    assert "aioinflux removed them (it stored 'line 1line 2')" in text
    assert values(client, "SELECT text FROM notes") == [[4, "line 1\nline 2\n"]]


def test_plain_points_are_written_without_warnings(client: InfluxDBClient) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.write(
            {
                "measurement": "plain m",
                "tags": {"a,b": "c=d"},
                "fields": {"e f": 'quote " and \\ backslash'},
                "time": 5,
            }
        )
    [only] = series(client, 'SELECT * FROM "plain m"')
    assert only["values"] == [[5, "c=d", 'quote " and \\ backslash']]


def test_missing_measurement_is_a_value_error(client: InfluxDBClient) -> None:
    with pytest.raises(ValueError, match="measurement"):
        client.write({"fields": {"v": 1.5}})


def test_timeless_points_of_one_call_share_one_timestamp(client: InfluxDBClient) -> None:
    client.write(
        [
            {"measurement": "stamp", "tags": {"n": "1"}, "fields": {"v": 1.5}},
            "stamp,n=raw v=3.5",
            {"measurement": "stamp", "tags": {"n": "2"}, "fields": {"v": 2.5}},
        ]
    )
    rows = values(client, "SELECT v, n FROM stamp")
    assert sorted(row[2] for row in rows) == ["1", "2", "raw"]
    assert len({row[0] for row in rows if row[2] != "raw"}) == 1


def test_none_and_blank_tags_dropped_and_keys_converted_with_warnings(
    client: InfluxDBClient,
) -> None:
    point = {
        "measurement": "lenient",
        "tags": {"none": None, "blank": "", 7: "seven"},
        "fields": {8: 1.5},
        "time": 6,
    }
    with pytest.warns(CompatWarning) as record:
        client.write(point)
    text = _messages(record)
    assert "tag 'none' with value None left out" in text
    assert "tag 'blank' with value '' left out" in text
    assert "non-str tag key 7 converted to '7'" in text
    assert "non-str field key 8 converted to '8'" in text
    [only] = series(client, "SELECT * FROM lenient")
    assert only["columns"] == ["time", "7", "8"]
    assert only["values"] == [[6, "seven", 1.5]]


def test_extra_tags_override_point_tags_as_in_aioinflux(client: InfluxDBClient) -> None:
    client.write({"measurement": "over", "tags": {"t": "point"}, "fields": {"v": 1.5}}, t="extra")
    assert values(client, 'SHOW TAG VALUES FROM "over" WITH KEY = "t"') == [["t", "extra"]]


@pytest.mark.parametrize("precision", [None, "s"])
def test_raw_lines_are_not_sent_when_a_dict_of_the_same_call_is_bad(
    client: InfluxDBClient, precision: str | None
) -> None:
    bad = {"measurement": "dicts", "fields": {"v": float("nan")}, "time": 1}
    with pytest.raises(ValueError, match="finite"):
        client.write(
            ["raw_first v=1i 1", {"measurement": "dicts", "fields": {"v": 1.5}}, bad],
            precision=precision,
        )
    assert series(client, "SHOW MEASUREMENTS") == []


def test_precision_applies_to_raw_lines_and_int_dict_times_in_one_call(
    client: InfluxDBClient,
) -> None:
    client.write(
        [
            "mixed,src=raw v=1i 1500000000",
            {
                "measurement": "mixed",
                "tags": {"src": "dict"},
                "fields": {"v": 2},
                "time": 1500000001,
            },
        ],
        precision="s",
    )
    assert values(client, "SELECT v FROM mixed") == [
        [1500000000 * 10**9, 1],
        [1500000001 * 10**9, 2],
    ]


names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=names)
def test_any_tag_value_is_stored_without_its_line_feeds_or_refused_before_sending(
    client: InfluxDBClient, value: str
) -> None:
    client.query('DROP SERIES FROM "prop"')
    stored = value.replace("\n", "")
    point = {"measurement": "prop", "tags": {"t": value}, "fields": {"v": 1.5}, "time": 1}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            client.write(point)
        except ValueError:
            assert any(c in stored for c in "\r\x00") or stored.endswith("\\")
            assert series(client, 'SHOW TAG VALUES FROM "prop" WITH KEY = "t"') == []
            return
    got = values(client, 'SHOW TAG VALUES FROM "prop" WITH KEY = "t"')
    assert got == ([["t", stored]] if stored else [])
    warned = "line feeds removed" in " ".join(str(w.message) for w in caught)
    assert warned == ("\n" in value)
