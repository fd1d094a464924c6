"""InfluxDB line protocol: escaping, value encoding and validation, by position.

A line is ``measurement[,tag_key=tag_value...] field_key=field_value[,...] [timestamp]``.
What must be escaped, and what cannot be written at all, depends on the position (all
verified against influxd 1.6.7, see ``INFLUXDB_NOTES.md``):

============================  ======================  ===================================
position                      escaped with ``\\``     refused (:class:`ValidationError`)
============================  ======================  ===================================
measurement                   ``,`` and space         empty, leading ``#`` or tab, LF/CR/NUL, a
                                                      ``\\`` before ``,``/space/``=``/``"``
                                                      or at the end
tag key, field key            ``,`` ``=`` and space   empty, ``time``, LF/CR/NUL, a
                                                      trailing ``\\``; for a field
                                                      key also a leading tab or a ``\\``
                                                      before ``,``/space/``=``/``"``
tag value                     ``,`` ``=`` and space   LF/CR/NUL, a trailing ``\\``
string field value            ``"`` and ``\\``        nothing: any text is stored verbatim
============================  ======================  ===================================

Backslashes elsewhere in names are kept literally by the server, so they are not escaped.
Every text must be encodable as UTF-8 (a lone surrogate is refused wherever it is). A
form feed, a vertical tab or a tab inside a name or tag value is stored as it is.

Raw line protocol (:func:`check_raw`) is passed through, but a CR or NUL outside every
string field value (a CRLF or CR line ending; a NUL the server would echo into an HTTP
header) and text that is not UTF-8 are refused.

The server has no empty tag value: a point without a tag is what ``tag = ''`` matches.
So a tag whose value is ``None`` or ``""`` is left out of the line; it reads back as
``""`` (``None`` for a model's optional tag). A field whose value is ``None`` is left out
too; a point must keep at least one field.

Floats are written with ``repr`` precision and must be finite (an ``int`` is accepted
only if a float holds it exactly; a bool never); integers get the ``i`` suffix and must
fit in int64; booleans are ``true``/``false``; strings are quoted.

These functions are the one validator of every write path: model encoders call them
(or copy their fast checks inline and fall back to them), dict points and raw line
protocol go through them, and the DataFrame encoder runs the same rules column-wise
(:data:`LINE_BREAKING`, :func:`first_unencodable`) and hands every value it flags to
these functions for the error.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import Final

from influxorm.exceptions import ValidationError
from influxorm.linescan import line_spans, unquoted
from influxorm.timeutil import to_ns

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "LINE_BREAKING",
    "MAX_SERIES_KEY",
    "check_field_key",
    "check_measurement",
    "check_raw",
    "check_series_key",
    "check_tag_key",
    "check_tag_value",
    "encode_bool",
    "encode_dict_point",
    "encode_field_value",
    "encode_float",
    "encode_int",
    "encode_point",
    "encode_string",
    "escape_key",
    "escape_measurement",
    "escape_string",
    "first_unencodable",
]

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
#: ``len(series key) + 4 + len(field key)`` may not exceed this (bytes).
MAX_SERIES_KEY: Final = 65535
#: No name or tag value may hold one of these: LF ends the line, CR and NUL break parsing.
LINE_BREAKING: Final = "\n\r\x00"
#: Integers a float holds exactly: up to this magnitude all of them.
_EXACT_FLOAT_INT: Final = 2**53

_BACKSLASH = "\\"


def escape_measurement(name: str) -> str:
    """Escape a measurement name (``,`` and space)."""
    if "," in name or " " in name:
        return name.replace(",", "\\,").replace(" ", "\\ ")
    return name


def escape_key(name: str) -> str:
    """Escape a tag key, tag value or field key (``,``, ``=`` and space)."""
    if "," in name or "=" in name or " " in name:
        return name.replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")
    return name


def escape_string(value: str) -> str:
    """Escape the inside of a string field value (``\\`` and ``"``), without the quotes."""
    if '"' in value or _BACKSLASH in value:
        return value.replace(_BACKSLASH, "\\\\").replace('"', '\\"')
    return value


def first_unencodable(text: str) -> int:
    """The index of the first character of ``text`` UTF-8 cannot encode (a lone
    surrogate), or -1. Costs nothing for ASCII text."""
    if text.isascii():
        return -1
    try:
        text.encode()
    except UnicodeEncodeError as exc:
        return exc.start
    return -1


def _is_numpy_bool(value: object) -> bool:
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")


def _where(model: str | None, attribute: str | None) -> str:
    if model and attribute:
        return f" ({model}.{attribute})"
    if model or attribute:
        return f" ({model or attribute})"
    return ""


def _fail(message: str, value: object, model: str | None, attribute: str | None) -> ValidationError:
    return ValidationError(
        f"{message}{_where(model, attribute)}: {value!r}",
        model=model,
        attribute=attribute,
        value=value,
    )


def _check_text(value: object, position: str, model: str | None, attribute: str | None) -> str:
    if not isinstance(value, str):
        raise _fail(f"a {position} must be a str", value, model, attribute)
    if "\n" in value or "\r" in value or "\x00" in value:
        raise _fail(
            f"a {position} cannot contain a line feed, carriage return or NUL",
            value,
            model,
            attribute,
        )
    if value.endswith(_BACKSLASH):
        raise _fail(
            f"a {position} cannot end with a backslash (line protocol cannot represent it)",
            value,
            model,
            attribute,
        )
    _check_encodable(value, position, model, attribute)
    return value


def _check_encodable(value: str, position: str, model: str | None, attribute: str | None) -> None:
    where = first_unencodable(value)
    if where >= 0:
        raise _fail(
            f"a {position} must be encodable as UTF-8, but holds {value[where]!r} at index "
            f"{where} (a lone surrogate)",
            value,
            model,
            attribute,
        )


def check_measurement(name: object, *, model: str | None = None) -> str:
    """Validate a measurement name; return it. Raises :class:`ValidationError`."""
    text = _check_text(name, "measurement name", model, None)
    if not text:
        raise _fail("a measurement name cannot be empty", name, model, None)
    if text.startswith("\t"):
        raise _fail(
            "a measurement name cannot start with a tab (the server skips it)", name, model, None
        )
    if text.startswith("#"):
        raise _fail(
            "a measurement name cannot start with '#' (the line would be a comment)",
            name,
            model,
            None,
        )
    if "\\," in text or "\\ " in text or "\\=" in text or '\\"' in text:
        raise _fail(
            "a measurement name cannot have a backslash before ',', ' ', '=' or '\"' "
            "(the server unescapes measurement names twice)",
            name,
            model,
            None,
        )
    return text


def _check_key(name: object, position: str, model: str | None, attribute: str | None) -> str:
    text = _check_text(name, position, model, attribute)
    if not text:
        raise _fail(f"a {position} cannot be empty", name, model, attribute)
    if text == "time":
        raise _fail(
            f"'time' cannot be a {position}: the server drops or refuses it",
            name,
            model,
            attribute,
        )
    return text


def check_tag_key(name: object, *, model: str | None = None, attribute: str | None = None) -> str:
    """Validate a tag key; return it. Raises :class:`ValidationError`."""
    return _check_key(name, "tag key", model, attribute)


def check_field_key(name: object, *, model: str | None = None, attribute: str | None = None) -> str:
    """Validate a field key; return it. Raises :class:`ValidationError`."""
    text = _check_key(name, "field key", model, attribute)
    if text.startswith("\t"):
        raise _fail(
            "a field key cannot start with a tab (the server skips it)", name, model, attribute
        )
    if "\\," in text or "\\ " in text or "\\=" in text or '\\"' in text:
        raise _fail(
            "a field key cannot have a backslash before ',', ' ', '=' or '\"' "
            "(line protocol cannot represent it)",
            name,
            model,
            attribute,
        )
    return text


def check_tag_value(
    value: object, *, model: str | None = None, attribute: str | None = None
) -> str:
    """Validate a non-empty tag value (a ``str``); return it.

    ``None`` and ``""`` are not checked here: callers leave such tags out of the line.
    """
    return _check_text(value, "tag value", model, attribute)


def encode_float(value: object, *, model: str | None = None, attribute: str | None = None) -> str:
    """Encode a float field value (ints are accepted and written as floats)."""
    if type(value) is float:
        number = value
    elif (
        isinstance(value, (bool, str, bytes))
        or _is_numpy_bool(value)
        or not hasattr(value, "__float__")
    ):
        raise _fail("a float field needs a float", value, model, attribute)
    elif hasattr(value, "__index__"):  # int and numpy integers: only if held exactly
        whole = value.__index__()
        if -_EXACT_FLOAT_INT <= whole <= _EXACT_FLOAT_INT:
            number = float(whole)
        else:
            try:
                number = float(whole)
            except OverflowError:
                number = math.inf
            if not math.isfinite(number) or int(number) != whole:
                raise _fail(
                    "a float field cannot hold this int exactly (beyond 2**53); "
                    "write it to an integer field or convert it to float yourself",
                    value,
                    model,
                    attribute,
                )
    else:
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise _fail("a float field needs a float", value, model, attribute) from None
        if math.isfinite(number) and not number == value:  # longdouble, Decimal, Fraction
            raise _fail(
                "a float field cannot hold this value exactly; convert it to float yourself",
                value,
                model,
                attribute,
            )
    if not math.isfinite(number):
        raise _fail(
            "a float field must be finite (InfluxDB refuses NaN and infinity)",
            value,
            model,
            attribute,
        )
    return repr(number)


def encode_int(value: object, *, model: str | None = None, attribute: str | None = None) -> str:
    """Encode an integer field value (``123i``); it must fit in int64."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise _fail("an integer field needs an int", value, model, attribute)
    number = value.__index__()
    if not INT64_MIN <= number <= INT64_MAX:
        raise _fail("an integer field must fit in a signed 64-bit integer", value, model, attribute)
    return f"{number}i"


def encode_bool(value: object, *, model: str | None = None, attribute: str | None = None) -> str:
    """Encode a boolean field value (``true``/``false``); numpy booleans are accepted."""
    if value is True or value is False or _is_numpy_bool(value):
        return "true" if value else "false"
    raise _fail("a boolean field needs a bool", value, model, attribute)


def encode_string(value: object, *, model: str | None = None, attribute: str | None = None) -> str:
    """Encode a string field value, quoted and escaped."""
    if not isinstance(value, str):
        raise _fail("a string field needs a str", value, model, attribute)
    _check_encodable(value, "string field value", model, attribute)
    return f'"{escape_string(value)}"'


def encode_field_value(
    value: object, *, model: str | None = None, attribute: str | None = None
) -> str:
    """Encode a field value by its Python type (Enum members by their value).

    ``bool``, ``int`` (and numpy integers), ``float`` (and numpy floats) and ``str``.
    """
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        return encode_string(value)
    if isinstance(value, bool) or _is_numpy_bool(value):
        return encode_bool(value)
    if isinstance(value, int) or (hasattr(value, "__index__") and not isinstance(value, float)):
        return encode_int(value, model=model, attribute=attribute)
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return encode_float(value, model=model, attribute=attribute)
    raise _fail("a field value must be a float, int, bool or str", value, model, attribute)


def _tag_text(value: object, model: str | None, attribute: str | None) -> str | None:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or value == "":
        return None
    return check_tag_value(value, model=model, attribute=attribute)


def encode_point(
    measurement: str,
    tags: Mapping[str, object] | None,
    fields: Mapping[str, object],
    time_ns: int | None = None,
) -> str:
    """Encode one point as a line (no trailing newline), validating everything.

    Tags are sorted by key (the order the server stores them in); tags whose value is
    ``None`` or ``""`` and fields whose value is ``None`` are left out. ``time_ns`` is
    nanoseconds since the epoch, or ``None`` to let the server stamp the point.
    """
    head = escape_measurement(check_measurement(measurement, model=measurement))
    if tags:
        parts = [head]
        for key in tags:
            check_tag_key(key, model=measurement)
        for key in sorted(tags):
            text = _tag_text(tags[key], measurement, key)
            if text is not None:
                parts.append(f"{escape_key(key)}={escape_key(text)}")
        head = ",".join(parts)
    encoded = []
    longest = 0
    for key, value in fields.items():
        if value is None:
            continue
        check_field_key(key, model=measurement)
        longest = max(longest, len(key.encode()))
        encoded.append(
            f"{escape_key(key)}={encode_field_value(value, model=measurement, attribute=key)}"
        )
    if not encoded:
        raise ValidationError(
            f"a point needs at least one field that is not None ({measurement})",
            model=measurement,
            value=dict(fields),
        )
    check_series_key(head, longest, model=measurement)
    line = f"{head} {','.join(encoded)}"
    if time_ns is None:
        return line
    return f"{line} {to_ns(time_ns)}"


def check_series_key(head: str, longest_field_key: int, *, model: str | None = None) -> None:
    """Refuse a series key (escaped measurement and tags) the server would refuse."""
    size = len(head.encode()) + 4 + longest_field_key
    if size > MAX_SERIES_KEY:
        raise ValidationError(
            f"series key too long ({size} bytes with the field key; the limit is "
            f"{MAX_SERIES_KEY})" + _where(model, None),
            model=model,
            value=head[:100],
        )


_POINT_KEYS = frozenset({"measurement", "time", "tags", "fields"})


def encode_dict_point(point: Mapping[str, object], *, stamp_ns: int | None = None) -> str:
    """Encode a dict point ``{"measurement", "fields", "tags"?, "time"?}`` as a line.

    ``time`` may be anything :func:`~influxorm.timeutil.to_ns` accepts; without one (or
    with ``None``) the point gets ``stamp_ns``, or the server's time if that is ``None``.
    """
    unknown = point.keys() - _POINT_KEYS
    if unknown:
        raise ValidationError(
            f"unknown key(s) in a dict point: {sorted(unknown)} "
            "(expected measurement, time, tags, fields)",
            value=point,
        )
    measurement = point.get("measurement")
    if not isinstance(measurement, str):
        raise ValidationError(f"a dict point needs a str 'measurement': {point!r}", value=point)
    fields = point.get("fields")
    if not isinstance(fields, Mapping):
        raise ValidationError(
            f"a dict point needs a mapping 'fields' ({measurement}): {point!r}",
            model=measurement,
            value=point,
        )
    tags = point.get("tags")
    if tags is not None and not isinstance(tags, Mapping):
        raise ValidationError(
            f"'tags' of a dict point must be a mapping ({measurement}): {tags!r}",
            model=measurement,
            value=point,
        )
    time_value = point.get("time")
    if time_value is None:
        time_ns = stamp_ns
    else:
        try:
            time_ns = to_ns(time_value)
        except ValidationError as exc:
            raise ValidationError(
                f"{exc} ({measurement}.time)",
                model=measurement,
                attribute="time",
                value=time_value,
            ) from None
    return encode_point(measurement, tags, fields, time_ns)


def check_raw(text: str) -> str:
    """Validate raw line protocol (not parsed: the server reports its errors); return it.

    Refused with :class:`ValidationError`: text UTF-8 cannot encode, and a CR or NUL
    outside every string field value: a CRLF or bare CR line ending (influxd splits lines
    at LF only and would store part of the body), or a NUL the server would echo into an
    HTTP header of its error. Inside a string field value both are stored verbatim.
    """
    where = first_unencodable(text)
    if where >= 0:
        raise ValidationError(
            f"line protocol must be encodable as UTF-8, but holds {text[where]!r} at index "
            f"{where} (a lone surrogate): {text[max(0, where - 40) : where + 40]!r}",
            value=text[max(0, where - 40) : where + 40],
        )
    if "\r" not in text and "\x00" not in text:
        return text
    body = text.encode()
    for start, end, index in unquoted(body, b"\r\x00"):
        line = body[start:end].decode()
        what = "a CR (only LF ends a line)" if body[index] == 0x0D else "a NUL"
        number = sum(1 for begin, _ in line_spans(body) if begin < start) + 1
        raise ValidationError(
            f"line {number} of the line protocol holds {what} "
            f"outside a string field value: {line[:200]!r}",
            value=line[:200],
        )
    return text
