"""aioinflux's ``serialization.common``: how names and string values are adapted.

aioinflux escaped names with translation tables that also *removed* line feeds and
*doubled* backslashes. influxorm escapes by position (:mod:`influxorm.lineprotocol`) and
stores what it is given. This module adapts aioinflux input to that, announcing each
difference with a :class:`CompatWarning`:

* a line feed in a measurement, tag key, tag value or field key is removed, as aioinflux
  did (line protocol cannot carry it), naming the original and the stored name;
* a backslash in those names is stored as given (aioinflux stored it doubled);
* a line feed in a string field value is kept (aioinflux removed it).

Everything else (escaping, and refusing what line protocol cannot carry: CR, NUL, a
trailing backslash...) is influxorm's validator's job; its :class:`ValidationError` is
a ``ValueError``, raised before anything is sent.
"""

from __future__ import annotations

import reprlib
import warnings
from collections.abc import Callable
from typing import Final

from influxorm.aioinflux.serialization.datapoint import CompatWarning
from influxorm.lineprotocol import escape_key, escape_measurement, escape_string

__all__ = [
    "Notes",
    "adapt_name",
    "adapt_string_value",
    "escape",
    "key_escape",
    "measurement_escape",
    "str_escape",
    "tag_escape",
    "warn_notes",
]

Notes = set[str]
"""Warning texts collected while adapting one ``write`` call (each warned once)."""

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60


def _doubled(text: str) -> str:
    return text.replace("\\", "\\\\")


def adapt_name(value: object, where: str, notes: Notes) -> str:
    """``value`` (a measurement, tag key, tag value or field key) as influxorm stores it.

    A non-``str`` is converted with ``str()``; line feeds are removed; backslashes are
    kept. Each difference from what aioinflux stored adds a note to ``notes``.
    """
    if not isinstance(value, str):
        text = str(value)
        notes.add(f"non-str {where} {value!r} converted to {text!r}")
    else:
        text = value
    if "\n" in text:
        stored = text.replace("\n", "")
        notes.add(
            f"{where} {_short.repr(text)} is stored as {_short.repr(stored)}: "
            "line feeds removed (as aioinflux did)"
        )
        text = stored
    if "\\" in text:
        notes.add(
            f"{where} {_short.repr(text)} is stored as given; aioinflux stored "
            f"{_short.repr(_doubled(text))} (it doubled backslashes)"
        )
    return text


def adapt_string_value(value: str, where: str, notes: Notes) -> str:
    """A string field value, unchanged; notes that aioinflux removed its line feeds."""
    if "\n" in value:
        notes.add(
            f"{where} {_short.repr(value)} keeps its line feeds; aioinflux removed them "
            f"(it stored {_short.repr(value.replace(chr(10), ''))})"
        )
    return value


def warn_notes(notes: Notes, stacklevel: int) -> None:
    """Issue one :class:`CompatWarning` per note, in a stable order."""
    for note in sorted(notes):
        warnings.warn(note, CompatWarning, stacklevel=stacklevel + 1)


# aioinflux's ``escape(string, table)`` and its tables, on influxorm's escaping by
# position: a table names the position.
measurement_escape: Final[Callable[[str], str]] = escape_measurement
key_escape: Final[Callable[[str], str]] = escape_key
tag_escape: Final[Callable[[str], str]] = escape_key


def _escape_string_value(text: str) -> str:
    return escape_string(text)


str_escape: Final[Callable[[str], str]] = _escape_string_value


def escape(string: object, escape_pattern: Callable[[str], str]) -> str:
    """``string`` escaped for the position ``escape_pattern`` names (one of this
    module's ``*_escape`` values), as aioinflux's ``escape``: names lose their line
    feeds, a non-``str`` is converted; each with a :class:`CompatWarning`.
    """
    notes: Notes = set()
    if escape_pattern is str_escape:
        text = string if isinstance(string, str) else str(string)
        if text is not string:
            notes.add(f"non-str value {string!r} converted to {text!r}")
        text = adapt_string_value(text, "string value", notes)
    else:
        text = adapt_name(string, "name", notes)
    warn_notes(notes, stacklevel=2)
    return escape_pattern(text)
