"""1,000,000 rows through the real server, and model-driven frames, compared exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.frame_models import Fill, Level, Side

from influxorm import Session
from influxorm.frames import encode_model_dataframe, model_frame

ROWS = 1_000_000


def million() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    holes = rng.random(ROWS) < 0.05
    start = pd.Timestamp("2024-01-01").value
    return pd.DataFrame(
        {
            "host": np.array(["a", "b b", "c,=d"])[rng.integers(0, 3, ROWS)],
            "region": np.array(["eu", "us"])[rng.integers(0, 2, ROWS)],
            "f": np.where(holes, np.nan, rng.standard_normal(ROWS) * 1e6),
            "i": pd.array(rng.integers(-(2**62), 2**62, ROWS), dtype="Int64"),
            "b": rng.random(ROWS) < 0.5,
            "s": np.array(['q"x', "back\\slash", "é\nline", "plain"])[rng.integers(0, 4, ROWS)],
        },
        index=pd.DatetimeIndex(start + np.arange(ROWS) * 1001 + 1, tz="UTC"),
    )


@pytest.mark.slow
def test_million_rows_round_trip_exactly(influxdb_session: Session) -> None:
    df = million()
    df.loc[df.index[::10], "i"] = pd.NA
    assert influxdb_session.write(df, measurement="big", tag_columns=["host", "region"]) == ROWS
    back = influxdb_session.query("SELECT * FROM big", output="dataframe")
    assert isinstance(back, pd.DataFrame)
    assert len(back) == ROWS
    assert np.array_equal(back.index.asi8, df.index.asi8)
    assert {c: str(t) for c, t in back.dtypes.items()} == {
        "b": "bool",
        "f": "float64",
        "host": "str",
        "i": "Int64",
        "region": "str",
        "s": "str",
    }
    np.testing.assert_array_equal(back["f"].to_numpy(), df["f"].to_numpy())
    assert back["i"].equals(df["i"])
    np.testing.assert_array_equal(back["b"].to_numpy(), df["b"].to_numpy())
    for column in ("host", "region", "s"):
        assert back[column].to_numpy(dtype=object).tolist() == df[column].tolist(), column


def test_model_frames_round_trip(influxdb_session: Session) -> None:
    times = pd.DatetimeIndex(["2024-01-01T00:00:00.000000001", "2024-01-01T00:00:02"], tz="UTC")
    df = pd.DataFrame(
        {
            "instrument": ["A B", "C"],
            "side": [Side.BUY, Side.SELL],
            "price": [1.0, 2.5],
            "size": [3, 4],
            "qty": [5.0, np.nan],
            "ok": [True, None],
            "level": [Level.HIGH, None],
            "note": ['say "x"', None],
        },
        index=times,
    )
    for batch in encode_model_dataframe(Fill, df).batches:
        influxdb_session.write(batch)
    raw = influxdb_session.query("SELECT * FROM fills", output="dataframe")
    assert isinstance(raw, pd.DataFrame)
    assert set(raw["desk"]) == {"eq 1"}
    back = model_frame(Fill, raw)
    assert list(back.index.asi8) == list(times.asi8)
    assert back["side"].tolist() == [Side.BUY, Side.SELL]
    assert back["level"].iloc[0] is Level.HIGH
    assert pd.isna(back["level"].iloc[1])
    assert back["price"].dtype == np.float64
    assert back["price"].tolist() == [1.0, 2.5]
    assert back["size"].dtype == np.int64
    assert back["qty"].dtype == "Int64"
    assert back["qty"].tolist()[0] == 5
    assert str(back["ok"].dtype) == "boolean"
    assert back["note"].iloc[0] == 'say "x"'
    assert "desk" not in back.columns
