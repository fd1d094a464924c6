"""Administrative InfluxQL: statements with every name and value quoted, and the
parsing of SHOW results into plain Python lists and dicts. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from influxorm.exceptions import ValidationError
from influxorm.influxql import format_duration, quote_ident, quote_string

__all__ = [
    "Privilege",
    "alter_retention_policy",
    "create_database",
    "create_retention_policy",
    "create_user",
    "drop_database",
    "drop_measurement",
    "drop_retention_policy",
    "drop_series",
    "drop_user",
    "grant",
    "keyed_column",
    "revoke",
    "rows_as_dicts",
    "set_password",
    "single_column",
    "tag_where",
]

Privilege = Literal["READ", "WRITE", "ALL"]
Duration = timedelta | str | int

_PRIVILEGES = ("READ", "WRITE", "ALL")


def create_database(name: str) -> str:
    """``CREATE DATABASE "name"`` (idempotent on the server)."""
    return f"CREATE DATABASE {quote_ident(name)}"


def drop_database(name: str) -> str:
    """``DROP DATABASE "name"`` (idempotent on the server)."""
    return f"DROP DATABASE {quote_ident(name)}"


def _duration(value: Duration) -> str:
    if value in ("INF", "inf", 0):
        return "INF"
    return format_duration(value)


def create_retention_policy(
    name: str,
    database: str,
    *,
    duration: Duration,
    replication: int = 1,
    shard_duration: Duration | None = None,
    default: bool = False,
) -> str:
    """``CREATE RETENTION POLICY``; ``duration`` ``"INF"`` (or 0) keeps data forever."""
    text = (
        f"CREATE RETENTION POLICY {quote_ident(name)} ON {quote_ident(database)} "
        f"DURATION {_duration(duration)} REPLICATION {_replication(replication)}"
    )
    if shard_duration is not None:
        text += f" SHARD DURATION {format_duration(shard_duration)}"
    if default:
        text += " DEFAULT"
    return text


def alter_retention_policy(
    name: str,
    database: str,
    *,
    duration: Duration | None = None,
    replication: int | None = None,
    shard_duration: Duration | None = None,
    default: bool = False,
) -> str:
    """``ALTER RETENTION POLICY`` changing only what is given."""
    parts = []
    if duration is not None:
        parts.append(f"DURATION {_duration(duration)}")
    if replication is not None:
        parts.append(f"REPLICATION {_replication(replication)}")
    if shard_duration is not None:
        parts.append(f"SHARD DURATION {format_duration(shard_duration)}")
    if default:
        parts.append("DEFAULT")
    if not parts:
        raise ValidationError("alter_retention_policy needs something to change")
    return f"ALTER RETENTION POLICY {quote_ident(name)} ON {quote_ident(database)} " + " ".join(
        parts
    )


def drop_retention_policy(name: str, database: str) -> str:
    """``DROP RETENTION POLICY "name" ON "database"``."""
    return f"DROP RETENTION POLICY {quote_ident(name)} ON {quote_ident(database)}"


def _replication(value: int) -> int:
    if type(value) is not int or value < 1:
        raise ValidationError(f"replication must be a positive int, not {value!r}", value=value)
    return value


def create_user(name: str, password: str, *, admin: bool = False) -> str:
    """``CREATE USER "name" WITH PASSWORD '...'`` (``WITH ALL PRIVILEGES`` for an admin)."""
    text = f"CREATE USER {quote_ident(name)} WITH PASSWORD {quote_string(password)}"
    return text + " WITH ALL PRIVILEGES" if admin else text


def drop_user(name: str) -> str:
    """``DROP USER "name"``."""
    return f"DROP USER {quote_ident(name)}"


def set_password(name: str, password: str) -> str:
    """``SET PASSWORD FOR "name" = '...'``."""
    return f"SET PASSWORD FOR {quote_ident(name)} = {quote_string(password)}"


def _privilege(privilege: str) -> str:
    upper = privilege.upper()
    if upper not in _PRIVILEGES:
        raise ValidationError(
            f"unknown privilege {privilege!r}: use READ, WRITE or ALL", value=privilege
        )
    return upper


def grant(privilege: str, user: str, database: str | None) -> str:
    """``GRANT <privilege> ON "database" TO "user"``; with no database, admin rights
    (``GRANT ALL PRIVILEGES TO "user"``)."""
    if database is None:
        return f"GRANT ALL PRIVILEGES TO {quote_ident(user)}"
    return f"GRANT {_privilege(privilege)} ON {quote_ident(database)} TO {quote_ident(user)}"


def revoke(privilege: str, user: str, database: str | None) -> str:
    """``REVOKE <privilege> ON "database" FROM "user"``; with no database, admin rights."""
    if database is None:
        return f"REVOKE ALL PRIVILEGES FROM {quote_ident(user)}"
    return f"REVOKE {_privilege(privilege)} ON {quote_ident(database)} FROM {quote_ident(user)}"


def tag_where(tags: Mapping[str, str]) -> str:
    """`` WHERE "k" = 'v' AND ...`` for ``tags`` (empty text for no tags)."""
    if not tags:
        return ""
    return " WHERE " + " AND ".join(
        f"{quote_ident(key)} = {quote_string(value)}" for key, value in tags.items()
    )


def drop_measurement(name: str) -> str:
    """``DROP MEASUREMENT "name"``."""
    return f"DROP MEASUREMENT {quote_ident(name)}"


def drop_series(measurement: str | None, tags: Mapping[str, str]) -> str:
    """``DROP SERIES [FROM "m"] [WHERE "k" = 'v' ...]``; refuses to drop every series."""
    if measurement is None and not tags:
        raise ValidationError("drop_series needs a measurement or tags (it would drop everything)")
    source = f" FROM {quote_ident(measurement)}" if measurement is not None else ""
    return f"DROP SERIES{source}{tag_where(tags)}"


def show_on(statement: str, measurement: str | None, tags: Mapping[str, str] | None = None) -> str:
    """``statement [FROM "measurement"] [WHERE ...]``."""
    source = f" FROM {quote_ident(measurement)}" if measurement is not None else ""
    return statement + source + tag_where(tags or {})


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
