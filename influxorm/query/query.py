"""Immutable, chainable queries over a model: ``Trade.objects.where(...).order_by("-time")``.

A query is a frozen attrs value whose state lives in tuples; every chain method returns a
new query (``attrs.evolve``) and leaves the one it came from unchanged, so queries can be
shared, stored and derived freely. Nothing is sent until a terminal operation
(``fetch``, ``first``, ``count``, ``exists``, ``iterate``, ``to_dataframe``, ``delete``).

Terminal operations run on the session given with :meth:`using`, else the current one
(the innermost ``with Session(...)`` / ``async with AsyncSession(...)``). On an
``AsyncSession`` they return an awaitable, on a blocking ``Session`` the result itself,
so their declared return type is ``Any``; for precise types call the session's typed
equivalents (``session.fetch(query) -> list[M]``), which is what a terminal operation
hands the query to.

A model's ``extra_tags`` add no implicit filter: ``Cpu.objects`` reads every point of
the measurement, whoever wrote it. Their keys can be named in ``where``/``exclude``/``Q``
and ``group_by`` like ``str`` tags (``Cpu.objects.where(region="eu-west")``), though they
are not attributes (``only()``, functions and hydration do not know them).
"""

from __future__ import annotations

import enum
import zoneinfo
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, Self, TypeAlias, TypeVar

import attrs

from influxorm._context import SessionProtocol, get_current_session
from influxorm.exceptions import QueryBuildError, ValidationError
from influxorm.influxql import duration_to_ns
from influxorm.lineprotocol import check_measurement
from influxorm.models.schema import Column, ColumnKind, Schema, schema_of
from influxorm.query.expressions import Node, Q, resolve
from influxorm.query.functions import Function

if TYPE_CHECKING:
    from influxorm.models.measurement import Measurement

__all__ = [
    "UNSET",
    "AggregateQuery",
    "Every",
    "FillValue",
    "Into",
    "IntoQuery",
    "Query",
    "every",
]

M = TypeVar("M", bound="Measurement")


class _Unset(enum.Enum):
    UNSET = "UNSET"


#: "No fill() clause": the server's default (null) without writing it.
UNSET: Final = _Unset.UNSET

FillValue: TypeAlias = Literal["null", "previous", "linear", "none"] | int | float | None
_FILL_WORDS: Final = frozenset({"null", "previous", "linear", "none"})


@attrs.frozen
class Every:
    """``GROUP BY time(interval[, offset])``: build it with :func:`every`."""

    interval_ns: int
    offset_ns: int = 0


def every(interval: timedelta | str, offset: timedelta | str | None = None) -> Every:
    """Time buckets for :meth:`Query.group_by`: ``every("1h")``, ``every("1d", offset="6h")``.

    A negative ``timedelta`` offset shifts the buckets back (``time(1h, -15m)``).
    """
    interval_ns = duration_to_ns(interval)
    if interval_ns == 0:
        raise QueryBuildError("every(): the interval cannot be zero")
    if offset is None:
        offset_ns = 0
    elif isinstance(offset, timedelta) and offset < timedelta(0):
        offset_ns = -duration_to_ns(-offset)
    else:
        offset_ns = duration_to_ns(offset)
    return Every(interval_ns, offset_ns)


def _into_measurement(name: str) -> str:
    """An INTO target is written by the server as line protocol: the same names are
    refused as for a write (a trailing backslash would turn ``x\\`` into ``x,tk=a``)."""
    try:
        return check_measurement(name)
    except ValidationError as exc:
        raise QueryBuildError(f"into(): {exc}") from None


@attrs.frozen
class Into:
    """The target of ``SELECT ... INTO``."""

    measurement: str
    database: str | None = None
    retention_policy: str | None = None


def _fill(value: object) -> FillValue | _Unset:
    if value is UNSET or value is None or value in _FILL_WORDS:
        return value  # type: ignore[return-value]
    if type(value) in (int, float):
        return value  # type: ignore[return-value]
    raise QueryBuildError(
        f"fill must be None, 'null', 'previous', 'linear', 'none' or a number, not {value!r}"
    )


def _count(what: str, value: int) -> int:
    if type(value) is not int or value < 0:
        raise QueryBuildError(f"{what} takes an int >= 0, not {value!r}")
    return value


