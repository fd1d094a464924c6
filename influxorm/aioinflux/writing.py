"""What ``InfluxDBClient.write`` sends: aioinflux's input adapted for influxorm's session.

:func:`prepare` adapts every item of one ``write`` call (dict points through
:func:`~influxorm.aioinflux.serialization.mapping.adapt_point`, DataPoints, raw line
protocol as is) and warns the collected notes once. :func:`send` writes them so that
influxorm's validator sees every item before the first byte is sent: one session write
(which validates everything first), or, for a non-nanosecond ``precision`` mixing raw
line protocol with structured points, everything encoded first and then two writes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from influxorm.aioinflux.serialization.common import Notes, warn_notes
from influxorm.aioinflux.serialization.datapoint import DataPoint
from influxorm.aioinflux.serialization.mapping import adapt_point
from influxorm.exceptions import ValidationError
from influxorm.models import Measurement
from influxorm.models.writing import encode_lines
from influxorm.session import AsyncSession

__all__ = ["Prepared", "encode", "is_dataframe", "prepare", "send"]

_RAW = (str, bytes, bytearray)


def _items(data: Any) -> list[Any]:
    if isinstance(data, (*_RAW, Mapping, Measurement)):
        return [data]
    if isinstance(data, Iterable):
        return list(data)
    raise ValidationError(f"cannot write a {type(data).__name__}", value=data)


@attrs.frozen
class Prepared:
    """The items of one ``write`` call, in order: ``raw`` holds the raw line protocol
    (its timestamps are in the call's ``precision``), ``structured`` everything else
    (encoded in nanoseconds; a DataPoint with a MEASUREMENT column as its line)."""

    raw: list[Any]
    structured: list[Any]
    ordered: list[Any]


def prepare(
    data: Any,
    measurement: str | None,
    extra_tags: Mapping[str, object],
    unit: str | None,
    *,
    stacklevel: int,
) -> Prepared:
    """The items of ``data``, as influxorm's ``session.write`` takes them.

    Warns (:class:`CompatWarning`) what aioinflux would have stored differently.
    """
    notes: Notes = set()
    prepared = Prepared([], [], [])
    unapplied = False
    for item in _items(data):
        if isinstance(item, _RAW):
            unapplied = True
            prepared.raw.append(item)
            prepared.ordered.append(item)
            continue
        if isinstance(item, Mapping):
            item = adapt_point(item, measurement, extra_tags, unit, notes)
        elif isinstance(item, DataPoint):
            unapplied = True
            item = item._dp_writable()
        else:
            unapplied = unapplied or isinstance(item, Measurement)
        prepared.structured.append(item)
        prepared.ordered.append(item)
    if extra_tags and unapplied:
        notes.add(
            f"extra tags {sorted(extra_tags)} apply to dict points and DataFrames only; "
            "line protocol and DataPoints were written without them"
        )
    warn_notes(notes, stacklevel=stacklevel + 1)
    return prepared


async def send(
    session: AsyncSession, prepared: Prepared, db: str | None, rp: str | None, unit: str | None
) -> None:
    """Write ``prepared``; nothing is sent if any item is bad."""
    write: Any = session.write  # aioinflux's loose types: the session checks them
    if unit in (None, "n") or not prepared.structured:
        await write(prepared.ordered, db=db, rp=rp, precision=unit)
        return
    # Structured points are in nanoseconds, raw lines in `unit`: two requests, but
    # only after both parts passed validation.
    raw_lines = encode_lines(prepared.raw)
    lines = encode_lines(prepared.structured, stamp_ns=time.time_ns())
    if raw_lines:
        await write(raw_lines, db=db, rp=rp, precision=unit)
    await write(lines, db=db, rp=rp)


def is_dataframe(data: object) -> bool:
    """Whether ``data`` is a pandas DataFrame (without importing pandas)."""
    kind = type(data)
    return kind.__name__ == "DataFrame" and kind.__module__.startswith("pandas")


def encode(
    data: Any,
    measurement: str | None,
    tag_columns: Iterable[str] | None,
    extra_tags: Mapping[str, Any],
) -> bytes:
    """The line protocol ``write`` sends for ``data`` (no timestamp where it has none)."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode()
    if is_dataframe(data):
        from influxorm.aioinflux.serialization import dataframe

        if measurement is None:
            raise ValidationError("Missing 'measurement' (required for a DataFrame)")
        return dataframe.parse(data, measurement, tag_columns, **extra_tags)
    prepared = prepare(data, measurement, extra_tags, None, stacklevel=3)
    return "\n".join(encode_lines(prepared.ordered)).encode()
