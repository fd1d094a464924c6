"""Result shapes of query -> DataFrame through the real server (sessions' output="dataframe")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from influxorm import Session
from influxorm.results import SeriesKey

LINES = b"\n".join(
    [
        b'cpu,host=a,region=eu load=1.5,n=1i,up=true,msg="x" 1000',
        b"cpu,host=b,region=eu load=2.5,n=2i,up=false 2000",
        b'cpu,host=a,region=us load=3.5,n=3i,msg="z" 3000',
        b"mem,host=a used=10i 1500",
    ]
)


@pytest.fixture
def loaded(influxdb_session: Session) -> Session:
    influxdb_session.write(LINES)
    return influxdb_session


def frame(session: Session, q: str, **kwargs: object) -> pd.DataFrame:
    df = session.query(q, output="dataframe", **kwargs)  # type: ignore[call-overload]
    assert isinstance(df, pd.DataFrame)
    return df


def test_single_series_with_holes_and_tags_as_columns(loaded: Session) -> None:
    df = frame(loaded, "SELECT * FROM cpu")
    assert list(df.index.asi8) == [1000, 2000, 3000]
    assert str(df.index.tz) == "UTC"
    assert df.index.name == "time"
    assert list(df.columns) == ["host", "load", "msg", "n", "region", "up"]
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "host": "str",
        "load": "float64",
        "msg": "str",
        "n": "int64",
        "region": "str",
        "up": "boolean",
    }
    assert df["msg"].isna().tolist() == [False, True, False]
    assert df["up"].isna().tolist() == [False, False, True]


def test_group_by_tags_adds_tag_columns_or_dict_by_series(loaded: Session) -> None:
    df = frame(loaded, "SELECT load FROM cpu GROUP BY host, region")
    assert list(df.columns) == ["load", "host", "region"]
    assert sorted(zip(df["host"], df["region"], df["load"], strict=True)) == [
        ("a", "eu", 1.5),
        ("a", "us", 3.5),
        ("b", "eu", 2.5),
    ]
    by = loaded.query("SELECT load FROM cpu GROUP BY host", output="dataframe", by_series=True)
    assert isinstance(by, dict)
    assert {key: list(f["load"]) for key, f in by.items()} == {
        SeriesKey("cpu", (("host", "a"),)): [1.5, 3.5],
        SeriesKey("cpu", (("host", "b"),)): [2.5],
    }
    assert all("host" not in f.columns for f in by.values())


def test_aggregates_with_group_by_time_and_one_tag(loaded: Session) -> None:
    df = frame(
        loaded,
        "SELECT sum(n) FROM cpu WHERE time >= 0 AND time < 4000 GROUP BY time(2u), host",
    )
    assert list(df.columns) == ["sum", "host"]
    assert df["sum"].dtype == "Int64"  # empty buckets are holes in an integer column
    pairs = {(t, h): s for t, h, s in zip(df.index.asi8, df["host"], df["sum"], strict=True)}
    assert pairs[(0, "a")] == 1
    assert pairs[(2000, "a")] == 3
    assert pd.isna(pairs[(0, "b")])


def test_multiple_statements_and_measurements(loaded: Session) -> None:
    frames = loaded.query("SELECT load FROM cpu; SELECT used FROM mem", output="dataframe")
    assert isinstance(frames, list)
    assert [list(f.columns) for f in frames] == [["load"], ["used"]]
    both = frame(loaded, "SELECT * FROM cpu, mem")
    assert "_measurement" in both.columns
    assert sorted(set(both["_measurement"])) == ["cpu", "mem"]
    assert list(both.loc[both["_measurement"] == "mem", "used"]) == [10]


def test_empty_results(loaded: Session) -> None:
    nothing = frame(loaded, "SELECT * FROM cpu WHERE time > now()")
    assert len(nothing) == 0
    missing = frame(loaded, "SELECT * FROM nosuchmeasurement")
    assert len(missing) == 0


def test_show_queries(loaded: Session) -> None:
    measurements = frame(loaded, "SHOW MEASUREMENTS")
    assert isinstance(measurements.index, pd.RangeIndex)
    assert list(measurements["name"]) == ["cpu", "mem"]
    values = frame(loaded, 'SHOW TAG VALUES FROM cpu WITH KEY = "host"')
    assert list(values["value"]) == ["a", "b"]
    keys = frame(loaded, "SHOW FIELD KEYS FROM cpu")
    assert dict(zip(keys["fieldKey"], keys["fieldType"], strict=True)) == {
        "load": "float",
        "msg": "string",
        "n": "integer",
        "up": "boolean",
    }


def test_chunked_frames_one_per_chunk_and_accumulated(influxdb_session: Session) -> None:
    n = 2_500
    lines = "\n".join(f"c,k=t v={i}i,f={i / 2} {i}" for i in range(n)).encode()
    influxdb_session.write(lines)
    whole = frame(influxdb_session, "SELECT * FROM c", chunk_size=1000)
    assert len(whole) == n
    assert whole["v"].dtype == np.int64
    assert list(whole["v"]) == list(range(n))
    chunks = influxdb_session.query(
        "SELECT * FROM c", output="dataframe", chunked=True, chunk_size=1000
    )
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == [1000, 1000, 500]
