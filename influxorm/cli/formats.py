"""CSV and Parquet files of points, written and read in batches (bounded memory).

A file holds a time column (``time``; RFC 3339 with nanoseconds in CSV, ``timestamp[ns,
UTC]`` in Parquet) and the typed tag and field columns of :mod:`influxorm.cli.columns`.
Rows travel as ``(time_ns, [value per column])``. Parquet needs pyarrow.

CSV keeps the empty string apart from a missing value: missing is an empty unquoted
cell, the empty string a quoted one (``""``), as in PostgreSQL's CSV format. Python's
``csv`` module cannot write or tell the two apart before 3.12, so rows are written here
and the quoting of the empty cells a reader returns is looked up in the record's text.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final, Literal, Protocol, TypeAlias

from influxorm.cli.columns import (
    TIME_COLUMN,
    Kind,
    TypedColumn,
    format_header,
    infer_kind,
    parse_header,
    parse_text,
    text_of,
)
from influxorm.cli.options import CliError
from influxorm.exceptions import ValidationError
from influxorm.timeutil import ns_to_rfc3339, to_ns

__all__ = [
    "FORMATS",
    "CsvSink",
    "CsvSource",
    "Format",
    "ParquetSink",
    "ParquetSource",
    "Row",
    "Sink",
    "Source",
    "csv_cell",
    "csv_record",
    "format_of",
    "open_sink",
    "open_source",
    "quoted_cells",
]

Format: TypeAlias = Literal["csv", "parquet"]
FORMATS: Final[tuple[Format, ...]] = ("csv", "parquet")
Row: TypeAlias = tuple[int, list[object]]

#: Parquet schema metadata key holding the kind of every column, in order (JSON list).
PARQUET_KINDS_KEY: Final = b"influxorm.kinds"


class Sink(Protocol):
    """Where exported rows go."""

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append rows (times in ns, values in column order)."""

    def close(self) -> None:
        """Finish the file."""


class Source(Protocol):
    """Where imported rows come from."""

    columns: list[TypedColumn]
    total: int | None

    def batches(self, size: int) -> Iterator[list[Row]]:
        """Rows in batches of at most ``size``."""

    def close(self) -> None:
        """Release the file."""


def format_of(path: Path, given: str | None) -> Format:
    """``given``, else the format named by the file's suffix."""
    name = given or path.suffix.lstrip(".").lower()
    if name == "pq":
        name = "parquet"
    if name not in FORMATS:
        raise CliError(f"cannot tell the format of {str(path)!r}: give --format csv or parquet")
    return name


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise CliError("Parquet needs pyarrow: pip install 'influxorm[parquet]'") from None
    return pa, pq


# -- CSV -------------------------------------------------------------------------------


_NEEDS_QUOTES: Final = re.compile(r'[",\r\n]')
# One cell of a record as the csv module's default (excel) dialect writes it.
_CELL: Final = re.compile(r'"(?:[^"]|"")*"|[^,]*')


def csv_cell(text: str | None) -> str:
    """``text`` as one CSV cell: None is empty, ``""`` quoted, quotes where needed."""
    if text is None:
        return ""
    if text == "" or _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_record(texts: Sequence[str | None]) -> str:
    """One CSV record (CRLF-terminated, as the csv module writes them)."""
    return ",".join(map(csv_cell, texts)) + "\r\n"


def quoted_cells(record: str) -> list[bool] | None:
    """Which cells of a record's text are quoted; None if it is not plain excel CSV."""
    text = record.rstrip("\r\n")
    quoted: list[bool] = []
    position = 0
    while True:
        cell = _CELL.match(text, position)
        assert cell is not None  # the pattern matches the empty string
        quoted.append(text.startswith('"', position))
        position = cell.end()
        if position == len(text):
            return quoted
        if text[position] != ",":
            return None
        position += 1


class _RecordedLines:
    """The file's lines, remembering those read since the last :meth:`take`."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._taken: list[str] = []

    def __iter__(self) -> _RecordedLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._taken.append(line)
        return line

    def take(self) -> str:
        """The text read since the previous call: one record after the reader's row."""
        text = "".join(self._taken)
        self._taken.clear()
        return text


