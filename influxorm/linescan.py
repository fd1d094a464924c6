"""Where a line of line protocol ends, found the way influxd finds it; no I/O.

influxd's ``scanLine`` (``models/points.go``) decides line ends: a backslash escapes the
next byte, and after the first unescaped space a double quote in a field value opens a
string in which LF, ``,`` and ``=`` are plain characters. So a LF inside a string field
value does not end the line. :func:`line_spans` yields the lines of a body that way (with
a C-speed fast path for the common shapes); :func:`unquoted` finds bytes that stand
outside every string field value, which is how the validator tells a CR line ending from
a CR inside a string. :func:`count_body_points`, :func:`chunk_points` and
:func:`is_timestamped` read a body's points and timestamps the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from influxorm.exceptions import ValidationError

__all__ = [
    "chunk_points",
    "count_body_points",
    "is_timestamped",
    "line_spans",
    "scale_timestamps",
    "simple",
    "unquoted",
]

# One line as influxd scans it, for the shapes real line protocol has: a key (no
# unescaped space), then fields where ``=`` and ``,`` alternate (a value may hold quoted
# strings, which may hold anything but an unescaped ``"``), then the timestamp. Possessive
# quantifiers keep it linear. It stops before the LF ending the line, or at the end of the
# body; stopping anywhere else means an unusual shape (``,`` in a key position, ``=``
# twice, an unclosed string, a backslash near the end): the exact scanner takes over.
# influxd treats ``\`` as an escape only when two more bytes follow it (``i+2 < len``).
_ESC: Final = rb"\\[\s\S](?=[\s\S])"
_KEY: Final = rb"(?:[^\\ \n]++|" + _ESC + rb")*+"
_NAME: Final = rb"(?:[^\\=,\n]++|" + _ESC + rb")*+"
_STRING: Final = rb'"(?:[^\\"]++|' + _ESC + rb')*+"'
_VALUE: Final = rb'(?:[^\\=,"\n]++|' + _ESC + rb"|" + _STRING + rb")*+"
_LINE: Final = re.compile(
    _KEY + rb"(?: " + _NAME + rb"(?:=" + _VALUE + rb"," + _NAME + rb")*+(?:=" + _VALUE + rb")?+)?+"
)

_BACKSLASH, _SPACE, _EQUALS, _COMMA, _QUOTE, _LF = b'\\ =,"\n'
_NOTHING: Final = frozenset[int]()


def _scan(body: bytes, start: int, targets: frozenset[int]) -> tuple[int, int]:
    """Scan the line starting at ``start`` byte by byte exactly as influxd's ``scanLine``
    does: ``(end, first)``, where ``end`` is the index of the LF ending it (or
    ``len(body)``) and ``first`` the index of the first byte in ``targets`` outside a
    string field value (-1: none)."""
    size = len(body)
    i = start
    quoted = in_fields = False
    equals = commas = 0
    first = -1
    while i < size:
        byte = body[i]
        if byte in targets and not quoted and first < 0:
            first = i
        if byte == _BACKSLASH and i + 2 < size:
            if body[i + 1] in targets and not quoted and first < 0:
                first = i + 1
            i += 2
            continue
        if byte == _SPACE:
            in_fields = True
        if in_fields:
            if not quoted and byte == _EQUALS:
                equals += 1
                i += 1
                continue
            if not quoted and byte == _COMMA:
                commas += 1
                i += 1
                continue
            if byte == _QUOTE and equals > commas:
                quoted = not quoted
                i += 1
                continue
        if byte == _LF and not quoted:
            return i, first
        i += 1
    return size, first


def _line_end(body: bytes, start: int) -> int:
    match = _LINE.match(body, start)  # everything in it is optional: it always matches
    end = match.end() if match is not None else start
    if end == len(body) or body[end] == _LF:
        return end
    return _scan(body, start, _NOTHING)[0]


def simple(body: bytes) -> bool:
    """Whether every LF of ``body`` ends a line: without quotes or backslashes, nothing
    can make one part of a value."""
    return b'"' not in body and b"\\" not in body


def line_spans(body: bytes) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line of ``body`` as influxd reads it (``end`` excludes
    the LF); blank and comment lines included."""
    size = len(body)
    start = 0
    if simple(body):
        while start < size:
            end = body.find(b"\n", start)
            if end < 0:
                end = size
            yield start, end
            start = end + 1
        return
    while start < size:
        end = _line_end(body, start)
        yield start, end
        start = end + 1


