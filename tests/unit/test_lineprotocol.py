"""Line protocol escaping, value encoding and validation, position by position."""

from __future__ import annotations

import math
from enum import Enum

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from influxorm import lineprotocol as lp
from influxorm.exceptions import ValidationError

SPECIALS = [",", "=", " ", '"', "\\", "\t", "#", "'", "\u00e9", "\U0001f600"]


@pytest.mark.parametrize(
    ("text", "measurement", "key", "string"),
    [
        ("plain", "plain", "plain", "plain"),
        ("a,b", "a\\,b", "a\\,b", "a,b"),
        ("a=b", "a=b", "a\\=b", "a=b"),
        ("a b", "a\\ b", "a\\ b", "a b"),
        ('a"b', 'a"b', 'a"b', 'a\\"b'),
        ("a\\b", "a\\b", "a\\b", "a\\\\b"),
        ("a\tb", "a\tb", "a\tb", "a\tb"),
        ("a\nb", "a\nb", "a\nb", "a\nb"),
        ("#x", "#x", "#x", "#x"),
        (", =", "\\,\\ =", "\\,\\ \\=", ", ="),
        ('\\"', '\\"', '\\"', '\\\\\\"'),
    ],
)
def test_escaping_by_position(text: str, measurement: str, key: str, string: str) -> None:
    assert lp.escape_measurement(text) == measurement
    assert lp.escape_key(text) == key
    assert lp.escape_string(text) == string


def _unescape_key(text: str) -> str:
    """What the server does with an escaped tag key/value or field key."""
    return text.replace("\\,", ",").replace("\\=", "=").replace("\\ ", " ")


@given(st.text(alphabet=st.sampled_from([*SPECIALS, "a", "b"])))
def test_key_escaping_is_undone_by_the_server_rule(text: str) -> None:
    escaped = lp.escape_key(text)
    assert _unescape_key(escaped) == text
    # No unescaped separator is left for the parser to split on.
    stripped = escaped.replace("\\,", "").replace("\\=", "").replace("\\ ", "")
    assert not {",", "=", " "} & set(stripped)


@given(st.text())
def test_string_escaping_round_trips(text: str) -> None:
    escaped = lp.escape_string(text)
    out, i = [], 0
    while i < len(escaped):
        if escaped[i] == "\\" and i + 1 < len(escaped) and escaped[i + 1] in '\\"':
            out.append(escaped[i + 1])
            i += 2
        else:
            assert escaped[i] != '"'
            out.append(escaped[i])
            i += 1
    assert "".join(out) == text


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (1.5, "1.5"),
        (1.0, "1.0"),
        (-0.0, "-0.0"),
        (1e16, "1e+16"),
        (5e-324, "5e-324"),
        (0.1 + 0.2, "0.30000000000000004"),
        (3, "3.0"),
        (np.float64(2.5), "2.5"),
        (np.float32(0.5), "0.5"),
    ],
)
def test_encode_float(value: object, encoded: str) -> None:
    assert lp.encode_float(value) == encoded


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, np.nan, True, "1.0", None, 10**400]
)
def test_encode_float_refuses(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        lp.encode_float(value, model="M", attribute="a")
    assert info.value.model == "M"
    assert info.value.attribute == "a"
    assert "(M.a)" in str(info.value)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_encode_float_keeps_every_bit(value: float) -> None:
    assert float(lp.encode_float(value)) == value


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "0i"),
        (-1, "-1i"),
        (2**63 - 1, "9223372036854775807i"),
        (-(2**63), "-9223372036854775808i"),
        (np.int64(7), "7i"),
    ],
)
def test_encode_int(value: object, encoded: str) -> None:
    assert lp.encode_int(value) == encoded


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, True, 1.0, "1", None])
def test_encode_int_refuses(value: object) -> None:
    with pytest.raises(ValidationError):
        lp.encode_int(value)


def test_encode_bool_and_string() -> None:
    assert lp.encode_bool(True) == "true"
    assert lp.encode_bool(False) == "false"
    assert lp.encode_bool(np.bool_(True)) == "true"
    assert lp.encode_string('say "hi"\\') == '"say \\"hi\\"\\\\"'
    assert lp.encode_string("line\nfeed\x00") == '"line\nfeed\x00"'
    for bad in (1, "true", None):
        with pytest.raises(ValidationError):
            lp.encode_bool(bad)
    with pytest.raises(ValidationError):
        lp.encode_string(1)


