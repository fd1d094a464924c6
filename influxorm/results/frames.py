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

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from influxorm.results._gc import gc_paused

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


_NONE = type(None)


def _convert(values: Sequence[Any]) -> tuple[str, Any, np.ndarray | None]:
    """(kind, data, missing) for one column of a series, without a Python step per value.

    The exact Python types present decide the kind (``bool`` is not taken for ``int``);
    numpy then converts the whole column at once. Strings become an Arrow array when
    pyarrow is installed (missing entries are nulls), else an object array.
    """
    types = set(map(type, values))
    has_none = _NONE in types
    types.discard(_NONE)
    if not types:
        return "empty", None, None
    if float in types and types <= {float, int}:
        return "float", np.array(values, dtype=np.float64), None
    if types == {str}:
        strings = _arrow_strings(values)
        if strings is not None:
            return "string", strings, None
    if types == {bool} and not has_none:
        return "boolean", np.array(values, dtype=bool), None
    if types == {int} and not has_none:
        try:
            return "integer", np.array(values, dtype=np.int64), None
        except OverflowError:
            pass
    objects = np.array(values, dtype=object)
    missing = pd.isna(objects) if has_none else None
    if types == {int} or types == {bool}:
        kind, dtype, fill = ("integer", np.int64, 0) if int in types else ("boolean", bool, False)
        if missing is not None:
            objects[missing] = fill
        try:
            return kind, objects.astype(dtype), missing
        except OverflowError:
            if missing is not None:
                objects[missing] = None
            return "object", objects, missing
    return ("string" if types == {str} else "object"), objects, missing


def _arrow_strings(values: Sequence[Any]) -> Any:
    try:
        import pyarrow as pa
    except ImportError:
        return None
    return pa.array(values, type=pa.large_string())


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
        with gc_paused():
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
        rows = series.get("values") or ()
        if not rows:
            for name in columns:
                if name != "time":
                    segment.columns.setdefault(name, _Column())
            return
        count = len(rows)
        for j, (name, values) in enumerate(zip(columns, zip(*rows, strict=True), strict=True)):
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


def _times(values: Sequence[Any]) -> np.ndarray:
    if values and isinstance(values[0], str):
        parsed = pd.to_datetime(list(values), utc=True, format="ISO8601")
        return np.asarray(parsed.tz_localize(None).as_unit("ns").asi8, dtype=np.int64)
    return np.array(values, dtype=np.int64)


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
    if target == "string" and _is_arrow(column.pieces):
        return _arrow_string_column(column)
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
            data[start:stop] = values if isinstance(values, np.ndarray) else _objects(values)
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


def _is_arrow(pieces: list[tuple[int, Any, np.ndarray | None]]) -> bool:
    return all(values is None or not isinstance(values, np.ndarray) for _, values, _ in pieces)


def _objects(values: Any) -> np.ndarray:
    """An Arrow string array as objects (None where null)."""
    objects: np.ndarray = values.to_numpy(zero_copy_only=False)
    return objects


def _arrow_string_column(column: _Column) -> Any:
    """The string pieces as one pandas string array over their Arrow chunks (no copy)."""
    import pyarrow as pa

    large = pa.large_string()
    chunks = [pa.nulls(n, large) if values is None else values for n, values, _ in column.pieces]
    column.pieces.clear()
    chunked = pa.chunked_array(chunks, type=large)
    dtype = _string_dtype()
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pd.arrays.ArrowStringArray(chunked, dtype=dtype)  # type: ignore[call-arg]  # stubs lag pandas 3
    return pd.array(chunked.to_numpy(zero_copy_only=False), dtype="str")


@functools.cache
def _string_dtype() -> Any:
    """pandas' default dtype for text (``str``: Arrow-backed with pandas 3 and pyarrow)."""
    return pd.Series([""], dtype="str").dtype


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
