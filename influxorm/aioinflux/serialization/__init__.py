"""aioinflux's ``serialization`` package: the ``datapoint`` factory and its types."""

from influxorm.aioinflux.serialization.datapoint import (
    CompatWarning,
    DataPoint,
    InfluxType,
    datapoint,
)

__all__ = ["CompatWarning", "DataPoint", "InfluxType", "datapoint"]
