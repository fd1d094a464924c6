"""InfluxQL quoting: identifiers, string and regex literals, durations and numbers.

Every function here returns text that stands for exactly the value given, whatever that
value contains, or raises :class:`~influxorm.exceptions.QueryBuildError` when InfluxQL
cannot spell it. Verified against influxd 1.6.7: inside ``"..."`` and ``'...'`` only
``\\\\``, ``\\'``, ``\\"`` and ``\\n`` are escapes, and a raw CR or LF is a parse error;
inside ``/.../`` only ``\\/`` is an escape.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from decimal import Decimal
from typing import Final

from influxorm.exceptions import QueryBuildError

__all__ = [
    "MAX_DURATION_NS",
    "duration_to_ns",
    "format_duration",
    "format_float",
    "quote_ident",
    "quote_regex",
    "quote_string",
    "unescape",
]

# InfluxQL durations are int64 nanoseconds; the parser refuses anything larger.
MAX_DURATION_NS: Final = 2**63 - 1

_UNIT_NS: Final = (
    ("w", 7 * 24 * 3600 * 10**9),
    ("d", 24 * 3600 * 10**9),
    ("h", 3600 * 10**9),
    ("m", 60 * 10**9),
    ("s", 10**9),
    ("ms", 10**6),
    ("u", 10**3),
    ("ns", 1),
)
_UNIT_BY_NAME: Final = {**dict(_UNIT_NS), "µ": 10**3}
_DURATION_PART: Final = re.compile(r"(\d+)(ns|ms|u|µ|s|m|h|d|w)")
_DURATION_TEXT: Final = re.compile(r"(?:\d+(?:ns|ms|u|µ|s|m|h|d|w))+")


def _check_text(text: str, what: str) -> None:
    """Refuse what no InfluxQL quoting can carry: the scanner reads NUL as the end of
    the statement and a CR as a line break, and the request must be UTF-8."""
    if "\x00" in text:
        raise QueryBuildError(f"InfluxQL cannot spell a NUL character in {what}: {text!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryBuildError(
            f"{what} holds a lone surrogate, which cannot be sent as UTF-8: {text!r}"
        ) from None


def _escape(text: str, quote: str, what: str) -> str:
    _check_text(text, what)
    if "\r" in text:
        raise QueryBuildError(f"InfluxQL cannot spell a carriage return in {what}: {text!r}")
    out = text.replace("\\", "\\\\").replace("\n", "\\n").replace(quote, "\\" + quote)
    return f"{quote}{out}{quote}"


def quote_ident(name: str) -> str:
    """Return ``name`` as a double-quoted InfluxQL identifier (``"a\\"b"``).

    Raises QueryBuildError for an empty name or one holding a carriage return, a NUL or
    a lone surrogate.
    """
    if not name:
        raise QueryBuildError("an InfluxQL identifier cannot be empty")
    return _escape(name, '"', "an identifier")


def quote_string(value: str) -> str:
    """Return ``value`` as a single-quoted InfluxQL string literal (``'it\\'s'``).

    Raises QueryBuildError for a value holding a carriage return or a NUL, which InfluxQL
    string literals cannot represent (bind such values as parameters instead), or a lone
    surrogate.
    """
    return _escape(value, "'", "a string literal")


_ESCAPE: Final = re.compile(r"\\(.)", re.DOTALL)


def unescape(body: str) -> str:
    """The text the body of a ``'...'`` or ``"..."`` literal means, as influxd's scanner
    reads it (``\\n`` is a line feed, a backslash keeps the next character): the inverse
    of :func:`quote_string` and :func:`quote_ident` without their quotes."""
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), body)


# Control characters the InfluxQL scanner would mangle, written as the regex escape that
# means the same character.
_REGEX_CONTROL: Final = {"\n": "\\n", "\r": "\\r", "\x00": "\\x00"}


def quote_regex(pattern: str) -> str:
    """Return ``pattern`` as an InfluxQL regex literal (``/a\\/b/``) meaning exactly ``pattern``.

    influxd's regex scanner turns every ``\\/`` into ``/`` and passes any other backslash
    through, without pairing backslashes: a run of backslashes before the closing ``/``
    would escape it, whatever its length. So every ``/`` is written ``\\/``; a pattern
    ending in a (necessarily even) backslash run gets an empty group ``(?:)`` appended,
    which matches the same text; LF, CR and NUL become ``\\n``, ``\\r``, ``\\x00``.
    Refused with QueryBuildError: an unpaired trailing backslash (not a valid regex), a
    backslash before LF, CR or NUL, a trailing backslash run after ``\\Q`` (the group
    would be quoted text) and lone surrogates.
    """
    try:
        pattern.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryBuildError(
            f"a regex holds a lone surrogate, which cannot be sent as UTF-8: {pattern!r}"
        ) from None
    out: list[str] = []
    escaped = False  # the previous character is a backslash that escapes this one
    for char in pattern:
        if char in _REGEX_CONTROL:
            if escaped:
                raise QueryBuildError(
                    f"a regex cannot have a backslash before {char!r} (write it as "
                    f"{_REGEX_CONTROL[char]}): {pattern!r}"
                )
            out.append(_REGEX_CONTROL[char])
        elif char == "/":
            out.append("\\/")
        else:
            out.append(char)
        escaped = char == "\\" and not escaped
    if escaped:
        raise QueryBuildError(f"a regex cannot end with an unpaired backslash: {pattern!r}")
    if pattern.endswith("\\"):
        if "\\Q" in pattern:
            raise QueryBuildError(
                f"a regex using \\Q cannot end with a backslash (InfluxQL cannot close it "
                f"safely): {pattern!r}"
            )
        out.append("(?:)")
    return "/" + "".join(out) + "/"


def duration_to_ns(value: timedelta | str | int) -> int:
    """Return a duration in nanoseconds, validated for InfluxQL.

    Accepts a ``timedelta``, an ``int`` of nanoseconds or InfluxQL duration text such as
    ``"1h30m"`` (units ``ns u µ ms s m h d w``). Negative values are refused.
    """
    if isinstance(value, bool):
        raise QueryBuildError(f"not a duration: {value!r}")
    if isinstance(value, timedelta):
        ns = (value.days * 86_400 + value.seconds) * 10**9 + value.microseconds * 1_000
    elif isinstance(value, int):
        ns = value
    elif isinstance(value, str):
        if not _DURATION_TEXT.fullmatch(value):
            raise QueryBuildError(
                f"not an InfluxQL duration: {value!r} (write e.g. '90s', '1h30m', '500ms')"
            )
        ns = sum(int(n) * _UNIT_BY_NAME[u] for n, u in _DURATION_PART.findall(value))
    else:
        raise QueryBuildError(f"not a duration: {value!r} (use a timedelta or text like '1h')")
    if ns < 0:
        raise QueryBuildError(f"a duration cannot be negative: {value!r}")
    if ns > MAX_DURATION_NS:
        raise QueryBuildError(f"duration too large for InfluxQL (int64 ns): {value!r}")
    return ns


def format_duration(value: timedelta | str | int) -> str:
    """Return InfluxQL duration text for ``value`` (see :func:`duration_to_ns`).

    The text uses the largest units that are exact: ``timedelta(minutes=90)`` -> ``"1h30m"``.
    """
    ns = duration_to_ns(value)
    if ns == 0:
        return "0s"
    parts: list[str] = []
    for unit, size in _UNIT_NS:
        count, ns = divmod(ns, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def format_float(value: float) -> str:
    """Return a float as an InfluxQL number literal that parses back to the same float.

    InfluxQL has no exponent notation (``1e-07`` is read as a duration), so the text is
    positional: ``1e-07`` -> ``0.0000001``. NaN and infinities are refused.
    """
    if not math.isfinite(value):
        raise QueryBuildError(f"InfluxQL has no literal for {value!r}")
    text = format(Decimal(repr(float(value))), "f")
    if "." not in text:
        text += ".0"
    return text