class _Compiled:
    """``influxql``, ``params`` and ``inline_influxql``: what the compiler makes of a
    query, for reading."""

    __slots__ = ()

    @property
    def influxql(self) -> str:
        """The compiled InfluxQL text (values appear as ``$p0``... see :attr:`params`)."""
        return self._compiled()[0]

    @property
    def params(self) -> dict[str, Any]:
        """The bind parameters of :attr:`influxql`."""
        return self._compiled()[1]

    @property
    def inline_influxql(self) -> str:
        """The complete statement, every value written inline as a quoted literal.

        The same statement as :attr:`influxql` with :attr:`params` bound, for logs,
        continuous queries and tools that take no bind parameters. Raises
        QueryBuildError for a value no InfluxQL literal can carry (a carriage return or
        a NUL in a string): bind it instead.
        """
        return self._compiled(inline=True)[0]

    def _compiled(self, *, inline: bool = False) -> tuple[str, dict[str, Any]]:
        from influxorm.query.compiler import compile_query  # the compiler imports this module

        return compile_query(self, inline=inline)  # type: ignore[arg-type]


@attrs.frozen
class _QueryBase(_Compiled, Generic[M]):
    """State and chain methods shared by row queries and aggregate queries."""

    _model: type[M]
    _where: tuple[Node, ...] = ()
    _group_tags: tuple[str, ...] = ()
    _every: Every | None = None
    _fill: FillValue | _Unset = UNSET
    _descending: bool = False
    _limit: int | None = None
    _offset: int | None = None
    _slimit: int | None = None
    _soffset: int | None = None
    _tz: str | None = None
    _session: SessionProtocol | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def model(self) -> type[M]:
        """The model this query reads."""
        return self._model

    @property
    def schema(self) -> Schema:
        """The model's schema."""
        return schema_of(self._model)

    @property
    def conditions(self) -> tuple[Node, ...]:
        """The resolved filters, ANDed together."""
        return self._where

    @property
    def group_tags(self) -> tuple[str, ...]:
        """The InfluxDB keys of the GROUP BY tags (``"*"`` for all tags)."""
        return self._group_tags

    @property
    def interval(self) -> Every | None:
        """The GROUP BY time buckets, if any."""
        return self._every

    @property
    def fill_value(self) -> FillValue | _Unset:
        """The ``fill()`` option, or :data:`UNSET` when no fill clause is written."""
        return self._fill

    @property
    def descending(self) -> bool:
        """Whether rows come newest first (``ORDER BY time DESC``)."""
        return self._descending

    @property
    def limits(self) -> tuple[int | None, int | None, int | None, int | None]:
        """``(limit, offset, slimit, soffset)``."""
        return (self._limit, self._offset, self._slimit, self._soffset)

    @property
    def timezone(self) -> str | None:
        """The ``tz()`` time zone, if any."""
        return self._tz

    @property
    def session(self) -> SessionProtocol | None:
        """The session named with :meth:`using`, if any."""
        return self._session

    def _name(self) -> str:
        return self._model.__qualname__

    def where(self, *filters: Q, **lookups: object) -> Self:
        """Keep rows matching all ``filters`` and ``lookups`` (ANDed with earlier ones).

        Lookups name attributes, InfluxDB keys or the keys of the model's ``extra_tags``
        (compared as text, like a ``str`` tag): ``Cpu.objects.where(region="eu-west")``
        reads only the points of the measurement that carry that tag value.
        """
        node = resolve(self.schema, Q(*filters, **lookups))
        return attrs.evolve(self, where=(*self._where, node))

    def exclude(self, *filters: Q, **lookups: object) -> Self:
        """Drop rows matching all of ``filters`` and ``lookups``."""
        if not filters and not lookups:
            raise QueryBuildError(f"{self._name()}: exclude() needs at least one condition")
        node = resolve(self.schema, Q(*filters, **lookups), negate=True)
        return attrs.evolve(self, where=(*self._where, node))

    def order_by(self, order: Literal["time", "-time"]) -> Self:
        """``"time"`` oldest first (the default) or ``"-time"`` newest first."""
        if order not in ("time", "-time"):
            raise QueryBuildError(
                f"{self._name()}: InfluxQL orders by time only: use 'time' or '-time', "
                f"not {order!r}"
            )
        return attrs.evolve(self, descending=order == "-time")

    def limit(self, n: int | None) -> Self:
        """At most ``n`` rows per series (``LIMIT``); None removes the limit."""
        return attrs.evolve(self, limit=None if n is None else _count("limit()", n))

    def offset(self, n: int | None) -> Self:
        """Skip ``n`` rows per series (``OFFSET``)."""
        return attrs.evolve(self, offset=None if n is None else _count("offset()", n))

    def slimit(self, n: int | None) -> Self:
        """At most ``n`` series (``SLIMIT``)."""
        return attrs.evolve(self, slimit=None if n is None else _count("slimit()", n))

    def soffset(self, n: int | None) -> Self:
        """Skip ``n`` series (``SOFFSET``)."""
        return attrs.evolve(self, soffset=None if n is None else _count("soffset()", n))

    def tz(self, zone: str | None) -> Self:
        """Return times of GROUP BY buckets in time zone ``zone`` (``tz('Europe/Paris')``)."""
        if zone is not None:
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError, TypeError):
                # OSError: a name too long for a file name; TypeError: not a str.
                raise QueryBuildError(f"{self._name()}: unknown time zone {zone!r:.100}") from None
        return attrs.evolve(self, tz=zone)

    def using(self, session: SessionProtocol | None) -> Self:
        """Run on ``session`` instead of the current one."""
        return attrs.evolve(self, session=session)

    def group_by(self, *by: str | Every, fill: FillValue | _Unset = UNSET) -> Self:
        """``GROUP BY`` tags and/or time buckets (:func:`every`).

        Tags are named by attribute, InfluxDB key or ``extra_tags`` key; ``"*"`` groups
        by every tag.

        ``fill`` sets what empty time buckets hold: ``None`` (null), ``"previous"``,
        ``"linear"``, ``"none"`` (drop them) or a number. Replaces an earlier group_by.
        """
        tags: list[str] = []
        interval: Every | None = None
        for item in by:
            if isinstance(item, Every):
                if interval is not None:
                    raise QueryBuildError(f"{self._name()}: group_by() takes one every()")
                interval = item
            elif item == "*":
                tags.append("*")
            elif isinstance(item, str):
                column = self.schema.filter_column(item)
                if column.kind is not ColumnKind.TAG:
                    raise QueryBuildError(
                        f"{self._name()}.{column.attr} is a {column.kind.value}: group_by() "
                        "takes tags and every(...)"
                    )
                tags.append(column.key)
            else:
                raise QueryBuildError(
                    f"{self._name()}: group_by() takes tag names and every(...), not {item!r}"
                )
        fill_value = _fill(fill)
        if fill_value is not UNSET and interval is None:
            raise QueryBuildError(f"{self._name()}: fill only applies to group_by(every(...))")
        return attrs.evolve(
            self, group_tags=tuple(dict.fromkeys(tags)), every=interval, fill=fill_value
        )

    def into(
        self,
        target: type[Measurement] | str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
    ) -> IntoQuery[M]:
        """``SELECT ... INTO`` a measurement (a model class or a name); run with ``execute()``."""
        if isinstance(target, str):
            into = Into(_into_measurement(target), database, retention_policy)
        else:
            schema = schema_of(target)
            into = Into(
                schema.measurement,
                database if database is not None else schema.database,
                retention_policy if retention_policy is not None else schema.retention_policy,
            )
        return IntoQuery(self, into)

    def _resolve_session(self) -> SessionProtocol:
        return self._session if self._session is not None else get_current_session()


