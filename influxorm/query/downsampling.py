"""Retention policies and continuous queries declared in code: ``RetentionPolicy`` and
``ContinuousQuery``.

Declarations are plain values, validated when they are made (every error names the
declaration); :mod:`influxorm.query.migrations` compares them with what a server has and
plans the statements, and ``session.migrate`` applies the plan. No I/O.

Names: every name (policy, continuous query, database, measurement) is written as a
double-quoted, escaped identifier, so any name InfluxQL can carry is accepted as it is --
``"bars 1m"`` or ``"select"`` work, and no name can change a statement. Refused, with an
error naming the declaration: empty names, names no identifier can carry (NUL, CR, lone
surrogates), and retention policy names influxd's meta store refuses as "invalid name"
(control and other unprintable characters, ``/``, ``\\``, ``.`` and ``..``).

Durations are checked against what influxd 1.6.7 keeps as given: a retention duration is
``"INF"`` (or 0) or at least 1h, a shard duration at least 1h (influxd silently stores 1h
for less) and shorter than the retention duration.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from influxorm.exceptions import QueryBuildError, ValidationError
from influxorm.influxql import duration_to_ns, format_duration, quote_ident
from influxorm.models.schema import ColumnKind
from influxorm.query.expressions import Condition, Node
from influxorm.query.functions import Function
from influxorm.query.query import AggregateQuery, IntoQuery

__all__ = ["ContinuousQuery", "Duration", "RetentionPolicy", "retention_ns", "same_series"]

Duration = timedelta | str | int

HOUR_NS: Final = 3600 * 10**9


def _name(kind: str, name: object) -> str:
    if not isinstance(name, str) or not name:
        raise ValidationError(f"{kind} needs a non-empty str name, not {name!r}", value=name)
    try:
        quote_ident(name)
    except QueryBuildError as exc:
        raise ValidationError(f"{kind} {name!r}: the name cannot be written: {exc}") from None
    return name


def _server_name(kind: str, name: object) -> str:
    """A retention policy name as influxd's meta store accepts it (``meta.ValidName``):
    printable (Go's ``unicode.IsPrint``: letters, marks, numbers, punctuation, symbols and
    the ASCII space), not ``.`` or ``..``, without ``/`` or ``\\``."""
    text = _name(kind, name)
    bad = next((c for c in text if c != " " and unicodedata.category(c)[0] not in "LMNPS"), None)
    if bad is not None or text in (".", "..") or "/" in text or "\\" in text:
        why = f"the character {bad!r}" if bad is not None else "'/', '\\\\', '.' or '..'"
        raise ValidationError(
            f"{kind} {text!r}: influxd refuses names holding {why} (invalid name)", value=text
        )
    return text


def _duration_ns(where: str, what: str, value: object) -> int:
    try:
        return duration_to_ns(value)  # type: ignore[arg-type]
    except QueryBuildError as exc:
        raise ValidationError(f"{where}: {what}: {exc}", value=value) from None


def _positive(where: str, what: str, value: object) -> int:
    ns = _duration_ns(where, what, value)
    if ns == 0:
        raise ValidationError(f"{where}: {what} cannot be zero", value=value)
    return ns


def retention_ns(where: str, value: object) -> int:
    """A retention duration in ns (0 = INF), refused unless influxd keeps it as given."""
    if isinstance(value, str) and value.upper() == "INF":
        return 0
    ns = _duration_ns(where, "duration", value)
    if 0 < ns < HOUR_NS:
        raise ValidationError(
            f"{where}: a retention duration must be INF or at least 1h, not {value!r}",
            value=value,
        )
    return ns


@attrs.frozen(init=False)
class RetentionPolicy:
    """A retention policy as it should be on the server.

    ``duration``: how long data is kept (``"7d"``, a ``timedelta``, ns, or ``"INF"``);
    ``shard_duration``: the shard group duration (None: the server's default, not
    managed); ``default=True`` makes it the database's default policy (a policy stops
    being the default only when another one becomes it).
    """

    name: str
    duration_ns: int
    shard_duration_ns: int | None
    replication: int
    default: bool

    def __init__(
        self,
        name: str,
        duration: Duration,
        *,
        shard_duration: Duration | None = None,
        replication: int = 1,
        default: bool = False,
    ) -> None:
        name = _server_name("RetentionPolicy", name)
        where = f"RetentionPolicy {name!r}"
        duration_ns = retention_ns(where, duration)
        shard_ns = None
        if shard_duration is not None:
            shard_ns = _duration_ns(where, "shard_duration", shard_duration)
            if shard_ns < HOUR_NS:
                raise ValidationError(
                    f"{where}: shard_duration must be at least 1h (influxd would store 1h), "
                    f"not {shard_duration!r}",
                    value=shard_duration,
                )
            if duration_ns and shard_ns > duration_ns:
                raise ValidationError(
                    f"{where}: shard_duration {shard_duration!r} is longer than the duration "
                    f"{duration!r}",
                    value=shard_duration,
                )
        if type(replication) is not int or replication < 1:
            raise ValidationError(
                f"{where}: replication must be a positive int, not {replication!r}",
                value=replication,
            )
        if type(default) is not bool:
            raise ValidationError(f"{where}: default must be a bool, not {default!r}")
        self.__attrs_init__(name, duration_ns, shard_ns, replication, default)

    @property
    def duration(self) -> str:
        """The duration as InfluxQL text (``"INF"`` for forever)."""
        return format_duration(self.duration_ns) if self.duration_ns else "INF"


@attrs.frozen(init=False)
class ContinuousQuery:
    """A continuous query as it should be on the server.

    ``query`` is a query-builder expression ending in ``.into(Model)`` with aggregates and
    ``group_by(..., orm.every(...))``; it is compiled with inline literals (a CQ cannot
    carry bound parameters). ``resample_every``/``resample_for`` give the CQ's
    ``RESAMPLE`` clause. Refused when declared: a query that is not ``SELECT ... INTO``
    or has no ``GROUP BY time``, a time condition (the server sets the CQ's time range;
    ``session.backfill`` covers the past), a query writing into the series it reads, a
    float no CQ text keeps exactly, bad durations and names.
    """

    name: str
    query: IntoQuery[Any]
    resample_every_ns: int | None
    resample_for_ns: int | None
    select: str

    def __init__(
        self,
        name: str,
        query: IntoQuery[Any],
        *,
        resample_every: Duration | None = None,
        resample_for: Duration | None = None,
    ) -> None:
        name = _name("ContinuousQuery", name)
        where = f"ContinuousQuery {name!r}"
        if not isinstance(query, IntoQuery):
            raise ValidationError(
                f"{where}: the query must end in .into(Model), not {type(query).__name__}"
            )
        source = query.source
        if not isinstance(source, AggregateQuery) or source.interval is None:
            raise ValidationError(
                f"{where}: a continuous query needs aggregates and GROUP BY time: "
                ".aggregate(...).group_by(..., orm.every('1m')).into(Model)"
            )
        if any(_has_time(node) for node in source.conditions):
            raise ValidationError(
                f"{where}: a continuous query cannot filter on time (the server runs it over "
                "the last GROUP BY interval; use session.backfill for the past)"
            )
        if any(limit is not None for limit in source.limits):
            raise ValidationError(f"{where}: a continuous query takes no limit/offset")
        schema = source.schema
        target = query.target
        if same_series(
            (schema.database, schema.retention_policy, schema.measurement),
            (target.database or schema.database, target.retention_policy, target.measurement),
        ):
            raise ValidationError(
                f"{where}: it would read and write the same series "
                f"({schema.measurement!r}); write into another measurement or policy"
            )
        every_ns = resample_for_ns = None
        if resample_every is not None:
            every_ns = _positive(where, "resample_every", resample_every)
        if resample_for is not None:
            resample_for_ns = _positive(where, "resample_for", resample_for)
            if resample_for_ns < source.interval.interval_ns:
                raise ValidationError(
                    f"{where}: resample_for must be at least the GROUP BY interval "
                    f"({format_duration(source.interval.interval_ns)})"
                )
        try:
            select = query.inline_influxql
        except QueryBuildError as exc:
            raise ValidationError(f"{where}: {exc}") from None
        _check_floats(where, source.conditions)
        for _, function in source.aggregates:
            _check_function_floats(where, function)
        self.__attrs_init__(name, query, every_ns, resample_for_ns, select)

    @property
    def interval_ns(self) -> int:
        """The GROUP BY time interval, in ns."""
        interval = self.query.source.interval
        assert interval is not None  # checked when declared
        return interval.interval_ns

    @property
    def offset_ns(self) -> int:
        """The GROUP BY time offset, in ns."""
        interval = self.query.source.interval
        assert interval is not None
        return interval.offset_ns

    @property
    def database(self) -> str | None:
        """The database the query reads (the source model's ``database=``), if it names one."""
        return self.query.source.schema.database


def same_series(
    source: tuple[str | None, str | None, str], target: tuple[str | None, str | None, str]
) -> bool:
    """Whether ``(database, retention policy, measurement)`` name the same measurement."""
    return source == target


def _has_time(node: Node) -> bool:
    if isinstance(node, Condition):
        return node.column.kind is ColumnKind.TIME
    return any(_has_time(child) for child in node.children)


def _check_float(where: str, value: object) -> None:
    if isinstance(value, float) and Decimal(f"{value:.3f}") != Decimal(repr(value)):
        raise ValidationError(
            f"{where}: influxd stores a continuous query's floats with 3 decimals, "
            f"so {value!r} would become {value:.3f}; round it",
            value=value,
        )


def _check_floats(where: str, nodes: tuple[Node, ...]) -> None:
    """influxd 1.6.7 stores a CQ as its own rewriting, which prints the floats of
    conditions and function arguments with three decimals (verified: ``1.23456`` is
    stored as ``1.235``, ``0.0001`` as ``0.000``): refuse what that would change."""
    for node in nodes:
        if isinstance(node, Condition):
            _check_float(where, node.value)
        else:
            _check_floats(where, node.children)


def _check_function_floats(where: str, function: Function) -> None:
    for arg in function.arguments():
        if isinstance(arg, Function):
            _check_function_floats(where, arg)
        else:
            _check_float(where, arg)
