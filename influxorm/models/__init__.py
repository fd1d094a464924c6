"""influxorm models: ``Measurement``, its column declarations and its schema."""

from influxorm.models.columns import field, tag, time
from influxorm.models.measurement import Measurement
from influxorm.models.schema import Column, ColumnKind, Schema, schema_of

__all__ = ["Column", "ColumnKind", "Measurement", "Schema", "field", "schema_of", "tag", "time"]
