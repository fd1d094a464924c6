"""Build model instances from the rows of a query result, with declared types restored.

A result series is ``{"columns": [...], "values": [[...], ...], "tags": {...}}``. For each
model and each distinct (column list, tag keys) a row factory is generated as source by
the pure maker :func:`make_hydrator_source` and compiled once with
:mod:`influxorm._codegen`. The rules:

* The time arrives as integer nanoseconds (queries sent with ``epoch=ns``) or as an
  RFC 3339 string, and becomes the declared time type (``datetime`` keeps
  microseconds, see :func:`~influxorm.timeutil.ns_to_datetime`; ``pandas.Timestamp``
  is UTC).
* A whole float comes back from the server as a JSON integer: float fields get
  ``float``. Enum columns get their member.
* A column the series does not have, or a ``None`` (``null``) value, gives the
  column's declared default if it has one; else ``None`` for a column declared
  ``| None``, and ``""`` for a ``str`` tag (InfluxDB's reading of an absent tag). A
  required field (or Enum tag) that a stored point lacks raises
  :class:`~influxorm.exceptions.ValidationError` naming the model, the attribute and
  the point's time and tags, never an undeclared ``None``; with ``partial=True`` (a
  query's ``only()``) the columns left out of the series on purpose get their default
  or ``None``.
* Columns the model does not declare (other fields, ``_placeholder``) are ignored.
* Instances are made without calling ``__init__`` (no ``__attrs_post_init__``).
"""

from __future__ import annotations

import enum
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial as partial_function
from typing import Any, Final, NoReturn, TypeVar

import attrs

from influxorm._codegen import compile_generated, generated_filename
from influxorm.exceptions import ValidationError
from influxorm.models.declaration import is_pandas_timestamp
from influxorm.models.schema import Column, ColumnKind, Schema, schema_of
from influxorm.timeutil import ns_to_iso, to_ns

__all__ = ["hydrate_series", "hydrator_for", "make_hydrator_source"]

_M = TypeVar("_M")

Hydrator = Callable[[Sequence[Sequence[Any]], Mapping[str, Any]], list[Any]]

#: Row factories kept per model (distinct column lists); the cache is cleared beyond.
HYDRATOR_CACHE_SIZE: Final = 256

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_cache: dict[tuple[type, tuple[str, ...], tuple[str, ...], bool], Hydrator] = {}


def _bad_member(value: object, column: Column, model: str) -> ValidationError:
    return ValidationError(
        f"{model}.{column.attr}: the server returned {value!r}, which is not a value of "
        f"{column.python_type.__qualname__}",
        model=model,
        attribute=column.attr,
        value=value,
    )


def _member(value: object, column: Column, model: str) -> object:
    members: Mapping[object, enum.Enum] = column.python_type._value2member_map_  # type: ignore[attr-defined]
    try:
        return members[value]
    except (KeyError, TypeError):
        try:
            return column.python_type(value)
        except ValueError:
            raise _bad_member(value, column, model) from None