@attrs.frozen
class Query(_QueryBase[M]):
    """Rows of a model, as instances: ``Trade.objects.where(side=Side.BUY).fetch()``."""

    _only: tuple[Column, ...] = ()

    @property
    def selected(self) -> tuple[Column, ...]:
        """The columns named with :meth:`only` (empty: all columns)."""
        return self._only

    def only(self, *names: str) -> Self:
        """Read only these columns; the other attributes of the instances are None/default."""
        columns = tuple(dict.fromkeys(self.schema.column(n) for n in names))
        if columns and not any(c.kind is ColumnKind.FIELD for c in columns):
            raise QueryBuildError(
                f"{self._name()}: only() needs at least one field (InfluxQL returns nothing "
                "for a select of tags alone)"
            )
        return attrs.evolve(self, only=tuple(c for c in columns if c.kind is not ColumnKind.TIME))

    def aggregate(self, **functions: Function) -> AggregateQuery[M]:
        """Compute functions instead of reading rows: ``aggregate(avg=Mean("price"))``.

        The keyword names the result column. Rows come back as dicts keyed by those names,
        the GROUP BY tags and ``time``.
        """
        if self._only:
            raise QueryBuildError(f"{self._name()}: use either only() or aggregate(), not both")
        base = AggregateQuery(
            self._model,
            where=self._where,
            group_tags=self._group_tags,
            every=self._every,
            fill=self._fill,
            descending=self._descending,
            limit=self._limit,
            offset=self._offset,
            slimit=self._slimit,
            soffset=self._soffset,
            tz=self._tz,
            session=self._session,
        )
        return base.aggregate(**functions)

    # Terminal operations: see the module docstring for their typing.

    def fetch(self) -> Any:
        """The matching rows as model instances (``list[M]``)."""
        return self._resolve_session().fetch(self)

    def first(self) -> Any:
        """The first matching row (newest with ``order_by("-time")``), or None."""
        return self._resolve_session().first(self)

    def count(self) -> Any:
        """The number of matching points (``int``), LIMIT/OFFSET taken into account."""
        return self._resolve_session().count(self)

    def exists(self) -> Any:
        """Whether any point matches (``bool``)."""
        return self._resolve_session().exists(self)

    def iterate(self, chunk_size: int = 10_000) -> Any:
        """Stream the matching rows as instances, reading ``chunk_size`` points at a time.

        ``async for`` on an ``AsyncSession``, ``for`` on a blocking ``Session``.
        """
        return self._resolve_session().iterate(self, chunk_size=chunk_size)

    def to_dataframe(self) -> Any:
        """The matching rows as a ``pandas.DataFrame`` with a UTC ``DatetimeIndex``."""
        return self._resolve_session().to_dataframe(self)

    def delete(self) -> Any:
        """``DELETE`` the matching points (conditions on tags and time only)."""
        return self._resolve_session().delete(self)


