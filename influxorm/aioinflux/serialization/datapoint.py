"""aioinflux 0.4's ``datapoint`` factory, built as influxorm ``Measurement`` classes.

A class made by :func:`datapoint` is a real :class:`~influxorm.Measurement` subclass
(so ``session.write(point)`` and ``Model.objects`` work on it) that also derives from
:class:`DataPoint`, which adds aioinflux's face: positional construction in aioinflux's
argument order, ``obj[key]``, iteration over keys, ``items()``, ``to_dict()`` with the
extra tags. Line protocol comes from influxorm's generated encoder.

Differences from aioinflux, each announced by a :class:`CompatWarning` where the data
is concerned:

* ``None`` is never written as the text ``None``: a ``None`` field or tag is left out
  of the line (with ``rm_none=True`` silently, as aioinflux did; otherwise with a
  warning, because aioinflux stored the string ``"None"`` or failed the write).
* ``TAGENUM``/``ENUM`` store an ``Enum`` member's *name*, as aioinflux did; the
  attribute then holds that name (a ``str``), not the member.
* a ``None`` time lets the server stamp the point (aioinflux wrote 1970-01-01 for
  ``TIMESTR``/``TIMEDT``), with a warning.
* a non-``str`` tag value is converted with ``str()`` (as aioinflux did) with a warning;
  a naive ``datetime`` is taken as UTC (as aioinflux did) with a warning.
"""

from __future__ import annotations

import enum
import keyword
import operator
import warnings
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar, overload

from influxorm.models import Measurement, field, tag, time
from influxorm.models.measurement import MeasurementMeta

__all__ = ["CompatWarning", "DataPoint", "InfluxType", "SchemaTypeError", "datapoint"]


class CompatWarning(UserWarning):
    """aioinflux input was normalised, or would have been stored differently by aioinflux."""


class SchemaTypeError(AttributeError, TypeError):
    """A :func:`datapoint` schema value that is not an :class:`InfluxType` member and has
    no ``value`` (e.g. the builtin ``bool``): aioinflux raised ``AttributeError`` there,
    influxorm's declarations raise ``TypeError``; this is both."""


class InfluxType(enum.Enum):
    """The column types of a :func:`datapoint` schema (aioinflux 0.4's values and order)."""

    MEASUREMENT = 0
    TIMEINT = 10
    TIMESTR = 11
    TIMEDT = 12
    TAG = 20
    TAGENUM = 21
    PLACEHOLDER = 25
    BOOL = 30
    INT = 40
    FLOAT = 50
    STR = 60
    ENUM = 61


_TIMES = {InfluxType.TIMEINT: int, InfluxType.TIMESTR: str, InfluxType.TIMEDT: datetime}
_TAGS = (InfluxType.TAG, InfluxType.TAGENUM)
_FIELDS: dict[InfluxType, type] = {
    InfluxType.BOOL: bool,
    InfluxType.INT: int,
    InfluxType.FLOAT: float,
    InfluxType.STR: str,
    InfluxType.ENUM: str,
}


