"""Write the rows of a file into a measurement in batches (``influxorm import``)."""

from __future__ import annotations

from collections.abc import Sequence

from influxorm.cli.columns import TypedColumn
from influxorm.cli.formats import Row, Source
from influxorm.lineprotocol import encode_point
from influxorm.progress import Progress
from influxorm.session import AsyncSession

__all__ = ["ImportResult", "encode_rows", "import_rows"]

DEFAULT_BATCH_SIZE = 5_000


class ImportResult:
    """How many rows were written, and how many were skipped for having no field value."""

    def __init__(self, written: int, skipped: int) -> None:
        self.written = written
        self.skipped = skipped

    def __repr__(self) -> str:
        return f"ImportResult(written={self.written}, skipped={self.skipped})"


def encode_rows(
    measurement: str, columns: Sequence[TypedColumn], rows: Sequence[Row]
) -> tuple[list[str], int]:
    """Line protocol for ``rows``; rows without any field value are skipped and counted."""
    lines: list[str] = []
    skipped = 0
    for time_ns, values in rows:
        tags: dict[str, object] = {}
        fields: dict[str, object] = {}
        for column, value in zip(columns, values, strict=True):
            if value is not None:
                (tags if column.is_tag else fields)[column.name] = value
        if not fields:
            skipped += 1
            continue
        lines.append(encode_point(measurement, tags, fields, time_ns))
    return lines, skipped


async def import_rows(
    session: AsyncSession,
    source: Source,
    measurement: str,
    *,
    db: str | None = None,
    retention_policy: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportResult:
    """Write every row of ``source`` to ``measurement``, one request per batch.

    Each batch is validated before it is sent; memory holds one batch at a time.
    """
    written = skipped = 0
    for rows in source.batches(batch_size):
        lines, dropped = encode_rows(measurement, source.columns, rows)
        skipped += dropped
        if lines:
            written += await session.write(lines, db=db, rp=retention_policy)
        if progress is not None:
            progress(written + skipped, source.total, "rows imported")
    return ImportResult(written, skipped)
