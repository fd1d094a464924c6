"""influxorm: typed models, an injection-proof query builder and sessions for InfluxDB."""

from influxorm.exceptions import (
    AuthenticationError,
    InfluxORMError,
    ModelDefinitionError,
    NoSessionError,
    QueryBuildError,
    QueryError,
    ServerError,
    TransportError,
    ValidationError,
    WriteError,
)
from influxorm.models import Measurement, field, tag, time
from influxorm.results.points import iterpoints
from influxorm.session import AsyncSession, Session

__all__ = [
    "AsyncSession",
    "AuthenticationError",
    "InfluxORMError",
    "Measurement",
    "ModelDefinitionError",
    "NoSessionError",
    "QueryBuildError",
    "QueryError",
    "ServerError",
    "Session",
    "TransportError",
    "ValidationError",
    "WriteError",
    "field",
    "iterpoints",
    "tag",
    "time",
]
