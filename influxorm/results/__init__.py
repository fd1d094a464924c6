"""influxorm results: query responses -> frames/points, DataFrames -> line protocol."""

from influxorm.results._gc import gc_paused
from influxorm.results.frame_writer import EncodedFrame, encode_dataframe
from influxorm.results.frames import FrameAccumulator, SeriesKey, response_to_frames
from influxorm.results.model_frames import (
    encode_model_dataframe,
    frame_from_response_for_model,
    model_frame,
)
from influxorm.results.output import ChunkedQueryResult, QueryResult, convert_response
from influxorm.results.points import iterpoints

__all__ = [
    "ChunkedQueryResult",
    "EncodedFrame",
    "FrameAccumulator",
    "QueryResult",
    "SeriesKey",
    "convert_response",
    "encode_dataframe",
    "encode_model_dataframe",
    "frame_from_response_for_model",
    "gc_paused",
    "iterpoints",
    "model_frame",
    "response_to_frames",
]
