"""aioinflux-style query patterns on top of :class:`influxorm.query.statements.QueryPattern`.

This module adapts aioinflux's calling conventions only; every argument is written by
the statements module's quoting, chosen by the placeholder's context:

* ``'{host}'`` (a whole single-quoted literal): a string literal;
* ``"{key}"`` (a whole double-quoted name): an identifier;
* ``/{pattern}/`` after ``=~``/``!~``, or a bare ``{pattern}`` there: a regex;
* a bare placeholder in a name position (after ``FROM``, ``INTO``, ``ON``, ``SELECT``,
  ``BY``, ``AS``, ``TO``, ``FOR``, ``KEY =``, a ``,`` or ``(``, next to a ``.``, or before
  a comparison after ``WHERE``/``AND``/``OR``): a str is one identifier (so
  ``secret..passwords`` is a measurement name, never another database), a number a
  number;
* any other bare placeholder (a value position): a number, a bool or duration text
  (``1e-08`` is written ``0.00000001``; NaN and infinities are refused); a str that is
  none of these is refused with a ValidationError, so ``host = {h}`` with ``h="host"``
  never compares the column with itself;
* an explicit kind (``{m:ident}``, ``{n:int}``, ...) as in native patterns, plus
  ``{clause:raw}``: InfluxQL text inserted as it is, if it is one fragment (quotes and
  regexes closed, no ``;`` or comment outside them), so it cannot add a statement or hide
  the rest. **Raw placeholders are raw InfluxQL by design** (``select_where``'s ``where``):
  never pass untrusted text to them.

A placeholder inside part of a quoted text, a regex or a comment is refused.
Arguments fill placeholders as aioinflux did: keywords by name, then positional ones in
order of first appearance; ``{db}`` comes from ``db=`` or the client's default.
"""

from __future__ import annotations

import re
import string
import warnings
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Final

from influxorm.aioinflux.serialization.datapoint import CompatWarning
from influxorm.exceptions import ValidationError
from influxorm.query.statements import QueryPattern

__all__ = ["BUILTIN_PATTERNS", "RESERVED_PLACEHOLDERS", "CompatPattern", "PatternText", "compat"]

BUILTIN_PATTERNS: Final[dict[str, str]] = {
    "create_database": 'CREATE DATABASE "{db}"',
    "drop_database": 'DROP DATABASE "{db}"',
    "drop_measurement": 'DROP MEASUREMENT "{measurement}"',
    "select_all": 'SELECT * FROM "{measurement}"',
    "select_where": 'SELECT * FROM "{measurement}" WHERE {where:raw}',
    "show_databases": "SHOW DATABASES",
    "show_continuous_queries": "SHOW CONTINUOUS QUERIES",
    "show_measurements": "SHOW MEASUREMENTS",
    "show_retention_policies": "SHOW RETENTION POLICIES",
    "show_users": "SHOW USERS",
    "show_series": "SHOW SERIES",
    "show_series_from": 'SHOW SERIES FROM "{measurement}"',
    "show_tag_keys": "SHOW TAG KEYS",
    "show_tag_values": 'SHOW TAG VALUES WITH key = "{key}"',
    "show_tag_keys_from": 'SHOW TAG KEYS FROM "{measurement}"',
    "show_tag_values_from": 'SHOW TAG VALUES FROM "{measurement}" WITH key = "{key}"',
    "show_field_keys": "SHOW FIELD KEYS",
    "show_field_keys_from": 'SHOW FIELD KEYS FROM "{measurement}"',
}
"""aioinflux 0.4.1's built-in patterns (plus ``select_where``, ``show_field_keys*``)."""

RESERVED_PLACEHOLDERS: Final = frozenset({"q", "epoch", "chunked", "chunk_size", "parser"})
"""Placeholder names a pattern may not use: they are ``query()``'s own arguments."""


class PatternText(str):
    """Pattern text (``functools.partial(client.query, PatternText(...))``): always
    formatted, even when the call gives no arguments (e.g. only ``db=``)."""

    __slots__ = ()


