"""Time conversion between Python values and InfluxDB's nanosecond timestamps.

InfluxDB stores time as a signed 64-bit count of nanoseconds since the Unix epoch, in
the range ``MIN_NS..MAX_NS``. :func:`to_ns` accepts every time type a model may declare
and converts it exactly (no float arithmetic anywhere); the ``ns_to_*`` functions go
back. Naive datetimes (and naive ISO-8601 strings) are taken as UTC.

pandas is never imported here: a ``pandas.Timestamp`` is recognised by its ``value``
attribute (nanoseconds since the epoch, UTC) and a ``numpy.datetime64`` by its
``astype`` method.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import ciso8601

from influxorm.exceptions import ValidationError

__all__ = [
    "MAX_NS",
    "MIN_NS",
    "ns_to_datetime",
    "ns_to_iso",
    "ns_to_rfc3339",
    "to_ns",
]

#: The largest and smallest timestamps the server accepts (int64 range minus the
#: sentinel values it reserves at both ends).
MAX_NS = 9_223_372_036_854_775_806
MIN_NS = -9_223_372_036_854_775_806

_EPOCH_AWARE = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_ONE_MICROSECOND = timedelta(microseconds=1)

# The seconds and fractional part of an ISO-8601 time; the fraction is split off and
# converted separately because ciso8601 keeps only microseconds.
_FRACTION = re.compile(r"(?<=\d\d:\d\d:\d\d)[.,](\d+)")


def to_ns(value: object) -> int:
    """Convert a time value to integer nanoseconds since the Unix epoch (UTC).

    Accepts ``datetime`` (naive means UTC), ``int`` nanoseconds, an ISO-8601 / RFC 3339
    ``str`` (up to nine fractional digits kept exactly), a ``pandas.Timestamp`` and a
    ``numpy.datetime64``. Raises :class:`ValidationError` for anything else, for
    ``bool``, and for times outside the server's range ``MIN_NS..MAX_NS``.
    """
    if type(value) is int:
        ns = value
    elif isinstance(value, datetime):
        ns = _datetime_to_ns(value)
    elif isinstance(value, str):
        ns = _str_to_ns(value)
    elif isinstance(value, bool):
        raise ValidationError(f"a bool is not a time: {value!r}", value=value)
    elif isinstance(value, int):
        ns = int(value)
    else:
        ns = _foreign_to_ns(value)
    if not MIN_NS <= ns <= MAX_NS:
        raise ValidationError(
            f"time {value!r} is outside the range InfluxDB can store "
            f"({ns_to_rfc3339(MIN_NS)} .. {ns_to_rfc3339(MAX_NS)})",
            value=value,
        )
    return ns


def _datetime_to_ns(value: datetime) -> int:
    if hasattr(value, "nanosecond"):
        # pandas.Timestamp (or NaT, which is not equal to itself): ``value`` is already
        # UTC nanoseconds, a naive Timestamp's wall time taken as UTC.
        if value != value:
            raise ValidationError("NaT (not-a-time) cannot be written as a time", value=value)
        try:
            return int(value.value)  # type: ignore[attr-defined]
        except OverflowError:  # a Timestamp of a coarser unit, beyond the ns range
            return _datetime64_to_ns(value.asm8)  # type: ignore[attr-defined]
    if value.utcoffset() is None:
        return ((value.replace(tzinfo=None) - _EPOCH_NAIVE) // _ONE_MICROSECOND) * 1000
    return ((value - _EPOCH_AWARE) // _ONE_MICROSECOND) * 1000


def _str_to_ns(value: str) -> int:
    text = value.strip()
    fraction_ns = 0
    match = _FRACTION.search(text)
    if match is not None:
        digits = match.group(1)
        if len(digits) > 9:
            if digits[9:].strip("0"):
                raise ValidationError(
                    f"time {value!r} has more than nanosecond precision", value=value
                )
            digits = digits[:9]
        fraction_ns = int(digits.ljust(9, "0"))
        text = text[: match.start()] + text[match.end() :]
    try:
        parsed = ciso8601.parse_datetime(text)
    except ValueError as exc:
        raise ValidationError(f"{value!r} is not an ISO-8601 time: {exc}", value=value) from None
    return _datetime_to_ns(parsed) + fraction_ns


def _foreign_to_ns(value: object) -> int:
    kind = type(value).__name__
    if kind == "NaTType" or (kind == "datetime64" and value != value):
        raise ValidationError("NaT (not-a-time) cannot be written as a time", value=value)
    if kind == "datetime64":
        return _datetime64_to_ns(value)
    if hasattr(value, "__index__") and kind not in ("bool", "bool_"):  # numpy integers
        return int(value.__index__())
    raise ValidationError(
        f"{value!r} (type {kind}) is not a time: use datetime, int nanoseconds, "
        "an ISO-8601 str or pandas.Timestamp",
        value=value,
    )


# Nanoseconds per numpy datetime64 unit of fixed length (years and months are not).
_NS_PER_UNIT = {
    "W": 7 * 86_400 * 10**9,
    "D": 86_400 * 10**9,
    "h": 3_600 * 10**9,
    "m": 60 * 10**9,
    "s": 10**9,
    "ms": 10**6,
    "us": 10**3,
    "ns": 1,
}
_SUB_NS_PER_UNIT = {"ps": 10**3, "fs": 10**6, "as": 10**9}


def _datetime64_to_ns(value: object) -> int:
    """A ``numpy.datetime64`` of any unit in exact integer nanoseconds (numpy's own
    ``astype("datetime64[ns]")`` wraps around silently outside 1678..2261)."""
    import numpy as np  # already imported: ``value`` is a numpy scalar

    unit, count = np.datetime_data(value.dtype)  # type: ignore[attr-defined]
    ticks = int(value.astype(np.int64)) * count  # type: ignore[attr-defined]
    if unit in ("Y", "M"):
        months = ticks * 12 if unit == "Y" else ticks
        year, month = divmod(months, 12)
        if not -400 <= year <= 400:  # far outside the ns range; datetime() cannot hold it
            return MAX_NS + 1 if year > 0 else MIN_NS - 1
        return _datetime_to_ns(datetime(1970 + year, month + 1, 1))
    if unit in _SUB_NS_PER_UNIT:
        ns, rest = divmod(ticks, _SUB_NS_PER_UNIT[unit])
        if rest:
            raise ValidationError(f"time {value!r} has more than nanosecond precision", value=value)
        return ns
    return ticks * _NS_PER_UNIT[unit]


def ns_to_datetime(ns: int) -> datetime:
    """Convert nanoseconds since the epoch to an aware UTC ``datetime``.

    ``datetime`` has microsecond resolution: the sub-microsecond digits are truncated
    (towards the past, so ``ns_to_datetime(-1)`` is one microsecond before the epoch).
    Declare the time column as ``int``, ``str`` or ``pandas.Timestamp`` to keep them.
    """
    return _EPOCH_AWARE + timedelta(microseconds=ns // 1000)


def ns_to_rfc3339(ns: int) -> str:
    """Format nanoseconds since the epoch as RFC 3339 in UTC, nanoseconds kept.

    Uppercase ``T`` and ``Z`` and no trailing fractional zeros, e.g.
    ``2024-01-02T03:04:05.000000001Z``: the form InfluxQL accepts as a time literal.
    """
    seconds, fraction = divmod(ns, 1_000_000_000)
    stamp = (_EPOCH_AWARE + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        return f"{stamp}.{fraction:09d}".rstrip("0") + "Z"
    return stamp + "Z"


def ns_to_iso(ns: int) -> str:
    """Format nanoseconds since the epoch as an ISO-8601 string (see :func:`ns_to_rfc3339`).

    This is the value a model's time column declared as ``str`` receives on read.
    """
    return ns_to_rfc3339(ns)
