"""What both sessions share and what involves no I/O: settings, validation, requests."""

from __future__ import annotations

import base64
import gzip as gzip_module
import json
import logging
import re
import ssl
from collections.abc import Iterator, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final, Literal, get_args
from urllib.parse import urlencode

from influxorm.exceptions import ValidationError
from influxorm.redaction import check_credential, split_statement
from influxorm.results.output import Output
from influxorm.session.messages import Endpoint, Request
from influxorm.session.options import check_output, check_session_options, make_ssl_context
from influxorm.session.retry import RetryPolicy
from influxorm.session.servers import ServerState, check_consistency
from influxorm.session.urls import check_http_url, split_userinfo

logger = logging.getLogger("influxorm")

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_URL",
    "Epoch",
    "Output",
    "Precision",
    "SessionConfig",
    "check_epoch",
    "check_output",
    "check_precision",
    "require_raw_for_precision",
]

DEFAULT_URL: Final = "http://localhost:8086"
DEFAULT_BATCH_SIZE: Final = 5_000
"""Points per write request: 5,000-10,000 is what the server ingests fastest."""
DEFAULT_MAX_CONCURRENCY: Final = 4
"""Write requests in flight at once (2-4 saturate a server on the same machine)."""

Precision = Literal["n", "u", "ms", "s", "m", "h"]
Epoch = Literal["ns", "u", "µ", "ms", "s", "m", "h"]

