"""DataFrames written as line protocol, and frames typed by a model (both directions).

``encoder`` writes any frame (``measurement=``, ``tag_columns=``); ``models`` writes a
frame named by a model's attributes and types a query's frame by the model; ``columns``
and ``ops`` are the per-column checks and the numpy/Arrow kernels behind the encoder.
Reading a response into frames is the results layer's job (:mod:`influxorm.results.frames`).
Importing this package imports pandas.
"""

from influxorm.frames.encoder import EncodedFrame, encode_dataframe
from influxorm.frames.models import (
    encode_model_dataframe,
    frame_from_response_for_model,
    model_frame,
)

__all__ = [
    "EncodedFrame",
    "encode_dataframe",
    "encode_model_dataframe",
    "frame_from_response_for_model",
    "model_frame",
]
