"""aioinflux's ``serialization`` package: ``datapoint``, ``mapping``, ``dataframe``,
``common`` and :func:`serialize`, on influxorm's encoders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from influxorm.aioinflux.serialization import common, dataframe, mapping
from influxorm.aioinflux.serialization.datapoint import (
    CompatWarning,
    DataPoint,
    InfluxType,
    SchemaTypeError,
    datapoint,
)

__all__ = [
    "CompatWarning",
    "DataPoint",
    "InfluxType",
    "SchemaTypeError",
    "common",
    "dataframe",
    "datapoint",
    "mapping",
    "serialize",
]


def serialize(
    data: Any,
    measurement: str | None = None,
    tag_columns: Iterable[str] | None = None,
    **extra_tags: Any,
) -> bytes:
    """``data`` as the line protocol ``InfluxDBClient.write`` sends (UTF-8, one line per
    point), as aioinflux's ``serialization.serialize``: line protocol as given, a dict
    point, a DataPoint, a DataFrame (with ``measurement``), or an iterable of those.
    Points without a time have none (the server stamps them).
    """
    from influxorm.aioinflux.writing import encode

    return encode(data, measurement, tag_columns, extra_tags)
