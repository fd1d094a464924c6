"""Cutting line protocol into request bodies, and telling whether a retry is safe; no I/O."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final

from influxorm.exceptions import RequestTooLargeError
from influxorm.models.measurement import Measurement
from influxorm.models.schema import schema_of

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "bodies",
    "count_body_points",
    "has_raw",
    "is_dataframe",
    "is_timestamped",
    "materialize",
    "split_body",
    "split_by_size",
]

DEFAULT_MAX_BODY_BYTES: Final = 10_000_000
"""The largest body a session sends in one request (influxd's default limit is 25 MB)."""

# A line without a timestamp ends in its last field: a quoted string (ending in ``"``) or
# a last space-separated token holding ``=``. A line with one ends in an integer token.
# (A comment line may look untimed: that only forbids a retry, the safe side.)
_UNTIMED_LINE: Final = re.compile(rb'(?m)(?:"|=[^ \n]*)$')
_POINT_LINE: Final = re.compile(rb"(?m)^[ \t]*[^#\s]")
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


def is_timestamped(body: bytes) -> bool:
    """Whether every line of ``body`` ends in a timestamp, so that sending it twice
    stores nothing twice (about 0.5 s per million lines: sessions ask only when a retry
    of an ambiguous failure is due)."""
    return _UNTIMED_LINE.search(body) is None


def count_body_points(body: bytes) -> int:
    """The point lines in ``body`` (blank and ``#`` comment lines excluded)."""
    return len(_POINT_LINE.findall(body))


def split_body(body: bytes) -> tuple[bytes, bytes]:
    """``body`` cut in two at the line boundary nearest its middle.

    Raises :class:`RequestTooLargeError` for a single line, which cannot be cut.
    """
    middle = len(body) // 2
    cut = body.rfind(b"\n", 0, middle + 1)
    if cut <= 0:
        cut = body.find(b"\n", middle)
    if cut <= 0 or cut >= len(body) - 1:
        raise RequestTooLargeError(
            f"a single line of {len(body)} bytes is larger than the server accepts "
            "(max-body-size); nothing was written",
            status=413,
            server_message="Request Entity Too Large",
            points=1,
            rejected_lines=(body[:200].decode("utf-8", errors="replace"),),
        )
    return body[:cut], body[cut + 1 :]


def split_by_size(body: bytes, max_bytes: int) -> Iterator[bytes]:
    """``body`` in pieces of at most ``max_bytes`` (cut at line boundaries); a single
    line longer than that stays one piece."""
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


def bodies(lines: list[str], batch_size: int, max_bytes: int) -> Iterable[bytes]:
    """``lines`` (one item per point, or raw chunks of many) joined into request bodies
    of at most ``batch_size`` items and about ``max_bytes`` bytes each."""
    for start in range(0, len(lines), batch_size):
        body = "\n".join(lines[start : start + batch_size]).encode()
        if len(body) <= max_bytes:
            yield body
        else:
            yield from split_by_size(body, max_bytes)


def group_by_model_target(
    data: object,
) -> dict[tuple[str | None, str | None], list[object]] | None:
    """``data``'s items grouped by the ``database=``/``retention_policy=`` of their model
    class, in order; None when no model in ``data`` names either (the common case, which
    then costs one pass over the distinct types)."""
    items: Sequence[object]
    if isinstance(data, Measurement):
        items = (data,)
    elif isinstance(data, (list, tuple)):
        items = data
    else:
        return None
    targets = {}
    for cls in {type(item) for item in items}:
        if isinstance(cls, type) and issubclass(cls, Measurement):
            schema = schema_of(cls)
            if schema.database is not None or schema.retention_policy is not None:
                targets[cls] = (schema.database, schema.retention_policy)
    if not targets:
        return None
    groups: dict[tuple[str | None, str | None], list[object]] = {}
    for item in items:
        groups.setdefault(targets.get(type(item), (None, None)), []).append(item)
    return groups
