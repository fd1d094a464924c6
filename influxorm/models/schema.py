"""The schema of a measurement model: its name, options and typed columns.

A :class:`Schema` is computed once when a ``Measurement`` subclass is created and is
what every other layer (serializer, hydration, query compiler, results) reads; see
``docs/internals.md`` for the contract.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from influxorm.exceptions import ModelDefinitionError, QueryBuildError

__all__ = ["COLUMN_METADATA_KEY", "Column", "ColumnKind", "ColumnSpec", "Schema", "schema_of"]

#: The key under which :func:`~influxorm.models.columns.tag` and friends store a
#: :class:`ColumnSpec` in the attrs field metadata.
COLUMN_METADATA_KEY = "influxorm.column"


class ColumnKind(enum.Enum):
    """What a column is in InfluxDB."""

    TAG = "tag"
    FIELD = "field"
    TIME = "time"


@attrs.frozen
class ColumnSpec:
    """What a column declaration (``tag()``, ``field()``, ``time()``) says."""

    kind: ColumnKind
    key: str | None = None


@attrs.frozen
class Column:
    """One column of a model: a Python attribute and the InfluxDB tag/field/time it maps to.

    ``python_type`` is the declared type with ``None`` removed; ``value_type`` the type
    stored in InfluxDB (an Enum's member value type; ``int`` for the time column).
    """

    attr: str
    key: str
    kind: ColumnKind
    python_type: type
    value_type: type
    optional: bool

    @property
    def is_enum(self) -> bool:
        """Whether values are members of an ``Enum`` subclass."""
        return issubclass(self.python_type, enum.Enum)


def _index(columns: tuple[Column, ...]) -> Mapping[str, Column]:
    by_name: dict[str, Column] = {}
    for column in columns:
        by_name.setdefault(column.key, column)
    for column in columns:
        by_name[column.attr] = column
    return by_name


@attrs.frozen
class Schema:
    """A model's measurement name, options and columns (time, tags, fields)."""

    model: type
    measurement: str
    database: str | None
    retention_policy: str | None
    extra_tags: tuple[tuple[str, str], ...]
    time: Column
    tags: tuple[Column, ...]
    fields: tuple[Column, ...]
    _by_name: Mapping[str, Column] = attrs.field(init=False, repr=False, eq=False)
    _extra_columns: Mapping[str, Column] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_name = _index(self.columns)
        # build_schema refuses an extra tag that names a column or an attribute.
        extra = {
            key: Column(key, key, ColumnKind.TAG, str, str, optional=False)
            for key, _ in self.extra_tags
        }
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_extra_columns", extra)

    @property
    def columns(self) -> tuple[Column, ...]:
        """Every column in declaration order of kind: time, tags, fields."""
        return (self.time, *self.tags, *self.fields)

    def column(self, attr_or_key: str) -> Column:
        """Return the column with this attribute name or InfluxDB key.

        Attribute names win over keys. Raises :class:`QueryBuildError` naming the model.
        """
        try:
            return self._by_name[attr_or_key]
        except KeyError:
            raise self._unknown(attr_or_key) from None

    def get(self, attr_or_key: str) -> Column | None:
        """Return the column with this attribute name or key, or ``None``."""
        return self._by_name.get(attr_or_key)

    def filter_column(self, name: str) -> Column:
        """Return what ``name`` designates in a filter or a GROUP BY.

        A column (as :meth:`column`), else the key of one of the model's ``extra_tags``:
        every point the model writes carries that tag, so it can be filtered and grouped
        on. It comes back as a required ``str`` tag column whose ``attr`` is its key, but
        it is not an attribute: instances do not have it and :meth:`column` does not
        know it. Raises :class:`QueryBuildError` naming the model.
        """
        column = self._by_name.get(name)
        if column is None:
            column = self._extra_columns.get(name)
        if column is None:
            raise self._unknown(name)
        return column

    def _unknown(self, name: str) -> QueryBuildError:
        model = self.model.__qualname__
        known = ", ".join(c.attr for c in self.columns)
        if name in self._extra_columns:
            return QueryBuildError(
                f"{model} has no column {name!r}: it is one of its extra_tags, which "
                "where(), exclude() and group_by() take but which are not attributes "
                f"(columns: {known})"
            )
        extras = ", ".join(self._extra_columns)
        also = f"; extra_tags: {extras}" if extras else ""
        return QueryBuildError(f"{model} has no column {name!r} (columns: {known}{also})")


def schema_of(model: type[Any] | object) -> Schema:
    """Return the :class:`Schema` of a ``Measurement`` subclass (or of an instance)."""
    cls = model if isinstance(model, type) else type(model)
    schema = cls.__dict__.get("__influxorm_schema__")
    if not isinstance(schema, Schema):
        raise ModelDefinitionError(f"{cls.__qualname__} is not a concrete Measurement subclass")
    return schema
