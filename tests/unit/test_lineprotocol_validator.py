"""The one validator: encodability, exact floats, raw line protocol, and every path
(model encoder, dict points, raw text, DataFrames) agreeing with it."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import influxorm as orm
from influxorm import lineprotocol as lp
from influxorm.exceptions import ValidationError
from influxorm.frames.encoder import encode_dataframe
from influxorm.frames.ops import ArrowOps, FrameOps, NumpyOps
from influxorm.linescan import line_spans, unquoted
from influxorm.models.writing import encode_lines, model_line_batches


class Reading(orm.Measurement, name="readings"):
    time: int = orm.time()
    host: str = orm.tag()
    value: float = orm.field()
    note: str | None = orm.field(default=None)


@pytest.fixture(params=[NumpyOps, ArrowOps], ids=["numpy", "arrow"])
def ops(request: pytest.FixtureRequest) -> FrameOps:
    backend: FrameOps = request.param()
    return backend


def one_row(**columns: object) -> pd.DataFrame:
    """One row at time 1 ns; a Series value keeps its dtype."""
    index = pd.DatetimeIndex([pd.Timestamp(1, unit="ns")])
    data = {}
    for key, value in columns.items():
        if isinstance(value, pd.Series):
            data[key] = pd.Series(value.tolist(), dtype=value.dtype, index=index)
        else:
            data[key] = pd.Series(value if isinstance(value, list) else [value], index=index)
    return pd.DataFrame(data)


def frame_lines(df: pd.DataFrame, ops: FrameOps, **kwargs: object) -> list[str]:
    encoded = encode_dataframe(df, ops=ops, **kwargs)  # type: ignore[arg-type]
    return b"\n".join(encoded.batches).decode().split("\n")


# -- encodability (lone surrogates) ----------------------------------------------------


@pytest.mark.parametrize(
    "point",
    [
        {"measurement": "m\ud800", "fields": {"v": 1}},
        {"measurement": "m", "tags": {"t\udfff": "x"}, "fields": {"v": 1}},
        {"measurement": "m", "tags": {"t": "x\ud800"}, "fields": {"v": 1}},
        {"measurement": "m", "fields": {"v\ud800": 1}},
        {"measurement": "m", "fields": {"s": "é\ud800"}},
    ],
)
def test_dict_points_refuse_lone_surrogates_naming_the_value(point: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="surrogate"):
        encode_lines(point)


def test_models_refuse_lone_surrogates_in_the_fast_and_the_check_path() -> None:
    bad = Reading(time=1, host="h", value=1.0, note="x\ud800")
    with pytest.raises(ValidationError, match=r"Reading\.note.*'x\\ud800'"):
        bad.to_lineprotocol()
    with pytest.raises(ValidationError, match="surrogate"):
        model_line_batches([Reading(time=0, host="h", value=1.0), bad], 1)
    with pytest.raises(ValidationError, match="surrogate"):
        Reading(time=1, host="\udc80", value=1.0).to_lineprotocol()
    # Non-ASCII text that UTF-8 can encode still goes through, escaped.
    line = Reading(time=1, host="h", value=1.0, note='é "q" \\').to_lineprotocol()
    assert (
        line.decode() == 'readings,host=h note="é \\"q\\" \\\\",value=1.0 1'
        or line.decode() == ('readings,host=h value=1.0,note="é \\"q\\" \\\\" 1')
    )


def test_frames_refuse_lone_surrogates_in_tags_and_string_fields(ops: FrameOps) -> None:
    df = one_row(v=1.0, t=pd.Series(["x\ud800"], dtype=object))
    with pytest.raises(ValidationError, match=r"tag column 't' at row .*surrogate"):
        encode_dataframe(df, measurement="m", tag_columns=["t"], ops=ops)
    df = one_row(s=pd.Series(["\ud800"], dtype=object))
    with pytest.raises(ValidationError, match=r"string column 's' at row .*surrogate"):
        encode_dataframe(df, measurement="m", ops=ops)


# -- exact values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [np.bool_(True), 2**53 + 1, -(2**53) - 1, np.int64(2**60 + 1), 2**1100]
)
def test_a_float_field_refuses_what_it_would_change(value: object) -> None:
    with pytest.raises(ValidationError):
        lp.encode_float(value)
    with pytest.raises(ValidationError, match=r"Reading\.value"):
        Reading(time=1, host="h", value=value).to_lineprotocol()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "text"), [(2**53, "9007199254740992.0"), (2**60, "1.152921504606847e+18"), (3, "3.0")]
)
def test_a_float_field_takes_ints_it_holds_exactly(value: int, text: str) -> None:
    assert lp.encode_float(value) == text
    assert (
        Reading(time=1, host="h", value=value).to_lineprotocol()
        == f"readings,host=h value={text} 1".encode()
    )


def test_float32_is_written_as_its_exact_value_on_every_path(ops: FrameOps) -> None:
    exact = repr(float(np.float32(0.1)))
    assert exact == "0.10000000149011612"
    model = Reading(time=1, host="h", value=np.float32(0.1)).to_lineprotocol()  # type: ignore[arg-type]
    assert model == f"readings,host=h value={exact} 1".encode()
    assert encode_lines({"measurement": "m", "fields": {"v": np.float32(0.1)}}) == [f"m v={exact}"]
    df = one_row(v=pd.Series([0.1], dtype="float32"))
    assert frame_lines(df, ops, measurement="m") == [f"m v={exact} 1"]


def test_object_columns_keep_the_type_of_their_values(ops: FrameOps) -> None:
    index = pd.DatetimeIndex([pd.Timestamp(1, unit="ns"), pd.Timestamp(2, unit="ns")])

    def lines(values: list[object]) -> list[str]:
        df = pd.DataFrame({"v": pd.Series(values, dtype=object, index=index)})
        return frame_lines(df, ops, measurement="m")

    assert lines([1, None]) == ["m v=1i 1"]
    assert lines([True, False]) == ["m v=t 1", "m v=f 2"]
    assert [line.replace(".0 ", " ") for line in lines([1, 2.5])] == ["m v=1 1", "m v=2.5 2"]
    with pytest.raises(ValidationError, match="beyond int64"):
        lines([-(2**63) - 1, 1])
    with pytest.raises(ValidationError, match="mixed"):
        lines([1, "a"])
    with pytest.raises(ValidationError, match="2\\*\\*53"):
        lines([2**53 + 1, 0.5])


def test_tag_columns_are_text_or_ints_the_same_on_both_backends(ops: FrameOps) -> None:
    index = pd.DatetimeIndex([pd.Timestamp(1, unit="ns"), pd.Timestamp(2, unit="ns")])
    df = pd.DataFrame({"v": [1.5, 2.5], "t": pd.array([7, None], dtype="Int64")}, index=index)
    assert frame_lines(df, ops, measurement="m", tag_columns=["t"]) == [
        "m,t=7 v=1.5 1",
        "m v=2.5 2",
    ]
    for column in ([True, False], [1.5, 2.0]):
        df = pd.DataFrame({"v": [1.5, 2.5], "t": column}, index=index)
        with pytest.raises(ValidationError, match="astype\\(str\\)"):
            encode_dataframe(df, measurement="m", tag_columns=["t"], ops=ops)


def test_declared_float_columns_refuse_ints_a_float_cannot_hold(ops: FrameOps) -> None:
    df = one_row(v=[2**53 + 1])
    with pytest.raises(ValidationError, match="2\\*\\*53"):
        encode_dataframe(df, measurement="m", field_types={"v": "float"}, ops=ops)


# -- names: the DataFrame path agrees with lineprotocol ----------------------------------


@pytest.mark.parametrize(
    ("kwargs", "columns"),
    [
        ({"measurement": "a\\,b"}, {"v": [1.0]}),
        ({"measurement": "a\\ b"}, {"v": [1.0]}),
        ({"measurement": "\tm"}, {"v": [1.0]}),
        ({"measurement": "m"}, {'q\\"': [1.0]}),
        ({"measurement": "m"}, {"\tq": [1.0]}),
        ({"measurement": "m", "extra_tags": {"k": "a\\"}}, {"v": [1.0]}),
    ],
)
def test_frames_refuse_the_names_dict_points_refuse(
    ops: FrameOps, kwargs: dict[str, object], columns: dict[str, object]
) -> None:
    df = one_row(**columns)
    measurement = str(kwargs["measurement"])
    point = {
        "measurement": measurement,
        "tags": dict(kwargs.get("extra_tags", {})),  # type: ignore[call-overload]
        "fields": dict.fromkeys(columns, 1.0),
    }
    with pytest.raises(ValidationError) as from_dict:
        encode_lines(point)
    with pytest.raises(ValidationError) as from_frame:
        encode_dataframe(df, ops=ops, **kwargs)  # type: ignore[arg-type]
    assert str(from_dict.value).split(":")[0].split(" (")[0] in str(from_frame.value)


def test_form_feed_and_tabs_inside_tag_values_are_written_on_every_path(ops: FrameOps) -> None:
    """influxd stores them (verified); the DataFrame path used to refuse a form feed."""
    df = one_row(v=1.0, t=pd.Series(["a\x0cb\tc"], dtype=object))
    assert frame_lines(df, ops, measurement="m", tag_columns=["t"])[0].startswith("m,t=a\x0cb\tc ")
    assert encode_lines({"measurement": "m", "tags": {"t": "a\x0cb\tc"}, "fields": {"v": 1}}) == [
        "m,t=a\x0cb\tc v=1i"
    ]


def test_frames_check_the_series_key_length_and_the_time_range(ops: FrameOps) -> None:
    df = one_row(v=1.0, t=pd.Series(["x" * 70_000], dtype=object))
    with pytest.raises(ValidationError, match="series key too long"):
        encode_dataframe(df, measurement="m", tag_columns=["t"], ops=ops)
    with pytest.raises(ValidationError, match="series key too long"):
        encode_dataframe(one_row(v=1.0), measurement="m" * 70_000, ops=ops)
    edge = pd.DataFrame({"v": [1.0]}, index=pd.DatetimeIndex([pd.Timestamp.min]))
    with pytest.raises(ValidationError, match="outside the range"):
        encode_dataframe(edge, measurement="m", ops=ops)


def test_an_empty_constant_tag_is_left_out_as_on_other_paths(ops: FrameOps) -> None:
    assert frame_lines(one_row(v=1.5), ops, measurement="m", extra_tags={"e": ""}) == ["m v=1.5 1"]


# -- raw line protocol ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("m v=1 1\r\nm v=2 2", "line 1 .* CR"),
        ("m v=1 1\nm v=2 2\r\n", "line 2 .* CR"),
        ("m v=1 1\rm v=2 2", "CR"),
        ("m,t=a\x00 v=1 1", "NUL"),
        ("m v=1 1\x00", "NUL"),
        ("m\\\r v=1 1", "CR"),  # an escaped CR is still a CR
        ('m s="x" 1\r\n', "CR"),
        ("m v=1 \ud800", "surrogate"),
    ],
)
def test_raw_line_protocol_influxd_would_misread_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        lp.check_raw(text)
    with pytest.raises(ValidationError, match=message):
        encode_lines(text)
    with pytest.raises(ValidationError):
        encode_lines(["m v=0 0", text])
    if "surrogate" not in message:
        with pytest.raises(ValidationError, match=message):
            encode_lines(text.encode())  # bytes: decoded, then the same checks


@pytest.mark.parametrize(
    "text",
    ['m s="a\r\nb\x00" 1', 'm s="a\\"\r" 1\nm v=2 2', "m v=1 1\n", "m,t=a\x0cb v=1 1", ""],
)
def test_cr_and_nul_inside_string_values_pass(text: str) -> None:
    assert lp.check_raw(text) == text


@given(
    tag=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"), min_size=1
    ).filter(lambda s: not s.endswith("\\")),
    value=st.text(st.characters(blacklist_categories=("Cs",))),
)
def test_every_line_the_library_builds_passes_the_raw_check(tag: str, value: str) -> None:
    line = lp.encode_point("m", {"t": tag}, {"s": value, "v": 1.0}, 1)
    assert lp.check_raw(line) == line
    assert list(unquoted(line.encode(), b"\r\x00")) == []


@pytest.mark.parametrize("value", [np.longdouble("0.1"), Decimal("0.1"), Fraction(1, 3)])
def test_a_float_field_refuses_values_a_float_would_round(value: object) -> None:
    with pytest.raises(ValidationError, match="exactly"):
        lp.encode_float(value)
    with pytest.raises(ValidationError):  # dict points: typed by Python type, refused too
        encode_lines({"measurement": "m", "fields": {"v": value}})


def test_longdouble_columns_are_written_only_when_exact(ops: FrameOps) -> None:
    df = one_row(v=pd.Series([0.5], dtype=np.longdouble))
    assert frame_lines(df, ops, measurement="m") in (["m v=0.5 1"],)
    df = one_row(v=pd.Series([np.longdouble("0.1")], dtype=np.longdouble))
    with pytest.raises(ValidationError, match="exactly"):
        encode_dataframe(df, measurement="m", ops=ops)


_PIECES = [b"m", b" ", b"=", b",", b'"', b"\\", b"\n", b"\r", b"\x00", b"1"]


@given(body=st.lists(st.sampled_from(_PIECES)).map(b"".join))
def test_unquoted_finds_lines_where_influxd_ends_them(body: bytes) -> None:
    """The raw check's scan and the batching scan agree on every line boundary."""
    spans = set(line_spans(body))
    for start, end, index in unquoted(body, b"\r\x00"):
        assert (start, end) in spans
        assert start <= index < end
        assert body[index] in b"\r\x00"