def _time_converter(column: Column) -> Callable[[int], object]:
    tp = column.python_type
    if tp is datetime:
        return lambda ns: _EPOCH + timedelta(microseconds=ns // 1000)
    if tp is str:
        return ns_to_iso
    if is_pandas_timestamp(tp):
        return lambda ns: tp(ns, tz="UTC")
    return int


def _fill_expression(schema: Schema, column: Column, defaults: dict[str, object]) -> str:
    """Source of the value given to a column that is absent or null in a row."""
    default = getattr(attrs.fields(schema.model), column.attr).default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        if default.takes_self:
            return "None"
        defaults[column.attr] = default.factory
        return f"_D[{column.attr!r}]()"
    if default is not attrs.NOTHING:
        defaults[column.attr] = default
        return f"_D[{column.attr!r}]"
    if column.kind is ColumnKind.TAG and not column.optional and not column.is_enum:
        return "''"
    if column.optional or column.kind is ColumnKind.TIME:
        return "None"
    return f"_missing({column.attr!r}, row, tags)"


def _declaration(column: Column) -> str:
    maker = "tag" if column.kind is ColumnKind.TAG else "field"
    return f"{column.attr}: {column.python_type.__name__} | None = orm.{maker}(default=None)"


def _missing_value(
    schema: Schema,
    positions: Mapping[str, int],
    attr: str,
    row: Sequence[Any],
    tags: Mapping[str, Any],
) -> NoReturn:
    """Raise for a stored point that lacks required column ``attr`` (the row factory's
    ``_missing``; the point is named by its time and tags)."""
    model = schema.model.__qualname__
    column = schema.column(attr)
    when: object = row[positions[schema.time.key]] if schema.time.key in positions else None
    if type(when) is int:
        when = ns_to_iso(when)
    point_tags = {key: value for key, value in tags.items() if value not in (None, "")}
    for tag in schema.tags:
        if tag.key in positions and row[positions[tag.key]] not in (None, ""):
            point_tags[tag.key] = row[positions[tag.key]]
    described = ", ".join(f"{key}={value!r}" for key, value in sorted(point_tags.items()))
    raise ValidationError(
        f"{model}.{attr}: the stored point at {when} ({described or 'no tags'}) has no "
        f"{column.kind.value} {column.key!r}, which {model} declares without a default; to "
        f"read such points declare `{_declaration(column)}` (or another default)",
        model=model,
        attribute=attr,
    )


def _convert(column: Column, var: str) -> list[str]:
    """Source lines converting a present (not None) value in ``var`` in place."""
    a = repr(column.attr)
    if column.kind is ColumnKind.TIME:
        lines = [f"if type({var}) is not int:", f"    {var} = _to_ns({var})"]
        if column.python_type is not int:  # int times stay as they are
            lines.append(f"{var} = _T({var})")
        return lines
    if column.is_enum:
        return [
            "try:",
            f"    {var} = _MEMBERS[{a}][{var}]",
            "except (KeyError, TypeError):",
            f"    {var} = _member({var}, _C[{a}], _M)",
        ]
    if column.python_type is float:
        return [f"if type({var}) is int:", f"    {var} = float({var})"]
    if column.python_type is int:
        return [
            f"if type({var}) is float and {var}.is_integer():",
            f"    {var} = int({var})",
        ]
    return []


def make_hydrator_source(
    schema: Schema, columns: Sequence[str], tag_keys: Sequence[str], *, partial: bool = False
) -> tuple[str, dict[str, Any]]:
    """Return the source of ``hydrate(values, tags) -> list`` and the globals it needs.

    ``columns`` is the series' column list; ``tag_keys`` the keys of its ``tags``;
    ``partial``: the columns were chosen (``only()``), so absent ones are not missing.
    """
    positions: dict[str, int] = {}
    for i, name in enumerate(columns):
        positions.setdefault(name, i)
    group_tags = set(tag_keys)
    model = schema.model.__qualname__
    before: list[str] = []  # per series: tags from GROUP BY and constants
    per_row: list[str] = []
    globs: dict[str, Any] = {
        "_cls": schema.model,
        "_new": object.__new__,
        "_M": model,
        "_C": {c.attr: c for c in schema.columns},
        "_MEMBERS": {c.attr: c.python_type._value2member_map_ for c in schema.columns if c.is_enum},  # type: ignore[attr-defined]
        "_member": _member,
        "_to_ns": to_ns,
        "_T": _time_converter(schema.time),
        "_D": {},
        "_missing": partial_function(_missing_value, schema, positions),
    }
    for n, column in enumerate(schema.columns):
        var = f"_c{n}"
        fill = _fill_expression(schema, column, globs["_D"])
        if partial and column.key not in positions and column.key not in group_tags:
            fill = "None" if fill.startswith("_missing(") else fill
        is_empty = f"{var} is None"
        is_tag = column.kind is ColumnKind.TAG
        if is_tag:
            is_empty += f" or {var} == ''"
        converted = _convert(column, var)
        convert = ["else:", *("    " + line for line in converted)] if converted else []
        if column.key in positions and fill == "None" and not converted and not is_tag:
            per_row.append(f"o.{column.attr} = row[{positions[column.key]}]")
        elif (
            column.key in positions
            and fill == "None"
            and column.kind is ColumnKind.FIELD
            and not column.is_enum
            and column.python_type in (float, int)
        ):
            # A None is neither an int nor a float: the conversion leaves it alone.
            per_row += [f"{var} = row[{positions[column.key]}]", *converted]
            per_row.append(f"o.{column.attr} = {var}")
        elif column.key in positions:
            per_row += [
                f"{var} = row[{positions[column.key]}]",
                f"if {is_empty}:",
                f"    {var} = {fill}",
                *convert,
                f"o.{column.attr} = {var}",
            ]
        elif column.kind is ColumnKind.TAG and column.key in group_tags:
            # A GROUP BY tag has one value per series: convert it once.
            before += [
                f"{var} = tags[{column.key!r}]",
                f"if {is_empty}:",
                f"    {var} = None",
                *convert,
            ]
            per_row.append(f"o.{column.attr} = {fill} if {var} is None else {var}")
        else:
            per_row.append(f"o.{column.attr} = {fill}")
    lines = [
        "def hydrate(values, tags):",
        *("    " + line for line in before),
        "    out = []",
        "    append = out.append",
        "    for row in values:",
        "        o = _new(_cls)",
    ]
    # Row lines: reading the value, converting it, then the assignments in order.
    lines += ["        " + line for line in per_row]
    lines += ["        append(o)", "    return out", ""]
    return "\n".join(lines), globs


def hydrator_for(
    model: type, columns: Sequence[str], tag_keys: Sequence[str] = (), *, partial: bool = False
) -> Hydrator:
    """The (cached) compiled row factory of ``model`` for this column list and tag keys
    (``partial``: see :func:`make_hydrator_source`)."""
    key = (model, tuple(columns), tuple(sorted(tag_keys)), partial)
    hydrate = _cache.get(key)
    if hydrate is None:
        schema = schema_of(model)
        source, globs = make_hydrator_source(schema, key[1], key[2], partial=partial)
        filename = generated_filename(
            "hydrator", model, ",".join(key[1]) + (" (only)" if partial else "")
        )
        hydrate = compile_generated(source, globs, "hydrate", filename)
        if len(_cache) >= HYDRATOR_CACHE_SIZE:
            _cache.clear()
        _cache[key] = hydrate
    return hydrate


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while instances are built: they hold no cycles, yet every few
    hundred new ones trigger a collection that walks all the others (pausing it makes
    hydrating 1M rows about 3x faster)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def hydrate_series(
    model: type[_M],
    columns: Sequence[str],
    values: Sequence[Sequence[Any]] | None,
    tags: Mapping[str, Any] | None = None,
    *,
    partial: bool = False,
) -> list[_M]:
    """Instances of ``model`` from one result series (its columns, rows and tags).

    ``partial``: the query chose its columns (``only()``): the model's other columns
    get their default or ``None`` instead of raising as missing.
    """
    if not values:
        return []
    tags = tags or {}
    hydrate = hydrator_for(model, columns, tuple(tags), partial=partial)
    with _gc_paused():
        result: list[_M] = hydrate(values, tags)
    return result
