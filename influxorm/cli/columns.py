"""Typed columns of exported/imported files, and their text form in CSV.

An exported file has a ``time`` column and one column per tag and field. Its kind is
``tag`` or a field type (``float``, ``integer``, ``string``, ``boolean``). CSV headers
carry it as ``name:kind`` (``host:tag``, ``usage:float``) so that an import restores
exactly the types exported; Parquet keeps it in the schema's metadata. Plain headers
(files from elsewhere) get their kinds from ``--tag-columns`` and :func:`infer_kind`.

In CSV, as in PostgreSQL's CSV format, an empty unquoted cell is a missing value and a
quoted empty cell (``""``) is an empty string: a string field stored as ``""`` is written
so and read back as ``""``. In any other column (tags, which InfluxDB never stores empty,
and numbers or booleans) ``""`` is a missing value too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Final, Literal, TypeAlias, get_args

import attrs

__all__ = [
    "FIELD_KINDS",
    "TIME_COLUMN",
    "Kind",
    "TypedColumn",
    "coerce",
    "format_header",
    "infer_kind",
    "parse_header",
    "parse_text",
    "text_of",
    "widest_type",
]

Kind: TypeAlias = Literal["tag", "float", "integer", "string", "boolean"]
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)
FIELD_KINDS: Final = frozenset({"float", "integer", "string", "boolean"})
TIME_COLUMN: Final = "time"

# When shards disagree on a field's type, the first type here that it has wins.
_WIDEST_FIRST: Final = ("string", "float", "integer", "boolean")
_TRUE: Final = frozenset({"t", "true"})
_FALSE: Final = frozenset({"f", "false"})
_INTEGER: Final = re.compile(r"[-+]?\d+")


@attrs.frozen
class TypedColumn:
    """A tag or field column of a file: its InfluxDB key and kind."""

    name: str
    kind: Kind

    @property
    def is_tag(self) -> bool:
        """Whether the column holds a tag."""
        return self.kind == "tag"


def widest_type(types: Iterable[str]) -> str:
    """The one type to read a field with these InfluxDB types as (float over integer...)."""
    present = set(types)
    for kind in _WIDEST_FIRST:
        if kind in present:
            return kind
    raise ValueError(f"unknown InfluxDB field type(s): {sorted(present)}")


def format_header(column: TypedColumn) -> str:
    """``name:kind``."""
    return f"{column.name}:{column.kind}"


def parse_header(text: str) -> tuple[str, Kind | None]:
    """Split ``name:kind`` (kind one of the known kinds); a plain name has kind None."""
    name, sep, kind = text.rpartition(":")
    if sep and name and kind in KINDS:
        return name, kind
    return text, None


def coerce(value: object, kind: Kind) -> object:
    """A value read from the server, as the Python type of ``kind`` (None stays None).

    A whole float arrives from JSON as an int; a field with several types is read as the
    widest, so integers become floats and anything becomes text for a string field.
    """
    if value is None:
        return None
    if kind == "float":
        return float(value)  # type: ignore[arg-type]
    if kind == "integer":
        return int(value)  # type: ignore[call-overload]
    if kind == "boolean":
        return bool(value)
    return value if isinstance(value, str) else str(value)


def text_of(value: object) -> str | None:
    """The CSV text of a value: ``repr`` precision floats, ``true``/``false``; None for None
    (an empty unquoted cell, where the empty string is a quoted one)."""
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_text(text: str, kind: Kind, *, quoted: bool = False) -> object:
    """The value of CSV ``text`` for a column of ``kind``.

    Empty text is missing (None), except a ``quoted`` empty cell of a string field: the
    empty string. Raises ValueError for text that is not a value of that kind.
    """
    if text == "":
        return "" if quoted and kind == "string" else None
    if kind == "float":
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(f"not a finite float: {text!r}")
        return number
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"not an integer: {text!r}")
        return int(text)
    if kind == "boolean":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"not a boolean: {text!r}")
    return text


def _kind_of(text: str) -> Kind:
    if _INTEGER.fullmatch(text):
        return "integer"
    if text.lower() in _TRUE | _FALSE:
        return "boolean"
    try:
        number = float(text)
    except ValueError:
        return "string"
    return "float" if math.isfinite(number) else "string"


def infer_kind(samples: Iterable[str]) -> Kind:
    """The field kind fitting every non-empty sample: integer < float < string; boolean.

    Mixed integers and floats are float; anything else mixed is string.
    """
    kinds = {_kind_of(text) for text in samples if text != ""}
    if not kinds:
        return "string"
    if len(kinds) == 1:
        return kinds.pop()
    if kinds == {"integer", "float"}:
        return "float"
    return "string"
