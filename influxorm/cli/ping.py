"""``influxorm ping``: check that a server answers and accepts the credentials; print its
version."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from influxorm.cli.options import CliError, open_session
from influxorm.exceptions import AuthenticationError, QueryError

__all__ = ["add_parser", "run"]


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser],
) -> None:
    """Register ``ping``."""
    parser = subparsers.add_parser(
        "ping",
        parents=parents,
        help="check that the server answers and accepts the credentials; print its version",
        description=(
            "GET /ping (which InfluxDB answers without checking credentials), then one "
            "authenticated query (SHOW DATABASES): exit status 1 if the server is "
            "unreachable or refuses the credentials (or requires some)."
        ),
    )
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Ping, then check the credentials; a refusal is a CliError (exit status 1)."""
    async with open_session(args) as session:
        version = await session.ping()
        server = f"InfluxDB {version or '(unknown version)'} is up at {session.url}"
        try:
            await session.show_databases()
        except AuthenticationError as error:
            hint = ""
            if "unable to parse authentication credentials" in error.server_message:
                hint = " (give --username and --password, or --token)"
            raise CliError(
                f"{server} but refused the credentials ({error.status}): "
                f"{error.server_message}{hint}"
            ) from None
        except QueryError:
            pass  # authenticated, but no SHOW DATABASES here (InfluxDB 3): accepted
    print(server)
    return 0
