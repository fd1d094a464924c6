"""DataFrames written through the real server and read back as DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from influxorm import Session
from influxorm.frames import encode_dataframe
from influxorm.results import convert_response


def write_frame(session: Session, df: pd.DataFrame, **kwargs: object) -> int:
    encoded = encode_dataframe(df, **kwargs)  # type: ignore[arg-type]
    for batch in encoded.batches:
        session.write(batch)
    return encoded.rows


def read(session: Session, q: str, **kwargs: object) -> pd.DataFrame:
    df = convert_response(session.query(q, output="json"), "dataframe", **kwargs)  # type: ignore[arg-type]
    assert isinstance(df, pd.DataFrame)
    return df


def test_types_holes_tags_and_nanoseconds(influxdb_session: Session) -> None:
    index = pd.DatetimeIndex(
        ["2024-01-01T00:00:00.000000001", "2024-01-01T00:00:00.000000002", "2024-01-01T00:00:01"],
        tz="UTC",
    ).tz_convert("Asia/Tokyo")
    df = pd.DataFrame(
        {
            "f": [1.5, np.nan, 2.25],
            "i": pd.array([1, None, 3], dtype="Int64"),
            "b": [True, False, True],
            "s": ['q "x" \\', None, "z"],
            "tag": pd.Categorical(["a b,c=d", "a b,c=d", "é"]),
            "arrow": pd.array(["u", None, "w"], dtype="string[pyarrow]"),
        },
        index=index,
    )
    assert (
        write_frame(
            influxdb_session, df, measurement="m x", tag_columns=["tag"], extra_tags={"r": "eu"}
        )
        == 3
    )
    back = read(influxdb_session, 'SELECT * FROM "m x" GROUP BY *')
    back = back.sort_index()
    assert list(back.index.asi8) == list(index.asi8)
    assert list(back["f"].fillna(-1)) == [1.5, -1, 2.25]
    assert list(back["i"].fillna(-1)) == [1, -1, 3]
    assert list(back["b"]) == [True, False, True]
    assert back["s"].iloc[0] == 'q "x" \\'
    assert list(back["tag"]) == ["a b,c=d", "a b,c=d", "é"]
    assert set(back["r"]) == {"eu"}
    assert back["arrow"].iloc[0] == "u"


def test_zero_and_one_row_and_empty_result(influxdb_session: Session) -> None:
    empty = pd.DataFrame({"v": pd.Series([], dtype=float)}, index=pd.DatetimeIndex([]))
    assert write_frame(influxdb_session, empty, measurement="e") == 0
    one = pd.DataFrame({"v": [7]}, index=pd.DatetimeIndex(["2024-01-01"]))
    assert write_frame(influxdb_session, one, measurement="one") == 1
    back = read(influxdb_session, "SELECT * FROM one")
    assert back["v"].dtype == np.int64
    assert list(back["v"]) == [7]
    nothing = read(influxdb_session, "SELECT * FROM one WHERE time > now()")
    assert len(nothing) == 0


def test_group_by_dict_and_show(influxdb_session: Session) -> None:
    df = pd.DataFrame(
        {"v": [1.0, 2.0, 3.0], "host": ["a", "b", "a"]},
        index=pd.date_range("2024-01-01", periods=3, freq="s"),
    )
    write_frame(influxdb_session, df, measurement="g", tag_columns=["host"])
    by = convert_response(
        influxdb_session.query("SELECT sum(v) FROM g GROUP BY host", output="json"),
        "dataframe",
        by_series=True,
    )
    assert {k.tags: list(f["sum"]) for k, f in by.items()} == {
        (("host", "a"),): [4.0],
        (("host", "b"),): [2.0],
    }
    show = read(influxdb_session, "SHOW TAG VALUES FROM g WITH KEY = host")
    assert list(show["value"]) == ["a", "b"]
