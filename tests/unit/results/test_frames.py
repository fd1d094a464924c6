"""Decoded responses -> DataFrames, iterpoints and the output converters."""

from __future__ import annotations

from typing import Any

import msgpack
import numpy as np
import pandas as pd
import pytest

from influxorm.exceptions import QueryError
from influxorm.results import (
    FrameAccumulator,
    QueryResult,
    SeriesKey,
    convert_response,
    iterpoints,
    response_to_frames,
)
from influxorm.results.decoding import MSGPACK, ResponseDecoder


def series(name: str, columns: list[str], values: list[list[Any]], **tags: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "columns": columns, "values": values}
    if tags:
        out["tags"] = tags
    return out


def response(*statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"results": [{"statement_id": i, "series": s} for i, s in enumerate(statements)]}


def test_single_series_dtypes() -> None:
    body = response(
        [
            series(
                "m", ["time", "b", "f", "i", "s"], [[1, True, 1.5, 2, "x"], [2, False, 2.0, 3, "y"]]
            )
        ]
    )
    df = response_to_frames(body)[0]
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "time"
    assert str(df.index.dtype) == "datetime64[ns, UTC]"
    assert list(df.index.asi8) == [1, 2]
    assert df["b"].dtype == bool
    assert df["f"].dtype == np.float64
    assert df["i"].dtype == np.int64
    assert pd.api.types.is_string_dtype(df["s"].dtype)


def test_holes_give_nullable_dtypes() -> None:
    body = response(
        [series("m", ["time", "b", "f", "i"], [[1, None, None, 2], [2, True, 1.5, None]])]
    )
    df = response_to_frames(body)[0]
    assert isinstance(df, pd.DataFrame)
    assert str(df["i"].dtype) == "Int64"
    assert str(df["b"].dtype) == "boolean"
    assert np.isnan(df["f"].iloc[0])


def test_group_by_tags_frame_and_dict() -> None:
    body = response(
        [
            series("m", ["time", "v"], [[1, 1.0]], host="a"),
            series("m", ["time", "v"], [[1, 2.0], [2, 3.0]], host="b"),
        ]
    )
    df = response_to_frames(body)[0]
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["v", "host"]
    assert list(df["host"]) == ["a", "b", "b"]
    by = response_to_frames(body, by_series=True)[0]
    assert isinstance(by, dict)
    assert list(by) == [SeriesKey("m", (("host", "a"),)), SeriesKey("m", (("host", "b"),))]
    assert list(by[SeriesKey("m", (("host", "b"),))]["v"]) == [2.0, 3.0]


def test_chunks_of_one_series_are_joined() -> None:
    accumulator = FrameAccumulator()
    accumulator.feed(response([series("m", ["time", "v"], [[1, 1]])]))
    accumulator.feed(response([series("m", ["time", "v"], [[2, None]])]))
    accumulator.feed(response([series("m", ["time", "v"], [[3, 4]])]))
    (df,) = accumulator.frames()
    assert isinstance(df, pd.DataFrame)
    assert str(df["v"].dtype) == "Int64"
    assert list(df["v"].fillna(-1)) == [1, -1, 4]


def test_multiple_statements_empty_and_show() -> None:
    body = response(
        [series("databases", ["name"], [["_internal"], ["x"]])],
        [],
    )
    show, empty = convert_response(body, "dataframe")
    assert list(show["name"]) == ["_internal", "x"]
    assert isinstance(show.index, pd.RangeIndex)
    assert len(empty) == 0
    assert isinstance(empty.index, pd.DatetimeIndex)


def test_iterpoints_and_iterable_output() -> None:
    body = response([series("m", ["time", "v"], [[1, 2], [3, 4]], host="a")])
    assert list(iterpoints(body)) == [[1, 2], [3, 4]]
    parsed = list(
        iterpoints(
            body,
            lambda values, meta: (meta["tags"], dict(zip(meta["columns"], values, strict=True))),
        )
    )
    assert parsed[0] == ({"host": "a"}, {"time": 1, "v": 2})
    result = convert_response(body, "iterable")
    assert isinstance(result, QueryResult)
    assert list(result) == [[1, 2], [3, 4]]


