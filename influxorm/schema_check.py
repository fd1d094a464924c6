"""Compare a model with what the server knows of its measurement (SHOW TAG/FIELD KEYS).

InfluxDB fixes a field's type at its first write (per shard) and refuses later points of
another type; a key written once as a tag and once as a field gives two columns. Both
are easier to catch before writing::

    conflicts = await check_schema_async(session, Trade)
    for conflict in conflicts:
        print(conflict)        # human-readable, names the model, attribute and key

:func:`check_schema` is the pure comparison, :func:`fetch_measurement_info` the I/O.
A measurement the server does not have yet, and keys only one side has, are no conflict.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from influxorm.models.schema import Column, schema_of
from influxorm.query import statements
from influxorm.query.statements import measurement_ref

if TYPE_CHECKING:
    from influxorm.session import AsyncSession

__all__ = [
    "INFLUX_TYPES",
    "ConflictKind",
    "MeasurementInfo",
    "SchemaConflict",
    "check_schema",
    "check_schema_async",
    "fetch_measurement_info",
    "influx_type_of",
    "measurement_ref",
]

#: InfluxDB field type names (as SHOW FIELD KEYS spells them) per Python value type.
INFLUX_TYPES: Final[Mapping[type, str]] = {
    float: "float",
    int: "integer",
    str: "string",
    bool: "boolean",
}


def influx_type_of(column: Column) -> str:
    """The InfluxDB field type (``float``, ``integer``, ``string``, ``boolean``) of a field."""
    return INFLUX_TYPES[column.value_type]


@attrs.frozen
class MeasurementInfo:
    """What the server reports about one measurement.

    ``field_types`` maps each field key to every type it has; more than one when shards
    disagree (the type is fixed per shard).
    """

    name: str
    tag_keys: frozenset[str] = frozenset()
    field_types: Mapping[str, frozenset[str]] = attrs.field(factory=dict)

    @property
    def exists(self) -> bool:
        """Whether the server knows any tag or field of the measurement."""
        return bool(self.tag_keys or self.field_types)

    @classmethod
    def from_rows(
        cls, name: str, tag_keys: Iterable[str], field_rows: Iterable[tuple[str, str]]
    ) -> MeasurementInfo:
        """Build from SHOW TAG KEYS values and SHOW FIELD KEYS ``(fieldKey, fieldType)`` rows."""
        types: dict[str, set[str]] = {}
        for key, kind in field_rows:
            types.setdefault(key, set()).add(kind)
        return cls(
            name,
            frozenset(tag_keys),
            {key: frozenset(kinds) for key, kinds in types.items()},
        )


class ConflictKind(enum.Enum):
    """How a model and the server disagree."""

    FIELD_TYPE = "field type"
    TAG_IS_FIELD = "tag is a field on the server"
    FIELD_IS_TAG = "field is a tag on the server"


@attrs.frozen
class SchemaConflict:
    """One disagreement between a model and the server; ``str()`` explains it."""

    kind: ConflictKind
    model: str
    measurement: str
    key: str
    attr: str | None
    message: str

    def __str__(self) -> str:
        return self.message


def _where(model: str, attr: str | None, key: str) -> str:
    if attr is None:
        return f"{model} extra tag {key!r}"
    if attr == key:
        return f"{model}.{attr}"
    return f"{model}.{attr} (key {key!r})"


def check_schema(model: type[Any], info: MeasurementInfo) -> list[SchemaConflict]:
    """Compare ``model`` with ``info`` (its measurement as the server reports it).

    Reports fields whose declared type the server does not have for that key, tags
    (declared or ``extra_tags``) that the server has only as fields, and fields that the
    server has only as tags. Returns the conflicts in declaration order; empty when the
    model can be written and read back as declared.
    """
    schema = schema_of(model)
    name = schema.model.__qualname__
    found: list[SchemaConflict] = []

    def conflict(kind: ConflictKind, key: str, attr: str | None, message: str) -> None:
        found.append(SchemaConflict(kind, name, info.name, key, attr, message))

    tags: list[tuple[str, str | None]] = [(c.key, c.attr) for c in schema.tags]
    tags.extend((key, None) for key, _ in schema.extra_tags)
    for key, attr in tags:
        if key in info.field_types and key not in info.tag_keys:
            types = ", ".join(sorted(info.field_types[key]))
            conflict(
                ConflictKind.TAG_IS_FIELD,
                key,
                attr,
                f"{_where(name, attr, key)} is a tag, but measurement {info.name!r} has "
                f"{key!r} as a field ({types}) on the server",
            )
    for column in schema.fields:
        key = column.key
        declared = influx_type_of(column)
        server_types = info.field_types.get(key)
        if server_types is None:
            if key in info.tag_keys:
                conflict(
                    ConflictKind.FIELD_IS_TAG,
                    key,
                    column.attr,
                    f"{_where(name, column.attr, key)} is a field, but measurement "
                    f"{info.name!r} has {key!r} as a tag on the server",
                )
            continue
        if declared not in server_types:
            types = " and ".join(sorted(server_types))
            conflict(
                ConflictKind.FIELD_TYPE,
                key,
                column.attr,
                f"{_where(name, column.attr, key)} is declared {declared}, but field "
                f"{key!r} of measurement {info.name!r} is {types} on the server: "
                f"points written from this model would be refused",
            )
    return found


def _values(response: Mapping[str, Any]) -> list[list[Any]]:
    return [
        row
        for result in response.get("results", ())
        for series in result.get("series", ())
        for row in series.get("values") or ()
    ]


async def fetch_measurement_info(
    session: AsyncSession,
    measurement: str,
    *,
    db: str | None = None,
    retention_policy: str | None = None,
) -> MeasurementInfo:
    """Ask the server (SHOW TAG KEYS, SHOW FIELD KEYS) what it has for ``measurement``.

    ``db`` defaults to the session's database.
    """
    tags = await session.query(
        statements.show_tag_keys(measurement, retention_policy), db=db, output="json"
    )
    fields = await session.query(
        statements.show_field_keys(measurement, retention_policy), db=db, output="json"
    )
    return MeasurementInfo.from_rows(
        measurement,
        (row[0] for row in _values(tags)),
        ((row[0], row[1]) for row in _values(fields)),
    )


async def check_schema_async(session: AsyncSession, model: type[Any]) -> list[SchemaConflict]:
    """:func:`check_schema` against the server ``session`` talks to.

    Uses the model's ``database`` and ``retention_policy`` options, else the session's
    database and the default retention policy.
    """
    schema = schema_of(model)
    info = await fetch_measurement_info(
        session,
        schema.measurement,
        db=schema.database,
        retention_policy=schema.retention_policy,
    )
    return check_schema(model, info)
