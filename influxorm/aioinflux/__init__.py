"""aioinflux 0.4's API on influxorm: change ``import aioinflux`` to
``import influxorm.aioinflux as aioinflux`` (or ``from influxorm.aioinflux import ...``).

See ``docs/migration.md`` for the differences and the way to native influxorm.
"""

from influxorm.aioinflux import serialization
from influxorm.aioinflux.client import InfluxDBClient, InfluxDBError, InfluxDBWriteError, logger
from influxorm.aioinflux.iterutils import InfluxDBChunkedResult, InfluxDBResult, iterpoints
from influxorm.aioinflux.serialization import CompatWarning, DataPoint, InfluxType, datapoint

__all__ = [
    "CompatWarning",
    "DataPoint",
    "InfluxDBChunkedResult",
    "InfluxDBClient",
    "InfluxDBError",
    "InfluxDBResult",
    "InfluxDBWriteError",
    "InfluxType",
    "datapoint",
    "iterpoints",
    "logger",
    "serialization",
]
