"""Property test: random DataFrames written through the real server come back exactly."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from influxorm import Session
from influxorm.frames import encode_dataframe
from influxorm.frames.ops import NumpyOps

_names = itertools.count()

# Tag values: anything but what line protocol cannot carry (LF, CR, NUL), never empty,
# never ending in a backslash (INFLUXDB_NOTES.md); ",", "=", " " and quotes included.
tag_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"),
    min_size=1,
    max_size=8,
).filter(lambda s: not s.endswith("\\"))
tag_values = st.one_of(tag_text, st.sampled_from([" ", "a,b", "k=v", 'q"', "é"]))
# String fields carry any text, LF/CR/TAB/NUL, quotes and backslashes included.
field_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
finite = st.floats(allow_nan=False, allow_infinity=False)
int64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=12))

    def column(values: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(st.one_of(st.none(), values), min_size=n, max_size=n))

    times = draw(
        st.lists(
            st.integers(min_value=-(2**62), max_value=2**62), min_size=n, max_size=n, unique=True
        )
    )
    return pd.DataFrame(
        {
            "f": pd.array([np.nan if v is None else v for v in column(finite)], dtype="float64"),
            "i": pd.array(column(int64), dtype="Int64"),
            "b": pd.array(column(st.booleans()), dtype="boolean"),
            "s": pd.array(column(field_text), dtype=object),
            "t1": column(tag_values),
            "t2": column(st.sampled_from(["x", "y y", "z,=\\z"])),
        },
        index=pd.DatetimeIndex(np.array(times, dtype="datetime64[ns]"), tz="UTC"),
    )


def plain(values: Any) -> list[Any]:
    return [
        None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v
        for v in values
    ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(df=frames(), numpy_backend=st.booleans())
def test_random_frames_round_trip_exactly(
    influxdb_session: Session, df: pd.DataFrame, numpy_backend: bool
) -> None:
    name = f"prop{next(_names)}"
    fields = ["f", "i", "b", "s"]
    if numpy_backend:
        encoded = encode_dataframe(df, measurement=name, tag_columns=["t1", "t2"], ops=NumpyOps())
        for batch in encoded.batches:
            influxdb_session.write(batch)
    else:
        influxdb_session.write(df, measurement=name, tag_columns=["t1", "t2"])
    kept = df[df[fields].notna().any(axis=1)].sort_index()
    back = influxdb_session.query(f'SELECT * FROM "{name}"', output="dataframe")
    assert isinstance(back, pd.DataFrame)
    back = back.sort_index()
    assert list(back.index.asi8) == list(kept.index.asi8)
    for column in (*fields, "t1", "t2"):
        expected = plain(kept[column])
        if column.startswith("t"):
            expected = [None if v == "" else v for v in expected]
        if column not in back.columns:
            assert expected == [None] * len(expected), column
            continue
        assert plain(back[column]) == expected, column
    if "f" in back:
        assert back["f"].dtype == np.float64
    if "i" in back:
        assert str(back["i"].dtype) in ("int64", "Int64")
    if "b" in back:
        assert str(back["b"].dtype) in ("bool", "boolean")
