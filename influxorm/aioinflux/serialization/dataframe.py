"""aioinflux's ``serialization.dataframe``: DataFrames in aioinflux's shapes.

influxorm's results layer builds one frame per series (``by_series``); this module
arranges them as aioinflux did (:func:`shape`):

* one statement with one series: that DataFrame; with several series: a dict keyed
  ``"measurement"`` or ``"measurement,tag=value,..."``; with none: ``{}``;
* several statements: a list with one such dict per statement (keyed even when a
  statement has a single series);
* each frame gets one column per series tag (GROUP BY tags) holding its value, and a
  frame whose timestamps are all 0 (aggregates without time grouping) a RangeIndex;
  the index is unnamed, as in aioinflux.

:func:`serialize` does that for a decoded JSON response, :func:`parse` turns a
DataFrame into line protocol with influxorm's encoder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from influxorm.frames.encoder import encode_dataframe
from influxorm.results.frames import SeriesKey, StatementFrames, response_to_frames

__all__ = ["DataFrameType", "parse", "serialize", "shape"]

DataFrameType = pd.DataFrame | dict[str, pd.DataFrame] | list[dict[str, pd.DataFrame]]


def _series_name(key: SeriesKey) -> str:
    return ",".join([key.name, *(f"{k}={v}" for k, v in key.tags)])


def _aioinflux_frame(key: SeriesKey, frame: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(frame.index, pd.DatetimeIndex):
        return frame  # no time column (SHOW ...): aioinflux left such frames as they came
    for tag, value in key.tags:
        frame[tag] = value
    if len(frame) and bool((frame.index.asi8 == 0).all()):
        return frame.reset_index(drop=True)
    frame.index.name = None
    return frame


def _keyed(frames: StatementFrames) -> dict[str, pd.DataFrame]:
    if isinstance(frames, pd.DataFrame):
        raise TypeError("shape() takes frames by series (by_series=True)")
    return {_series_name(key): _aioinflux_frame(key, frame) for key, frame in frames.items()}


def shape(result: StatementFrames | list[StatementFrames]) -> DataFrameType:
    """influxorm's by-series result (one statement's dict, or a list of them) in
    aioinflux's shape (see the module docs)."""
    statements = result if isinstance(result, list) else [result]
    keyed = [_keyed(frames) for frames in statements]
    if len(keyed) == 1:
        series = keyed[0]
        return next(iter(series.values())) if len(series) == 1 else series
    return keyed


def serialize(resp: Mapping[str, Any]) -> DataFrameType:
    """DataFrames from a decoded JSON query response, in aioinflux's shape."""
    return shape(response_to_frames(resp, by_series=True))


def parse(
    df: pd.DataFrame,
    measurement: str,
    tag_columns: Iterable[str] | None = None,
    **extra_tags: str,
) -> bytes:
    """``df`` as line protocol (UTF-8), by influxorm's DataFrame encoder."""
    encoded = encode_dataframe(
        df, measurement=measurement, tag_columns=tag_columns or (), extra_tags=extra_tags
    )
    return b"\n".join(encoded.batches)
