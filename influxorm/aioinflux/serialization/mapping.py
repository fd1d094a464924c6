"""aioinflux's ``serialization.mapping``: dict points.

:func:`adapt_point` turns an aioinflux dict point into the dict point influxorm's
encoder takes (:func:`influxorm.lineprotocol.encode_dict_point`), applying aioinflux's
leniency with notes (see :mod:`~influxorm.aioinflux.serialization.common`);
:func:`serialize` is aioinflux's ``mapping.serialize``: the line ``write`` would send.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import ciso8601

from influxorm.aioinflux.serialization.common import (
    Notes,
    adapt_name,
    adapt_string_value,
    warn_notes,
)
from influxorm.exceptions import ValidationError
from influxorm.lineprotocol import encode_dict_point
from influxorm.timeutil import to_ns

__all__ = ["TO_NS", "adapt_point", "serialize"]

TO_NS: Final = {"n": 1, "u": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
"""Nanoseconds per unit of influxorm's precisions."""

_POINT_KEYS: Final = frozenset({"measurement", "time", "tags", "fields"})


def _tag_value(key: str, value: object, notes: Notes) -> str | None:
    if value is None or value == "":
        notes.add(f"tag {key!r} with value {value!r} left out (InfluxDB has no empty tags)")
        return None
    if isinstance(value, enum.Enum):
        value = value.name
    if not isinstance(value, str):
        notes.add(f"tag {key!r} value {value!r} converted to {str(value)!r}")
        value = str(value)
    return adapt_name(value, f"tag {key!r} value", notes)


def _fields(fields: object, notes: Notes) -> object:
    if not isinstance(fields, Mapping):
        return fields  # influxorm's encoder refuses it, naming the point
    out: dict[str, Any] = {}
    for key, value in fields.items():
        name = adapt_name(key, "field key", notes)
        if isinstance(value, str):
            value = adapt_string_value(value, f"string field {name!r}", notes)
        out[name] = value
    return out


def _naive(when: object) -> bool:
    if isinstance(when, datetime):
        return when.utcoffset() is None and not hasattr(when, "nanosecond")
    if isinstance(when, str):
        try:
            return ciso8601.parse_datetime(when).utcoffset() is None
        except ValueError:
            return False
    return False


def _time(when: object, unit: str | None, notes: Notes) -> object:
    if type(when) is int and unit not in (None, "n"):
        return when * TO_NS[unit or "n"]
    if unit not in (None, "n") and not isinstance(when, int):
        notes.add(f"precision ignored for non-integer time {when!r} (it is exact)")
    if _naive(when):
        notes.add(f"time {when!r} has no timezone: taken as UTC (as in aioinflux)")
    return when


def adapt_point(
    point: Mapping[Any, Any],
    measurement: str | None,
    extra_tags: Mapping[str, object],
    unit: str | None,
    notes: Notes,
) -> dict[str, Any]:
    """``point`` as the dict point influxorm encodes; differences noted in ``notes``.

    ``measurement`` is the default for a point without one; ``extra_tags`` are added
    (overriding the point's tags of the same key, as in aioinflux); ``unit`` (an
    influxorm precision) scales an ``int`` time to nanoseconds.
    """
    unknown = point.keys() - _POINT_KEYS
    if unknown:
        notes.add(f"dict point keys {sorted(map(str, unknown))} ignored (as in aioinflux)")
    out: dict[str, Any] = {}
    name = point.get("measurement") or measurement
    if name is not None:
        out["measurement"] = adapt_name(name, "measurement", notes)
    tags: dict[str, str] = {}
    for key, value in {**(point.get("tags") or {}), **extra_tags}.items():
        tag_key = adapt_name(key, "tag key", notes)
        text = _tag_value(tag_key, value, notes)
        if text is not None:
            tags[tag_key] = text
    if tags:
        out["tags"] = tags
    out["fields"] = _fields(point.get("fields"), notes)
    when = point.get("time")
    if when is not None:
        out["time"] = _time(when, unit, notes)
    return out


def serialize(point: Mapping[Any, Any], measurement: str | None = None, **extra_tags: Any) -> str:
    """The line ``write`` sends for dict ``point`` (aioinflux's ``mapping.serialize``).

    A point without a time has none in the line (the server stamps it).
    :class:`~influxorm.ValidationError` (a ``ValueError``) for what cannot be written.
    """
    notes: Notes = set()
    adapted = adapt_point(point, measurement, extra_tags, None, notes)
    if "measurement" not in adapted:
        raise ValidationError(f"'measurement' missing: {point!r}", value=point)
    line = encode_dict_point(adapted)
    warn_notes(notes, stacklevel=2)
    return line


def _serialize_timestamp(point: Mapping[str, Any]) -> int | str:
    """aioinflux's helper: ``point["time"]`` as int nanoseconds (naive datetimes and
    strings taken as UTC), an ``int`` unchanged, ``''`` for a missing or falsy time.
    An unparsable string raises ``ValueError``."""
    when = point.get("time")
    if not when:
        return ""
    if isinstance(when, int):
        return when
    return to_ns(when)
