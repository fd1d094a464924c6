"""The parsing of SHOW results into plain Python lists and dicts. No I/O.

The statements themselves are written by :mod:`influxorm.query.statements`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["keyed_column", "rows_as_dicts", "single_column"]


def _series(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    results = result.get("results") or [{}]
    series: list[Mapping[str, Any]] = results[0].get("series", [])
    return series


def single_column(result: Mapping[str, Any]) -> list[Any]:
    """The first column of every row of every series (``SHOW DATABASES``, ``SHOW SERIES``)."""
    return [row[0] for s in _series(result) for row in s.get("values") or ()]


def keyed_column(result: Mapping[str, Any], column: int = 0) -> dict[str, list[Any]]:
    """Series name -> that column of its rows (``SHOW TAG KEYS``, per measurement)."""
    return {
        s.get("name", ""): [row[column] for row in s.get("values") or ()] for s in _series(result)
    }


def rows_as_dicts(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every row of every series as a dict of column -> value."""
    return [
        dict(zip(s["columns"], row, strict=True))
        for s in _series(result)
        for row in s.get("values") or ()
    ]