class DataPoint:
    """Base class of every class :func:`datapoint` makes (``isinstance(p, DataPoint)``)."""

    __slots__ = ("_dp_measurement",)

    _dp_schema: ClassVar[dict[str, InfluxType]]
    _dp_extra_tags: ClassVar[dict[str, str]]
    _dp_rm_none: ClassVar[bool]
    _dp_measurement_key: ClassVar[str | None]
    _dp_by_name: ClassVar[dict[str, type[Measurement]]]

    def __getitem__(self, key: str) -> Any:
        """The value of column ``key`` (aioinflux: ``point["price"]``)."""
        if key not in self._dp_schema:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        """The column names, in aioinflux's order (measurement, time, tags, fields)."""
        return iter(self._dp_schema)

    def __len__(self) -> int:
        return len(self._dp_schema)

    def items(self) -> Iterator[tuple[str, Any]]:
        """``(name, value)`` pairs of every column, then of the extra tags."""
        for key in self._dp_schema:
            yield key, getattr(self, key)
        yield from self._dp_extra_tags.items()

    def to_dict(self) -> dict[str, Any]:
        """The columns and extra tags as a plain dict."""
        return dict(self.items())

    def to_lineprotocol(self) -> bytes:
        """This point as one line of line protocol (UTF-8), by influxorm's encoder."""
        line: str = self._dp_model().__influxorm_encoder__.encode(self)
        return line.encode()

    def _dp_writable(self) -> object:
        """What ``InfluxDBClient.write`` hands to the session for this point: the point
        itself, or its line when a MEASUREMENT column names another measurement."""
        model = self._dp_model()
        if model is type(self):
            return self
        line: str = model.__influxorm_encoder__.encode(self)
        return line

    def _dp_model(self) -> Any:
        """The model writing this point (warns about ``None`` values first)."""
        self._dp_check_none()
        key = self._dp_measurement_key
        if key is None:
            return type(self)
        name = getattr(self, key)
        if name is None:
            cls: Any = type(self)
            warnings.warn(
                f"{cls.__name__}.{key} (MEASUREMENT) is None: the point is written to "
                f"measurement {cls.__influxorm_schema__.measurement!r}, the class's "
                "(aioinflux wrote the text 'None')",
                CompatWarning,
                stacklevel=3,
            )
            return cls
        return _model_named(type(self), name)

    def _dp_check_none(self) -> None:
        if self._dp_rm_none:
            return
        empty = [
            k
            for k, kind in self._dp_schema.items()
            if kind not in (InfluxType.PLACEHOLDER, InfluxType.MEASUREMENT)
            and getattr(self, k) is None
        ]
        if empty:
            warnings.warn(
                f"{type(self).__name__}: {', '.join(empty)} is None and is left out of the "
                "line (aioinflux wrote the text 'None' or failed the write unless "
                "rm_none=True)",
                CompatWarning,
                stacklevel=4,
            )

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.items())
        return f"{type(self).__name__}({inner})"


def _model_named(cls: type[DataPoint], name: object) -> type[Measurement]:
    """The model writing ``cls``'s columns to measurement ``name`` (cached per name)."""
    if not isinstance(name, str):
        raise TypeError(f"{cls.__name__}: the measurement must be a str, not {name!r}")
    found = cls._dp_by_name.get(name)
    if found is not None:
        return found
    model: Any = MeasurementMeta(cls.__name__, (cls,), {"__module__": cls.__module__}, name=name)
    cls._dp_by_name[name] = model
    return model  # type: ignore[no-any-return]


def _normalise(cls_name: str, key: str, kind: InfluxType, value: Any) -> Any:
    """A constructor/attribute value as the underlying model column takes it."""
    if kind is InfluxType.PLACEHOLDER:
        if value is not None and value is not True:
            warnings.warn(
                f"{cls_name}.{key}: PLACEHOLDER value {value!r} ignored (always true)",
                CompatWarning,
                stacklevel=4,
            )
        return True
    if value is None:
        return None
    if kind in (InfluxType.TAGENUM, InfluxType.ENUM) and isinstance(value, enum.Enum):
        return value.name
    if kind in _TAGS and not isinstance(value, str):
        warnings.warn(
            f"{cls_name}.{key}: tag value {value!r} converted to {str(value)!r} (a tag is text)",
            CompatWarning,
            stacklevel=4,
        )
        return str(value)
    if kind is InfluxType.STR and not isinstance(value, str):
        return str(value)
    if kind is InfluxType.FLOAT and type(value) is int:
        return float(value)
    naive = isinstance(value, datetime) and value.utcoffset() is None
    if kind is InfluxType.TIMEDT and naive and not hasattr(value, "nanosecond"):
        warnings.warn(
            f"{cls_name}.{key}: naive datetime {value!r} taken as UTC",
            CompatWarning,
            stacklevel=4,
        )
    return value


