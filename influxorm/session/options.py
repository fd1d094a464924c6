"""Connection options from a URL or the environment, and TLS contexts; no network I/O.

URL form (:meth:`AsyncSession.from_url`, ``INFLUXDB_URL``)::

    http[s]://[user[:password]@]host[:port][/prefix]/[database][?option=value&...]
    http+unix://<percent-encoded socket path>/[database][?...]

The last path segment is the database (``https://u:p@db.example:8086/market``); earlier
segments are a path prefix (a server behind a reverse proxy at ``/influx``). Query options:
``timeout``, ``connect_timeout``, ``read_timeout`` (seconds), ``verify_ssl``
(``true``/``false``), ``ssl_ca``, ``ssl_cert``, ``ssl_key`` (file paths), ``gzip``
(``true``/``false``), ``token``, ``output``, ``retries`` (max attempts, 1 = none),
``max_concurrency``, ``batch_size``, ``inline_statements`` (``true``/``false``), ``server``
(``auto``, ``influxdb1``, ``enterprise``, ``influxdb2``, ``influxdb3``), ``consistency``
(``any``, ``one``, ``quorum``, ``all``: Enterprise write consistency). User and
password are percent-decoded; how a
password that is not encoded is read is in :mod:`influxorm.session.urls`.
"""

from __future__ import annotations

import math
import os
import ssl
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Final, TypedDict, get_type_hints
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from influxorm.exceptions import ValidationError
from influxorm.results.output import OUTPUTS, Output
from influxorm.session.retry import RetryPolicy
from influxorm.session.servers import Consistency, ServerName, check_consistency, check_server
from influxorm.session.urls import require_scheme, split_userinfo

__all__ = [
    "ENV_PREFIX",
    "SessionOptions",
    "check_output",
    "check_session_options",
    "make_ssl_context",
    "options_from_env",
    "parse_url",
]

ENV_PREFIX: Final = "INFLUXDB_"

_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})


def _flag(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationError(f"option {name} must be true or false, not {text!r}", value=text)


def _seconds(name: str, text: str) -> float | None:
    if text.strip().lower() in ("none", ""):
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"option {name} must be seconds, not {text!r}", value=text) from None


