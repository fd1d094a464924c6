"""influxorm results: query responses -> rows, points and DataFrames.

The DataFrame names (``FrameAccumulator``, ``SeriesKey``, ``response_to_frames``) are
loaded on first use (PEP 562), so ``import influxorm`` does not import pandas.
"""

from typing import TYPE_CHECKING, Any

from influxorm.results._gc import gc_paused
from influxorm.results.output import ChunkedQueryResult, QueryResult, convert_response
from influxorm.results.points import iterpoints

if TYPE_CHECKING:
    from influxorm.results.frames import FrameAccumulator, SeriesKey, response_to_frames

__all__ = [
    "ChunkedQueryResult",
    "FrameAccumulator",
    "QueryResult",
    "SeriesKey",
    "convert_response",
    "gc_paused",
    "iterpoints",
    "response_to_frames",
]

_FRAME_NAMES = frozenset({"FrameAccumulator", "SeriesKey", "response_to_frames"})


def __getattr__(name: str) -> Any:
    if name in _FRAME_NAMES:
        from influxorm.results import frames

        return getattr(frames, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
