"""What both sessions share and what involves no I/O: settings, validation, requests."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final, Literal, get_args
from urllib.parse import urlencode

from influxorm.exceptions import ValidationError
from influxorm.session.messages import Endpoint, Request

__all__ = [
    "DEFAULT_URL",
    "Epoch",
    "Output",
    "Precision",
    "SessionConfig",
    "check_epoch",
    "check_output",
    "check_precision",
    "count_points",
    "quote_ident",
    "require_raw_for_precision",
]

DEFAULT_URL: Final = "http://localhost:8086"

Precision = Literal["n", "u", "ms", "s", "m", "h"]
Epoch = Literal["ns", "u", "µ", "ms", "s", "m", "h"]
Output = Literal["json", "bytes"]

_PRECISIONS: Final = frozenset(get_args(Precision))
_EPOCHS: Final = frozenset(get_args(Epoch))
_OUTPUTS: Final = frozenset(get_args(Output))

# Longer queries go in a POST body whatever they are, to stay clear of URL limits.
_MAX_GET_QUERY = 4096
_READ_ONLY = re.compile(r"\s*(SELECT|SHOW)\b", re.IGNORECASE)
_MUTATING = re.compile(r"\bINTO\b|;", re.IGNORECASE)


def _user_agent() -> str:
    try:
        return f"influxorm/{version('influxorm')}"
    except PackageNotFoundError:
        return "influxorm"


_USER_AGENT: Final = _user_agent()


class SessionConfig:
    """Connection settings and request building shared by both sessions; no I/O.

    Credentials are kept only as a ready ``Authorization`` header and never appear in a
    repr, a log line or an error message.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        database: str | None = None,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        unix_socket: str | None = None,
        timeout: float | None = 60.0,
        output: Output = "json",
    ) -> None:
        if token is not None and (username is not None or password is not None):
            raise ValidationError("give either a token or a username and password, not both")
        if password is not None and username is None:
            raise ValidationError("a password needs a username")
        if timeout is not None and timeout <= 0:
            raise ValidationError(f"timeout must be positive or None, not {timeout!r}")
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self.unix_socket = unix_socket
        self.timeout = timeout
        self.output = check_output(output)
        headers = [("User-Agent", _USER_AGENT)]
        if token is not None:
            headers.append(("Authorization", f"Token {token}"))
        elif username is not None:
            credentials = f"{username}:{password or ''}".encode()
            headers.append(("Authorization", f"Basic {base64.b64encode(credentials).decode()}"))
        self._headers: tuple[tuple[str, str], ...] = tuple(headers)

    def describe(self) -> str:
        """Where the session connects, for a repr: URL or socket, database, user."""
        where = f"unix:{self.unix_socket}" if self.unix_socket else self.url
        parts = [where]
        if self.database is not None:
            parts.append(f"database={self.database!r}")
        if self.username is not None:
            parts.append(f"username={self.username!r}")
        return " ".join(parts)

    def ping_request(self) -> Request:
        """``GET /ping``."""
        return Request("GET", Endpoint.PING, headers=self._headers)

    def write_request(
        self,
        body: bytes,
        *,
        points: int,
        db: str | None,
        rp: str | None,
        precision: Precision | None,
    ) -> Request:
        """``POST /write`` of ``body`` (line protocol) into ``db`` or the session's database."""
        params = [("db", self.require_database(db))]
        if rp is not None:
            params.append(("rp", rp))
        if precision is not None:
            params.append(("precision", check_precision(precision)))
        return Request(
            "POST",
            Endpoint.WRITE,
            params=tuple(params),
            headers=(*self._headers, ("Content-Type", "text/plain; charset=utf-8")),
            body=body,
            points=points,
        )

    def query_request(
        self,
        q: str,
        *,
        db: str | None,
        rp: str | None,
        epoch: Epoch | None,
        params: Mapping[str, Any] | None,
        chunked: bool,
        chunk_size: int | None,
    ) -> Request:
        """``/query`` for ``q``: GET for a plain SELECT/SHOW, POST for anything else."""
        url_params: list[tuple[str, str]] = []
        database = db if db is not None else self.database
        if database is not None:
            url_params.append(("db", database))
        if rp is not None:
            url_params.append(("rp", rp))
        if epoch is not None:
            url_params.append(("epoch", check_epoch(epoch)))
        if chunked:
            url_params.append(("chunked", "true"))
            if chunk_size is not None:
                if chunk_size <= 0:
                    raise ValidationError(f"chunk_size must be positive, not {chunk_size!r}")
                url_params.append(("chunk_size", str(chunk_size)))
        statement_params = [("q", q)]
        if params:
            statement_params.append(("params", json.dumps(dict(params))))
        if _is_read_only(q):
            return Request(
                "GET",
                Endpoint.QUERY,
                params=(*url_params, *statement_params),
                headers=self._headers,
                statement=q,
            )
        return Request(
            "POST",
            Endpoint.QUERY,
            params=tuple(url_params),
            headers=(*self._headers, ("Content-Type", "application/x-www-form-urlencoded")),
            body=urlencode(statement_params).encode(),
            statement=q,
        )

    def require_database(self, db: str | None) -> str:
        """``db``, else the session's database; a ValidationError if neither is set."""
        database = db if db is not None else self.database
        if not database:
            raise ValidationError(
                "no database given: pass db=... or set the session's database "
                "(Session(..., database=...) or session.database = ...)"
            )
        return database