def _integer(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValidationError(
            f"option {name} must be an integer, not {text!r}", value=text
        ) from None


def _text(name: str, text: str) -> str:
    return text


_URL_OPTIONS: Final[dict[str, Callable[[str, str], Any]]] = {
    "timeout": _seconds,
    "connect_timeout": _seconds,
    "read_timeout": _seconds,
    "verify_ssl": _flag,
    "ssl_ca": _text,
    "ssl_cert": _text,
    "ssl_key": _text,
    "gzip": _flag,
    "token": _text,
    "output": _text,
    "retries": _integer,
    "max_concurrency": _integer,
    "batch_size": _integer,
    "inline_statements": _flag,
    "server": _text,
    "consistency": _text,
    "database": _text,
}


_ENV_OPTIONS: Final = (
    "database",
    "username",
    "password",
    "token",
    "unix_socket",
    "ssl_ca",
    "ssl_cert",
    "ssl_key",
    "ssl_password",
    "server",
)


def _type_name(value: object) -> str:
    return type(value).__name__


def _check_seconds(name: str, value: object) -> None:
    if value is None:
        return
    if type(value) not in (int, float) or not math.isfinite(value) or value <= 0:  # type: ignore[arg-type, operator]
        shown = repr(value) if type(value) in (int, float) else f"{value!r} ({_type_name(value)})"
        raise ValidationError(
            f"option {name} must be a number of seconds > 0, or None, not {shown}", value=value
        )


def _check_count(name: str, value: object) -> None:
    if type(value) is not int or value < 1:
        shown = repr(value) if type(value) is int else f"{value!r} ({_type_name(value)})"
        raise ValidationError(f"option {name} must be an int >= 1, not {shown}", value=value)


def _check_optional_count(name: str, value: object) -> None:
    if value is not None:
        _check_count(name, value)


def _check_flag(name: str, value: object) -> None:
    if type(value) is not bool:
        raise ValidationError(
            f"option {name} must be True or False, not {value!r} ({_type_name(value)})",
            value=value,
        )


def _check_text(name: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise ValidationError(
            f"option {name} must be a str or None, not {value!r} ({_type_name(value)})",
            value=value,
        )


def _check_secret(name: str, value: object) -> None:
    # The value is never shown: a password given where it does not belong is still one.
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"option {name} must be a str or None, not a {_type_name(value)}")


def _check_path(name: str, value: object) -> None:
    if value is not None and not isinstance(value, str | os.PathLike):
        raise ValidationError(
            f"option {name} must be a file path (str) or None, not {value!r} ({_type_name(value)})",
            value=value,
        )


def _check_headers(name: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise ValidationError(f"option {name} must be a mapping of str to str or None")
    for key, item in value.items():
        # Header values may be credentials: only their types are shown.
        if not isinstance(key, str) or not isinstance(item, str):
            raise ValidationError(
                f"option {name} must map str to str, not {_type_name(key)} to "
                f"{_type_name(item)} (header {key!r})"
                if isinstance(key, str)
                else f"option {name} must map str to str, not {_type_name(key)} keys"
            )


def _check_retry(name: str, value: object) -> None:
    if value is not None and not isinstance(value, RetryPolicy):
        raise ValidationError(
            f"option {name} must be a RetryPolicy or None, not {value!r} ({_type_name(value)})",
            value=value,
        )


def _check_url(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(f"option {name} must be a str, not a {_type_name(value)}")


def check_output(output: object) -> Output:
    """``output`` if sessions know it (one of :data:`~influxorm.results.output.OUTPUTS`)."""
    for known in OUTPUTS:
        if output == known:
            return known
    raise ValidationError(
        f"unknown output {output!r}: use one of {', '.join(map(repr, OUTPUTS))}", value=output
    )


def _check_output(name: str, value: object) -> None:
    check_output(value)


def _check_server(name: str, value: object) -> None:
    check_server(value)


def _check_consistency(name: str, value: object) -> None:
    check_consistency(value)


class SessionOptions(TypedDict, total=False):
    """The keyword options of :class:`~influxorm.session.AsyncSession` and
    :class:`~influxorm.session.Session`, declared once: each with its type and the check
    its value must pass (the ``Annotated`` metadata).

    Connection: ``url`` (may carry ``user:password@``) or ``unix_socket``;
    ``username``/``password`` authenticate with HTTP basic auth, ``token`` with
    ``Authorization: Token ...`` (InfluxDB 1.8+, 2.x and 3.x v1 APIs). TLS for ``https``
    URLs verifies the server unless ``verify_ssl=False``; ``ssl_ca`` is a CA bundle to
    trust, ``ssl_cert``/``ssl_key`` a client certificate (``ssl_password`` the passphrase
    of an encrypted key; never shown anywhere). ``connect_timeout`` and
    ``read_timeout`` (default ``timeout``; None waits forever) bound connecting and each
    wait for data. ``gzip=True`` compresses write bodies (off by default: on fast links
    it costs more than it saves). ``headers`` are sent with every request. Connections
    are pooled (``max_connections``) and kept alive.

    Behaviour: ``database`` is the default for writes and queries (switchable as an
    attribute); ``output`` the default result format of :meth:`query`; ``retry`` the
    :class:`~influxorm.session.retry.RetryPolicy` (``retry_attempts`` a shorthand for its
    ``max_attempts``); ``batch_size`` and ``max_concurrency`` how :meth:`write` cuts and
    sends large writes; ``inline_statements`` sends model queries with their values
    written in; ``server`` the server profile (``auto``: found by one ``/ping`` when a
    decision needs it; see :mod:`influxorm.session.servers`); ``consistency`` the
    (Enterprise) write consistency. Credentials never appear in reprs, logs or error
    messages.

    Defaults (:class:`~influxorm.session.config.SessionConfig`'s): ``timeout=60.0``,
    ``output="json"``, ``verify_ssl=True``, ``batch_size=5000``, ``max_concurrency=4``,
    ``max_connections=100``, ``server="auto"``; the others None/False.
    """

    database: Annotated[str | None, _check_text]
    username: Annotated[str | None, _check_text]
    password: Annotated[str | None, _check_secret]
    token: Annotated[str | None, _check_secret]
    unix_socket: Annotated[str | None, _check_path]
    timeout: Annotated[float | None, _check_seconds]
    connect_timeout: Annotated[float | None, _check_seconds]
    read_timeout: Annotated[float | None, _check_seconds]
    output: Annotated[Output, _check_output]
    gzip: Annotated[bool, _check_flag]
    headers: Annotated[Mapping[str, str] | None, _check_headers]
    verify_ssl: Annotated[bool, _check_flag]
    ssl_ca: Annotated[str | None, _check_path]
    ssl_cert: Annotated[str | None, _check_path]
    ssl_key: Annotated[str | None, _check_path]
    ssl_password: Annotated[str | None, _check_secret]
    retry: Annotated[RetryPolicy | None, _check_retry]
    retry_attempts: Annotated[int | None, _check_optional_count]
    batch_size: Annotated[int, _check_count]
    max_concurrency: Annotated[int, _check_count]
    max_connections: Annotated[int, _check_count]
    inline_statements: Annotated[bool, _check_flag]
    server: Annotated[ServerName, _check_server]
    consistency: Annotated[Consistency | None, _check_consistency]


#: Every option's check: the session's (from :class:`SessionOptions`), the URL's, and
#: the bulk writer's (``session.writer(...)``).
_SESSION_OPTIONS: Final[dict[str, Callable[[str, object], None]]] = {
    "url": _check_url,
    **{
        name: hint.__metadata__[0]
        for name, hint in get_type_hints(SessionOptions, include_extras=True).items()
    },
    "flush_interval": _check_seconds,
    "max_buffer": _check_optional_count,
}


def check_session_options(options: Mapping[str, object]) -> None:
    """Raise :class:`ValidationError` naming the first option of a session (or of its
    bulk writers) whose value has the wrong type or range (a timeout that is not a
    positive number of seconds, a count below 1, a flag that is not a bool...); secrets
    are never quoted."""
    for name, value in options.items():
        check = _SESSION_OPTIONS.get(name)
        if check is not None:
            check(name, value)


def parse_url(url: str) -> dict[str, Any]:
    """Session keyword arguments for a URL in the form described in the module docstring."""
    require_scheme(url)
    url, username, password = split_userinfo(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    options: dict[str, Any] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        convert = _URL_OPTIONS.get(key)
        if convert is None:
            raise ValidationError(
                f"unknown URL option {key!r}: use one of {', '.join(sorted(_URL_OPTIONS))}",
                value=key,
            )
        options[key] = convert(key, value)
        # Checked under the URL's own name (retries=0 names "retries").
        check = _SESSION_OPTIONS.get("retry_attempts" if key == "retries" else key)
        if check is not None:
            check(key, options[key])
    if "retries" in options:
        options["retry_attempts"] = options.pop("retries")
    prefix, _, database = parts.path.rstrip("/").rpartition("/") if parts.path else ("", "", "")
    if database:
        options.setdefault("database", unquote(database))
    if username is not None:
        options["username"] = username
    if password is not None:
        options["password"] = password
    if scheme == "http+unix":
        options["unix_socket"] = unquote(parts.netloc)
        options["url"] = "http://localhost" + prefix
        return options
    if scheme not in ("http", "https"):
        raise ValidationError(
            f"unsupported URL scheme {parts.scheme!r}: use http, https or http+unix", value=scheme
        )
    options["url"] = urlunsplit((scheme, parts.netloc, prefix, "", ""))
    return options


def options_from_env(environ: Mapping[str, str], prefix: str = ENV_PREFIX) -> dict[str, Any]:
    """Session keyword arguments from ``<prefix>URL`` (the URL form) and the variables
    ``<prefix>DATABASE``, ``<prefix>USERNAME``, ``<prefix>PASSWORD``, ``<prefix>TOKEN``,
    ``<prefix>UNIX_SOCKET``, ``<prefix>SSL_CA``, ``<prefix>SSL_CERT``, ``<prefix>SSL_KEY``,
    ``<prefix>SSL_PASSWORD``, ``<prefix>SERVER`` (the server profile), which override
    the URL's parts."""
    options: dict[str, Any] = {}
    url = environ.get(prefix + "URL")
    if url:
        options.update(parse_url(url))
    for name in _ENV_OPTIONS:
        value = environ.get(prefix + name.upper())
        if value:
            options[name] = value
    return options


def make_ssl_context(
    *,
    verify: bool,
    ca_file: str | None,
    cert_file: str | None,
    key_file: str | None,
    key_password: str | None = None,
) -> ssl.SSLContext:
    """A client TLS context: verification on unless ``verify`` is False, ``ca_file`` as
    the trusted CAs (else the system's), ``cert_file``/``key_file`` as a client cert
    (``key_file`` may be left out when ``cert_file`` holds the key too), ``key_password``
    the passphrase of an encrypted key.

    Every file is read here, so a missing or unreadable file, a file that is not PEM, a
    key that does not match its certificate, an encrypted key without ``key_password``
    (OpenSSL would otherwise prompt on the terminal) or with a wrong one is a
    :class:`ValidationError` naming the option, when the session is created rather than
    at its first request.
    """
    if key_file is not None and cert_file is None:
        raise ValidationError("ssl_key needs ssl_cert (the client certificate)", value=key_file)
    for option, path in (("ssl_ca", ca_file), ("ssl_cert", cert_file), ("ssl_key", key_file)):
        if path is not None:
            _check_readable(option, path)
    try:
        context = ssl.create_default_context(cafile=ca_file)
    except ssl.SSLError as exc:
        raise ValidationError(
            f"ssl_ca {ca_file!r} holds no PEM certificate ({_ssl_reason(exc)})", value=ca_file
        ) from None
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if key_password is not None and cert_file is None:
        raise ValidationError("ssl_password is the passphrase of ssl_key: give ssl_cert too")
    if cert_file is not None:
        _load_client_certificate(context, cert_file, key_file, key_password)
    return context


# OpenSSL's reasons for a key that a given passphrase does not decrypt (3.x, 1.1).
_BAD_PASSPHRASE: Final = frozenset({"BAD_DECRYPT", "bad decrypt", "PEM_LIB", "BAD_PASSWORD_READ"})


class _EncryptedKey(Exception):
    """Raised by the password callback: OpenSSL asked for a passphrase."""


def _no_passphrase() -> str:
    raise _EncryptedKey


def _load_client_certificate(
    context: ssl.SSLContext, cert_file: str, key_file: str | None, key_password: str | None
) -> None:
    where = f"ssl_cert {cert_file!r}" + (f" / ssl_key {key_file!r}" if key_file else "")
    try:
        # Without a passphrase, a callback that refuses: OpenSSL never prompts on the
        # terminal for one.
        context.load_cert_chain(
            cert_file,
            key_file,
            password=key_password if key_password is not None else _no_passphrase,
        )
    except _EncryptedKey:
        raise ValidationError(
            f"the private key of {where} is encrypted with a passphrase: give it as "
            "ssl_password= (INFLUXDB_SSL_PASSWORD), or an unencrypted key "
            "(openssl pkey -in KEY -out PLAIN_KEY)",
            value=key_file or cert_file,
        ) from None
    except ssl.SSLError as exc:
        # A wrong passphrase reads as "PEM lib" with no reason on OpenSSL 3.
        if key_password is not None and (exc.reason is None or exc.reason in _BAD_PASSPHRASE):
            raise ValidationError(
                f"the private key of {where} could not be decrypted with ssl_password "
                f"(wrong passphrase? {_ssl_reason(exc)})",
                value=key_file or cert_file,
            ) from None
        if exc.reason == "KEY_VALUES_MISMATCH":
            problem = "the private key does not belong to the certificate"
        else:
            problem = "not a PEM certificate and its private key" + (
                "" if key_file else " (give ssl_key when the key is in its own file)"
            )
        raise ValidationError(
            f"{where}: {problem} ({_ssl_reason(exc)})", value=key_file or cert_file
        ) from None
    except OSError as exc:
        raise ValidationError(
            f"{where}: cannot be read ({exc.strerror or exc})", value=key_file or cert_file
        ) from None


def _check_readable(option: str, path: str) -> None:
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ValidationError(
            f"{option} {path!r} cannot be read: {exc.strerror or exc}", value=path
        ) from None


def _ssl_reason(exc: ssl.SSLError) -> str:
    """OpenSSL's words for ``exc`` without the ``(_ssl.c:1234)`` location."""
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    return text.split(" (_ssl.c:", 1)[0]
