"""Turn whatever a user passes to ``write()`` into validated line protocol.

:func:`encode_lines` is the one entry point sessions use. It accepts a model instance, a
dict point (``{"measurement", "fields", "tags"?, "time"?}``), raw line protocol
(``str``, or UTF-8 ``bytes``), or any iterable of those, mixed (sessions send
DataFrames to their own encoder before they get here). Every item is encoded and
validated before anything is returned, so one bad point means a
:class:`ValidationError` and nothing written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from influxorm.exceptions import ValidationError
from influxorm.lineprotocol import check_raw, encode_dict_point
from influxorm.models.measurement import Measurement
from influxorm.timeutil import to_ns

__all__ = ["encode_lines", "model_line_batches"]


def _raw(data: str | bytes | bytearray | memoryview) -> list[str]:
    if isinstance(data, str):
        text = data
    else:
        raw = bytes(data)
        try:
            text = raw.decode()
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"line protocol bytes must be UTF-8: {exc}", value=raw[:100]
            ) from None
    text = check_raw(text).rstrip("\n")
    return [text] if text else []


def _encode_one(item: object, stamp_ns: int | None) -> list[str] | None:
    """Encode one point-like item, or return ``None`` if it is not one."""
    if isinstance(item, Measurement):
        line: str = type(item).__influxorm_encoder__.encode(item, stamp_ns)
        return [line]
    if isinstance(item, Mapping):
        return [encode_dict_point(item, stamp_ns=stamp_ns)]
    if isinstance(item, (str, bytes, bytearray, memoryview)):
        return _raw(item)
    return None


def _not_writable(item: object) -> ValidationError:
    return ValidationError(
        f"cannot write a {type(item).__qualname__}: give Measurement instances, dict "
        "points, line protocol (str/bytes), or an iterable of those",
        value=item,
    )


def _encode_run(items: list[Any], stamp_ns: int | None, start: int) -> list[str]:
    """Encode consecutive instances of one model with its batch encoder."""
    encoder = type(items[0]).__influxorm_encoder__
    try:
        lines: list[str] = encoder.encode_many(items, stamp_ns)
    except ValidationError as exc:
        for offset, item in enumerate(items):
            try:
                encoder.encode(item, stamp_ns)
            except ValidationError:
                exc.add_note(f"(item {start + offset} of the data written)")
                break
        raise
    return lines


def _encode_iterable(data: Iterable[object], stamp_ns: int | None) -> list[str]:
    items = data if isinstance(data, list) else list(data)
    out: list[str] = []
    index = 0
    count = len(items)
    while index < count:
        item = items[index]
        kind = type(item)
        if isinstance(item, Measurement):
            end = index + 1
            while end < count and type(items[end]) is kind:
                end += 1
            out += _encode_run(items[index:end] if index or end < count else items, stamp_ns, index)
            index = end
            continue
        try:
            lines = _encode_one(item, stamp_ns)
        except ValidationError as exc:
            exc.add_note(f"(item {index} of the data written)")
            raise
        if lines is None:
            raise _not_writable(item)
        out += lines
        index += 1
    return out


def encode_lines(data: object, *, stamp_ns: int | None = None) -> list[str]:
    """Encode ``data`` into line-protocol chunks (lines; raw input stays one chunk).

    ``stamp_ns`` (nanoseconds since the epoch) is given to points that have no time:
    model instances whose time is ``None`` and dict points without ``"time"``;
    without it such points get the server's time. Raw line protocol is passed through
    (decoded from UTF-8, trailing newlines removed) and is not parsed, but is checked
    by :func:`~influxorm.lineprotocol.check_raw` (CR/NUL outside string values). Raises
    :class:`ValidationError` if any item is bad, before returning anything.
    """
    if stamp_ns is not None:
        if type(stamp_ns) is not int:
            raise ValidationError(f"stamp_ns must be int nanoseconds: {stamp_ns!r}", value=stamp_ns)
        to_ns(stamp_ns)
    lines = _encode_one(data, stamp_ns)
    if lines is not None:
        return lines
    if isinstance(data, Iterable):
        return _encode_iterable(data, stamp_ns)
    raise _not_writable(data)


def _model_runs(items: Sequence[object]) -> list[tuple[int, int]] | None:
    """``(start, end)`` of each run of instances of one model, or ``None`` if an item is
    not a model instance."""
    runs = []
    index = 0
    count = len(items)
    while index < count:
        kind = type(items[index])
        if not issubclass(kind, Measurement):
            return None
        end = index + 1
        while end < count and type(items[end]) is kind:
            end += 1
        runs.append((index, end))
        index = end
    return runs


def _check_run(items: Sequence[Any], stamp_ns: int | None, start: int) -> None:
    encoder = type(items[0]).__influxorm_encoder__
    try:
        encoder.check_many(items, stamp_ns)
    except ValidationError as exc:
        for offset, item in enumerate(items):
            try:
                encoder.encode(item, stamp_ns)
            except ValidationError:
                exc.add_note(f"(item {start + offset} of the data written)")
                break
        raise


def _line_batches(
    items: Sequence[Any], runs: list[tuple[int, int]], batch_size: int, stamp_ns: int | None
) -> Iterator[list[str]]:
    for first in range(0, len(items), batch_size):
        last = min(first + batch_size, len(items))
        if len(runs) == 1:
            chunk = items if last - first == len(items) else items[first:last]
            yield _encode_run(list(chunk), stamp_ns, first)
            continue
        batch: list[str] = []
        for start, end in runs:
            low, high = max(start, first), min(end, last)
            if low < high:
                batch += _encode_run(list(items[low:high]), stamp_ns, low)
        yield batch


def model_line_batches(
    data: object, batch_size: int, *, stamp_ns: int | None = None
) -> tuple[int, Iterator[list[str]]] | None:
    """Validate a list (or tuple) of model instances now and encode it later, a batch
    at a time: ``(points, batches)``, each batch the lines of ``batch_size`` points
    (the last one fewer). ``None`` if ``data`` is anything else (use
    :func:`encode_lines`).

    Every instance is checked before this returns (a :class:`ValidationError` names the
    bad item, as :func:`encode_lines` does) at a fraction of the cost of encoding, so a
    writer can send batch ``n`` while it encodes batch ``n + 1`` and still send nothing
    of a write with a bad point in it. The batches are encoded from the instances as
    they are then: an instance changed in between to a bad value raises from the
    iterator (the batches before it were already taken).
    """
    if not isinstance(data, list | tuple) or not data:
        return None
    if batch_size < 1:
        raise ValidationError(f"batch_size must be at least 1, not {batch_size!r}")
    runs = _model_runs(data)
    if runs is None:
        return None
    if stamp_ns is not None:
        if type(stamp_ns) is not int:
            raise ValidationError(f"stamp_ns must be int nanoseconds: {stamp_ns!r}", value=stamp_ns)
        to_ns(stamp_ns)
    for start, end in runs:
        _check_run(data if len(runs) == 1 else data[start:end], stamp_ns, start)
    return len(data), _line_batches(data, runs, batch_size, stamp_ns)