def test_msgpack_decoder_chunks_and_late_error() -> None:
    good = msgpack.packb(response([series("m", ["time", "v"], [[1, 1.0]])]))
    bad = msgpack.packb({"error": "boom"})
    decoder = ResponseDecoder(MSGPACK, "SELECT 1", chunked=True)
    assert decoder.feed(good[:5]) == []
    assert len(decoder.feed(good[5:])) == 1
    with pytest.raises(QueryError, match="boom"):
        decoder.feed(bad)


def test_json_decoder_chunked_lines() -> None:
    decoder = ResponseDecoder("application/json", "SELECT 1", chunked=True)
    assert decoder.feed(b'{"results":[{"statement_id":0}]}\n{"results"') == [
        {"results": [{"statement_id": 0}]}
    ]
    assert decoder.feed(b':[{"statement_id":0}]}\n') == [{"results": [{"statement_id": 0}]}]
    assert decoder.close() == []


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([1, 2.5, None], "float64", [1.0, 2.5, None]),
        ([1, None, 3], "Int64", [1, None, 3]),
        ([True, None], "boolean", [True, None]),
        ([True, 1], "object", [True, 1]),
        ([2**63, 1], "object", [2**63, 1]),
        (["a", None], "str", ["a", None]),
        (["a", 1], "object", ["a", 1]),
        ([None, None], "float64", [None, None]),
    ],
)
def test_column_kinds_follow_the_exact_python_types(
    values: list[Any], dtype: str, expected: list[Any]
) -> None:
    rows = tuple((i, v) for i, v in enumerate(values))  # msgpack hands rows as tuples
    df = response_to_frames(response([series("m", ["time", "v"], rows)]))[0]  # type: ignore[arg-type]
    assert isinstance(df, pd.DataFrame)
    assert str(df["v"].dtype) == dtype
    assert [None if pd.isna(v) else v for v in df["v"]] == expected


def test_string_column_across_chunks_with_absent_pieces() -> None:
    accumulator = FrameAccumulator()
    accumulator.feed(response([series("m", ["time", "s"], [[1, "a"], [2, None]])]))
    accumulator.feed(response([series("m", ["time", "v"], [[3, 1.0]])]))
    accumulator.feed(response([series("m", ["time", "s", "v"], [[4, "d", 2.0]])]))
    df = accumulator.frames()[0]
    assert isinstance(df, pd.DataFrame)
    assert str(df["s"].dtype) == "str"
    assert [None if pd.isna(v) else v for v in df["s"]] == ["a", None, None, "d"]
    assert [None if pd.isna(v) else v for v in df["v"]] == [None, None, 1.0, 2.0]
    assert list(df.index.asi8) == [1, 2, 3, 4]


def test_msgpack_rows_are_tuples_and_frames_match_json() -> None:
    body = response(
        [series("m", ["time", "f", "i", "s"], [[1, 1.0, 2, 'q"'], [2, None, None, None]])]
    )
    decoder = ResponseDecoder(MSGPACK, "q", chunked=False)
    (decoded,) = decoder.feed(msgpack.packb(body)) + decoder.close()
    assert isinstance(decoded["results"][0]["series"][0]["values"][0], tuple)
    from_msgpack = response_to_frames(decoded)[0]
    from_json = response_to_frames(body)[0]
    assert isinstance(from_msgpack, pd.DataFrame)
    pd.testing.assert_frame_equal(from_msgpack, from_json)


def test_strings_without_pyarrow_are_objects_turned_into_str(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("influxorm.results.frames._arrow_strings", lambda values: None)
    accumulator = FrameAccumulator()
    accumulator.feed(response([series("m", ["time", "s"], [[1, "a"], [2, None]])]))
    accumulator.feed(response([series("m", ["time", "s"], [[3, 'q"\n']])]))
    df = accumulator.frames()[0]
    assert isinstance(df, pd.DataFrame)
    assert str(df["s"].dtype) == "str"
    assert [None if pd.isna(v) else v for v in df["s"]] == ["a", None, 'q"\n']