_WHOLE_QUOTED: Final = re.compile(r"""(['"])\{(\w+)\}\1""")
_WHOLE_REGEX: Final = re.compile(r"([=!]~\s*)/\{(\w+)\}/")
_KIND_OF_QUOTE: Final = {"'": "str", '"': "ident"}
_MARK: Final = "\x00"
_NAME_WORDS: Final = frozenset(
    {"FROM", "INTO", "ON", "SELECT", "BY", "AS", "TO", "FOR", "MEASUREMENT", "DISTINCT"}
)
_PRED_WORDS: Final = frozenset({"WHERE", "AND", "OR", "NOT"})
_LAST_TOKENS: Final = re.compile(r"(\w+|[^\w\s])\s*(?:(\w+|[^\w\s])\s*)?$")
_TIME_CALL: Final = re.compile(r"\btime\s*\([^()]*$", re.IGNORECASE)
_COMPARISON: Final = re.compile(r"\s*(=~|!~|!=|<>|<=|>=|=|<|>)")


def _escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _lex(text: str) -> Iterator[tuple[int, str | None]]:
    """Each index of ``text`` with the lexical state there (None: plain InfluxQL; a quote
    character, ``/``, ``--`` or ``/*`` inside a literal, regex or comment)."""
    state: str | None = None
    i = 0
    while i < len(text):
        char = text[i]
        yield i, state
        if state is None:
            if char in "'\"":
                state = char
            elif text.startswith("--", i):
                state = "--"
            elif text.startswith("/*", i):
                state, i = "/*", i + 1
            elif char == "/" and re.search(r"[=!]~\s*$", text[:i]):
                state = "/"
        elif state in "'\"":
            if char == "\\":
                i += 1
            elif char == state:
                state = None
        elif state == "/":
            if char == "\\" and text[i + 1 : i + 2] == "/":
                i += 1
            elif char == "/":
                state = None
        elif state == "--" and char == "\n":
            state = None
        elif state == "/*" and text.startswith("*/", i):
            state, i = None, i + 1
        i += 1
    yield len(text), state


def _states(skeleton: str) -> list[str | None]:
    """The lexical state (None: plain InfluxQL) at each placeholder mark of ``skeleton``."""
    return [state for i, state in _lex(skeleton) if skeleton[i : i + 1] == _MARK]


def _raw_clause(text: str) -> str:
    """``text`` if it is one InfluxQL fragment: every literal, regex and comment closed
    where it opened, no ``;`` outside them and no comment (which could end the statement
    or hide the rest of the pattern). Raw InfluxQL stays the caller's own text, but it
    cannot add a statement or cut the pattern's."""
    for i, state in _lex(text):
        if i == len(text):
            if state is not None:
                raise ValidationError(
                    f"a raw InfluxQL clause must close its quotes and regexes: {text!r}",
                    value=text,
                )
        elif state is None and (text[i] == ";" or text.startswith(("--", "/*"), i)):
            raise ValidationError(
                f"a raw InfluxQL clause cannot hold ';' or a comment outside a literal: {text!r}",
                value=text,
            )
    return text


def _bare_kind(before: str, after: str) -> str:
    match = _LAST_TOKENS.search(before)
    last, previous = "", ""
    if match:
        # group 1 is the second-to-last token when two are present
        last = (match.group(2) or match.group(1)).upper()
        previous = match.group(1).upper() if match.group(2) else ""
    if last == "~" and re.search(r"[=!]~\s*$", before):
        return "regex"
    if _TIME_CALL.search(before):
        return "value"
    if (
        last in _NAME_WORDS
        or last in (",", "(", ".")
        or after.startswith(".")
        or (last == "=" and previous == "KEY")
        or ((last in _PRED_WORDS or last == "(") and _COMPARISON.match(after))
    ):
        return "name"
    return "value"