def unquoted(body: bytes, chars: bytes) -> Iterator[tuple[int, int, int]]:
    """``(line start, line end, index)`` for each line of ``body`` holding one of
    ``chars`` outside every string field value (the index of the first such byte).

    A backslash before one of ``chars`` does not hide it: influxd drops the pair from
    nothing, it is still the byte it is.
    """
    targets = frozenset(chars)
    start = 0
    size = len(body)
    while start < size:
        end, first = _scan(body, start, targets)
        if first >= 0:
            yield start, end, first
        start = end + 1


# A line without a timestamp ends in its last field: a quoted string (ending in ``"``) or
# a last space-separated token holding ``=``. A line with one ends in an integer token.
# (A comment line may look untimed: that only forbids a retry, the safe side. A LF inside
# a string value makes the line look untimed too: the safe side again.)
_UNTIMED_LINE: Final = re.compile(rb'(?m)(?:"|=[^ \n]*)$')
# A line that is a point: not blank, not a ``#`` comment (influxd skips leading spaces,
# tabs and NULs before deciding). Used where every LF ends a line.
_POINT_LINE: Final = re.compile(rb"(?m)^[ \t\x00]*[^# \t\x00\n]")


def is_timestamped(body: bytes) -> bool:
    """Whether every line of ``body`` ends in a timestamp, so that sending it twice
    stores nothing twice (about 0.5 s per million lines: sessions ask only when a retry
    of an ambiguous failure is due)."""
    return _UNTIMED_LINE.search(body) is None


def _is_point(body: bytes, start: int, end: int) -> bool:
    while start < end and body[start] in b" \t\x00":
        start += 1
    return start < end and body[start] != ord("#")


def count_body_points(body: bytes) -> int:
    """The points in ``body`` (blank and ``#`` comment lines excluded), with lines found
    as influxd finds them: a LF inside a string field value does not end a point."""
    if simple(body):
        return len(_POINT_LINE.findall(body))
    return sum(_is_point(body, start, end) for start, end in line_spans(body))


def chunk_points(chunk: str) -> int:
    """The points in one item of :func:`~influxorm.models.writing.encode_lines`' output
    that came from raw line protocol (see :func:`count_body_points`)."""
    if "\n" not in chunk:
        stripped = chunk.lstrip(" \t\x00")
        return int(bool(stripped) and not stripped.startswith("#"))
    return count_body_points(chunk.encode())


# A timestamp ends the line, after a space. No field value ends in " <digits>": numbers
# and booleans hold no space and a string ends in its quote; so a line ending so either
# has a timestamp there or is invalid (and refused by the server whatever its unit).
_TIMESTAMP: Final = re.compile(rb" (-?[0-9]+)[ \t]*\Z")
_MAX_TIME: Final = 9_223_372_036_854_775_806


def scale_timestamps(body: bytes, factor: int) -> bytes:
    """``body`` with each line's timestamp multiplied by ``factor`` (microseconds to
    nanoseconds: 1000); lines without one (and comment lines) unchanged; lines found as
    :func:`line_spans` finds them. A time out of influxd's range once scaled is a
    ValidationError: it cannot be converted exactly.
    """
    out: list[bytes] = []
    last = 0
    for start, end in line_spans(body):
        line = body[start:end]
        if line.lstrip(b" \t\x00").startswith(b"#"):
            continue
        found = _TIMESTAMP.search(line)
        if found is None:
            continue
        value = int(found.group(1))
        scaled = value * factor
        if not -_MAX_TIME <= scaled <= _MAX_TIME:
            raise ValidationError(
                f"timestamp {value} of {line[:200]!r} is out of range once converted to "
                f"nanoseconds ({scaled}): it cannot be written",
                value=value,
            )
        out += [body[last : start + found.start(1)], str(scaled).encode()]
        last = start + found.end(1)
    out.append(body[last:])
    return b"".join(out)
