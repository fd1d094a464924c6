"""``influxorm inspect``: generate model classes from an existing database."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from influxorm.cli.modelgen import generate_module
from influxorm.cli.options import CliError, open_session, require_database
from influxorm.query import statements
from influxorm.schema_check import MeasurementInfo, fetch_measurement_info
from influxorm.session import AsyncSession

__all__ = ["add_parser", "inspect_database", "run"]


async def inspect_database(
    session: AsyncSession,
    database: str,
    *,
    measurements: Sequence[str] = (),
    retention_policy: str | None = None,
) -> list[MeasurementInfo]:
    """What the server has for ``measurements`` (default: every one) of ``database``."""
    names = list(measurements)
    if not names:
        result = await session.query(statements.show_measurements(), db=database, output="json")
        names = [
            row[0]
            for statement in result.get("results", ())
            for series in statement.get("series", ())
            for row in series.get("values") or ()
        ]
    return [
        await fetch_measurement_info(session, name, db=database, retention_policy=retention_policy)
        for name in names
    ]


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser],
) -> None:
    """Register ``inspect``."""
    parser = subparsers.add_parser(
        "inspect",
        parents=parents,
        help="generate Measurement classes from a database's schema",
        description=(
            "Print Python source with one Measurement class per measurement, typed from "
            "SHOW TAG KEYS / SHOW FIELD KEYS."
        ),
    )
    parser.add_argument(
        "--measurement",
        "-m",
        action="append",
        default=[],
        help="only this measurement (repeatable; default: all)",
    )
    parser.add_argument("--retention-policy", help="read the schema of this retention policy")
    parser.add_argument("--output", "-o", type=Path, help="write the module here (default: stdout)")
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Inspect, generate, print or write the module."""
    database = require_database(args)
    async with open_session(args) as session:
        where = session.url  # without credentials
        infos = await inspect_database(
            session,
            database,
            measurements=args.measurement,
            retention_policy=args.retention_policy,
        )
    missing = [info.name for info in infos if not info.exists]
    if missing:
        raise CliError(f"no such measurement(s) in {database!r}: {', '.join(map(repr, missing))}")
    try:
        source = generate_module(infos, source=f"database {database!r} at {where}")
    except ValueError as error:  # the server reported something no model can declare
        raise CliError(f"cannot generate models for {database!r}: {error}") from None
    if args.output is None:
        print(source, end="")
    else:
        args.output.write_text(source, encoding="utf-8")
    return 0