def _influx_type(cls_name: str, key: str, kind: object) -> InfluxType:
    """``kind``, also from a string annotation (``from __future__ import annotations``)."""
    if isinstance(kind, str):
        member = kind.rpartition(".")[2]
        if kind.rpartition(".")[0].endswith("InfluxType") and member in InfluxType.__members__:
            return InfluxType[member]
    if isinstance(kind, InfluxType):
        return kind
    message = f"{cls_name}.{key}: the type must be an InfluxType member, not {kind!r}"
    if not hasattr(kind, "value"):
        raise SchemaTypeError(message)
    raise TypeError(message)


def _build(
    schema_source: Any,
    default_name: str,
    *,
    rm_none: bool,
    fill_none: bool,
    extra_tags: Mapping[str, str] | None,
) -> type[DataPoint]:
    cls_name: str = getattr(schema_source, "__name__", default_name)
    doc = getattr(schema_source, "__doc__", None) if isinstance(schema_source, type) else None
    source: Mapping[str, Any] = getattr(schema_source, "__annotations__", schema_source)
    raw = {key: _influx_type(cls_name, key, kind) for key, kind in source.items()}
    schema = {k: raw[k] for k in sorted(raw, key=lambda k: raw[k].value)}
    kinds = list(schema.values())
    if kinds.count(InfluxType.MEASUREMENT) > 1:
        raise TypeError(f"{cls_name}: at most one MEASUREMENT column")
    if sum(k in _TIMES for k in kinds) > 1:
        raise TypeError(f"{cls_name}: at most one TIMEINT/TIMESTR/TIMEDT column")
    if not any(k in _FIELDS or k is InfluxType.PLACEHOLDER for k in kinds):
        raise TypeError(
            f"{cls_name}: at least one field (BOOL, INT, FLOAT, STR, ENUM, PLACEHOLDER)"
        )

    attributes = _attribute_names(schema)
    names = {*attributes, *attributes.values(), *(k.lstrip("_") for k in attributes)}
    hidden_time = None if any(k in _TIMES for k in kinds) else _free_name("dp_time", names)
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations, "__qualname__": cls_name}
    measurement_key: str | None = None
    for key, kind in schema.items():
        attr = attributes[key]
        if kind is InfluxType.MEASUREMENT:
            measurement_key = key
            namespace[key] = property(
                lambda self: self._dp_measurement,
                lambda self, value: object.__setattr__(self, "_dp_measurement", value),
                doc="The measurement of this point.",
            )
            continue
        if kind in _TIMES:
            annotations[attr] = _TIMES[kind] | None
            namespace[attr] = time(default=None)
        elif kind in _TAGS:
            annotations[attr] = str | None
            namespace[attr] = tag(name=key, default=None)
        elif kind is InfluxType.PLACEHOLDER:
            annotations[attr] = bool
            namespace[attr] = field(name=key, default=True)
        else:
            annotations[attr] = _FIELDS[kind] | None
            namespace[attr] = field(name=key, default=None)
        if attr != key:
            namespace[key] = property(operator.attrgetter(attr), doc=f"Column {key!r}.")
    if hidden_time is not None:
        annotations[hidden_time] = int | None
        namespace[hidden_time] = time(default=None)

    args = list(schema)
    namespace["__init__"] = _make_init(cls_name, schema, args, hidden_time, fill_none=fill_none)
    namespace["__setattr__"] = _make_setattr(cls_name, schema, attributes)
    namespace["__repr__"] = DataPoint.__repr__
    namespace["__doc__"] = doc or f"aioinflux datapoint {cls_name}({', '.join(args)})."
    namespace["__module__"] = getattr(schema_source, "__module__", __name__)
    namespace["_dp_schema"] = schema
    namespace["_dp_extra_tags"] = dict(extra_tags or {})
    namespace["_dp_rm_none"] = rm_none
    namespace["_dp_measurement_key"] = measurement_key
    namespace["_dp_by_name"] = {}
    cls = MeasurementMeta(
        cls_name, (DataPoint, Measurement), namespace, name=cls_name, extra_tags=extra_tags
    )
    return cls  # type: ignore[return-value]


