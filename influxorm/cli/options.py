"""Connection flags shared by every ``influxorm`` subcommand, and the session they open."""

from __future__ import annotations

import argparse
import os
from typing import Final

from influxorm.session import AsyncSession
from influxorm.session.servers import SERVERS, check_server

__all__ = [
    "DEFAULT_URL",
    "CliError",
    "add_connection_flags",
    "open_session",
    "require_database",
    "resolved_url",
]

DEFAULT_URL: Final = "http://localhost:8086"


class CliError(Exception):
    """An expected failure: printed as ``influxorm: <message>``, exit status 1."""


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``--url --database --username --password --token --unix-socket --timeout
    --server``.

    Defaults come from ``INFLUXDB_URL``, ``INFLUXDB_DATABASE``, ``INFLUXDB_USERNAME``,
    ``INFLUXDB_PASSWORD``, ``INFLUXDB_TOKEN`` and ``INFLUXDB_SERVER``, so secrets need not
    be on the command line.
    """
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--url",
        help=f"the server's URL (env INFLUXDB_URL, default {DEFAULT_URL})",
    )
    group.add_argument("--database", "-d", help="the database (env INFLUXDB_DATABASE)")
    group.add_argument("--username", "-u", help="user for basic auth (env INFLUXDB_USERNAME)")
    group.add_argument(
        "--password",
        help="password for basic auth (better: env INFLUXDB_PASSWORD, kept out of ps)",
    )
    group.add_argument("--token", help="API token, for InfluxDB 1.8+/2.x/3.x (env INFLUXDB_TOKEN)")
    group.add_argument("--unix-socket", metavar="PATH", help="connect through this unix socket")
    group.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="connect/read timeout in seconds (default 60)",
    )
    group.add_argument(
        "--server",
        choices=sorted(SERVERS),
        help="the server generation (env INFLUXDB_SERVER; default auto: asked with /ping "
        "when it matters); see docs/servers.md",
    )


def _option(args: argparse.Namespace, name: str, env: str) -> str | None:
    value: str | None = getattr(args, name, None)
    return value if value is not None else os.environ.get(env) or None


def resolved_url(args: argparse.Namespace) -> str:
    """``--url``, else ``INFLUXDB_URL``, else the default."""
    return _option(args, "url", "INFLUXDB_URL") or DEFAULT_URL


def require_database(args: argparse.Namespace) -> str:
    """``--database`` or ``INFLUXDB_DATABASE``; a CliError when neither is given."""
    database = _option(args, "database", "INFLUXDB_DATABASE")
    if database is None:
        raise CliError("give a database with --database (or env INFLUXDB_DATABASE)")
    return database


def open_session(args: argparse.Namespace, *, url: str | None = None) -> AsyncSession:
    """An AsyncSession configured by the connection flags (``url`` overrides ``--url``)."""
    return AsyncSession(
        url or resolved_url(args),
        database=_option(args, "database", "INFLUXDB_DATABASE"),
        username=_option(args, "username", "INFLUXDB_USERNAME"),
        password=_option(args, "password", "INFLUXDB_PASSWORD"),
        token=_option(args, "token", "INFLUXDB_TOKEN"),
        unix_socket=getattr(args, "unix_socket", None),
        timeout=getattr(args, "timeout", 60.0),
        server=check_server(_option(args, "server", "INFLUXDB_SERVER") or "auto"),
    )
