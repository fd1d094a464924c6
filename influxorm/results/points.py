"""``iterpoints``: walk a query result point by point, as in aioinflux."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, overload

__all__ = ["PointMeta", "iterpoints"]

T = TypeVar("T")

PointMeta = dict[str, Any]
"""``columns``, ``name``, ``tags`` (absent when the series has none), ``statement_id``."""


@overload
def iterpoints(result: Mapping[str, Any], parser: None = None) -> Iterator[list[Any]]: ...
@overload
def iterpoints(
    result: Mapping[str, Any], parser: Callable[[list[Any], PointMeta], T]
) -> Iterator[T]: ...
def iterpoints(
    result: Mapping[str, Any], parser: Callable[[list[Any], PointMeta], Any] | None = None
) -> Iterator[Any]:
    """Yield every point of a decoded query response (or chunk), statement by statement.

    Without ``parser`` each point is its raw value list (``[time, v1, v2, ...]``);
    with it, whatever ``parser(values, meta)`` returns, ``meta`` holding ``columns``,
    ``name``, ``tags`` and ``statement_id``:

    >>> for point in iterpoints(raw, lambda values, meta: dict(zip(meta["columns"], values))):
    ...     ...
    """
    for position, statement in enumerate(result.get("results", ())):
        statement_id = statement.get("statement_id", position)
        for series in statement.get("series", ()):
            values = series.get("values") or ()
            if parser is None:
                yield from values
                continue
            meta: PointMeta = {
                "columns": series.get("columns", []),
                "name": series.get("name"),
                "statement_id": statement_id,
            }
            if "tags" in series:
                meta["tags"] = series["tags"]
            for point in values:
                yield parser(point, meta)
