"""Named query patterns: InfluxQL templates whose arguments are always quoted.

A pattern is InfluxQL with ``{name:kind}`` placeholders; each argument is formatted by
its kind, so no value can change the statement's meaning::

    register_pattern("by_host", "SELECT * FROM {measurement:ident} WHERE host = {host:str}")
    session.query_pattern("by_host", measurement="cpu", host="a'b")

Kinds: ``ident`` (a double-quoted identifier), ``str`` (a single-quoted string, the
default when no kind is given), ``regex`` (``/.../``), ``duration`` (``1h30m`` from a
timedelta, ns int or duration text), ``int``, ``float``, ``bool``. Patterns registered
with :func:`register_pattern` are known to every session; a session's own
(``session.set_query_pattern``) take precedence.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Final

from influxorm.exceptions import ValidationError
from influxorm.influxql import format_duration, format_float, quote_ident, quote_regex, quote_string

__all__ = ["QueryPattern", "format_pattern", "register_pattern", "registered_patterns"]


def _int(value: object) -> str:
    if type(value) is not int:
        raise ValidationError(f"an int argument must be an int, not {value!r}", value=value)
    return str(value)


def _float(value: object) -> str:
    if type(value) not in (int, float):
        raise ValidationError(f"a float argument must be a number, not {value!r}", value=value)
    return format_float(float(value))  # type: ignore[arg-type]


def _bool(value: object) -> str:
    if type(value) is not bool:
        raise ValidationError(f"a bool argument must be a bool, not {value!r}", value=value)
    return "true" if value else "false"


def _text(quote: Callable[[str], str]) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if not isinstance(value, str):
            raise ValidationError(f"expected a str argument, not {value!r}", value=value)
        return quote(value)

    return convert


def _duration(value: object) -> str:
    if not isinstance(value, timedelta | str | int) or isinstance(value, bool):
        raise ValidationError(f"a duration argument must be a timedelta, ns int or text: {value!r}")
    return format_duration(value)


_KINDS: Final[dict[str, Callable[[object], str]]] = {
    "ident": _text(quote_ident),
    "str": _text(quote_string),
    "regex": _text(quote_regex),
    "duration": _duration,
    "int": _int,
    "float": _float,
    "bool": _bool,
}


class QueryPattern:
    """A parsed pattern: literal text and ``(name, kind)`` placeholders."""

    __slots__ = ("_parts", "names", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        parts: list[tuple[str, str | None, str]] = []
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:
            raise ValidationError(f"bad query pattern {text!r}: {exc}", value=text) from None
        for literal, name, spec, conversion in parsed:
            if name is None:
                parts.append((literal, None, ""))
                continue
            if not name.isidentifier() or conversion:
                raise ValidationError(
                    f"bad placeholder {{{name}}} in query pattern {text!r}: use {{name:kind}}",
                    value=text,
                )
            kind = spec or "str"
            if kind not in _KINDS:
                raise ValidationError(
                    f"unknown kind {kind!r} in query pattern {text!r}: use one of "
                    f"{', '.join(_KINDS)}",
                    value=text,
                )
            parts.append((literal, name, kind))
        self._parts = tuple(parts)
        self.names = frozenset(name for _, name, _ in parts if name is not None)

    def __repr__(self) -> str:
        return f"QueryPattern({self.text!r})"

    def format(self, arguments: Mapping[str, object]) -> str:
        """The statement with every argument quoted by its kind."""
        missing = self.names - arguments.keys()
        extra = arguments.keys() - self.names
        if missing or extra:
            raise ValidationError(
                f"query pattern {self.text!r} takes {sorted(self.names)}; "
                f"missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        out = []
        for literal, name, kind in self._parts:
            out.append(literal)
            if name is not None:
                try:
                    out.append(_KINDS[kind](arguments[name]))
                except ValidationError as exc:
                    exc.add_note(f"(argument {name!r} of query pattern {self.text!r})")
                    raise
        return "".join(out)


_registry: dict[str, QueryPattern] = {}


def register_pattern(name: str, pattern: str) -> None:
    """Make ``pattern`` known to every session as ``name`` (replacing an earlier one)."""
    _registry[name] = QueryPattern(pattern)


def registered_patterns() -> dict[str, QueryPattern]:
    """A copy of the module-level registry."""
    return dict(_registry)


def format_pattern(
    name: str, arguments: Mapping[str, Any], own: Mapping[str, QueryPattern] | None = None
) -> str:
    """The statement of pattern ``name`` (from ``own``, else the registry) with ``arguments``."""
    pattern = (own or {}).get(name) or _registry.get(name)
    if pattern is None:
        raise ValidationError(f"no query pattern named {name!r}", value=name)
    return pattern.format(arguments)
