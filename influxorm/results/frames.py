"""Query responses -> DataFrames, column by column.

The shape is fixed by the query, not by the data:

* one DataFrame per statement; its index is a UTC ``DatetimeIndex`` named ``time`` when
  the series have a time column (SHOW queries get a ``RangeIndex``);
* series with tags (GROUP BY) add one column per tag key after the value columns, also
  when only one series came back; ``by_series=True`` returns instead a dict keyed by
  :class:`SeriesKey` holding one frame per series, without tag columns;
* a statement reading several measurements adds a ``_measurement`` column;
* dtypes: float -> float64, integer -> int64 (``Int64`` with holes), boolean -> bool
  (``boolean`` with holes), string -> pandas' default string dtype, a column that is
  missing everywhere -> float64 NaN; rows keep the server's order.

Values are taken from the decoded response (JSON or msgpack) one series at a time and
turned into numpy columns at once, so a chunked response never holds more than one
chunk of Python objects. With JSON, a float that is a whole number arrives as an int:
prefer msgpack (see :mod:`influxorm.results.decoding`), which keeps the distinction.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = ["FrameAccumulator", "SeriesKey", "StatementFrames", "response_to_frames"]

StatementFrames = pd.DataFrame | dict["SeriesKey", pd.DataFrame]


class SeriesKey(NamedTuple):
    """Identifies one series of a result: measurement name and sorted tag pairs."""

    name: str
    tags: tuple[tuple[str, str], ...] = ()


class _Column:
    """One column's pieces: (values, missing-mask or None) per arrival, plus its kind."""

    __slots__ = ("kinds", "pieces")

    def __init__(self) -> None:
        self.pieces: list[tuple[int, np.ndarray | None, np.ndarray | None]] = []
        self.kinds: set[str] = set()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC: building millions of lists triggers it for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _convert(values: np.ndarray) -> tuple[str, np.ndarray | None, np.ndarray | None]:
    """(kind, data, missing) for one object column of a series."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    missing = pd.isna(values)
    has_missing = bool(missing.any())
    if kind == "empty":
        return "empty", None, None
    if kind in ("integer", "floating", "mixed-integer-float", "boolean"):
        filled = values
        if has_missing:
            filled = values.copy()
            filled[missing] = False if kind == "boolean" else 0
        if kind == "integer":
            return "integer", filled.astype(np.int64), missing if has_missing else None
        if kind == "boolean":
            return "boolean", filled.astype(bool), missing if has_missing else None
        data = filled.astype(np.float64)
        if has_missing:
            data[missing] = np.nan
        return "float", data, None
    if kind == "string":
        return "string", values, missing if has_missing else None
    return "object", values, missing if has_missing else None


class _Segment:
    """The rows of one series inside one statement, accumulated across chunks."""

    __slots__ = ("columns", "has_time", "key", "rows", "times")

    def __init__(self, key: SeriesKey) -> None:
        self.key = key
        self.has_time = False
        self.rows = 0
        self.times: list[np.ndarray] = []
        self.columns: dict[str, _Column] = {}


class FrameAccumulator:
    """Collects the series of one or more responses (or chunks) into DataFrames.

    Feed every decoded response (``feed``), then call :meth:`frames`. Each statement
    keeps the server's order of series and rows; a series continued in the next chunk
    is appended to the same segment.
    """

    def __init__(self, *, by_series: bool = False) -> None:
        self.by_series = by_series
        self._statements: dict[int, list[_Segment]] = {}

    def feed(self, response: Mapping[str, Any]) -> None:
        """Add one decoded (and error-checked) response or chunk."""
        with _gc_paused():
            for position, result in enumerate(response.get("results", ())):
                statement_id = int(result.get("statement_id", position))
                segments = self._statements.setdefault(statement_id, [])
                for series in result.get("series", ()):
                    self._add_series(segments, series)

    def _add_series(self, segments: list[_Segment], series: Mapping[str, Any]) -> None:
        tags = series.get("tags") or {}
        key = SeriesKey(str(series.get("name", "")), tuple(sorted(tags.items())))
        if segments and segments[-1].key == key:
            segment = segments[-1]
        else:
            segment = _Segment(key)
            segments.append(segment)
        columns: list[str] = list(series.get("columns", ()))
        segment.has_time = segment.has_time or (bool(columns) and columns[0] == "time")
        rows = series.get("values") or []
        if not rows:
            for name in columns:
                if name != "time":
                    segment.columns.setdefault(name, _Column())
            return
        matrix = np.empty((len(rows), len(columns)), dtype=object)
        matrix[:] = rows
        count = len(rows)
        for j, name in enumerate(columns):
            values = matrix[:, j]
            if name == "time" and j == 0:
                segment.times.append(_times(values))
                continue
            column = segment.columns.get(name)
            if column is None:
                column = segment.columns[name] = _Column()
                if segment.rows:
                    column.pieces.append((segment.rows, None, None))
                    column.kinds.add("empty")
            kind, data, missing = _convert(values)
            column.kinds.add(kind)
            column.pieces.append((count, data, missing))
        for name, column in segment.columns.items():
            if name not in columns:
                column.pieces.append((count, None, None))
                column.kinds.add("empty")
        segment.rows += count

    def frames(self) -> list[StatementFrames]:
        """One entry per statement, in statement order (see the module doc for shapes)."""
        out: list[StatementFrames] = []
        for statement_id in sorted(self._statements):
            segments = self._statements[statement_id]
            if self.by_series:
                out.append({s.key: _frame([s], tag_columns=False) for s in segments})
            else:
                out.append(_frame(segments, tag_columns=True))
        return out


def _times(values: np.ndarray) -> np.ndarray:
    if values.size and isinstance(values[0], str):
        parsed = pd.to_datetime(values, utc=True, format="ISO8601")
        return np.asarray(parsed.tz_localize(None).as_unit("ns").asi8, dtype=np.int64)
    return np.asarray(values.astype(np.int64), dtype=np.int64)


def _assemble(column: _Column, total: int) -> Any:
    kinds = column.kinds - {"empty"}
    if len(kinds) == 2 and kinds == {"integer", "float"}:
        target = "float"
    elif len(kinds) == 1:
        target = next(iter(kinds))
    elif not kinds:
        return np.full(total, np.nan)
    else:
        target = "object"
    numpy_dtype: Any = {
        "integer": np.int64,
        "float": np.float64,
        "boolean": bool,
        "string": object,
        "object": object,
    }[target]
    data = np.empty(total, dtype=numpy_dtype)
    missing = np.zeros(total, dtype=bool)
    start = 0
    for count, values, holes in column.pieces:
        stop = start + count
        if values is None:
            missing[start:stop] = True
        else:
            data[start:stop] = values
            if holes is not None:
                missing[start:stop] = holes
        start = stop
    column.pieces.clear()
    if target == "float":
        data[missing] = np.nan
        return data
    if target in ("string", "object"):
        data[missing] = None
        return pd.array(data, dtype="str") if target == "string" else data
    if missing.any():
        masked = "Int64" if target == "integer" else "boolean"
        return _masked(data, missing, masked)
    return data


def _masked(data: np.ndarray, missing: np.ndarray, dtype: str) -> Any:
    if dtype == "Int64":
        return pd.arrays.IntegerArray(data, missing)
    return pd.arrays.BooleanArray(data, missing)


def _frame(segments: list[_Segment], *, tag_columns: bool) -> pd.DataFrame:
    total = sum(s.rows for s in segments)
    names: dict[str, None] = {}
    tag_keys: dict[str, None] = {}
    for segment in segments:
        names.update(dict.fromkeys(segment.columns))
        if tag_columns:
            tag_keys.update(dict.fromkeys(k for k, _ in segment.key.tags))
    merged: dict[str, _Column] = {}
    for name in names:
        column = merged[name] = _Column()
        for segment in segments:
            part = segment.columns.get(name)
            if part is None:
                column.pieces.append((segment.rows, None, None))
                column.kinds.add("empty")
            else:
                column.pieces.extend(part.pieces)
                column.kinds |= part.kinds
                part.pieces.clear()
    data: dict[str, Any] = {name: _assemble(column, total) for name, column in merged.items()}
    for key in tag_keys:
        if key in data:
            continue
        pieces = [np.full(s.rows, dict(s.key.tags).get(key), dtype=object) for s in segments]
        data[key] = pd.array(np.concatenate(pieces) if pieces else [], dtype="str")
    if len({s.key.name for s in segments}) > 1:
        pieces = [np.full(s.rows, s.key.name, dtype=object) for s in segments]
        data["_measurement"] = pd.array(np.concatenate(pieces), dtype="str")
    if all(s.has_time for s in segments):
        stamps = [t for s in segments for t in s.times]
        ns = np.concatenate(stamps) if stamps else np.empty(0, dtype=np.int64)
        index: pd.Index = pd.DatetimeIndex(ns.view("datetime64[ns]"), name="time").tz_localize(
            "UTC"
        )
        return pd.DataFrame(data, index=index, copy=False)
    return pd.DataFrame(data, copy=False)


def response_to_frames(
    responses: Mapping[str, Any] | Iterable[Mapping[str, Any]], *, by_series: bool = False
) -> list[StatementFrames]:
    """DataFrames for a decoded response (or the decoded chunks of one), per statement."""
    accumulator = FrameAccumulator(by_series=by_series)
    if isinstance(responses, Mapping):
        accumulator.feed(responses)
    else:
        for response in responses:
            accumulator.feed(response)
    return accumulator.frames()