class CsvSink:
    """Writes ``time,name:kind,...`` CSV."""

    def __init__(self, path: Path, columns: Sequence[TypedColumn]) -> None:
        self._file = path.open("w", newline="", encoding="utf-8")
        self._file.write(csv_record([TIME_COLUMN, *(format_header(c) for c in columns)]))

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append rows."""
        self._file.writelines(
            csv_record([ns_to_rfc3339(t), *map(text_of, values)]) for t, values in rows
        )

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def _time_of(text: str) -> int:
    return int(text) if text.lstrip("-").isdigit() else to_ns(text)


class CsvSource:
    """Reads CSV with a ``time`` column; see :mod:`influxorm.cli.columns` for the kinds."""

    def __init__(self, path: Path, tag_columns: Sequence[str] = ()) -> None:
        self._path = path
        self._file = path.open(newline="", encoding="utf-8")
        self._lines = _RecordedLines(iter(self._file))
        self._reader = csv.reader(self._lines)
        self.total: int | None = None
        try:
            self._read_header(tag_columns)
        except BaseException:
            self._file.close()
            raise

    def _read_header(self, tag_columns: Sequence[str]) -> None:
        path = self._path
        try:
            header = next(self._reader)
        except StopIteration:
            raise CliError(f"{path}: the file is empty") from None
        self._lines.take()
        parsed = [parse_header(text) for text in header]
        times = [i for i, (name, kind) in enumerate(parsed) if name == TIME_COLUMN and not kind]
        if len(times) != 1:
            raise CliError(f"{path}: the header needs exactly one {TIME_COLUMN!r} column")
        self._time_index = times[0]
        self._parsed = [p for i, p in enumerate(parsed) if i != self._time_index]
        tags = set(tag_columns)
        unknown = tags - {name for name, _ in self._parsed}
        if unknown:
            raise CliError(f"{path}: no such column(s) for --tag-columns: {sorted(unknown)}")
        self._tags = tags
        self.columns = [TypedColumn(n, k or "tag") for n, k in self._parsed if k or n in tags]

    def _resolve(self, sample: list[list[str]]) -> None:
        self.columns = []
        for index, (name, kind) in enumerate(self._parsed):
            if kind is None:
                kind = "tag" if name in self._tags else infer_kind(row[index] for row in sample)
            self.columns.append(TypedColumn(name, kind))

    def _raw_batches(self, size: int) -> Iterator[list[tuple[int, list[str], list[bool]]]]:
        batch: list[tuple[int, list[str], list[bool]]] = []
        for cells in self._reader:
            record = self._lines.take()
            if not cells:
                continue
            if len(cells) != len(self._parsed) + 1:
                raise CliError(
                    f"{self._path}:{self._reader.line_num}: {len(cells)} cells, "
                    f"the header has {len(self._parsed) + 1}"
                )
            batch.append((self._reader.line_num, cells, self._quoted_empty(cells, record)))
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _quoted_empty(self, cells: list[str], record: str) -> list[bool]:
        """Which cells are ``""`` (the empty string) rather than empty (missing)."""
        if "" not in cells or '""' not in record:
            return [False] * len(cells)
        quoted = quoted_cells(record)
        if quoted is None or len(quoted) != len(cells):
            raise CliError(
                f"{self._path}:{self._reader.line_num}: cannot tell an empty string from a "
                "missing value in this record (quotes inside an unquoted cell?)"
            )
        return [q and not c for q, c in zip(quoted, cells, strict=True)]

    def batches(self, size: int) -> Iterator[list[Row]]:
        """Rows converted by column kind (kinds of plain columns inferred from batch one)."""
        resolved = False
        for raw in self._raw_batches(size):
            keep = [i != self._time_index for i in range(len(self._parsed) + 1)]
            values_only = [
                [c for c, k in zip(cells, keep, strict=True) if k] for _, cells, _ in raw
            ]
            if not resolved:
                self._resolve(values_only)
                resolved = True
            yield [
                self._row(
                    line,
                    cells[self._time_index],
                    values,
                    [q for q, k in zip(quoted, keep, strict=True) if k],
                )
                for (line, cells, quoted), values in zip(raw, values_only, strict=True)
            ]

    def _row(self, line: int, time_text: str, cells: list[str], quoted: list[bool]) -> Row:
        column = TIME_COLUMN
        try:
            time_ns = _time_of(time_text)
            values: list[object] = []
            for text, typed, is_quoted in zip(cells, self.columns, quoted, strict=True):
                column = typed.name
                if typed.is_tag:
                    values.append(text or None)
                else:
                    values.append(parse_text(text, typed.kind, quoted=is_quoted))
        except (ValueError, ValidationError) as error:
            raise CliError(f"{self._path}:{line}: column {column!r}: {error}") from None
        return time_ns, values

    def close(self) -> None:
        """Close the file."""
        self._file.close()


# -- Parquet ---------------------------------------------------------------------------

_ARROW_TYPES: Final = {
    "tag": "string",
    "float": "float64",
    "integer": "int64",
    "string": "string",
    "boolean": "bool_",
}


class ParquetSink:
    """Writes Parquet: ``time`` as ``timestamp[ns, UTC]``, kinds in the schema metadata."""

    def __init__(self, path: Path, columns: Sequence[TypedColumn]) -> None:
        pa, pq = _pyarrow()
        self._pa = pa
        kinds = ["time", *(c.kind for c in columns)]
        self._schema = pa.schema(
            [
                pa.field(TIME_COLUMN, pa.timestamp("ns", tz="UTC"), nullable=False),
                *(pa.field(c.name, getattr(pa, _ARROW_TYPES[c.kind])()) for c in columns),
            ],
            metadata={PARQUET_KINDS_KEY: json.dumps(kinds).encode()},
        )
        self._writer = pq.ParquetWriter(str(path), self._schema)

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append rows as one row group."""
        if not rows:
            return
        pa = self._pa
        arrays = [pa.array([t for t, _ in rows], type=pa.int64()).cast(self._schema.field(0).type)]
        for index in range(len(self._schema) - 1):
            arrays.append(
                pa.array(
                    [values[index] for _, values in rows], type=self._schema.field(index + 1).type
                )
            )
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        """Write the footer."""
        self._writer.close()


