"""DataFrame -> line protocol, checked on both string backends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from influxorm.exceptions import ValidationError
from influxorm.frames.encoder import encode_dataframe
from influxorm.frames.ops import ArrowOps, FrameOps, NumpyOps

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
        (frame(v=[1], t=["a\nb"]), {"tag_columns": ["t"]}, "line feed"),
        (frame(v=[1], t=["a\\"]), {"tag_columns": ["t"]}, "backslash"),
        (frame(v=np.array([2**64 - 1], dtype=np.uint64)), {}, "int64"),
        (frame(time=[1]), {}, "cannot be a field key"),
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


def tagged_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "a": np.array(["x", "y y", "z,=", ""], dtype=object)[rng.integers(0, 4, rows)],
            "b": pd.Categorical(np.array(["p", "q"])[rng.integers(0, 2, rows)]),
            "c": rng.integers(0, 3, rows),
            "v": rng.integers(-5, 5, rows),
            "s": np.array(['"', "\\", "plain", None], dtype=object)[rng.integers(0, 4, rows)],
        },
        index=pd.date_range("2024-01-01", periods=rows, freq="s"),
    )
    df.loc[df.index[::7], "a"] = None
    return df


def escape_tag(text: object) -> str:
    return str(text).replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def expected_line(row: pd.Series, time: pd.Timestamp) -> str:
    tags = "".join(
        f",{k}={escape_tag(row[k])}"
        for k in ("a", "b", "c")
        if not pd.isna(row[k]) and row[k] != ""
    )
    fields = f"v={row['v']}i"
    if not pd.isna(row["s"]):
        fields += ',s="' + row["s"].replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"m{tags} {fields} {time.value}"


@pytest.mark.parametrize("dense", [True, False], ids=["dense", "hashed"])
def test_tag_sets_are_built_once_per_distinct_combination(
    ops: FrameOps, dense: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not dense:
        monkeypatch.setattr("influxorm.frames.encoder._DENSE_TAG_SETS", 1)
    df = tagged_frame(500)
    out = lines(df, ops, measurement="m", tag_columns=["c", "a", "b"])
    assert out == [expected_line(row, t) for t, row in df.iterrows()]


def test_blocks_holes_and_dropped_rows_line_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ArrowOps, "block_rows", 4)
    df = frame(
        a=[1.0, np.nan, np.nan, 4.0, np.nan, np.nan, 7.0, np.nan, 9.0],
        b=pd.array([None, 2, None, None, None, 6, None, None, 9], dtype="Int64"),
        t=["u", "v", "w", "x", "y", "z", "u", "v", "w"],
    )
    for backend in (ArrowOps(), NumpyOps()):
        encoded = encode_dataframe(
            df, measurement="m", tag_columns=["t"], batch_rows=2, ops=backend
        )
        text = b"\n".join(encoded.batches).decode().split("\n")
        assert [line.rsplit(" ", 1)[0].replace(".0", "") for line in text] == [
            "m,t=u a=1",
            "m,t=v b=2i",
            "m,t=x a=4",
            "m,t=z b=6i",
            "m,t=u a=7",
            "m,t=w a=9,b=9i",
        ]
        assert encoded.skipped_rows == 3
        assert all(len(batch.split(b"\n")) <= 2 for batch in encoded.batches)


def test_bad_tag_value_is_reported_with_its_row_label(ops: FrameOps) -> None:
    df = frame(v=[1, 2, 3], t=["ok", "ok", "bad\n"])
    with pytest.raises(ValidationError, match=r"at row Timestamp\('2024-01-01 00:00:02"):
        encode_dataframe(df, measurement="m", tag_columns=["t"], ops=ops)


def test_backends_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ArrowOps, "block_rows", 64)
    df = tagged_frame(1000)
    df["f"] = np.where(np.arange(1000) % 3 == 0, np.nan, np.arange(1000) + 0.5)
    df["flag"] = pd.array([True, None, False, True] * 250, dtype="boolean")
    kwargs: dict[str, object] = {"measurement": "m m", "tag_columns": ["a", "b", "c"]}
    assert lines(df, ArrowOps(), **kwargs) == lines(df, NumpyOps(), **kwargs)


def test_numpy_backend_tag_column_missing_in_every_row() -> None:
    """Found by the property test: a tag column with no value at all is left out."""
    import pandas as pd

    from influxorm.frames.encoder import encode_dataframe
    from influxorm.frames.ops import NumpyOps

    index = pd.DatetimeIndex([pd.Timestamp(1, tz="UTC")])
    df = pd.DataFrame({"f": [1.5], "t": [None]}, index=index)
    encoded = encode_dataframe(df, measurement="m", tag_columns=["t"], ops=NumpyOps())
    assert encoded.lines() == ["m f=1.5 1"]


def test_extra_tag_values_must_be_text() -> None:
    """A mapping passed as ``write(df, extra_tags={...})`` arrives as one tag named
    ``extra_tags``: refused, instead of a tag whose value is the dict's repr."""
    df = frame(v=[1.0])
    with pytest.raises(ValidationError, match=r"extra tag 'extra_tags' must be a str, not dict"):
        encode_dataframe(df, measurement="m", extra_tags={"extra_tags": {"a": "b"}})  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="must be a str, not int"):
        encode_dataframe(df, measurement="m", extra_tags={"host": 3})  # type: ignore[dict-item]


def test_extra_tag_enum_member_is_written_as_its_value() -> None:
    from enum import Enum

    class Region(str, Enum):  # noqa: UP042 (str() of this mixin is "Region.EU", not the value)
        EU = "eu-west"

    df = frame(v=[1.0])
    encoded = encode_dataframe(df, measurement="m", extra_tags={"region": Region.EU})
    assert encoded.batches[0].startswith(b"m,region=eu-west v=1")
