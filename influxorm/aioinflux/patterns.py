"""aioinflux-style query patterns (``{name}`` placeholders, positional or keyword
arguments) on top of :class:`influxorm.session.patterns.QueryPattern`'s quoting.

A placeholder may carry one of influxorm's kinds (``{m:ident}``, ``{host:str}``,
``{pattern:regex}``, ``{d:duration}``, ``{n:int}``...), plus ``{clause:raw}``: text
inserted as is. **Raw placeholders are raw InfluxQL by design** (aioinflux's
``select_where`` takes a WHERE clause): never pass untrusted text to them.

A placeholder without a kind (aioinflux's user patterns) is filled by its context:

* inside single quotes (``'{host}'``): a string literal, quoted and escaped;
* inside double quotes (``"{key}"``): an identifier, quoted and escaped;
* bare: an ``int``/``float`` as a number, a ``str`` only if it is a plain word
  (letters, digits, ``_``, ``.``, ``-`` not leading), which cannot change the
  statement's meaning; anything else is a ValidationError asking for a kind.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from typing import Final

from influxorm.exceptions import ValidationError
from influxorm.session.patterns import QueryPattern

__all__ = ["BUILTIN_PATTERNS", "CompatPattern"]

BUILTIN_PATTERNS: Final[dict[str, str]] = {
    "create_database": "CREATE DATABASE {db:ident}",
    "drop_database": "DROP DATABASE {db:ident}",
    "drop_measurement": "DROP MEASUREMENT {measurement:ident}",
    "show_databases": "SHOW DATABASES",
    "show_measurements": "SHOW MEASUREMENTS",
    "show_retention_policies": "SHOW RETENTION POLICIES",
    "show_users": "SHOW USERS",
    "show_series": "SHOW SERIES",
    "show_series_from": "SHOW SERIES FROM {measurement:ident}",
    "show_tag_keys": "SHOW TAG KEYS",
    "show_tag_keys_from": "SHOW TAG KEYS FROM {measurement:ident}",
    "show_field_keys": "SHOW FIELD KEYS",
    "show_field_keys_from": "SHOW FIELD KEYS FROM {measurement:ident}",
    "show_tag_values": "SHOW TAG VALUES WITH key = {key:ident}",
    "show_tag_values_from": "SHOW TAG VALUES FROM {measurement:ident} WITH key = {key:ident}",
    "select_all": "SELECT * FROM {measurement:ident}",
    "select_where": "SELECT * FROM {measurement:ident} WHERE {where:raw}",
}
"""aioinflux's built-in patterns, with every name quoted (``where`` is raw InfluxQL)."""

_PLAIN_WORD = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.\-]*")
_KIND_OF_QUOTE: Final = {"'": "str", '"': "ident"}
_QUOTED = re.compile(r"""(['"])\{(\w+)\}\1""")


def _escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class CompatPattern:
    """An aioinflux query pattern whose arguments are quoted (see the module docs)."""

    __slots__ = ("names", "text")

    def __init__(self, text: str) -> None:
        # Context-quoted placeholders become explicit kinds: '{x}' -> {x:str}, "{x}" -> {x:ident}.
        self.text = _QUOTED.sub(lambda m: f"{{{m.group(2)}:{_KIND_OF_QUOTE[m.group(1)]}}}", text)
        names: list[str] = []
        try:
            for _, name, _, _ in string.Formatter().parse(self.text):
                if name is not None and name not in names:
                    names.append(name)
        except ValueError as exc:
            raise ValidationError(f"bad query pattern {text!r}: {exc}", value=text) from None
        self.names = tuple(names)

    def __repr__(self) -> str:
        return f"CompatPattern({self.text!r})"

    def format(self, args: Sequence[object], kwargs: Mapping[str, object]) -> str:
        """The statement, positional ``args`` filling the placeholders in order."""
        if len(args) > len(self.names):
            raise ValidationError(
                f"query pattern {self.text!r} takes {len(self.names)} argument(s), "
                f"{len(args)} given"
            )
        arguments = dict(zip(self.names, args, strict=False))
        for key, value in kwargs.items():
            if key in arguments:
                raise ValidationError(f"query pattern argument {key!r} given twice")
            arguments[key] = value
        pieces: list[str] = []
        typed: dict[str, object] = {}
        for literal, name, spec, conversion in string.Formatter().parse(self.text):
            pieces.append(_escape_braces(literal))
            if name is None:
                continue
            if conversion:
                raise ValidationError(f"bad placeholder {{{name}!{conversion}}} in {self.text!r}")
            if name not in arguments:
                raise ValidationError(f"query pattern {self.text!r} needs argument {name!r}")
            value = arguments[name]
            if spec == "raw":
                pieces.append(_escape_braces(str(value)))
            elif spec:
                pieces.append(f"{{{name}:{spec}}}")
                typed[name] = value
            else:
                pieces.append(_escape_braces(_bare(name, value)))
        unknown = arguments.keys() - set(self.names)
        if unknown:
            raise ValidationError(
                f"query pattern {self.text!r} takes {list(self.names)}; unexpected "
                f"{sorted(unknown)}"
            )
        return QueryPattern("".join(pieces)).format(typed)


def _bare(name: str, value: object) -> str:
    if type(value) is int or type(value) is float:
        return repr(value)
    if isinstance(value, str) and _PLAIN_WORD.fullmatch(value):
        return value
    raise ValidationError(
        f"query pattern argument {name!r}={value!r} is not a number or a plain word: "
        f"write the placeholder as {{{name}:str}}, {{{name}:ident}} or {{{name}:raw}} "
        "(raw InfluxQL, never for untrusted text)",
        value=value,
    )