def _make_init(
    cls_name: str,
    schema: dict[str, InfluxType],
    args: list[str],
    hidden_time: str | None,
    *,
    fill_none: bool,
) -> Callable[..., None]:
    def __init__(self: Any, *values: Any, **named: Any) -> None:
        if len(values) > len(args):
            raise TypeError(f"{cls_name}() takes {len(args)} arguments, {len(values)} given")
        given = dict(zip(args, values, strict=False))
        for key, value in named.items():
            if key not in args:
                raise TypeError(f"{cls_name}() got an unexpected argument {key!r}")
            if key in given:
                raise TypeError(f"{cls_name}() got multiple values for argument {key!r}")
            given[key] = value
        missing = [k for k in args if k not in given and schema[k] is not InfluxType.PLACEHOLDER]
        if missing and not fill_none:
            raise TypeError(f"{cls_name}() missing arguments: {', '.join(missing)}")
        for key in schema:
            setattr(self, key, given.get(key))
        if hidden_time is not None:
            object.__setattr__(self, hidden_time, None)

    __init__.__qualname__ = f"{cls_name}.__init__"
    return __init__


def _make_setattr(
    cls_name: str, schema: dict[str, InfluxType], attributes: dict[str, str]
) -> Callable[..., None]:
    def __setattr__(self: Any, key: str, value: Any) -> None:
        kind = schema.get(key)
        if kind is not None and kind is not InfluxType.MEASUREMENT:
            value = _normalise(cls_name, key, kind, value)
            key = attributes[key]
        object.__setattr__(self, key, value)

    return __setattr__


def _free_name(name: str, taken: set[str]) -> str:
    while name in taken:
        name = "x" + name
    return name


def _attribute_names(schema: Mapping[str, InfluxType]) -> dict[str, str]:
    """The model attribute holding each column: its own name, unless attrs cannot take
    that name as an ``__init__`` argument (leading underscores, keywords)."""
    taken = {key.lstrip("_") for key in schema}
    out: dict[str, str] = {}
    for key in schema:
        if not key.startswith("_") and not keyword.iskeyword(key):
            out[key] = key
            continue
        out[key] = attr = _free_name(f"dpcol_{key.lstrip('_')}", taken)
        taken.add(attr)
    return out


@overload
def datapoint(
    schema: None = None,
    name: str = "DataPoint",
    *,
    rm_none: bool = False,
    fill_none: bool = False,
    extra_tags: Mapping[str, str] | None = None,
) -> Callable[[Any], type[DataPoint]]: ...
@overload
def datapoint(
    schema: Any,
    name: str = "DataPoint",
    *,
    rm_none: bool = False,
    fill_none: bool = False,
    extra_tags: Mapping[str, str] | None = None,
) -> type[DataPoint]: ...
def datapoint(
    schema: Any = None,
    name: str = "DataPoint",
    *,
    rm_none: bool = False,
    fill_none: bool = False,
    extra_tags: Mapping[str, str] | None = None,
) -> type[DataPoint] | Callable[[Any], type[DataPoint]]:
    """Make a :class:`DataPoint` class (an influxorm ``Measurement``) from a schema.

    As a decorator on a class annotated with :class:`InfluxType` members, or called with
    a dict ``{name: InfluxType}`` and the class ``name``. The measurement is the class
    name unless a ``MEASUREMENT`` column gives it per point. Constructor arguments follow
    aioinflux's order (measurement, time, tags, then fields by type), positional or by
    keyword; ``PLACEHOLDER`` columns are not arguments (always ``true``).

    ``rm_none``: leave ``None`` values out without a warning (they are always left out);
    ``fill_none``: missing arguments default to ``None``; ``extra_tags``: tags added to
    every point.
    """

    def build(source: Any) -> type[DataPoint]:
        return _build(source, name, rm_none=rm_none, fill_none=fill_none, extra_tags=extra_tags)

    return build(schema) if schema is not None else build