class CompatPattern:
    """An aioinflux query pattern whose arguments are quoted by context (see the module)."""

    __slots__ = ("_parts", "names", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        converted = _WHOLE_QUOTED.sub(
            lambda m: f"{{{m.group(2)}:{_KIND_OF_QUOTE[m.group(1)]}}}", text
        )
        converted = _WHOLE_REGEX.sub(lambda m: f"{m.group(1)}{{{m.group(2)}:regex}}", converted)
        try:
            parsed = list(string.Formatter().parse(converted))
        except ValueError as exc:
            raise ValidationError(f"bad query pattern {text!r}: {exc}", value=text) from None
        if _MARK in text:
            raise ValidationError(f"a query pattern cannot contain NUL: {text!r}", value=text)
        skeleton = "".join(lit + (_MARK if name is not None else "") for lit, name, *_ in parsed)
        states = iter(_states(skeleton))
        parts: list[tuple[str, str | None, str]] = []
        names: list[str] = []
        for index, (literal, name, spec, conversion) in enumerate(parsed):
            if name is None:
                parts.append((literal, None, ""))
                continue
            if not name.isidentifier() or conversion:
                raise ValidationError(
                    f"bad placeholder {{{name}}} in query pattern {text!r}", value=text
                )
            state = next(states, None)
            if state is not None:
                raise ValidationError(
                    f"placeholder {{{name}}} of query pattern {text!r} is inside part of a "
                    "quoted text, regex or comment: make it the whole literal ('{x}', \"{x}\", "
                    "/{x}/) so it can be quoted",
                    value=text,
                )
            if not spec:
                following = parsed[index + 1][0] if index + 1 < len(parsed) else ""
                before = "".join(lit for lit, *_ in parsed[: index + 1])
                spec = _bare_kind(before, following)
            parts.append((literal, name, spec))
            if name not in names:
                names.append(name)
        self._parts = tuple(parts)
        self.names = tuple(names)

    def __repr__(self) -> str:
        return f"CompatPattern({self.text!r})"

    def format(self, arguments: Mapping[str, object]) -> str:
        """The statement with ``arguments`` (one per placeholder) written by their kinds."""
        pieces: list[str] = []
        typed: dict[str, object] = {}
        for literal, name, kind in self._parts:
            pieces.append(_escape_braces(literal))
            if name is None:
                continue
            if name not in arguments:
                raise ValidationError(f"Missing argument {name!r} in {self.text!r}", value=name)
            if kind == "raw":
                pieces.append(_escape_braces(_raw_clause(str(arguments[name]))))
            else:
                pieces.append(f"{{{name}:{kind}}}")
                typed[name] = arguments[name]
        return QueryPattern("".join(pieces)).format(typed)

    def fill(
        self, args: Sequence[object], kwargs: Mapping[str, object], db: str | None
    ) -> dict[str, object]:
        """aioinflux's argument filling: keywords by name, then ``args`` in order of first
        appearance, then ``{db}`` from ``db``. Unused arguments are ignored with a warning."""
        unused = sorted(set(kwargs) - set(self.names))
        if unused:
            warnings.warn(
                f"query pattern {self.text!r} has no placeholder for {unused}: ignored",
                CompatWarning,
                stacklevel=4,
            )
        arguments = {name: kwargs[name] for name in self.names if name in kwargs}
        remaining = [name for name in self.names if name not in arguments]
        if len(args) > len(remaining):
            warnings.warn(
                f"query pattern {self.text!r} takes {len(remaining)} positional argument(s); "
                f"{len(args) - len(remaining)} extra ignored",
                CompatWarning,
                stacklevel=4,
            )
        arguments.update(zip(remaining, args, strict=False))
        if "db" in self.names and "db" not in arguments and db is not None:
            arguments["db"] = db
        return arguments


@lru_cache(maxsize=256)
def compat(text: str) -> CompatPattern:
    """The parsed pattern of ``text`` (cached: patterns are called repeatedly)."""
    return CompatPattern(text)
