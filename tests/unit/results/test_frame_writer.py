"""DataFrame -> line protocol, checked on both string backends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from influxorm.exceptions import ValidationError
from influxorm.results._frame_ops import ArrowOps, FrameOps, NumpyOps
from influxorm.results.frame_writer import encode_dataframe

T0 = pd.Timestamp("2024-01-01T00:00:00.000000001")


@pytest.fixture(params=[NumpyOps, ArrowOps], ids=["numpy", "arrow"])
def ops(request: pytest.FixtureRequest) -> FrameOps:
    ops: FrameOps = request.param()
    return ops


def lines(df: pd.DataFrame, ops: FrameOps, **kwargs: object) -> list[str]:
    encoded = encode_dataframe(df, ops=ops, **kwargs)  # type: ignore[arg-type]
    return b"\n".join(encoded.batches).decode().split("\n") if encoded.batches else []


def frame(**columns: object) -> pd.DataFrame:
    n = len(next(iter(columns.values())))  # type: ignore[arg-type]
    return pd.DataFrame(
        columns, index=pd.DatetimeIndex([T0 + pd.Timedelta(i, "s") for i in range(n)])
    )


def test_kinds_escaping_and_nanoseconds(ops: FrameOps) -> None:
    df = frame(f=[1.5], i=[7], b=[True], s=['say "hi" \\'], t=["a b,c=d"], c=pd.Categorical(["x"]))
    out = lines(df, ops, measurement="m x,y", tag_columns=["t", "c"], extra_tags={"z": "e q"})
    assert out == [
        'm\\ x\\,y,c=x,t=a\\ b\\,c\\=d,z=e\\ q f=1.5,i=7i,b=t,s="say \\"hi\\" \\\\" '
        "1704067200000000001"
    ]


def test_holes_are_left_out_and_empty_rows_counted(ops: FrameOps) -> None:
    df = frame(
        a=[np.nan, 1.0, np.nan],
        b=pd.array([None, 2, None], dtype="Int64"),
        s=[None, None, "x"],
        tag=["", None, "v"],
    )
    encoded = encode_dataframe(df, measurement="m", tag_columns=["tag"], ops=ops)
    text = b"\n".join(encoded.batches).decode().split("\n")
    assert [line.split(" ")[:2] for line in text] == [
        ["m", "a=1.0,b=2i"],
        ["m,tag=v", 's="x"'],
    ] or [line.split(" ")[:2] for line in text] == [["m", "a=1,b=2i"], ["m,tag=v", 's="x"']]
    assert encoded.rows == 2
    assert encoded.skipped_rows == 1
    assert list(encoded.skipped_labels) == [df.index[0]]


def test_tz_aware_index_is_converted_to_utc(ops: FrameOps) -> None:
    df = pd.DataFrame({"v": [1]}, index=pd.DatetimeIndex(["2024-01-01T01:00:00+01:00"]))
    assert lines(df, ops, measurement="m") == ["m v=1i 1704067200000000000"]


def test_batches(ops: FrameOps) -> None:
    df = frame(v=list(range(25)))
    encoded = encode_dataframe(df, measurement="m", batch_rows=10, ops=ops)
    assert [len(b.split(b"\n")) for b in encoded.batches] == [10, 10, 5]


def test_arrow_string_and_categorical_columns(ops: FrameOps) -> None:
    df = frame(
        s=pd.array(["a", None], dtype="string[pyarrow]"),
        t=pd.Categorical(["k", None]),
        v=[1.0, 2.0],
    )
    out = lines(df, ops, measurement="m", tag_columns=["t"])
    assert out[0].startswith('m,t=k s="a",v=1')
    assert out[1].startswith("m v=2")


@pytest.mark.parametrize(
    ("df", "kwargs", "message"),
    [
        (frame(v=[np.inf]), {}, "infinite"),
        (frame(v=[1], t=["a\nb"]), {"tag_columns": ["t"]}, "cannot be written"),
        (frame(v=[1], t=["a\\"]), {"tag_columns": ["t"]}, "backslash"),
        (frame(v=np.array([2**64 - 1], dtype=np.uint64)), {}, "int64"),
        (frame(time=[1]), {}, "reserved"),
        (frame(t=["x"]), {"tag_columns": ["t"]}, "at least one field"),
        (pd.DataFrame({"v": [1]}), {}, "DatetimeIndex"),
        (frame(v=[1]), {"measurement": "#m"}, "comment"),
    ],
)
def test_bad_input_raises_before_encoding(
    ops: FrameOps, df: pd.DataFrame, kwargs: dict[str, object], message: str
) -> None:
    kwargs = {"measurement": "m", **kwargs}
    with pytest.raises(ValidationError, match=message):
        encode_dataframe(df, ops=ops, **kwargs)  # type: ignore[arg-type]


def test_declared_int_field_with_holes_is_written_as_int(ops: FrameOps) -> None:
    df = frame(v=[1.0, np.nan])
    assert lines(df, ops, measurement="m", field_types={"v": "integer"}) == [
        "m v=1i 1704067200000000001"
    ]
    with pytest.raises(ValidationError, match="declared int"):
        encode_dataframe(frame(v=[1.5]), measurement="m", field_types={"v": "integer"}, ops=ops)


def test_empty_frame(ops: FrameOps) -> None:
    df = pd.DataFrame({"v": pd.Series([], dtype=float)}, index=pd.DatetimeIndex([]))
    encoded = encode_dataframe(df, measurement="m", ops=ops)
    assert encoded.batches == ()
    assert encoded.rows == 0
