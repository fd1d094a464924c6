"""Administration: the sessions' database, retention policy, user and SHOW helpers.

:class:`Administration` holds the ``AsyncSession`` methods (each runs one statement from
:mod:`influxorm.query.statements` through :meth:`execute`); the functions below parse
SHOW results into plain Python lists and dicts (no I/O).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from influxorm.query import statements
from influxorm.redaction import hidden

if TYPE_CHECKING:
    from influxorm.results.output import Output
    from influxorm.session.config import SessionConfig

__all__ = ["Administration", "keyed_column", "rows_as_dicts", "single_column"]


def _series(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    results = result.get("results") or [{}]
    series: list[Mapping[str, Any]] = results[0].get("series", [])
    return series


def single_column(result: Mapping[str, Any]) -> list[Any]:
    """The first column of every row of every series (``SHOW DATABASES``, ``SHOW SERIES``)."""
    return [row[0] for s in _series(result) for row in s.get("values") or ()]


def keyed_column(result: Mapping[str, Any], column: int = 0) -> dict[str, list[Any]]:
    """Series name -> that column of its rows (``SHOW TAG KEYS``, per measurement)."""
    return {
        s.get("name", ""): [row[column] for row in s.get("values") or ()] for s in _series(result)
    }


def rows_as_dicts(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every row of every series as a dict of column -> value."""
    return [
        dict(zip(s["columns"], row, strict=True))
        for s in _series(result)
        for row in s.get("values") or ()
    ]


