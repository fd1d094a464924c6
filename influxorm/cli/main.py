"""The ``influxorm`` command: argument parsing, dispatch, exit statuses.

Exit status 0 on success, 1 for an expected failure (server unreachable, refused
credentials, a query or write error, a bad file), printed as one line on stderr without a
traceback, 2 for a usage error, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import cast

from influxorm.cli import demo, inspect, migrate, ping, transfer
from influxorm.cli.options import CliError, add_connection_flags
from influxorm.exceptions import InfluxORMError

__all__ = ["build_parser", "main"]

Command = Callable[[argparse.Namespace], Awaitable[int]]


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand and the shared connection flags."""
    connection = argparse.ArgumentParser(add_help=False)
    add_connection_flags(connection)
    parser = argparse.ArgumentParser(
        prog="influxorm",
        description="influxorm: tools for InfluxDB (v1 HTTP API).",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for module in (ping, demo, inspect, transfer, migrate):
        module.add_parser(subparsers, [connection])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(argv)
    command = cast(Command, args.run)
    # The failure is printed below as one line: without logging configured, Python would
    # also print the library's WARNING records (a retry given up) on stderr.
    quiet = not logging.getLogger().handlers
    logger = logging.getLogger("influxorm")
    if quiet:
        logger.addHandler(_QUIET)
    try:
        return asyncio.run(_run(command, args))
    except KeyboardInterrupt:
        print("influxorm: interrupted", file=sys.stderr)
        return 130
    except (CliError, InfluxORMError, OSError) as error:
        print(f"influxorm: {_message(error)}", file=sys.stderr)
        return 1
    finally:
        if quiet:
            logger.removeHandler(_QUIET)


_QUIET = logging.NullHandler()


async def _run(command: Command, args: argparse.Namespace) -> int:
    return await command(args)


def _message(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error) or type(error).__name__