class Color(Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (True, "true"),
        (1, "1i"),
        (1.0, "1.0"),
        ("s", '"s"'),
        (Color.RED, '"red"'),
        (np.int32(2), "2i"),
        (np.float64(2), "2.0"),
        (np.bool_(False), "false"),
    ],
)
def test_encode_field_value_by_type(value: object, encoded: str) -> None:
    assert lp.encode_field_value(value) == encoded


@pytest.mark.parametrize("value", [None, b"x", [1], object(), math.nan])
def test_encode_field_value_refuses(value: object) -> None:
    with pytest.raises(ValidationError):
        lp.encode_field_value(value)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty"),
        ("#m", "start with '#'"),
        ("\tm", "start with a tab"),
        ("a\nb", "line feed"),
        ("a\rb", "line feed"),
        ("a\x00b", "line feed"),
        ("m\\", "backslash"),
        ("a\\,b", "backslash before"),
        ("a\\ b", "backslash before"),
        ("a\\=b", "backslash before"),
        (1, "must be a str"),
    ],
)
def test_check_measurement_refuses(name: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        lp.check_measurement(name)


@pytest.mark.parametrize("name", ["m", "a b", "a,b", "a=b", "a\\b", "a\tb", "m#", "\u00e9"])
def test_check_measurement_accepts(name: str) -> None:
    assert lp.check_measurement(name) == name


@pytest.mark.parametrize("check", [lp.check_tag_key, lp.check_field_key])
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty"),
        ("time", "'time'"),
        ("a\nb", "line feed"),
        ("a\rb", "line feed"),
        ("a\x00", "line feed"),
        ("k\\", "backslash"),
        (None, "must be a str"),
    ],
)
def test_check_keys_refuse(check: object, name: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check(name, model="M", attribute="k")  # type: ignore[operator]


def test_field_key_cannot_start_with_a_tab() -> None:
    with pytest.raises(ValidationError, match="start with a tab"):
        lp.check_field_key("\tf")
    for key in ("a\\,b", "a\\ b", "a\\=b"):
        with pytest.raises(ValidationError, match="backslash before"):
            lp.check_field_key(key)
        assert lp.check_tag_key(key) == key
    assert lp.check_field_key("a\\b") == "a\\b"
    assert lp.check_tag_key("\tt") == "\tt"
    assert lp.check_field_key("f\t") == "f\t"


@pytest.mark.parametrize(
    ("value", "message"), [("a\nb", "line feed"), ("a\\", "backslash"), (1, "must be a str")]
)
def test_check_tag_value_refuses(value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        lp.check_tag_value(value)


def test_encode_point() -> None:
    line = lp.encode_point(
        "m m",
        {"z": "1", "a": "x,y", "e": "", "n": None},
        {"f": 1.5, "i": 2, "s": "t", "none": None},
        5,
    )
    assert line == 'm\\ m,a=x\\,y,z=1 f=1.5,i=2i,s="t" 5'
    assert lp.encode_point("m", None, {"b": True}) == "m b=true"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("m", {}, {}), "at least one field"),
        (("m", {}, {"a": None}), "at least one field"),
        (("m", {"time": "x"}, {"a": 1}), "'time'"),
        (("m", {}, {"time": 1}), "'time'"),
        (("m", {"t": "a\n"}, {"a": 1}), "line feed"),
        (("m", {}, {"a": math.inf}), "finite"),
        (("", {}, {"a": 1}), "empty"),
        (("m", {}, {"a": 1}, lp.INT64_MAX), "outside the range"),
        (("m", {"t": "x" * 70000}, {"a": 1}), "series key too long"),
    ],
)
def test_encode_point_refuses(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        lp.encode_point(*args)  # type: ignore[arg-type]


def test_encode_dict_point() -> None:
    point = {
        "measurement": "m",
        "time": "1970-01-01T00:00:00.000000005Z",
        "tags": {"t": "v"},
        "fields": {"f": 1},
    }
    assert lp.encode_dict_point(point) == "m,t=v f=1i 5"
    assert lp.encode_dict_point({"measurement": "m", "fields": {"f": 1}}, stamp_ns=7) == "m f=1i 7"
    assert lp.encode_dict_point({"measurement": "m", "fields": {"f": 1}}) == "m f=1i"


@pytest.mark.parametrize(
    ("point", "message"),
    [
        ({"fields": {"f": 1}}, "measurement"),
        ({"measurement": "m"}, "fields"),
        ({"measurement": "m", "fields": {"f": 1}, "tag": {}}, "unknown key"),
        ({"measurement": "m", "fields": {"f": 1}, "tags": ["a"]}, "tags"),
        ({"measurement": "m", "fields": {"f": 1}, "time": "nope"}, r"m\.time"),
    ],
)
def test_encode_dict_point_refuses(point: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        lp.encode_dict_point(point)