class Administration:
    """The administration methods of :class:`~influxorm.session.AsyncSession`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _config: SessionConfig

        async def query(
            self, q: str, *, db: str | None = ..., output: Output | None = ...
        ) -> Any: ...

    async def execute(self, statement: str, *, db: str | None = None) -> dict[str, Any]:
        """Run an InfluxQL statement and return its JSON result (errors raised)."""
        result: dict[str, Any] = await self.query(statement, db=db, output="json")
        return result

    async def create_database(self, name: str | None = None) -> None:
        """``CREATE DATABASE`` ``name`` (default: the session's database); idempotent."""
        await self.execute(statements.create_database(self._config.require_database(name)))

    async def drop_database(self, name: str | None = None) -> None:
        """``DROP DATABASE`` ``name`` (default: the session's database); idempotent."""
        await self.execute(statements.drop_database(self._config.require_database(name)))

    async def show_databases(self) -> list[str]:
        """The names of the server's databases."""
        return single_column(await self.execute(statements.show_databases()))

    async def create_retention_policy(
        self,
        name: str,
        *,
        duration: timedelta | str | int,
        replication: int = 1,
        shard_duration: timedelta | str | int | None = None,
        default: bool = False,
        database: str | None = None,
    ) -> None:
        """``CREATE RETENTION POLICY`` on ``database`` (default: the session's)."""
        await self.execute(
            statements.create_retention_policy(
                name,
                self._config.require_database(database),
                duration=duration,
                replication=replication,
                shard_duration=shard_duration,
                default=default,
            )
        )

    async def alter_retention_policy(
        self,
        name: str,
        *,
        duration: timedelta | str | int | None = None,
        replication: int | None = None,
        shard_duration: timedelta | str | int | None = None,
        default: bool = False,
        database: str | None = None,
    ) -> None:
        """``ALTER RETENTION POLICY``, changing what is given."""
        await self.execute(
            statements.alter_retention_policy(
                name,
                self._config.require_database(database),
                duration=duration,
                replication=replication,
                shard_duration=shard_duration,
                default=default,
            )
        )

    async def drop_retention_policy(self, name: str, *, database: str | None = None) -> None:
        """``DROP RETENTION POLICY``."""
        await self.execute(
            statements.drop_retention_policy(name, self._config.require_database(database))
        )

    async def show_retention_policies(self, database: str | None = None) -> list[dict[str, Any]]:
        """The database's retention policies, one dict per policy (``name``, ``duration``,
        ``shardGroupDuration``, ``replicaN``, ``default``)."""
        target = self._config.require_database(database)
        return rows_as_dicts(await self.execute(statements.show_retention_policies(target)))

    async def create_user(self, name: str, password: str, *, admin: bool = False) -> None:
        """``CREATE USER`` (``admin=True``: with all privileges).

        A password InfluxQL cannot carry (NUL, carriage return) is a ValidationError that
        does not show it; no message or log line ever does.
        """
        with hidden(password):
            statement = statements.create_user(name, password, admin=admin)
        await self.execute(statement)

    async def drop_user(self, name: str) -> None:
        """``DROP USER``."""
        await self.execute(statements.drop_user(name))

    async def set_password(self, name: str, password: str) -> None:
        """``SET PASSWORD FOR`` (the password is checked as :meth:`create_user` does)."""
        with hidden(password):
            statement = statements.set_password(name, password)
        await self.execute(statement)

    async def show_users(self) -> list[dict[str, Any]]:
        """The users: dicts with ``user`` and ``admin``."""
        return rows_as_dicts(await self.execute(statements.show_users()))

    async def grant(
        self, privilege: statements.Privilege, user: str, *, database: str | None = None
    ) -> None:
        """``GRANT READ|WRITE|ALL ON database TO user`` (database: the session's)."""
        await self.execute(
            statements.grant(privilege, user, self._config.require_database(database))
        )

    async def revoke(
        self, privilege: statements.Privilege, user: str, *, database: str | None = None
    ) -> None:
        """``REVOKE READ|WRITE|ALL ON database FROM user`` (database: the session's)."""
        await self.execute(
            statements.revoke(privilege, user, self._config.require_database(database))
        )

    async def grant_admin(self, user: str) -> None:
        """``GRANT ALL PRIVILEGES TO user``."""
        await self.execute(statements.grant("ALL", user, None))

    async def revoke_admin(self, user: str) -> None:
        """``REVOKE ALL PRIVILEGES FROM user``."""
        await self.execute(statements.revoke("ALL", user, None))

    async def show_measurements(self, *, database: str | None = None) -> list[str]:
        """The measurement names of ``database`` (default: the session's)."""
        database = self._config.require_database(database)
        result = await self.execute(statements.show_measurements(), db=database)
        return single_column(result)

    async def show_tag_keys(
        self, measurement: str | None = None, *, database: str | None = None
    ) -> dict[str, list[str]]:
        """Measurement -> its tag keys (one measurement, or all)."""
        statement = statements.show_tag_keys(measurement)
        return keyed_column(
            await self.execute(statement, db=self._config.require_database(database))
        )

    async def show_tag_values(
        self, key: str, measurement: str | None = None, *, database: str | None = None
    ) -> dict[str, list[str]]:
        """Measurement -> the values of tag ``key`` (one measurement, or all)."""
        statement = statements.show_tag_values(key, measurement)
        return keyed_column(
            await self.execute(statement, db=self._config.require_database(database)), column=1
        )

    async def show_field_keys(
        self, measurement: str | None = None, *, database: str | None = None
    ) -> dict[str, dict[str, str]]:
        """Measurement -> {field key: type} (one measurement, or all)."""
        result = await self.execute(
            statements.show_field_keys(measurement),
            db=self._config.require_database(database),
        )
        keys = keyed_column(result, 0)
        types = keyed_column(result, 1)
        return {name: dict(zip(keys[name], types[name], strict=True)) for name in keys}

    async def show_series(
        self,
        measurement: str | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> list[str]:
        """The series keys (``m,k=v``), optionally of one measurement and matching tags."""
        statement = statements.show_series(measurement, tags)
        return single_column(
            await self.execute(statement, db=self._config.require_database(database))
        )

    async def drop_measurement(self, name: str, *, database: str | None = None) -> None:
        """``DROP MEASUREMENT`` (its series and points)."""
        await self.execute(
            statements.drop_measurement(name), db=self._config.require_database(database)
        )

    async def drop_series(
        self,
        measurement: str | None = None,
        *,
        tags: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> None:
        """``DROP SERIES FROM measurement WHERE tag = value ...`` (one of them required)."""
        await self.execute(
            statements.drop_series(measurement, tags or {}),
            db=self._config.require_database(database),
        )
