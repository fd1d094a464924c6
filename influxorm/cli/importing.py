"""Write the rows of a file into a measurement in batches (``influxorm import``)."""

from __future__ import annotations

from collections.abc import Sequence

from influxorm.cli.columns import TypedColumn
from influxorm.cli.formats import Row, Source
from influxorm.cli.options import CliError
from influxorm.exceptions import (
    AuthenticationError,
    InfluxORMError,
    TLSError,
    ValidationError,
    WriteError,
)
from influxorm.lineprotocol import encode_point
from influxorm.progress import Progress
from influxorm.session import AsyncSession

__all__ = ["ImportFailedError", "ImportResult", "encode_rows", "import_rows"]

DEFAULT_BATCH_SIZE = 5_000


class ImportResult:
    """How many rows were written, and how many were skipped for having no field value."""

    def __init__(self, written: int, skipped: int) -> None:
        self.written = written
        self.skipped = skipped

    def __repr__(self) -> str:
        return f"ImportResult(written={self.written}, skipped={self.skipped})"


class ImportFailedError(CliError):
    """An import stopped part-way; says exactly what it left in the measurement.

    The first ``rows`` rows of the file were imported in ``batches`` complete batches:
    ``written`` points (``skipped`` rows had no field value). ``partial`` points of the
    failing batch were stored too (acknowledged requests, or the accepted part of a
    partial write), and ``in_doubt`` more of its points may have been (a request that
    failed without a clear answer). Nothing after the failing batch was sent.
    """

    def __init__(
        self,
        measurement: str,
        cause: BaseException,
        *,
        written: int,
        batches: int,
        rows: int,
        skipped: int,
        partial: int = 0,
        in_doubt: int = 0,
    ) -> None:
        self.measurement = measurement
        self.written = written
        self.batches = batches
        self.rows = rows
        self.skipped = skipped
        self.partial = partial
        self.in_doubt = in_doubt
        total = written + partial
        if total:
            stored = (
                f"{total} point(s) were written before the failure and remain in "
                f"{measurement!r}: {written} from the file's first {rows} row(s) in "
                f"{batches} complete batch(es) ({skipped} row(s) skipped for having no field "
                f"value), {partial} from the failing batch {batches + 1}"
            )
        elif in_doubt:
            stored = f"no point is known to have been written to {measurement!r}"
        else:
            stored = f"nothing was written to {measurement!r}"
        if in_doubt:
            stored += (
                f"; {in_doubt} point(s) of batch {batches + 1} may have been written as well "
                "(its request failed without a clear answer)"
            )
        super().__init__(f"import failed: {_one_line(cause)}; {stored}")

    @property
    def wrote_anything(self) -> bool:
        """Whether the measurement may have changed (exit status 3 rather than 1)."""
        return bool(self.written or self.partial or self.in_doubt)


def _one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return " ".join([text, *getattr(error, "__notes__", ())]).replace("\n", " ")


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


def _stored_of_failed_request(error: InfluxORMError, unacknowledged: int) -> tuple[int, int]:
    """(points certainly stored, points maybe stored) among a failed write's
    ``unacknowledged`` points."""
    if isinstance(error, ValidationError | TLSError | AuthenticationError):
        # Refused before sending, or a refusal that every request of the write meets.
        return 0, 0
    if not isinstance(error, WriteError) or not error.points:
        return 0, unacknowledged  # no answer, or a server error: it may have taken effect
    # A write is cut into several requests; any other one that was not acknowledged
    # failed too, and only the error's notes say how: its points are in doubt.
    others = max(unacknowledged - error.points, 0)
    if error.written is False:
        return 0, others
    if error.written is True and error.dropped is not None:
        refused = error.dropped + len(error.rejected_lines)
        return max(error.points - refused, 0), others
    return 0, unacknowledged


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

    Each batch is read and validated before it is sent; memory holds one batch at a
    time. A failure (a bad row, a refused or failed write) raises
    :class:`ImportFailedError`, which says how many points earlier batches stored.
    """
    written = skipped = rows = batches = 0
    acknowledged = 0

    def on_written(done: int, total: int | None, what: str) -> None:
        nonlocal acknowledged
        acknowledged = done

    batch_iter = iter(source.batches(batch_size))
    while True:
        try:
            batch = next(batch_iter, None)
            if batch is None:
                break
            lines, dropped = encode_rows(measurement, source.columns, batch)
        except (CliError, InfluxORMError, OSError, ValueError) as error:
            # a bad row, an unreadable file (OSError), bytes that are not UTF-8 or a
            # corrupt Parquet page (ValueError): nothing of this batch was sent
            raise ImportFailedError(
                measurement, error, written=written, batches=batches, rows=rows, skipped=skipped
            ) from error
        if lines:
            acknowledged = 0
            try:
                written += await session.write(
                    lines, db=db, rp=retention_policy, progress=on_written
                )
            except InfluxORMError as error:
                stored, in_doubt = _stored_of_failed_request(error, len(lines) - acknowledged)
                raise ImportFailedError(
                    measurement,
                    error,
                    written=written,
                    batches=batches,
                    rows=rows,
                    skipped=skipped,
                    partial=acknowledged + stored,
                    in_doubt=in_doubt,
                ) from error
        batches += 1
        skipped += dropped
        rows += len(batch)
        if progress is not None:
            progress(written + skipped, source.total, "rows imported")
    return ImportResult(written, skipped)
