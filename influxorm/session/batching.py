"""Cutting line protocol into request bodies with exact point counts; no I/O.

Where a line ends is decided the way influxd decides it (:mod:`influxorm.linescan`): a
LF inside a string field value does not end the line, so ``body.split(b"\\n")`` would
cut such a point in two. Structured points (models, dict points) never need that scan:
each encoded item is exactly one point, so they are batched and split as lists
(:class:`WriteBatch` keeps the lines with the body). Raw line protocol from the user is
scanned.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final

from influxorm.exceptions import RequestTooLargeError
from influxorm.linescan import count_body_points, line_spans, simple

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "WriteBatch",
    "bodies",
    "cut",
    "frame_batches",
    "has_raw",
    "is_dataframe",
    "line_batches",
    "materialize",
    "raw_batches",
    "split_body",
    "split_by_size",
    "split_lines_by_size",
]

DEFAULT_MAX_BODY_BYTES: Final = 10_000_000
"""The largest body a session sends in one request (influxd's default limit is 25 MB)."""

_RAW: Final = (str, bytes, bytearray, memoryview)


def is_dataframe(data: object) -> bool:
    """Whether ``data`` is a pandas DataFrame (without importing pandas)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(data, pandas.DataFrame)


def materialize(data: object) -> object:
    """``data``, with a one-shot iterable (generator, map, ...) turned into a list, so it
    can be inspected and then encoded."""
    if isinstance(data, (list, tuple, Mapping, *_RAW)) or not isinstance(data, Iterable):
        return data
    return list(data)


def has_raw(data: object) -> bool:
    """Whether ``data`` is, or holds at top level, raw line protocol (str/bytes)."""
    if isinstance(data, _RAW):
        return True
    if isinstance(data, list | tuple):
        return any(issubclass(kind, _RAW) for kind in set(map(type, data)))
    return False


# -- line boundaries -----------------------------------------------------------------


def _too_large(body: bytes) -> RequestTooLargeError:
    return RequestTooLargeError(
        f"a single line of {len(body)} bytes is larger than the server accepts "
        "(max-body-size); nothing was written",
        status=413,
        server_message="Request Entity Too Large",
        points=1,
        rejected_lines=(body[:200].decode("utf-8", errors="replace"),),
    )


def split_body(body: bytes) -> tuple[bytes, bytes]:
    """``body`` cut in two at the line boundary nearest its middle (a LF inside a string
    value is not one).

    Raises :class:`RequestTooLargeError` for a single line, which cannot be cut.
    """
    size = len(body)
    middle = size // 2
    best = -1
    if simple(body):
        before = body.rfind(b"\n", 0, middle + 1)
        after = body.find(b"\n", middle)
        candidates = [cut for cut in (before, after) if 0 < cut < size - 1]
        if candidates:
            best = min(candidates, key=lambda cut: abs(cut - middle))
    else:
        for _, end in line_spans(body):
            if end >= size - 1:
                break
            if end > 0 and (best < 0 or abs(end - middle) < abs(best - middle)):
                best = end
            if end >= middle:
                break
    if best <= 0:
        raise _too_large(body)
    return body[:best], body[best + 1 :]


def _split_simple(body: bytes, max_bytes: int) -> Iterator[bytes]:
    start = 0
    size = len(body)
    while size - start > max_bytes:
        cut = body.rfind(b"\n", start, start + max_bytes + 1)
        if cut <= start:
            cut = body.find(b"\n", start + max_bytes)
            if cut < 0:
                break
        yield body[start:cut]
        start = cut + 1
    if start < size:
        yield body[start:]


def split_by_size(body: bytes, max_bytes: int) -> Iterator[bytes]:
    """``body`` in pieces of at most ``max_bytes`` (cut at line boundaries, never inside
    a string value); a single line longer than that stays one piece."""
    size = len(body)
    if size <= max_bytes:
        if size:
            yield body
        return
    if simple(body):
        yield from _split_simple(body, max_bytes)
        return
    start = 0
    last = -1  # the end of the last line of the current piece; -1: none yet
    for line_start, end in line_spans(body):
        if end - start > max_bytes and last >= 0:
            yield body[start:last]
            start, last = line_start, -1
        if end - start > max_bytes:  # this line alone is too long: it goes by itself
            yield body[start:end]
            start, last = end + 1, -1
            continue
        last = end
    if start < size:
        yield body[start:]


# -- request bodies --------------------------------------------------------------------


class WriteBatch:
    """One request body with the exact number of points it holds.

    ``lines`` are the body's points one per item when they came from structured data
    (models, dict points, frames cut per row): a 413 then halves the list. Without them
    (raw line protocol) the body is halved at a line boundary found by scanning.
    """

    __slots__ = ("body", "lines", "points")

    def __init__(self, body: bytes, points: int, lines: Sequence[str] | None = None) -> None:
        self.body = body
        self.points = points
        self.lines = lines

    @classmethod
    def of_lines(cls, lines: Sequence[str]) -> WriteBatch:
        """The batch of ``lines``, one point each."""
        return cls("\n".join(lines).encode(), len(lines), lines)

    @classmethod
    def of_raw(cls, body: bytes) -> WriteBatch:
        """The batch of raw line protocol ``body``, its points counted."""
        return cls(body, count_body_points(body))

    def halves(self) -> tuple[WriteBatch, WriteBatch]:
        """The batch cut in two, for a 413; :class:`RequestTooLargeError` for one point."""
        lines = self.lines
        if lines is None:
            first, second = split_body(self.body)
            return WriteBatch.of_raw(first), WriteBatch.of_raw(second)
        if len(lines) < 2:
            raise _too_large(self.body)
        middle = len(lines) // 2
        return WriteBatch.of_lines(lines[:middle]), WriteBatch.of_lines(lines[middle:])

    def __repr__(self) -> str:
        return f"<WriteBatch {self.points} point(s), {len(self.body)} bytes>"


def split_lines_by_size(lines: Sequence[str], max_bytes: int) -> Iterator[Sequence[str]]:
    """``lines`` (one point each) in runs whose body is at most about ``max_bytes``; a
    single line longer than that is a run by itself."""
    start = 0
    size = 0
    for index, line in enumerate(lines):
        length = len(line.encode()) + 1
        if size and size + length > max_bytes + 1:
            yield lines[start:index]
            start, size = index, 0
        size += length
    if start < len(lines):
        yield lines[start:]


def cut(lines: Sequence[str], points: int, *, raw: bool, max_bytes: int) -> list[WriteBatch]:
    """The one body cutter of :meth:`AsyncSession.write` and the bulk writer: ``lines``
    (``points`` in all) as request bodies of at most ``max_bytes`` with exact counts.
    Structured lines (one point each) are cut between items; raw line protocol where
    influxd's scanner ends a line (a LF inside a string value does not)."""
    if raw:
        body = "\n".join(lines).encode()
        if len(body) <= max_bytes:
            return [WriteBatch(body, points)]
        return [WriteBatch.of_raw(piece) for piece in split_by_size(body, max_bytes)]
    whole = WriteBatch.of_lines(lines)
    if len(whole.body) <= max_bytes:
        return [whole]
    return [WriteBatch.of_lines(run) for run in split_lines_by_size(lines, max_bytes)]


def line_batches(batches: Iterable[Sequence[str]], max_bytes: int) -> Iterator[WriteBatch]:
    """A :class:`WriteBatch` per run of structured lines (one point each), lazily; a run
    whose body would exceed ``max_bytes`` is cut further."""
    for lines in batches:
        if lines:
            yield from cut(lines, len(lines), raw=False, max_bytes=max_bytes)


def bodies(lines: Sequence[str], batch_size: int, max_bytes: int) -> Iterator[WriteBatch]:
    """Structured ``lines`` (one point each) as batches of at most ``batch_size`` points
    and about ``max_bytes`` bytes, lazily."""
    return line_batches(
        (lines[start : start + batch_size] for start in range(0, len(lines), batch_size)),
        max_bytes,
    )


def raw_batches(
    chunks: Sequence[str], counts: Sequence[int], batch_size: int, max_bytes: int
) -> Iterator[WriteBatch]:
    """Items holding raw line protocol (``counts``: the points of each, see
    :func:`chunk_points`) as batches of at most ``batch_size`` items and ``max_bytes``
    bytes (a larger body is cut at line boundaries found by scanning), lazily."""
    for start in range(0, len(chunks), batch_size):
        points = sum(counts[start : start + batch_size])
        for batch in cut(chunks[start : start + batch_size], points, raw=True, max_bytes=max_bytes):
            if batch.points:
                yield batch


def frame_batches(batches: Sequence[bytes], rows: int, max_bytes: int) -> list[WriteBatch]:
    """A DataFrame's encoded bodies (one row per line; tags and names cannot hold a LF)
    with their exact point counts: the LF count when it adds up to ``rows`` (no string
    value holds a LF), else found by scanning."""
    newlines = [body.count(b"\n") for body in batches]
    if sum(newlines) + len(batches) == rows:
        out = [WriteBatch(body, count + 1) for body, count in zip(batches, newlines, strict=True)]
    else:
        out = [WriteBatch.of_raw(body) for body in batches]
    if any(len(batch.body) > max_bytes for batch in out):
        out = [
            piece
            for batch in out
            for piece in (
                [batch]
                if len(batch.body) <= max_bytes
                else map(WriteBatch.of_raw, split_by_size(batch.body, max_bytes))
            )
        ]
    return out
