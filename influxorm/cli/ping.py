"""``influxorm ping``: check that a server answers, and print its version."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from influxorm.cli.options import open_session

__all__ = ["add_parser", "run"]


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser],
) -> None:
    """Register ``ping``."""
    parser = subparsers.add_parser(
        "ping", parents=parents, help="check that the server answers; print its version"
    )
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Ping; an unreachable server raises TransportError (exit status 1)."""
    async with open_session(args) as session:
        version = await session.ping()
    print(f"InfluxDB {version or '(unknown version)'} is up at {session.url}")
    return 0
