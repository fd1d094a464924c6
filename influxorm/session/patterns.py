"""The registry of named query patterns known to every session.

A pattern is InfluxQL with ``{name:kind}`` placeholders; each argument is written by its
kind (:class:`influxorm.query.statements.QueryPattern`), so no value can change the
statement's meaning::

    register_pattern("by_host", "SELECT * FROM {measurement:ident} WHERE host = {host:str}")
    session.query_pattern("by_host", measurement="cpu", host="a'b")

Kinds: ``ident`` (a double-quoted identifier), ``str`` (a single-quoted string, the
default when no kind is given), ``regex`` (``/.../``), ``duration`` (``1h30m`` from a
timedelta, ns int or duration text), ``int``, ``float``, ``bool``. Patterns registered
with :func:`register_pattern` are known to every session; a session's own
(``session.set_query_pattern``) take precedence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from influxorm.exceptions import ValidationError
from influxorm.query.statements import QueryPattern

__all__ = ["QueryPattern", "format_pattern", "register_pattern"]


_registry: dict[str, QueryPattern] = {}


def register_pattern(name: str, pattern: str) -> None:
    """Make ``pattern`` known to every session as ``name`` (replacing an earlier one)."""
    _registry[name] = QueryPattern(pattern)


def format_pattern(
    name: str, arguments: Mapping[str, Any], own: Mapping[str, QueryPattern] | None = None
) -> str:
    """The statement of pattern ``name`` (from ``own``, else the registry) with ``arguments``."""
    pattern = (own or {}).get(name) or _registry.get(name)
    if pattern is None:
        raise ValidationError(f"no query pattern named {name!r}", value=name)
    return pattern.format(arguments)
