"""``Measurement``: the base class of every model.

A subclass is turned into a slotted attrs class with a keyword-only ``__init__`` when it
is created; its declaration is validated into a :class:`~influxorm.models.schema.Schema`
and its line-protocol encoder is generated. Class keywords give the model's options::

    class Trade(Measurement, name="trades", database="market", extra_tags={"src": "x"}):
        time: datetime = time()
        instrument: str = tag()
        price: float = field()

A subclass of a model is a model of its own: it inherits the columns, ``database``,
``retention_policy`` and ``extra_tags`` (its own ``extra_tags`` are merged over the
parent's), while its measurement name defaults to its own class name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, dataclass_transform

import attrs

from influxorm.exceptions import ModelDefinitionError, ValidationError
from influxorm.models import columns
from influxorm.models.declaration import build_schema
from influxorm.models.schema import Schema, schema_of
from influxorm.models.serializer import Encoder, encoder_for

if TYPE_CHECKING:
    from influxorm.query import Query

__all__ = ["Measurement", "MeasurementMeta"]

_M = TypeVar("_M", bound="Measurement")

_QueryFactory = Callable[[type["Measurement"]], Any]
# Set by ``influxorm.query`` on import, which ``influxorm/__init__`` does before any model
# class can exist (every import of this module goes through the package first).
_query_factory: _QueryFactory

# Set while attrs rebuilds a class as a slotted class: the rebuild calls the metaclass
# again, and that call must not process the class a second time.
_rebuilding = threading.local()


def _register_query_factory(factory: _QueryFactory) -> None:
    """Register how ``Model.objects`` makes a query (called by ``influxorm.query``)."""
    global _query_factory
    _query_factory = factory


class _Objects:
    """``Model.objects``: a fresh query over the model on every access."""

    def __get__(self, instance: object, owner: type[_M]) -> Query[_M]:
        if instance is not None:
            raise AttributeError(
                "objects is reachable through the model class, not its instances "
                f"(use {owner.__qualname__}.objects)"
            )
        query: Query[_M] = _query_factory(owner)
        return query


@attrs.frozen
class _Options:
    name: str | None
    database: str | None
    retention_policy: str | None
    extra_tags: Mapping[str, str]


@dataclass_transform(
    kw_only_default=True,
    field_specifiers=(columns.tag, columns.field, columns.time, attrs.field),
)
class MeasurementMeta(type):
    """Metaclass of :class:`Measurement`: makes each subclass a slotted attrs class."""

    __influxorm_options__: _Options
    __influxorm_schema__: Schema
    __influxorm_encoder__: Encoder

    def __new__(
        mcls,
        cls_name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        **kwargs: Any,
    ) -> MeasurementMeta:
        cls = super().__new__(mcls, cls_name, bases, namespace, **kwargs)
        if getattr(_rebuilding, "active", False) or not any(
            isinstance(base, MeasurementMeta) for base in bases
        ):
            return cls
        options: _Options = cls.__dict__["__influxorm_options__"]
        _rebuilding.active = True
        try:
            built = attrs.define(cls, slots=True, kw_only=True, auto_attribs=True)
        except (TypeError, ValueError) as exc:
            raise ModelDefinitionError(f"{cls.__qualname__}: {exc}") from exc
        finally:
            _rebuilding.active = False
        schema = build_schema(
            built,
            measurement=cls_name if options.name is None else options.name,
            database=options.database,
            retention_policy=options.retention_policy,
            extra_tags=options.extra_tags,
        )
        built.__influxorm_options__ = options
        built.__influxorm_schema__ = schema
        built.__influxorm_encoder__ = encoder_for(schema)
        return built


class Measurement(metaclass=MeasurementMeta):
    """Base class of measurement models; see the module documentation."""

    __slots__ = ()

    __influxorm_options__: ClassVar[_Options]
    __influxorm_schema__: ClassVar[Schema]
    __influxorm_encoder__: ClassVar[Encoder]

    objects: ClassVar[_Objects] = _Objects()

    def __init_subclass__(
        cls,
        *,
        name: str | None = None,
        database: str | None = None,
        retention_policy: str | None = None,
        extra_tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init_subclass__()
        if getattr(_rebuilding, "active", False):
            return
        parent: _Options | None = getattr(cls, "__influxorm_options__", None)
        if extra_tags is not None and not isinstance(extra_tags, Mapping):
            raise ModelDefinitionError(
                f"{cls.__qualname__}: extra_tags must be a mapping of str to str"
            )
        merged = dict(parent.extra_tags) if parent else {}
        merged.update(extra_tags or {})
        if parent is not None:
            database = parent.database if database is None else database
            retention_policy = (
                parent.retention_policy if retention_policy is None else retention_policy
            )
        cls.__influxorm_options__ = _Options(name, database, retention_policy, merged)

    def __getitem__(self, name: str) -> Any:
        """The value of a column, by attribute name or InfluxDB key."""
        column = schema_of(type(self)).get(name)
        if column is None:
            raise KeyError(name)
        return getattr(self, column.attr)

    def to_dict(self) -> dict[str, Any]:
        """The column values by attribute name: time, then tags, then fields."""
        return {c.attr: getattr(self, c.attr) for c in schema_of(type(self)).columns}

    def to_lineprotocol(self) -> bytes:
        """This point as one line of line protocol (UTF-8, no trailing newline)."""
        line: str = type(self).__influxorm_encoder__.encode(self)
        return line.encode()

    @classmethod
    def to_lineprotocol_many(cls, points: Iterable[Measurement]) -> bytes:
        """Many points of this model as line protocol, one per line (the fast path).

        Every point must be an instance of this class (subclasses are models of their
        own). Raises :class:`~influxorm.ValidationError` on the first bad point.
        """
        lines = cls.__influxorm_encoder__.encode_many(_same_class(cls, points))
        return "\n".join(lines).encode()


def _same_class(cls: type, points: Iterable[object]) -> list[object]:
    items = list(points)
    for item in items:
        if type(item) is not cls:
            raise ValidationError(
                f"{cls.__qualname__}.to_lineprotocol_many() takes {cls.__qualname__} "
                f"instances only, got {type(item).__qualname__}: {item!r}",
                model=cls.__qualname__,
                value=item,
            )
    return items
