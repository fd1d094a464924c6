"""``influxorm export`` and ``influxorm import``: a measurement to/from CSV or Parquet."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from influxorm.cli.exporting import DEFAULT_CHUNK_SIZE, export_measurement
from influxorm.cli.formats import FORMATS, format_of, open_sink, open_source
from influxorm.cli.importing import DEFAULT_BATCH_SIZE, ImportFailedError, import_rows
from influxorm.cli.options import open_session, require_database
from influxorm.progress import terminal_progress

__all__ = ["PARTLY_IMPORTED", "add_parser", "run_export", "run_import"]

#: Exit status of an import that failed after writing some points (1: nothing written).
PARTLY_IMPORTED = 3


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _progress(args: argparse.Namespace) -> Any:
    if args.no_progress:
        return nullcontext(None)
    reporter = terminal_progress(sys.stderr)
    return reporter if reporter is not None else nullcontext(None)


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser],
) -> None:
    """Register ``export`` and ``import``."""
    export = subparsers.add_parser(
        "export",
        parents=parents,
        help="stream a measurement to a CSV or Parquet file",
        description=(
            "Write every point of a measurement to a file: a time column (RFC 3339, "
            "nanoseconds) and one column per tag and field; CSV headers carry each "
            "column's kind (host:tag, usage:float) so that import restores the types."
        ),
    )
    export.add_argument("--measurement", "-m", required=True)
    export.add_argument("--output", "-o", type=Path, required=True, help="the file to write")
    export.add_argument("--format", choices=FORMATS, help="default: from the file's suffix")
    export.add_argument("--retention-policy", help="read from this retention policy")
    export.add_argument(
        "--chunk-size",
        type=_positive,
        default=DEFAULT_CHUNK_SIZE,
        help=f"points per query chunk (default {DEFAULT_CHUNK_SIZE})",
    )
    export.add_argument("--no-progress", action="store_true", help="no progress display")
    export.set_defaults(run=run_export)

    imp = subparsers.add_parser(
        "import",
        parents=parents,
        help="write a CSV or Parquet file into a measurement",
        description=(
            "Write the rows of a file with a time column into a measurement. Column kinds "
            "come from the file (as written by export), else --tag-columns name the tags "
            "and field types are inferred from the first batch. A failure part-way says "
            "how many points were written before it and exits with status 3 (1 when "
            "nothing was written)."
        ),
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--measurement", "-m", required=True)
    imp.add_argument("--format", choices=FORMATS, help="default: from the file's suffix")
    imp.add_argument(
        "--tag-columns",
        default="",
        metavar="A,B",
        help="comma-separated columns to write as tags (for files without kinds)",
    )
    imp.add_argument("--retention-policy", help="write into this retention policy")
    imp.add_argument(
        "--batch-size",
        type=_positive,
        default=DEFAULT_BATCH_SIZE,
        help=f"points per write request (default {DEFAULT_BATCH_SIZE})",
    )
    imp.add_argument("--no-progress", action="store_true", help="no progress display")
    imp.set_defaults(run=run_import)


async def run_export(args: argparse.Namespace) -> int:
    """Export; prints the count on stderr."""
    database = require_database(args)
    fmt = format_of(args.output, args.format)
    async with open_session(args) as session:
        with _progress(args) as progress:
            count = await export_measurement(
                session,
                args.measurement,
                lambda columns: open_sink(args.output, fmt, columns),
                db=database,
                retention_policy=args.retention_policy,
                chunk_size=args.chunk_size,
                progress=progress,
            )
    print(f"exported {count} points of {args.measurement!r} to {args.output}", file=sys.stderr)
    return 0


async def run_import(args: argparse.Namespace) -> int:
    """Import; prints the counts on stderr. Exit status 3 when it failed after writing."""
    database = require_database(args)
    fmt = format_of(args.file, args.format)
    tags = [name.strip() for name in args.tag_columns.split(",") if name.strip()]
    source = open_source(args.file, fmt, tags)
    try:
        async with open_session(args) as session:
            with _progress(args) as progress:
                result = await import_rows(
                    session,
                    source,
                    args.measurement,
                    db=database,
                    retention_policy=args.retention_policy,
                    batch_size=args.batch_size,
                    progress=progress,
                )
    except ImportFailedError as error:
        if not error.wrote_anything:
            raise  # exit status 1: the measurement is as it was
        print(f"influxorm: {error}", file=sys.stderr)
        return PARTLY_IMPORTED
    finally:
        source.close()
    message = f"imported {result.written} points into {args.measurement!r}"
    if result.skipped:
        message += f" ({result.skipped} rows without any field value skipped)"
    print(message, file=sys.stderr)
    return 0
