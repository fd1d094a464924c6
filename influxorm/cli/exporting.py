"""Stream a measurement out of the server into a file (``influxorm export``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from influxorm.cli.columns import TypedColumn, coerce, widest_type
from influxorm.cli.formats import Row, Sink
from influxorm.cli.options import CliError
from influxorm.progress import Progress
from influxorm.query.statements import select_typed_columns
from influxorm.schema_check import MeasurementInfo, fetch_measurement_info
from influxorm.session import AsyncSession

__all__ = ["export_columns", "export_measurement", "select_statement"]

DEFAULT_CHUNK_SIZE = 10_000


def export_columns(info: MeasurementInfo) -> list[TypedColumn]:
    """The file's columns: tags, then fields typed by their (widest) InfluxDB type."""
    columns = [TypedColumn(key, "tag") for key in sorted(info.tag_keys)]
    columns.extend(
        TypedColumn(key, widest_type(types))  # type: ignore[arg-type]
        for key, types in sorted(info.field_types.items())
    )
    return columns


def select_statement(
    measurement: str, columns: Sequence[TypedColumn], retention_policy: str | None = None
) -> str:
    """``SELECT "t"::tag, "f"::field ... FROM "m" ORDER BY time``: one column per key and kind."""
    return select_typed_columns(
        measurement, ((c.name, c.is_tag) for c in columns), retention_policy
    )


def _rows(chunk: Any, columns: Sequence[TypedColumn]) -> list[Row]:
    rows: list[Row] = []
    for result in chunk.get("results", ()):
        for series in result.get("series", ()):
            for time_ns, *values in series.get("values") or ():
                rows.append(
                    (time_ns, [coerce(v, c.kind) for v, c in zip(values, columns, strict=True)])
                )
    return rows


async def export_measurement(
    session: AsyncSession,
    measurement: str,
    open_sink: Callable[[Sequence[TypedColumn]], Sink],
    *,
    db: str | None = None,
    retention_policy: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> int:
    """Write every point of ``measurement`` to the sink ``open_sink(columns)`` returns.

    The query is chunked, so memory holds one chunk of ``chunk_size`` points at a time.
    Returns the number of points exported.
    """
    info = await fetch_measurement_info(
        session, measurement, db=db, retention_policy=retention_policy
    )
    if not info.field_types:
        raise CliError(f"measurement {measurement!r} has no fields (does it exist?)")
    columns = export_columns(info)
    statement = select_statement(measurement, columns, retention_policy)
    sink = open_sink(columns)
    done = 0
    try:
        chunks = await session.query(
            statement, db=db, chunked=True, chunk_size=chunk_size, output="json"
        )
        async for chunk in chunks:
            rows = _rows(chunk, columns)
            sink.write_rows(rows)
            done += len(rows)
            if progress is not None:
                progress(done, None, "points exported")
    finally:
        sink.close()
    return done
