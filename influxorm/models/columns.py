"""Column declarations for ``Measurement`` subclasses: ``tag()``, ``field()``, ``time()``.

Each returns an ``attrs.field`` carrying a :class:`~influxorm.models.schema.ColumnSpec`
in its metadata. The return type is ``Any`` so the declaration can be assigned to an
annotated attribute of any type (``price: float = field()``), as with ``attrs.field``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from influxorm.models.schema import COLUMN_METADATA_KEY, ColumnKind, ColumnSpec

__all__ = ["field", "tag", "time"]


def _column(
    kind: ColumnKind,
    name: str | None,
    default: Any,
    default_factory: Callable[[], Any] | None,
) -> Any:
    if default is not attrs.NOTHING and default_factory is not None:
        raise TypeError("give either default= or default_factory=, not both")
    metadata = {COLUMN_METADATA_KEY: ColumnSpec(kind, name)}
    if default_factory is not None:
        return attrs.field(factory=default_factory, metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


def tag(
    *,
    name: str | None = None,
    default: Any = attrs.NOTHING,
    default_factory: Callable[[], Any] | None = None,
) -> Any:
    """Declare a tag column (``str`` or a ``str``-valued ``Enum``; ``| None`` allowed).

    ``name`` is the tag key in InfluxDB (default: the attribute name). A ``None`` or
    ``""`` value is left out of the line: InfluxDB has no empty tag values.
    """
    return _column(ColumnKind.TAG, name, default, default_factory)


def field(
    *,
    name: str | None = None,
    default: Any = attrs.NOTHING,
    default_factory: Callable[[], Any] | None = None,
) -> Any:
    """Declare a field column (``float``, ``int``, ``bool``, ``str`` or an ``Enum``).

    ``name`` is the field key in InfluxDB (default: the attribute name). A field
    declared ``X | None`` may be ``None``: it is then left out of the line.
    """
    return _column(ColumnKind.FIELD, name, default, default_factory)


def time(
    *,
    default: Any = attrs.NOTHING,
    default_factory: Callable[[], Any] | None = None,
) -> Any:
    """Declare the time column (``datetime``, ``int`` ns, ``str`` ISO-8601 or ``pandas.Timestamp``).

    Declared ``X | None`` (e.g. ``time: datetime | None = time(default=None)``), a point
    whose time is ``None`` is stamped when written (see ``encode_lines``), or by the server.
    """
    return _column(ColumnKind.TIME, None, default, default_factory)