_PRECISIONS: Final = frozenset(get_args(Precision))
_EPOCHS: Final = frozenset(get_args(Epoch))

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
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        output: Output = "json",
        gzip: bool = False,
        headers: Mapping[str, str] | None = None,
        verify_ssl: bool = True,
        ssl_ca: str | None = None,
        ssl_cert: str | None = None,
        ssl_key: str | None = None,
        ssl_password: str | None = None,
        retry: RetryPolicy | None = None,
        retry_attempts: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        max_connections: int = 100,
        inline_statements: bool = False,
        server: str = "auto",
        consistency: str | None = None,
    ) -> None:
        check_session_options(
            {
                "url": url,
                "database": database,
                "username": username,
                "password": password,
                "token": token,
                "unix_socket": unix_socket,
                "timeout": timeout,
                "connect_timeout": connect_timeout,
                "read_timeout": read_timeout,
                "gzip": gzip,
                "headers": headers,
                "verify_ssl": verify_ssl,
                "ssl_ca": ssl_ca,
                "ssl_cert": ssl_cert,
                "ssl_key": ssl_key,
                "ssl_password": ssl_password,
                "retry": retry,
                "retry_attempts": retry_attempts,
                "batch_size": batch_size,
                "max_concurrency": max_concurrency,
                "max_connections": max_connections,
                "inline_statements": inline_statements,
                "server": server,
                "consistency": consistency,
            }
        )
        check_http_url(url)
        url, url_username, url_password = split_userinfo(url)
        if url_username is not None or url_password is not None:
            if username is not None or password is not None:
                raise ValidationError("give credentials either in the URL or as arguments")
            username, password = url_username, url_password
        if token is not None and (username is not None or password is not None):
            raise ValidationError("give either a token or a username and password, not both")
        if password is not None and username is None:
            raise ValidationError("a password needs a username")
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self.unix_socket = unix_socket
        self.timeout = timeout
        self.connect_timeout = connect_timeout if connect_timeout is not None else timeout
        self.read_timeout = read_timeout if read_timeout is not None else timeout
        self.output = check_output(output)
        self.gzip = gzip
        self.batch_size = batch_size
        self.max_concurrency = max_concurrency
        self.max_connections = max_connections
        self.inline_statements = inline_statements
        self.server = ServerState(server)
        self.consistency = check_consistency(consistency)
        policy = retry if retry is not None else RetryPolicy()
        if retry_attempts is not None:
            policy = RetryPolicy(
                max_attempts=retry_attempts,
                initial_delay=policy.initial_delay,
                multiplier=policy.multiplier,
                max_delay=policy.max_delay,
                deadline=policy.deadline,
                jitter=policy.jitter,
            )
        self.retry = policy
        self.ssl: ssl.SSLContext | None = None
        if self.url.lower().startswith("https:"):
            self.ssl = make_ssl_context(
                verify=verify_ssl,
                ca_file=ssl_ca,
                cert_file=ssl_cert,
                key_file=ssl_key,
                key_password=ssl_password,
            )
        elif unix_socket is None and (ssl_ca or ssl_cert or ssl_key):
            # Not an error: INFLUXDB_SSL_* may be set for every session, some plain HTTP.
            given = [
                n
                for n, v in (("ssl_ca", ssl_ca), ("ssl_cert", ssl_cert), ("ssl_key", ssl_key))
                if v
            ]
            logger.warning(
                "%s ignored: %s is not an https:// URL, so no TLS is used",
                "/".join(given),
                self.url,
            )
        header_list = [("User-Agent", _USER_AGENT)]
        header_list.extend((str(k), str(v)) for k, v in (headers or {}).items())
        if token is not None:
            header_list.append(("Authorization", f"Token {check_credential('token', token)}"))
        elif username is not None:
            check_credential("username", username)
            if password is not None:
                check_credential("password", password)
            credentials = f"{username}:{password or ''}".encode()
            header_list.append(("Authorization", f"Basic {base64.b64encode(credentials).decode()}"))
        self._headers: tuple[tuple[str, str], ...] = tuple(header_list)

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
        consistency: str | None = None,
    ) -> Request:
        """``POST /write`` of ``body`` (line protocol) into ``db`` or the session's database.

        With the session's ``gzip`` option the body is sent gzip-compressed. ``precision``
        is sent as the server's profile names it (refused if it has none);
        ``consistency`` (default: the session's) only to servers that honour it.
        """
        params = [("db", self.require_database(db))]
        if rp is not None:
            params.append(("rp", rp))
        if precision is not None:
            wire = self.server.wire_precision(check_precision(precision))
            params.append(("precision", wire or precision))
        consistency = check_consistency(consistency) or self.consistency
        if consistency is not None and self.server.current().consistency:
            params.append(("consistency", consistency))
        headers = (*self._headers, ("Content-Type", "text/plain; charset=utf-8"))
        sent = body
        if self.gzip:
            sent = gzip_module.compress(body, compresslevel=1)
            headers = (*headers, ("Content-Encoding", "gzip"))
        return Request(
            "POST",
            Endpoint.WRITE,
            params=tuple(params),
            headers=headers,
            body=sent,
            points=points,
            lines=body,
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
        accept: str | None = None,
    ) -> Request:
        """``/query`` for ``q``: GET for a plain SELECT/SHOW, POST for anything else.

        A msgpack ``accept`` becomes JSON when the server cannot answer it; a server that
        reads its parameters only from the URL (InfluxDB 3) always gets a GET.
        """
        if accept is not None and "msgpack" in accept and not self.server.wants_msgpack():
            accept = None
        headers = self._headers if accept is None else (*self._headers, ("Accept", accept))
        url_params: list[tuple[str, str]] = []
        database = db if db is not None else self.database
        if database is not None:
            url_params.append(("db", database))
        if rp is not None:
            url_params.append(("rp", rp))
        if epoch is not None:
            url_params.append(("epoch", check_epoch(epoch)))
        if chunk_size is not None and (type(chunk_size) is not int or chunk_size <= 0):
            raise ValidationError(
                f"chunk_size must be a positive int, not {chunk_size!r}", value=chunk_size
            )
        if chunked:
            url_params.append(("chunked", "true"))
            if chunk_size is not None:
                url_params.append(("chunk_size", str(chunk_size)))
        statement, secrets = split_statement(q)
        statement_params = [("q", q)]
        if params:
            statement_params.append(("params", json.dumps(dict(params))))
        if _is_read_only(q) or self.server.current().query_in_url:
            return Request(
                "GET",
                Endpoint.QUERY,
                params=(*url_params, *statement_params),
                headers=headers,
                statement=statement,
                secrets=secrets,
            )
        return Request(
            "POST",
            Endpoint.QUERY,
            params=tuple(url_params),
            headers=(*headers, ("Content-Type", "application/x-www-form-urlencoded")),
            body=urlencode(statement_params).encode(),
            statement=statement,
            secrets=secrets,
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
