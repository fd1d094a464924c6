"""Session side of retention and downsampling as code: ``migrate``, ``backfill`` and the
continuous-query admin helpers. The sessions' methods are one-line calls into here.

Plans come from :mod:`influxorm.query.migrations` and every statement from
:mod:`influxorm.query.statements`; this module only reads the server, sends the plan and
runs backfill slices.

Servers: continuous queries and retention policies through InfluxQL exist only on
InfluxDB 1.x (OSS and Enterprise). ``migrate`` asks for the session's server profile
(:mod:`influxorm.session.servers`: the ``server=`` option, or one ``/ping``) first and
raises :class:`~influxorm.exceptions.UnsupportedByServerError` for 2.x (bucket retention,
tasks) and 3.x (retention set when a database is created, the processing engine) before
sending anything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from influxorm.exceptions import UnsupportedByServerError, ValidationError
from influxorm.influxql import duration_to_ns, format_duration
from influxorm.progress import Progress
from influxorm.query import statements
from influxorm.query.compiler import compile_query
from influxorm.query.downsampling import ContinuousQuery, Duration, RetentionPolicy
from influxorm.query.migrations import Change, cq_statement, plan_migration
from influxorm.query.query import IntoQuery
from influxorm.session import admin
from influxorm.session.servers import ServerProfile
from influxorm.timeutil import to_ns

if TYPE_CHECKING:
    from influxorm.session.async_session import AsyncSession
    from influxorm.session.config import SessionConfig

__all__ = [
    "Downsampling",
    "backfill",
    "check_server",
    "create_continuous_query",
    "drop_continuous_query",
    "migrate",
    "migrate_refusal",
    "show_continuous_queries",
    "slices",
]


def migrate_refusal(profile: ServerProfile, what: str) -> UnsupportedByServerError | None:
    """The error for ``what`` on a server whose profile lacks administration statements or
    ``SELECT ... INTO`` (2.x, 3.x), naming what it offers instead for both; else None."""
    missing = [f for f in ("admin", "select_into") if not profile.supports(f)]
    if not missing:
        return None
    instead = " ".join(profile.instead.get(feature, "") for feature in missing).strip()
    return UnsupportedByServerError(
        f"{profile.title} (server={profile.name!r}) does not support {what} "
        f"(retention policies and continuous queries through InfluxQL): {instead}",
        server=profile.name,
        feature=what,
        instead=instead,
    )


async def check_server(session: AsyncSession, what: str) -> None:
    """Raise UnsupportedByServerError when the session's server profile (given as
    ``server=`` or found from ``/ping``) cannot do ``what``."""
    error = migrate_refusal(await session.server_profile(), what)
    if error is not None:
        raise error


async def show_continuous_queries(
    session: AsyncSession, database: str | None
) -> list[dict[str, str]]:
    """Every continuous query (``database``, ``name``, ``query`` as the server prints it),
    of ``database`` only when given."""
    result = await session.execute(statements.show_continuous_queries())
    rows = []
    for series in (result.get("results") or [{}])[0].get("series", []):
        if database is not None and series.get("name") != database:
            continue
        for row in series.get("values") or ():
            item = dict(zip(series["columns"], row, strict=True))
            rows.append({"database": series.get("name", ""), **item})
    return rows


async def create_continuous_query(
    session: AsyncSession, query: ContinuousQuery, database: str
) -> None:
    """``CREATE CONTINUOUS QUERY`` for a declaration."""
    await session.execute(cq_statement(query, database))


async def drop_continuous_query(session: AsyncSession, name: str, database: str) -> None:
    """``DROP CONTINUOUS QUERY`` (no error if it does not exist)."""
    await session.execute(statements.drop_continuous_query(name, database))


async def migrate(
    session: AsyncSession,
    database: str,
    *,
    retention_policies: Iterable[Any],
    continuous_queries: Iterable[Any],
    prune: bool,
    dry_run: bool,
) -> list[Change]:
    """Plan (and unless ``dry_run``, apply) the changes bringing ``database`` to the
    declarations; see :meth:`AsyncSession.migrate`."""
    policies = list(retention_policies)
    queries = list(continuous_queries)
    await check_server(session, "migrate")
    server_policies = admin.rows_as_dicts(
        await session.execute(statements.show_retention_policies(database))
    )
    server_queries = {
        row["name"]: row["query"] for row in await show_continuous_queries(session, database)
    }
    changes = plan_migration(
        database=database,
        retention_policies=policies,
        continuous_queries=queries,
        server_policies=server_policies,
        server_queries=server_queries,
        prune=prune,
    )
    if not dry_run:
        for change in changes:
            await session.execute(change.statement)
    return changes


def _into(source: ContinuousQuery | IntoQuery[Any]) -> IntoQuery[Any]:
    if isinstance(source, ContinuousQuery):
        return source.query
    if isinstance(source, IntoQuery):
        # Validates it the way a declaration is validated (GROUP BY time, same series...).
        return ContinuousQuery("backfill", source).query
    raise ValidationError(
        f"backfill takes a ContinuousQuery or a query ending in .into(...), not {source!r}"
    )


def slices(
    start_ns: int, end_ns: int, interval_ns: int, offset_ns: int, step_ns: int
) -> list[tuple[int, int]]:
    """``[start, end)`` widened to whole GROUP BY buckets and cut into ``step`` slices,
    each a whole number of buckets (a bucket split between two slices would be written
    twice, the second time from part of its points)."""
    first = start_ns - (start_ns - offset_ns) % interval_ns
    last = end_ns + (-(end_ns - offset_ns)) % interval_ns
    return [(t, min(t + step_ns, last)) for t in range(first, last, step_ns)]


async def backfill(
    session: AsyncSession,
    source: ContinuousQuery | IntoQuery[Any],
    *,
    start: object,
    end: object,
    step: Duration | None,
    database: str | None,
    progress: Progress | None,
) -> int:
    """Run the INTO query over ``[start, end)`` a slice at a time; return the number of
    points written. See :meth:`AsyncSession.backfill`."""
    query = _into(source)
    interval = query.source.interval
    assert interval is not None  # checked by _into
    start_ns, end_ns = to_ns(start), to_ns(end)
    if end_ns <= start_ns:
        raise ValidationError(f"backfill: end must be after start ({start!r}, {end!r})")
    step_ns = interval.interval_ns * 1000 if step is None else duration_to_ns(step)
    if step_ns == 0 or step_ns % interval.interval_ns:
        raise ValidationError(
            f"backfill: step must be a whole number of GROUP BY intervals "
            f"({format_duration(interval.interval_ns)}), not {step!r}"
        )
    parts = slices(start_ns, end_ns, interval.interval_ns, interval.offset_ns, step_ns)
    written = 0
    for done, (low, high) in enumerate(parts, 1):
        sliced = IntoQuery(query.source.where(time__gte=low, time__lt=high), query.target)
        text, _ = compile_query(sliced, inline=True)
        written += _written(
            await session.execute(text, db=database or query.source.schema.database)
        )
        if progress is not None:
            progress(done, len(parts), "backfill slices")
    return written


def _written(response: Mapping[str, Any]) -> int:
    rows = admin.rows_as_dicts(response)
    return sum(int(row.get("written", 0)) for row in rows)


class Downsampling:
    """The retention-policy and continuous-query methods of
    :class:`~influxorm.session.AsyncSession`: one-line calls into this module."""

    __slots__ = ()

    if TYPE_CHECKING:
        _config: SessionConfig

    @property
    def _session_(self) -> AsyncSession:
        return cast("AsyncSession", self)

    async def show_continuous_queries(self, database: str | None = None) -> list[dict[str, str]]:
        """Continuous queries (``database``, ``name``, ``query`` as the server prints it), of
        ``database`` only when given."""
        return await show_continuous_queries(self._session_, database)

    async def create_continuous_query(
        self, query: ContinuousQuery, *, database: str | None = None
    ) -> None:
        """``CREATE CONTINUOUS QUERY`` for a declaration on ``database`` (default: session's)."""
        await create_continuous_query(
            self._session_, query, self._config.require_database(database)
        )

    async def drop_continuous_query(self, name: str, *, database: str | None = None) -> None:
        """``DROP CONTINUOUS QUERY`` (nothing happens if there is none of that name)."""
        await drop_continuous_query(self._session_, name, self._config.require_database(database))

    async def migrate(
        self,
        *,
        retention_policies: Iterable[RetentionPolicy] = (),
        continuous_queries: Iterable[ContinuousQuery] = (),
        database: str | None = None,
        prune: bool = False,
        dry_run: bool = False,
    ) -> list[Change]:
        """Bring ``database``'s retention policies and continuous queries to the declarations.

        Creates what is missing, alters a changed policy (``ALTER RETENTION POLICY``), drops
        and re-creates a changed continuous query, and with ``prune=True`` drops what is not
        declared. Returns the changes (each with its exact statement): ``[]`` when nothing
        differs. ``dry_run=True`` only reads the server and returns the plan. InfluxDB 1.x
        only: UnsupportedByServerError on 2.x and 3.x.
        """
        return await migrate(
            self._session_,
            self._config.require_database(database),
            retention_policies=retention_policies,
            continuous_queries=continuous_queries,
            prune=prune,
            dry_run=dry_run,
        )

    async def backfill(
        self,
        query: ContinuousQuery | IntoQuery[Any],
        *,
        start: object,
        end: object,
        step: timedelta | str | int | None = None,
        database: str | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Run a continuous query (or ``SELECT ... INTO`` query) over ``[start, end)``.

        The range is widened to whole GROUP BY buckets and run in slices of ``step``
        (a whole number of intervals; default 1000 of them), one statement at a time, so
        the server aggregates a bounded range per request. Re-running writes the same
        points again (idempotent). ``progress(done, total, "backfill slices")`` after each
        slice. Returns the number of points written.
        """
        return await backfill(
            self._session_,
            query,
            start=start,
            end=end,
            step=step,
            database=database,
            progress=progress,
        )
