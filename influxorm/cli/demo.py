"""``influxorm demo``: write and read sample trades on a throwaway influxd.

Needs nothing but ``influxd`` on PATH: the server is started in a temporary folder and
removed afterwards. With ``--url`` it runs against that server instead (database
``--database``, default ``influxorm_demo``, created if missing, left in place).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import influxorm as orm
from influxorm.cli.options import open_session
from influxorm.cli.table import format_table
from influxorm.results.points import iterpoints
from influxorm.session import AsyncSession
from influxorm.testing import InfluxDBServer
from influxorm.timeutil import ns_to_rfc3339

__all__ = ["Side", "Trade", "add_parser", "run", "sample_trades"]

DEMO_DATABASE = "influxorm_demo"


class Side(Enum):
    """Which side of the book a trade hit."""

    BUY = "BUY"
    SELL = "SELL"


class Trade(orm.Measurement, name="trades"):
    """A trade, as in the influxorm documentation."""

    time: datetime = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    price: float = orm.field()
    size: int = orm.field()
    trade_id: str = orm.field()


def sample_trades(count: int = 12) -> list[Trade]:
    """``count`` trades a minute apart over three instruments."""
    start = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    instruments = ("AAPL", "MSFT", "NVDA")
    return [
        Trade(
            time=start + timedelta(minutes=i),
            instrument=instruments[i % 3],
            side=Side.BUY if i % 2 == 0 else Side.SELL,
            price=round(100 + i * 1.25, 2),
            size=10 * (1 + i % 4),
            trade_id=f"t{i:04d}",
        )
        for i in range(count)
    ]


def _rows(result: Any) -> tuple[list[str], list[list[Any]]]:
    columns: list[str] = []

    def keep(values: list[Any], meta: dict[str, Any]) -> list[Any]:
        nonlocal columns
        tags = meta.get("tags", {})
        columns = [*tags, *meta["columns"]]
        return [*tags.values(), *values]

    rows = list(iterpoints(result, keep))
    return columns, rows


async def _tour(session: AsyncSession) -> None:
    await session.create_database()
    written = await session.write(sample_trades())
    print(f"wrote {written} trades to measurement 'trades'\n")

    # Raw queries, their text compiled from the query builder (the only writer of InfluxQL).
    trades = Trade.objects.only("instrument", "side", "price", "size").order_by("time")
    result = await session.query(trades.influxql, params=trades.params, output="json")
    columns, rows = _rows(result)
    for row in rows:
        row[0] = ns_to_rfc3339(row[0])
    print(format_table(columns, rows), end="\n\n")

    totals = Trade.objects.aggregate(
        trades=orm.Count("price"), avg_price=orm.Mean("price"), volume=orm.Sum("size")
    ).group_by("instrument")
    result = await session.query(totals.influxql, params=totals.params, output="json")
    columns, rows = _rows(result)
    keep = [i for i, name in enumerate(columns) if name != "time"]
    print("per instrument:")
    print(
        format_table(
            [columns[i] for i in keep],
            [
                [round(v, 4) if isinstance(v, float) else v for v in (r[i] for i in keep)]
                for r in rows
            ],
        )
    )


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser],
) -> None:
    """Register ``demo``."""
    parser = subparsers.add_parser(
        "demo",
        parents=parents,
        help="write and query sample trades on a throwaway influxd",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Run the demo on ``--url`` if given, else on a throwaway server."""
    database = args.database or DEMO_DATABASE
    if args.url:
        async with open_session(args) as session:
            session.database = database
            await _tour(session)
        return 0
    with InfluxDBServer() as server:
        print(f"started a throwaway influxd at {server.url}")
        async with AsyncSession(server.url, database=database) as session:
            await _tour(session)
    print("\nstopped the throwaway influxd and removed its files")
    return 0