def _arrow_kind(pa: Any, arrow_type: Any) -> Kind:
    if pa.types.is_floating(arrow_type):
        return "float"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    return "string"


class ParquetSource:
    """Reads Parquet with a ``time`` column (timestamp, int ns or ISO-8601 text)."""

    def __init__(self, path: Path, tag_columns: Sequence[str] = ()) -> None:
        pa, pq = _pyarrow()
        self._pa = pa
        self._path = path
        try:
            self._file = pq.ParquetFile(str(path))
        except pa.ArrowException as error:
            raise CliError(f"{path}: not a Parquet file ({error})") from None
        schema = self._file.schema_arrow
        stored = (schema.metadata or {}).get(PARQUET_KINDS_KEY)
        kinds: list[str | None] = json.loads(stored) if stored else [None] * len(schema)
        names = list(schema.names)
        times = [i for i, n in enumerate(names) if n == TIME_COLUMN and kinds[i] in (None, "time")]
        if len(times) != 1:
            raise CliError(f"{path}: needs exactly one {TIME_COLUMN!r} column")
        self._time_index = times[0]
        tags = set(tag_columns)
        unknown = tags - set(names)
        if unknown:
            raise CliError(f"{path}: no such column(s) for --tag-columns: {sorted(unknown)}")
        self.columns = []
        for i, name in enumerate(names):
            if i == self._time_index:
                continue
            kind = kinds[i] or ("tag" if name in tags else _arrow_kind(pa, schema.field(i).type))
            self.columns.append(TypedColumn(name, kind))  # type: ignore[arg-type]
        self.total: int | None = self._file.metadata.num_rows

    def _times(self, column: Any) -> list[int]:
        pa = self._pa
        if pa.types.is_timestamp(column.type):
            unit_ns = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[column.type.unit]
            return [t * unit_ns for t in column.cast(pa.int64()).to_pylist()]
        if pa.types.is_integer(column.type):
            return list(column.to_pylist())
        return [to_ns(text) for text in column.to_pylist()]

    def batches(self, size: int) -> Iterator[list[Row]]:
        """Rows in batches of at most ``size``."""
        value_indexes = [
            i for i in range(self._file.schema_arrow.__len__()) if i != self._time_index
        ]
        for batch in self._file.iter_batches(batch_size=size):
            try:
                times = self._times(batch.column(self._time_index))
            except ValidationError as error:
                raise CliError(f"{self._path}: column {TIME_COLUMN!r}: {error}") from None
            columns = [batch.column(i).to_pylist() for i in value_indexes]
            yield [(t, [column[row] for column in columns]) for row, t in enumerate(times)]

    def close(self) -> None:
        """Release the file."""
        self._file.close()


def open_sink(path: Path, fmt: Format, columns: Sequence[TypedColumn]) -> Sink:
    """A sink writing ``fmt`` to ``path``."""
    return CsvSink(path, columns) if fmt == "csv" else ParquetSink(path, columns)


def open_source(path: Path, fmt: Format, tag_columns: Sequence[str] = ()) -> Source:
    """A source reading ``fmt`` from ``path``."""
    return CsvSource(path, tag_columns) if fmt == "csv" else ParquetSource(path, tag_columns)
