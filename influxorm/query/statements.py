"""Every InfluxQL statement influxorm writes outside the query compiler.

Administration (databases, retention policies, users, privileges, dropping data), the
SHOW statements behind the session's ``show_*`` helpers and the schema check, the CLI's
export SELECT, and query patterns (``{name:kind}`` templates) are all written here, from
the quoting functions of :mod:`influxorm.influxql`. Each builder returns text that does
exactly what its arguments name, or raises :class:`~influxorm.exceptions.ValidationError`
/ :class:`~influxorm.exceptions.QueryBuildError` before anything is sent. No I/O.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

from influxorm.exceptions import QueryBuildError, ValidationError
from influxorm.influxql import (
    format_duration,
    format_float,
    quote_ident,
    quote_regex,
    quote_string,
)

__all__ = [
    "PATTERN_KINDS",
    "Privilege",
    "QueryPattern",
    "alter_retention_policy",
    "create_continuous_query",
    "create_database",
    "create_retention_policy",
    "create_user",
    "drop_continuous_query",
    "drop_database",
    "drop_measurement",
    "drop_retention_policy",
    "drop_series",
    "drop_user",
    "grant",
    "measurement_ref",
    "revoke",
    "select_typed_columns",
    "set_password",
    "show_continuous_queries",
    "show_databases",
    "show_field_keys",
    "show_measurements",
    "show_retention_policies",
    "show_series",
    "show_tag_keys",
    "show_tag_values",
    "show_users",
    "tag_where",
]

Privilege = Literal["READ", "WRITE", "ALL"]
Duration = timedelta | str | int

_PRIVILEGES: Final = ("READ", "WRITE", "ALL")
_INT64: Final = range(-(2**63), 2**63)

# -- names ---------------------------------------------------------------------------


def measurement_ref(measurement: str, retention_policy: str | None = None) -> str:
    """The quoted ``FROM`` target: ``"m"`` or ``"rp"."m"``."""
    target = quote_ident(measurement)
    if retention_policy is None:
        return target
    return f"{quote_ident(retention_policy)}.{target}"


def tag_where(tags: Mapping[str, str]) -> str:
    """`` WHERE "k" = 'v' AND ...`` for ``tags`` (empty text for no tags)."""
    if not tags:
        return ""
    return " WHERE " + " AND ".join(
        f"{quote_ident(key)} = {quote_string(value)}" for key, value in tags.items()
    )


def _from(measurement: str | None) -> str:
    return f" FROM {quote_ident(measurement)}" if measurement is not None else ""


# -- databases and retention policies -------------------------------------------------


def create_database(name: str) -> str:
    """``CREATE DATABASE "name"`` (idempotent on the server)."""
    return f"CREATE DATABASE {quote_ident(name)}"


def drop_database(name: str) -> str:
    """``DROP DATABASE "name"`` (idempotent on the server)."""
    return f"DROP DATABASE {quote_ident(name)}"


def _rp_duration(value: Duration) -> str:
    if value in ("INF", "inf", 0):
        return "INF"
    return format_duration(value)


def _replication(value: int) -> int:
    if type(value) is not int or value < 1:
        raise ValidationError(f"replication must be a positive int, not {value!r}", value=value)
    return value


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
        f"DURATION {_rp_duration(duration)} REPLICATION {_replication(replication)}"
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
        parts.append(f"DURATION {_rp_duration(duration)}")
    if replication is not None:
        parts.append(f"REPLICATION {_replication(replication)}")
    if shard_duration is not None:
        parts.append(f"SHARD DURATION {format_duration(shard_duration)}")
    if default:
        parts.append("DEFAULT")
    if not parts:
        raise ValidationError("alter_retention_policy needs something to change")
    target = f"{quote_ident(name)} ON {quote_ident(database)}"
    return f"ALTER RETENTION POLICY {target} " + " ".join(parts)


def drop_retention_policy(name: str, database: str) -> str:
    """``DROP RETENTION POLICY "name" ON "database"``."""
    return f"DROP RETENTION POLICY {quote_ident(name)} ON {quote_ident(database)}"


# -- continuous queries ---------------------------------------------------------------


def create_continuous_query(
    name: str,
    database: str,
    select: str,
    *,
    resample_every: Duration | None = None,
    resample_for: Duration | None = None,
) -> str:
    """``CREATE CONTINUOUS QUERY "name" ON "database" [RESAMPLE ...] BEGIN <select> END``.

    ``select`` is a ``SELECT ... INTO`` statement compiled with inline literals
    (:func:`influxorm.query.compiler.compile_query` with ``inline=True``): a CQ body
    cannot carry bound parameters.
    """
    resample = []
    if resample_every is not None:
        resample.append(f"EVERY {format_duration(resample_every)}")
    if resample_for is not None:
        resample.append(f"FOR {format_duration(resample_for)}")
    head = f"CREATE CONTINUOUS QUERY {quote_ident(name)} ON {quote_ident(database)}"
    if resample:
        head += " RESAMPLE " + " ".join(resample)
    return f"{head} BEGIN {select} END"


def drop_continuous_query(name: str, database: str) -> str:
    """``DROP CONTINUOUS QUERY "name" ON "database"``."""
    return f"DROP CONTINUOUS QUERY {quote_ident(name)} ON {quote_ident(database)}"


# -- users and privileges -------------------------------------------------------------


def _password(password: object) -> str:
    """The password literal, if a ``CREATE USER``/``SET PASSWORD`` statement can carry it.

    A ValidationError that never shows the password otherwise: not a str, empty, or
    holding a NUL or a carriage return (influxd cannot read them in a string literal, and
    its parse error would quote the password) or a lone surrogate (not UTF-8 text).
    """
    if not isinstance(password, str):
        raise ValidationError(f"a password must be a str, not {type(password).__name__}")
    if not password:
        raise ValidationError("a password cannot be empty")
    for char, name in (("\x00", "a NUL"), ("\r", "a carriage return")):
        if char in password:
            raise ValidationError(
                f"a password cannot hold {name}: InfluxQL cannot carry it in a string literal "
                "(the password is not shown)"
            )
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "a password must be UTF-8 text: it holds a lone surrogate (the password is not shown)"
        ) from None
    return quote_string(password)


def create_user(name: str, password: str, *, admin: bool = False) -> str:
    """``CREATE USER "name" WITH PASSWORD '...'`` (``WITH ALL PRIVILEGES`` for an admin)."""
    text = f"CREATE USER {quote_ident(name)} WITH PASSWORD {_password(password)}"
    return text + " WITH ALL PRIVILEGES" if admin else text


def drop_user(name: str) -> str:
    """``DROP USER "name"``."""
    return f"DROP USER {quote_ident(name)}"


def set_password(name: str, password: str) -> str:
    """``SET PASSWORD FOR "name" = '...'``."""
    return f"SET PASSWORD FOR {quote_ident(name)} = {_password(password)}"


def _privilege(privilege: str) -> str:
    upper = privilege.upper() if isinstance(privilege, str) else ""
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


# -- dropping data --------------------------------------------------------------------


def drop_measurement(name: str) -> str:
    """``DROP MEASUREMENT "name"``."""
    return f"DROP MEASUREMENT {quote_ident(name)}"


def drop_series(measurement: str | None, tags: Mapping[str, str]) -> str:
    """``DROP SERIES [FROM "m"] [WHERE "k" = 'v' ...]``; refuses to drop every series."""
    if measurement is None and not tags:
        raise ValidationError("drop_series needs a measurement or tags (it would drop everything)")
    return f"DROP SERIES{_from(measurement)}{tag_where(tags)}"


# -- SHOW -----------------------------------------------------------------------------


def show_databases() -> str:
    """``SHOW DATABASES``."""
    return "SHOW DATABASES"


def show_continuous_queries() -> str:
    """``SHOW CONTINUOUS QUERIES`` (of every database, one series per database)."""
    return "SHOW CONTINUOUS QUERIES"


def show_users() -> str:
    """``SHOW USERS``."""
    return "SHOW USERS"


def show_measurements() -> str:
    """``SHOW MEASUREMENTS`` (of the request's database)."""
    return "SHOW MEASUREMENTS"


def show_retention_policies(database: str) -> str:
    """``SHOW RETENTION POLICIES ON "database"``."""
    return f"SHOW RETENTION POLICIES ON {quote_ident(database)}"


def show_tag_keys(measurement: str | None = None, retention_policy: str | None = None) -> str:
    """``SHOW TAG KEYS [FROM ["rp".]"m"]``."""
    if measurement is None:
        return "SHOW TAG KEYS"
    return f"SHOW TAG KEYS FROM {measurement_ref(measurement, retention_policy)}"


def show_field_keys(measurement: str | None = None, retention_policy: str | None = None) -> str:
    """``SHOW FIELD KEYS [FROM ["rp".]"m"]``."""
    if measurement is None:
        return "SHOW FIELD KEYS"
    return f"SHOW FIELD KEYS FROM {measurement_ref(measurement, retention_policy)}"


def show_tag_values(key: str, measurement: str | None = None) -> str:
    """``SHOW TAG VALUES [FROM "m"] WITH KEY = "key"``."""
    return f"SHOW TAG VALUES{_from(measurement)} WITH KEY = {quote_ident(key)}"


def show_series(measurement: str | None = None, tags: Mapping[str, str] | None = None) -> str:
    """``SHOW SERIES [FROM "m"] [WHERE "k" = 'v' AND ...]``."""
    return f"SHOW SERIES{_from(measurement)}{tag_where(tags or {})}"


# -- export ---------------------------------------------------------------------------


def select_typed_columns(
    measurement: str,
    columns: Iterable[tuple[str, bool]],
    retention_policy: str | None = None,
) -> str:
    """``SELECT "t"::tag, "f"::field ... FROM "m"``: ``columns`` are ``(name, is_tag)``."""
    selected = ", ".join(
        f"{quote_ident(name)}::{'tag' if is_tag else 'field'}" for name, is_tag in columns
    )
    if not selected:
        raise QueryBuildError(f"nothing to select from {measurement!r}")
    return f"SELECT {selected} FROM {measurement_ref(measurement, retention_policy)}"


# -- query patterns -------------------------------------------------------------------


def _refuse(what: str, value: object) -> ValidationError:
    return ValidationError(f"{what}, not {value!r}", value=value)


def _int_text(value: int) -> str:
    if value not in _INT64:
        raise _refuse("an int argument must fit in int64", value)
    return str(value)


def _int(value: object) -> str:
    if type(value) is not int:
        raise _refuse("an int argument must be an int", value)
    return _int_text(value)


def _exact_float(value: int) -> float:
    try:
        converted = float(value)
    except OverflowError:
        converted = math.inf
    if converted != value:
        raise _refuse("an int argument to a float placeholder must be exact as a float", value)
    return converted


def _float(value: object) -> str:
    if type(value) is int:
        return format_float(_exact_float(value))
    if type(value) is not float:
        raise _refuse("a float argument must be a number", value)
    return format_float(value)


def _bool(value: object) -> str:
    if type(value) is not bool:
        raise _refuse("a bool argument must be a bool", value)
    return "true" if value else "false"


def _text(quote: Callable[[str], str]) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if not isinstance(value, str):
            raise _refuse("expected a str argument", value)
        return quote(value)

    return convert


def _duration(value: object) -> str:
    if not isinstance(value, timedelta | str | int) or isinstance(value, bool):
        raise _refuse("a duration argument must be a timedelta, ns int or duration text", value)
    return format_duration(value)


_INT_TEXT: Final = re.compile(r"-?[0-9]+")
_FLOAT_TEXT: Final = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def _number(value: object) -> str | None:
    """``value`` as a number literal, or None when it is not a number."""
    if type(value) is int:
        return _int_text(value)
    if type(value) is float:
        return format_float(value)
    if isinstance(value, str):
        if _INT_TEXT.fullmatch(value):
            if len(value) > 20:  # longer than any int64 (and than int() may parse)
                raise _refuse("an int argument must fit in int64", value)
            return _int_text(int(value))
        if _FLOAT_TEXT.fullmatch(value):
            try:
                exact = Decimal(value)
            except InvalidOperation:
                return None
            number = float(exact)
            if number == 0 and exact != 0:
                raise _refuse("a number argument must not underflow to 0", value)
            return format_float(number)
    return None


def _name(value: object) -> str:
    if isinstance(value, str):
        return quote_ident(value)
    number = _number(value)
    if number is None:
        raise _refuse("a name argument must be a str (or a number)", value)
    return number


def _value(value: object) -> str:
    if type(value) is bool:
        return _bool(value)
    number = _number(value)
    if number is not None:
        return number
    if isinstance(value, str):
        try:
            return format_duration(value)
        except QueryBuildError:
            pass
    raise _refuse(
        "a bare placeholder outside a name takes a number, a bool or duration text "
        "(quote it: '{x}' for a string, \"{x}\" for a name)",
        value,
    )


PATTERN_KINDS: Final[Mapping[str, Callable[[object], str]]] = {
    "ident": _text(quote_ident),
    "str": _text(quote_string),
    "regex": _text(quote_regex),
    "duration": _duration,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "name": _name,
    "value": _value,
}
"""Placeholder kind -> the function writing an argument of that kind as InfluxQL.

``name`` and ``value`` are the kinds of the aioinflux layer's bare placeholders: a name
(identifier) position takes a str as an identifier, a value position takes only
numbers, bools and duration text."""


class QueryPattern:
    """A parsed pattern: InfluxQL with ``{name:kind}`` placeholders (kind ``str`` if none).

    :meth:`format` writes each argument with its kind's quoting (:data:`PATTERN_KINDS`),
    so no argument can change what the statement does.
    """

    __slots__ = ("_parts", "names", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        parts: list[tuple[str, str | None, str]] = []
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:
            raise ValidationError(f"bad query pattern {text!r}: {exc}", value=text) from None
        for literal, name, spec, conversion in parsed:
            if name is None:
                parts.append((literal, None, ""))
                continue
            if not name.isidentifier() or conversion:
                raise ValidationError(
                    f"bad placeholder {{{name}}} in query pattern {text!r}: use {{name:kind}}",
                    value=text,
                )
            kind = spec or "str"
            if kind not in PATTERN_KINDS:
                raise ValidationError(
                    f"unknown kind {kind!r} in query pattern {text!r}: use one of "
                    f"{', '.join(PATTERN_KINDS)}",
                    value=text,
                )
            parts.append((literal, name, kind))
        self._parts = tuple(parts)
        self.names = frozenset(name for _, name, _ in parts if name is not None)

    def __repr__(self) -> str:
        return f"QueryPattern({self.text!r})"

    def format(self, arguments: Mapping[str, object]) -> str:
        """The statement with every argument written by its kind."""
        missing = self.names - arguments.keys()
        extra = arguments.keys() - self.names
        if missing or extra:
            raise ValidationError(
                f"query pattern {self.text!r} takes {sorted(self.names)}; "
                f"missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        out = []
        for literal, name, kind in self._parts:
            out.append(literal)
            if name is not None:
                try:
                    out.append(PATTERN_KINDS[kind](arguments[name]))
                except (ValidationError, QueryBuildError) as exc:
                    if "PASSWORD" in self.text.upper():  # the argument may be the password
                        raise ValidationError(
                            f"argument {name!r} of query pattern {self.text!r} cannot be "
                            f"written as {kind} (a statement setting a password: not shown)"
                        ) from None
                    raise ValidationError(
                        f"argument {name!r} of query pattern {self.text!r}: {exc}",
                        value=arguments[name],
                    ) from exc
        return "".join(out)