def check_precision(precision: str) -> Precision:
    """``precision`` if InfluxDB knows it (the server takes anything else as ns, silently)."""
    if precision not in _PRECISIONS:
        raise ValidationError(
            f"unknown precision {precision!r}: use one of n, u, ms, s, m, h", value=precision
        )
    return precision  # type: ignore[return-value]


def check_epoch(epoch: str) -> Epoch:
    """``epoch`` if InfluxDB knows it (the server takes anything else as ns, silently)."""
    if epoch not in _EPOCHS:
        raise ValidationError(
            f"unknown epoch {epoch!r}: use one of ns, u, µ, ms, s, m, h (or None for "
            "RFC3339 strings)",
            value=epoch,
        )
    return epoch  # type: ignore[return-value]


def check_output(output: str) -> Output:
    """``output`` if sessions know it."""
    if output not in _OUTPUTS:
        raise ValidationError(f"unknown output {output!r}: use 'json' or 'bytes'", value=output)
    return output  # type: ignore[return-value]


def _is_read_only(q: str) -> bool:
    return len(q) <= _MAX_GET_QUERY and _READ_ONLY.match(q) is not None and not _MUTATING.search(q)


def require_raw_for_precision(data: object, precision: Precision | None) -> object:
    """``data``, or its items as a list, after checking a non-ns precision is usable.

    Structured points (models, dicts, DataFrames) are always encoded with nanosecond
    times, so a coarser ``precision`` applies to raw line protocol only; anything else
    is a ValidationError. A one-shot iterator is consumed, hence the list.
    """
    if precision is None or precision == "n" or isinstance(data, str | bytes | bytearray):
        return data
    if isinstance(data, list | tuple | Iterator):
        items = list(data)
        for item in items:
            if not isinstance(item, str | bytes | bytearray):
                raise _mixed_precision(item, precision)
        return items
    raise _mixed_precision(data, precision)


def _mixed_precision(item: object, precision: str) -> ValidationError:
    return ValidationError(
        f"precision={precision!r} applies to raw line protocol only: structured points "
        f"(here a {type(item).__name__}) are encoded in nanoseconds; write them without "
        "precision or in a separate call",
        value=precision,
    )


def count_points(lines: list[str]) -> int:
    """How many points the line-protocol items hold (blank and ``#`` lines excluded)."""
    count = 0
    for item in lines:
        if "\n" not in item:
            count += _is_point(item)
        else:
            count += sum(_is_point(line) for line in item.split("\n"))
    return count


def _is_point(line: str) -> bool:
    stripped = line.lstrip()
    return bool(stripped) and not stripped.startswith("#")


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted InfluxQL identifier.

    Inside the quotes InfluxQL knows only the escapes ``\\\\``, ``\\"`` and ``\\n``
    (a raw LF is a parse error).
    """
    escaped = name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
