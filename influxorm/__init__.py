"""influxorm: typed models, an injection-proof query builder and sessions for InfluxDB."""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from influxorm.exceptions import (
    AuthenticationError,
    DatabaseNotFoundError,
    FieldTypeConflictError,
    InfluxORMError,
    InternalServerError,
    LineProtocolError,
    ModelDefinitionError,
    NoSessionError,
    PartialFieldTypeConflictError,
    PartialWriteError,
    QueryBuildError,
    QueryError,
    RequestTooLargeError,
    RetentionPolicyNotFoundError,
    ServerError,
    ServerTimeoutError,
    SessionStateError,
    ThrottledError,
    TLSError,
    TransportError,
    TransportTimeoutError,
    UnsentBatchError,
    UnsupportedByServerError,
    ValidationError,
    WriteError,
)
from influxorm.models import Measurement, field, tag, time
from influxorm.query import (
    AggregateQuery,
    Bottom,
    Count,
    CumulativeSum,
    Derivative,
    Difference,
    Distinct,
    Elapsed,
    First,
    Integral,
    IntoQuery,
    Last,
    Max,
    Mean,
    Median,
    Min,
    Mode,
    MovingAverage,
    NonNegativeDerivative,
    Percentile,
    Q,
    Query,
    Sample,
    Spread,
    Stddev,
    Sum,
    Top,
    every,
    now,
)
from influxorm.query.downsampling import ContinuousQuery, RetentionPolicy
from influxorm.query.migrations import Change
from influxorm.results.points import iterpoints
from influxorm.schema_check import SchemaConflict
from influxorm.session import (
    AsyncBulkWriter,
    AsyncSession,
    BulkWriter,
    FailedBatch,
    OnError,
    OnProgress,
    Session,
    WriterProgress,
)
from influxorm.session.retry import RetryPolicy

if _TYPE_CHECKING:
    #: The installed distribution's version (pyproject.toml is its one source).
    __version__: str


def __getattr__(name: str) -> _Any:
    # PEP 562: ``__version__`` reads the installed metadata on first use only
    # (importlib.metadata is a noticeable part of a bare import's cost).
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("influxorm")
        except PackageNotFoundError:  # pragma: no cover -- a never-installed source tree
            found = "0+unknown"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AggregateQuery",
    "AsyncBulkWriter",
    "AsyncSession",
    "AuthenticationError",
    "Bottom",
    "BulkWriter",
    "Change",
    "ContinuousQuery",
    "Count",
    "CumulativeSum",
    "DatabaseNotFoundError",
    "Derivative",
    "Difference",
    "Distinct",
    "Elapsed",
    "FailedBatch",
    "FieldTypeConflictError",
    "First",
    "InfluxORMError",
    "Integral",
    "InternalServerError",
    "IntoQuery",
    "Last",
    "LineProtocolError",
    "Max",
    "Mean",
    "Measurement",
    "Median",
    "Min",
    "Mode",
    "ModelDefinitionError",
    "MovingAverage",
    "NoSessionError",
    "NonNegativeDerivative",
    "OnError",
    "OnProgress",
    "PartialFieldTypeConflictError",
    "PartialWriteError",
    "Percentile",
    "Q",
    "Query",
    "QueryBuildError",
    "QueryError",
    "RequestTooLargeError",
    "RetentionPolicy",
    "RetentionPolicyNotFoundError",
    "RetryPolicy",
    "Sample",
    "SchemaConflict",
    "ServerError",
    "ServerTimeoutError",
    "Session",
    "SessionStateError",
    "Spread",
    "Stddev",
    "Sum",
    "TLSError",
    "ThrottledError",
    "Top",
    "TransportError",
    "TransportTimeoutError",
    "UnsentBatchError",
    "UnsupportedByServerError",
    "ValidationError",
    "WriteError",
    "WriterProgress",
    "every",
    "field",
    "iterpoints",
    "now",
    "tag",
    "time",
]
