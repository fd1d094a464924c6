"""Turn a ``Measurement`` subclass declaration into its :class:`Schema`, or refuse it.

Every declaration error is a :class:`ModelDefinitionError` raised while the class is
created, naming the class and the attribute.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from influxorm.exceptions import ModelDefinitionError, ValidationError
from influxorm.lineprotocol import (
    check_field_key,
    check_measurement,
    check_tag_key,
    check_tag_value,
)
from influxorm.models.schema import COLUMN_METADATA_KEY, Column, ColumnKind, ColumnSpec, Schema

__all__ = ["build_schema", "is_pandas_timestamp"]

_FIELD_VALUE_TYPES = (float, int, bool, str)


def is_pandas_timestamp(tp: object) -> bool:
    """Whether ``tp`` is ``pandas.Timestamp`` (recognised without importing pandas)."""
    return (
        isinstance(tp, type)
        and tp.__name__ == "Timestamp"
        and tp.__module__.split(".")[0] == "pandas"
    )


def _unwrap_optional(hint: object) -> tuple[object, bool]:
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        args = typing.get_args(hint)
        others = [a for a in args if a is not type(None)]
        if len(others) == 1 and len(args) == 2:
            return others[0], True
    return hint, False


def _enum_value_type(tp: type[enum.Enum], where: str) -> type:
    kinds = {type(member.value) for member in tp}
    if len(kinds) != 1:
        raise ModelDefinitionError(
            f"{where}: the members of {tp.__qualname__} must all have values of one type "
            f"(found {sorted(k.__name__ for k in kinds) or 'no members'})"
        )
    (kind,) = kinds
    return kind


def _resolve_types(kind: ColumnKind, hint: object, where: str) -> tuple[type, type]:
    if isinstance(hint, type) and issubclass(hint, enum.Enum) and kind is not ColumnKind.TIME:
        value_type = _enum_value_type(hint, where)
        if kind is ColumnKind.TAG and value_type is not str:
            raise ModelDefinitionError(
                f"{where}: a tag Enum must have str values, {hint.__qualname__} has "
                f"{value_type.__name__} values"
            )
        if value_type not in _FIELD_VALUE_TYPES:
            raise ModelDefinitionError(
                f"{where}: the values of {hint.__qualname__} must be float, int, bool or "
                f"str, not {value_type.__name__}"
            )
        return hint, value_type
    if kind is ColumnKind.TAG:
        if hint is str:
            return str, str
        raise ModelDefinitionError(
            f"{where}: a tag must be declared str or a str-valued Enum (optionally "
            f"| None), not {hint!r}"
        )
    if kind is ColumnKind.FIELD:
        if hint in _FIELD_VALUE_TYPES:
            return typing.cast(type, hint), typing.cast(type, hint)
        raise ModelDefinitionError(
            f"{where}: a field must be declared float, int, bool, str or an Enum "
            f"(optionally | None), not {hint!r}"
        )
    if hint in (datetime, int, str) or is_pandas_timestamp(hint):
        return typing.cast(type, hint), int
    raise ModelDefinitionError(
        f"{where}: the time column must be declared datetime, int (nanoseconds), str "
        f"(ISO-8601) or pandas.Timestamp (optionally | None), not {hint!r}"
    )


def _spec_of(attribute: attrs.Attribute[Any]) -> ColumnSpec:
    spec = attribute.metadata.get(COLUMN_METADATA_KEY)
    if isinstance(spec, ColumnSpec):
        return spec
    # An attribute declared without tag()/field()/time() is a field, or the time
    # column if it is called "time".
    return ColumnSpec(ColumnKind.TIME if attribute.name == "time" else ColumnKind.FIELD)


def _type_hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except NameError as exc:
        raise ModelDefinitionError(
            f"{cls.__qualname__}: cannot resolve a type annotation ({exc}); define the "
            "types it names at module level"
        ) from None


def _check_name(check: Any, value: object, where: str, **kw: Any) -> str:
    try:
        return typing.cast(str, check(value, **kw))
    except ValidationError as exc:
        raise ModelDefinitionError(f"{where}: {exc}") from None


def build_schema(
    cls: type,
    *,
    measurement: str,
    database: str | None,
    retention_policy: str | None,
    extra_tags: Mapping[str, str],
) -> Schema:
    """Build and validate the schema of an attrs-processed ``Measurement`` subclass."""
    model = cls.__qualname__
    _check_name(check_measurement, measurement, f"{model} (name=)", model=model)
    hints = _type_hints(cls)
    times: list[Column] = []
    tags: list[Column] = []
    fields: list[Column] = []
    for attribute in attrs.fields(cls):
        where = f"{model}.{attribute.name}"
        spec = _spec_of(attribute)
        hint, optional = _unwrap_optional(hints.get(attribute.name, attribute.type))
        python_type, value_type = _resolve_types(spec.kind, hint, where)
        if spec.kind is ColumnKind.TIME:
            key = "time"
        else:
            check = check_tag_key if spec.kind is ColumnKind.TAG else check_field_key
            key = spec.key if spec.key is not None else attribute.name
            key = _check_name(check, key, where, model=model)
        column = Column(attribute.name, key, spec.kind, python_type, value_type, optional)
        {ColumnKind.TIME: times, ColumnKind.TAG: tags, ColumnKind.FIELD: fields}[spec.kind].append(
            column
        )
    if len(times) != 1:
        found = ", ".join(c.attr for c in times) or "none"
        raise ModelDefinitionError(
            f"{model} needs exactly one time column (declare `time: datetime = time()`); "
            f"found {found}"
        )
    seen: dict[str, str] = {}
    for column in (*tags, *fields):
        if column.key in seen:
            raise ModelDefinitionError(
                f"{model}.{column.attr}: key {column.key!r} is already used by "
                f"{model}.{seen[column.key]}"
            )
        seen[column.key] = column.attr
    attributes = {c.attr: c for c in (*times, *tags, *fields)}
    extras: list[tuple[str, str]] = []
    for key, value in extra_tags.items():
        where = f"{model} (extra_tags[{key!r}])"
        _check_name(check_tag_key, key, where, model=model)
        if not isinstance(value, str) or not value:
            raise ModelDefinitionError(f"{where}: the value must be a non-empty str, not {value!r}")
        _check_name(check_tag_value, value, where, model=model)
        if key in seen:
            raise ModelDefinitionError(
                f"{where}: key {key!r} is already a column ({model}.{seen[key]})"
            )
        taken = attributes.get(key)
        if taken is not None:
            # A filter or group_by naming it would be ambiguous.
            raise ModelDefinitionError(
                f"{where}: {key!r} already names {model}.{taken.attr} (key {taken.key!r})"
            )
        extras.append((key, value))
    return Schema(
        model=cls,
        measurement=measurement,
        database=database,
        retention_policy=retention_policy,
        extra_tags=tuple(sorted(extras)),
        time=times[0],
        tags=tuple(tags),
        fields=tuple(fields),
    )