@attrs.frozen
class AggregateQuery(_QueryBase[M]):
    """Functions over a model's rows: ``aggregate(avg=Mean("price")).group_by(...)``."""

    _aggregates: tuple[tuple[str, Function], ...] = ()

    @property
    def aggregates(self) -> tuple[tuple[str, Function], ...]:
        """``(name, function)`` pairs in order."""
        return self._aggregates

    def aggregate(self, **functions: Function) -> Self:
        """Add more functions (see :meth:`Query.aggregate`)."""
        if not functions:
            raise QueryBuildError(f"{self._name()}: aggregate() needs at least one function")
        names = {name for name, _ in self._aggregates}
        for name, function in functions.items():
            if not isinstance(function, Function):
                raise QueryBuildError(
                    f"{self._name()}: aggregate({name}=...) takes a function such as "
                    f"Mean('price'), not {function!r}"
                )
            if name in names or name == "time":
                raise QueryBuildError(f"{self._name()}: aggregate name {name!r} is taken")
            names.add(name)
            function.validate(self.schema)
        return attrs.evolve(self, aggregates=(*self._aggregates, *functions.items()))

    def fetch(self) -> Any:
        """The result rows (``list[dict[str, Any]]``): names, GROUP BY tags and ``time``."""
        return self._resolve_session().fetch_rows(self)

    def first(self) -> Any:
        """The first result row (``dict[str, Any] | None``)."""
        return self._resolve_session().first_row(self)

    def iterate(self, chunk_size: int = 10_000) -> Any:
        """Stream the result rows as dicts, ``chunk_size`` points at a time."""
        return self._resolve_session().iterate_rows(self, chunk_size=chunk_size)

    def to_dataframe(self) -> Any:
        """The result as a ``pandas.DataFrame`` (UTC ``DatetimeIndex``, tags as columns)."""
        return self._resolve_session().to_dataframe(self)


@attrs.frozen
class IntoQuery(_Compiled, Generic[M]):
    """``SELECT ... INTO``: a query whose result is written to another measurement."""

    source: _QueryBase[M]
    target: Into

    def execute(self) -> Any:
        """Run it; the result is the number of points written (``int``)."""
        return self.source._resolve_session().select_into(self)
