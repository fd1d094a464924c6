"""Planning a migration: declared retention policies and continuous queries against what a
server has, as a list of :class:`Change` (each with its exact statement). No I/O.

The comparison reads the server the way it prints itself: retention durations as Go
durations (``168h0m0s``), continuous queries as influxd's rewriting of the text sent
(:mod:`influxorm.query.canonical`). A policy differing in duration, replication, a
declared shard duration or a declared ``default=True`` is one ``ALTER RETENTION
POLICY``; a continuous query cannot be altered, so a changed one is dropped and created
again. Undeclared objects are dropped only with ``prune=True``.

Order of the plan: policies created and altered first (queries write into them), then
continuous queries dropped and created, then policies dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal

import attrs

from influxorm.exceptions import ValidationError
from influxorm.query import statements
from influxorm.query.canonical import cq_tokens, go_duration_ns
from influxorm.query.downsampling import ContinuousQuery, RetentionPolicy, same_series

__all__ = ["Change", "cq_statement", "default_shard_ns", "plan_migration"]

Action = Literal["create", "alter", "drop"]
Kind = Literal["retention policy", "continuous query"]

_DAY_NS: Final = 86_400 * 10**9


@attrs.frozen
class Change:
    """One step of a migration: ``action`` (``"create"``, ``"alter"``, ``"drop"``) of the
    ``kind`` of object named ``name``, done by ``statement`` (the exact text sent)."""

    action: Action
    kind: Kind
    name: str
    statement: str


def cq_statement(cq: ContinuousQuery, database: str) -> str:
    """The ``CREATE CONTINUOUS QUERY`` statement of ``cq`` on ``database``."""
    return statements.create_continuous_query(
        cq.name,
        database,
        cq.select,
        resample_every=cq.resample_every_ns,
        resample_for=cq.resample_for_ns,
    )


def default_shard_ns(duration_ns: int) -> int:
    """The shard group duration influxd picks for a retention duration (0 = INF)."""
    if duration_ns == 0 or duration_ns >= 180 * _DAY_NS:
        return 7 * _DAY_NS
    if duration_ns >= 2 * _DAY_NS:
        return _DAY_NS
    return 3600 * 10**9


def _unique(kind: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValidationError(f"{kind} {name!r} is declared twice")
        seen.add(name)


def _rp_changes(
    declared: Sequence[RetentionPolicy],
    server: Mapping[str, Mapping[str, Any]],
    database: str,
) -> list[Change]:
    changes = []
    for rp in declared:
        row = server.get(rp.name)
        if row is None:
            text = statements.create_retention_policy(
                rp.name,
                database,
                duration=rp.duration_ns,
                replication=rp.replication,
                shard_duration=rp.shard_duration_ns,
                default=rp.default,
            )
            changes.append(Change("create", "retention policy", rp.name, text))
            continue
        duration = shard = replication = None
        if go_duration_ns(row["duration"]) != rp.duration_ns:
            duration = rp.duration_ns
        current_shard = go_duration_ns(row["shardGroupDuration"])
        if rp.shard_duration_ns is not None and current_shard != rp.shard_duration_ns:
            shard = rp.shard_duration_ns
        elif duration and current_shard >= duration and rp.shard_duration_ns is None:
            # influxd refuses a duration shorter than the shard duration: take its default.
            shard = default_shard_ns(duration)
        if int(row["replicaN"]) != rp.replication:
            replication = rp.replication
        make_default = rp.default and not row["default"]
        if duration is None and shard is None and replication is None and not make_default:
            continue
        text = statements.alter_retention_policy(
            rp.name,
            database,
            duration=duration,
            replication=replication,
            shard_duration=shard,
            default=make_default,
        )
        changes.append(Change("alter", "retention policy", rp.name, text))
    return changes


def plan_migration(
    *,
    database: str,
    retention_policies: Iterable[RetentionPolicy] = (),
    continuous_queries: Iterable[ContinuousQuery] = (),
    server_policies: Iterable[Mapping[str, Any]] = (),
    server_queries: Mapping[str, str] | None = None,
    prune: bool = False,
) -> list[Change]:
    """The changes that bring ``database`` to the declarations.

    ``server_policies`` are the rows of ``SHOW RETENTION POLICIES`` (dicts with ``name``,
    ``duration``, ``shardGroupDuration``, ``replicaN``, ``default``); ``server_queries``
    maps the name of each continuous query on ``database`` to the text ``SHOW CONTINUOUS
    QUERIES`` prints for it.
    """
    policies = list(retention_policies)
    queries = list(continuous_queries)
    for rp in policies:
        if not isinstance(rp, RetentionPolicy):
            raise ValidationError(f"retention_policies takes RetentionPolicy, not {rp!r}")
    for cq in queries:
        if not isinstance(cq, ContinuousQuery):
            raise ValidationError(f"continuous_queries takes ContinuousQuery, not {cq!r}")
    _unique("RetentionPolicy", (rp.name for rp in policies))
    _unique("ContinuousQuery", (cq.name for cq in queries))
    defaults = [rp.name for rp in policies if rp.default]
    if len(defaults) > 1:
        raise ValidationError(f"only one RetentionPolicy can be the default, not {defaults}")
    server_rps = {str(row["name"]): row for row in server_policies}
    server_cqs = dict(server_queries or {})
    server_default = next((name for name, row in server_rps.items() if row["default"]), None)
    default_rp = defaults[0] if defaults else server_default

    changes = _rp_changes(policies, server_rps, database)
    cq_drops: list[Change] = []
    cq_creates: list[Change] = []
    for cq in queries:
        _check_target(cq, database, default_rp)
        text = cq_statement(cq, database)
        current = server_cqs.get(cq.name)
        if current is not None and _same_cq(current, text, database, default_rp):
            continue
        if current is not None:
            drop = statements.drop_continuous_query(cq.name, database)
            cq_drops.append(Change("drop", "continuous query", cq.name, drop))
        cq_creates.append(Change("create", "continuous query", cq.name, text))
    rp_drops: list[Change] = []
    if prune:
        declared_cqs = {cq.name for cq in queries}
        for name in server_cqs:
            if name not in declared_cqs:
                drop = statements.drop_continuous_query(name, database)
                cq_drops.append(Change("drop", "continuous query", name, drop))
        declared_rps = {rp.name for rp in policies}
        for name in server_rps:
            if name in declared_rps:
                continue
            if name == default_rp:
                raise ValidationError(
                    f"prune would drop {name!r}, the default retention policy of "
                    f"{database!r}: declare it, or declare another with default=True"
                )
            drop = statements.drop_retention_policy(name, database)
            rp_drops.append(Change("drop", "retention policy", name, drop))
    return changes + cq_drops + cq_creates + rp_drops


def _same_cq(current: str, wanted: str, database: str, default_rp: str | None) -> bool:
    try:
        return cq_tokens(current, database, default_rp) == cq_tokens(wanted, database, default_rp)
    except ValueError:
        return False  # text this module cannot read: re-create it from the declaration


def _check_target(cq: ContinuousQuery, database: str, default_rp: str | None) -> None:
    where = f"ContinuousQuery {cq.name!r}"
    schema = cq.query.source.schema
    if schema.database is not None and schema.database != database:
        raise ValidationError(
            f"{where} reads {schema.measurement!r} of database {schema.database!r}: "
            f"migrate it on that database, not {database!r}"
        )
    target = cq.query.target
    if same_series(
        (database, schema.retention_policy or default_rp, schema.measurement),
        (target.database or database, target.retention_policy or default_rp, target.measurement),
    ):
        raise ValidationError(
            f"{where}: it would read and write the same series ({schema.measurement!r} in "
            f"retention policy {default_rp!r}); write into another measurement or policy"
        )
